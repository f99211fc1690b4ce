"""grant_type=password (Auth0's Resource Owner Password flow) against the tenant's default directory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import jwt
import pytest
from tests.support.fast_passwords import fast_passwords  # noqa: F401
from tests.support.firstparty import API, PASSWORD, WRONG_PASSWORD_BODY, Rop, make_rop
from tests.support.jwks import oidc_half_hash, verify

from ostiary.runtime import AppState

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture
async def rop(state: AppState, app: Any) -> AsyncIterator[Rop]:
    setup = await make_rop(state, app)
    yield setup
    await setup.t.http.aclose()


async def test_no_scope_asked_gives_every_api_scope_and_a_password_token(rop: Rop) -> None:
    response = await rop.token(audience=API)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "scope", "expires_in", "token_type"}
    assert body["scope"] == "read:things write:things"
    assert response.headers["cache-control"] == "no-store"
    claims = await verify(rop.t.http, body["access_token"], audience=API, issuer=rop.t.issuer)
    assert claims["sub"] == rop.user.user_id
    assert claims["gty"] == "password"
    assert claims["azp"] == rop.web.client_id
    assert claims["scope"] == "read:things write:things"


async def test_asked_api_scope_is_not_widened(rop: Rop) -> None:
    response = await rop.token(audience=API, scope="read:things unknown:scope")
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "read:things"


async def test_openid_adds_an_id_token_for_the_client(rop: Rop) -> None:
    response = await rop.token(audience=API, scope="openid profile email")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["scope"] == "openid profile email read:things write:things"
    access = await verify(rop.t.http, body["access_token"], audience=API, issuer=rop.t.issuer)
    assert access["aud"] == [API, f"https://{rop.t.domain}/userinfo"]
    id_claims = await verify(rop.t.http, body["id_token"], audience=rop.web.client_id, issuer=rop.t.issuer)
    assert id_claims["sub"] == rop.user.user_id
    assert id_claims["email"] == rop.user.email and id_claims["name"] == "Alice"
    assert id_claims["at_hash"] == oidc_half_hash(body["access_token"])


async def test_offline_access_gives_a_refresh_token(rop: Rop) -> None:
    response = await rop.token(audience=API, scope="offline_access")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["refresh_token"]
    assert body["scope"] == "offline_access read:things write:things"


async def test_no_refresh_token_when_the_api_disallows_offline_access(rop: Rop) -> None:
    await rop.t.api("https://strict.example.com", scopes=["read:x"], allow_offline_access=False)
    response = await rop.token(audience="https://strict.example.com", scope="offline_access")
    assert response.status_code == 200, response.text
    assert "refresh_token" not in response.json()


async def test_no_refresh_token_without_the_refresh_token_grant(rop: Rop) -> None:
    await rop.t.update_client(rop.web.client_id, grant_types=["password"])
    response = await rop.token(audience=API, scope="offline_access")
    assert response.status_code == 200, response.text
    assert "refresh_token" not in response.json()


async def test_no_audience_gives_an_opaque_userinfo_token(rop: Rop) -> None:
    response = await rop.token(scope="openid")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["scope"] == "openid"
    with pytest.raises(jwt.DecodeError):
        jwt.get_unverified_header(body["access_token"])
    await verify(rop.t.http, body["id_token"], audience=rop.web.client_id, issuer=rop.t.issuer)


async def test_public_native_client_logs_in_without_a_secret(rop: Rop) -> None:
    response = await rop.token(rop.native, audience=API)
    assert response.status_code == 200, response.text
    claims = await verify(rop.t.http, response.json()["access_token"], audience=API, issuer=rop.t.issuer)
    assert claims["azp"] == rop.native.client_id


async def test_email_is_matched_case_insensitively(rop: Rop) -> None:
    response = await rop.token(audience=API, username=(rop.user.email or "").upper())
    assert response.status_code == 200, response.text


async def test_login_is_recorded(rop: Rop) -> None:
    assert (await rop.token(audience=API)).status_code == 200
    user = await rop.t.repos_call(lambda r: r.users.by_user_id(rop.user.user_id))
    assert user.logins_count == 1 and user.last_login is not None


@pytest.mark.parametrize(
    "change",
    [{"password": "wrong password"}, {"username": "nobody@example.com"}, {"username": "nobody@example.com",
                                                                           "password": PASSWORD}],
    ids=["wrong-password", "unknown-user", "unknown-user-known-password"],
)
async def test_wrong_credentials_are_one_answer_for_known_and_unknown_users(
    rop: Rop, change: dict[str, str]
) -> None:
    response = await rop.token(audience=API, **change)
    assert response.status_code == 403
    assert response.json() == WRONG_PASSWORD_BODY
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("missing", ["username", "password"])
async def test_missing_credentials_are_invalid_request(rop: Rop, missing: str) -> None:
    form = rop.form(audience=API)
    del form[missing]
    response = await rop.t.http.post("/oauth/token", data=form)
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": f"Missing required parameter: {missing}",
    }


async def test_admin_blocked_user_gets_user_is_blocked_only_with_the_right_password(rop: Rop) -> None:
    await rop.t.repos_call(lambda r: r.users.update(rop.user.user_id, blocked=True))
    right = await rop.token(audience=API)
    assert right.status_code == 401
    assert right.json() == {"error": "unauthorized", "error_description": "user is blocked"}
    wrong = await rop.token(audience=API, password="nope")
    assert wrong.status_code == 403 and wrong.json() == WRONG_PASSWORD_BODY


async def test_confidential_client_without_its_secret_is_401(rop: Rop) -> None:
    form = rop.form(audience=API)
    del form["client_secret"]
    response = await rop.t.http.post("/oauth/token", data=form)
    assert response.status_code == 401
    assert response.json() == {"error": "access_denied", "error_description": "Unauthorized"}


async def test_password_grant_not_enabled_for_the_client(rop: Rop) -> None:
    await rop.t.update_client(rop.web.client_id, grant_types=["authorization_code"])
    response = await rop.token(audience=API)
    assert response.status_code == 403
    assert response.json() == {
        "error": "unauthorized_client",
        "error_description": "Grant type 'password' not allowed for the client.",
        "error_uri": "https://auth0.com/docs/clients/client-grant-types",
    }


async def test_unknown_audience_is_service_not_enabled(rop: Rop) -> None:
    response = await rop.token(audience="https://nope.example")
    assert response.status_code == 403
    assert response.json() == {
        "error": "access_denied",
        "error_description": "Service not enabled within domain: https://nope.example",
    }


async def test_tenant_without_default_directory_needs_a_realm(state: AppState, app: Any) -> None:
    setup = await make_rop(state, app, default_directory=None)
    try:
        response = await setup.token(audience=API)
        assert response.status_code == 403
        assert response.json() == {
            "error": "unauthorized_client",
            "error_description": "Authorization server not configured with default connection.",
        }
        with_realm = await setup.token(audience=API, realm="Username-Password-Authentication")
        assert with_realm.status_code == 200, with_realm.text
    finally:
        await setup.t.http.aclose()
