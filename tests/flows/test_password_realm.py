"""grant_type=http://auth0.com/oauth/grant-type/password-realm: the realm names the database connection."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from tests.support.fast_passwords import fast_passwords  # noqa: F401
from tests.support.firstparty import API, PASSWORD, REALM, WRONG_PASSWORD_BODY, Rop, make_rop
from tests.support.jwks import verify

from ostiary.runtime import AppState

pytestmark = pytest.mark.usefixtures("fast_passwords")


@pytest.fixture
async def rop(state: AppState, app: Any) -> AsyncIterator[Rop]:
    setup = await make_rop(state, app, default_directory=None)
    await setup.t.connection("Staff", enabled_clients=[setup.web.client_id])
    yield setup
    await setup.t.http.aclose()


async def test_realm_login_as_auth0_swift_sends_it(rop: Rop) -> None:
    response = await rop.t.http.post(
        "/oauth/token",
        json={"grant_type": REALM, "client_id": rop.native.client_id, "username": rop.user.email,
              "password": PASSWORD, "realm": "Username-Password-Authentication", "audience": API,
              "scope": "openid offline_access"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["refresh_token"] and body["id_token"]
    assert body["scope"] == "openid offline_access read:things write:things"
    claims = await verify(rop.t.http, body["access_token"], audience=API, issuer=rop.t.issuer)
    assert claims["sub"] == rop.user.user_id and claims["gty"] == "password"


async def test_realm_is_required(rop: Rop) -> None:
    response = await rop.token(grant_type=REALM, audience=API)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_request", "error_description": "Missing required parameter: realm"}


async def test_users_of_another_connection_are_not_found(rop: Rop) -> None:
    staff = await rop.t.user(connection="Staff", password="staff password")
    in_default = await rop.token(grant_type=REALM, realm="Username-Password-Authentication",
                                 username=staff.email or "", password="staff password")
    assert in_default.status_code == 403 and in_default.json() == WRONG_PASSWORD_BODY
    in_staff = await rop.token(grant_type=REALM, realm="Staff", username=staff.email or "", password="staff password")
    assert in_staff.status_code == 200, in_staff.text


async def test_connection_not_enabled_for_the_client(rop: Rop) -> None:
    response = await rop.token(rop.native, grant_type=REALM, realm="Staff")
    assert response.status_code == 403
    assert response.json() == {
        "error": "unauthorized_client",
        "error_description": "The connection Staff is not enabled for this client.",
    }


@pytest.mark.parametrize("realm", ["nope", "google-oauth2"])
async def test_realm_that_is_not_a_database_connection(rop: Rop, realm: str) -> None:
    if realm == "google-oauth2":
        await rop.t.connection(realm, strategy="google-oauth2", enabled_clients=[rop.web.client_id])
    response = await rop.token(grant_type=REALM, realm=realm)
    assert response.status_code == 403
    assert response.json() == {
        "error": "unauthorized_client",
        "error_description": f"connection {realm} is not a database connection",
    }


async def test_wrong_password_is_auth0s_invalid_grant(rop: Rop) -> None:
    response = await rop.token(grant_type=REALM, realm="Username-Password-Authentication", password="bad")
    assert response.status_code == 403
    assert response.json() == WRONG_PASSWORD_BODY


async def test_realm_grant_not_enabled_for_the_client(rop: Rop) -> None:
    await rop.t.update_client(rop.web.client_id, grant_types=["password"])
    response = await rop.token(grant_type=REALM, realm="Username-Password-Authentication")
    assert response.status_code == 403
    assert response.json()["error"] == "unauthorized_client"
    assert response.json()["error_description"] == f"Grant type '{REALM}' not allowed for the client."


async def test_admin_blocked_user_is_unauthorized(rop: Rop) -> None:
    await rop.t.repos_call(lambda r: r.users.update(rop.user.user_id, blocked=True))
    response = await rop.token(grant_type=REALM, realm="Username-Password-Authentication", audience=API)
    assert response.status_code == 401
    assert response.json() == {"error": "unauthorized", "error_description": "user is blocked"}
