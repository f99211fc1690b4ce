"""/dbconnections/signup and /dbconnections/change_password in Auth0's wire shapes."""

from __future__ import annotations

from tests.support.browser_login import PASSWORD, authorize_params, login_round_trip, response_params, web_app
from tests.support.factories import TenantFixture

CONNECTION = "Username-Password-Authentication"


async def test_signup_creates_a_user_who_can_then_log_in(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    response = await tenant.http.post(
        "/dbconnections/signup",
        json={"client_id": app.client.client_id, "email": "New@Example.com", "password": PASSWORD,
              "connection": CONNECTION, "given_name": "New", "user_metadata": {"plan": "free"}},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"_id", "email_verified", "email", "given_name", "user_metadata"}
    assert len(body["_id"]) == 24 and body["email"] == "new@example.com" and body["email_verified"] is False
    assert body["user_metadata"] == {"plan": "free"}
    answer = await login_round_trip(app, authorize_params(app), username="new@example.com", password=PASSWORD)
    assert "code" in response_params(answer)


async def test_signup_duplicate_is_user_exists_in_the_dbconnections_shape(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    response = await tenant.http.post(
        "/dbconnections/signup",
        json={"client_id": app.client.client_id, "email": app.user.email, "password": PASSWORD,
              "connection": CONNECTION},
    )
    assert response.status_code == 400
    assert response.json() == {
        "name": "BadRequestError", "code": "user_exists", "description": "The user already exists.", "statusCode": 400,
    }


async def test_signup_weak_password_and_missing_fields(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    base = {"client_id": app.client.client_id, "connection": CONNECTION}
    weak = await tenant.http.post("/dbconnections/signup", json={**base, "email": "a@example.com", "password": "x"})
    assert weak.status_code == 400
    assert weak.json()["name"] == "PasswordStrengthError" and weak.json()["code"] == "invalid_password"
    missing = await tenant.http.post("/dbconnections/signup", json={**base, "email": "a@example.com"})
    assert missing.status_code == 400 and missing.json()["code"] == "invalid_parameter"
    form = await tenant.http.post("/dbconnections/signup",
                                  data={**base, "email": "form@example.com", "password": PASSWORD})
    assert form.status_code == 200


async def test_signup_to_a_connection_not_enabled_for_the_client(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    other = await tenant.client()
    response = await tenant.http.post(
        "/dbconnections/signup",
        json={"client_id": other.client_id, "email": "b@example.com", "password": PASSWORD, "connection": CONNECTION},
    )
    assert response.status_code == 400 and response.json()["code"] == "unauthorized"
    assert app.client.client_id != other.client_id


async def test_change_password_always_answers_the_same_json_string(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    for email in (app.user.email, "nobody@example.com"):
        response = await tenant.http.post(
            "/dbconnections/change_password",
            json={"client_id": app.client.client_id, "email": email, "connection": CONNECTION},
        )
        assert response.status_code == 200
        assert response.json() == "We've just sent you an email to reset your password."
        assert response.text == '"We\'ve just sent you an email to reset your password."'
