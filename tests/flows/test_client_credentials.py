"""client_credentials (RFC 6749 §4.4) with Auth0's client grants: audience, client grant, scopes, token shape."""

from __future__ import annotations

import pytest
from tests.support.factories import TenantFixture, make_tenant
from tests.support.jwks import verify

from ostiary.runtime import AppState

API = "https://api.example.com"
NO_GRANT = (
    'Client is not authorized to access "https://api.example.com". You need to create a "client-grant" '
    "associated to this API. See: https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants"
)


async def m2m(tenant: TenantFixture, grant: list[str] | None = None, **client_fields: object) -> dict[str, str]:
    await tenant.api(API, scopes=["read:things", "write:things", "delete:things"])
    client_fields.setdefault("app_type", "non_interactive")
    client = await tenant.client(**client_fields)
    if grant is not None:
        await tenant.client_grant(client.client_id, API, grant)
    return {"grant_type": "client_credentials", "client_id": client.client_id,
            "client_secret": client.client_secret or ""}


async def test_token_is_an_m2m_jwt_with_auth0_claims_and_nothing_else(tenant: TenantFixture) -> None:
    form = await m2m(tenant, ["read:things"])
    response = await tenant.http.post("/oauth/token", data={**form, "audience": API})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "scope", "expires_in", "token_type"}  # no refresh_token, no id_token
    assert body["token_type"] == "Bearer" and body["expires_in"] == 86400 and body["scope"] == "read:things"
    claims = await verify(tenant.http, body["access_token"], audience=API, issuer=tenant.issuer)
    assert claims["sub"] == f"{form['client_id']}@clients"
    assert claims["gty"] == "client-credentials"
    assert claims["azp"] == form["client_id"]
    assert claims["aud"] == API
    assert claims["scope"] == "read:things"


async def test_offline_access_and_openid_never_give_refresh_or_id_token(tenant: TenantFixture) -> None:
    form = await m2m(tenant, ["read:things"])
    response = await tenant.http.post(
        "/oauth/token", data={**form, "audience": API, "scope": "openid offline_access read:things"}
    )
    assert response.status_code == 200, response.text
    assert "refresh_token" not in response.json() and "id_token" not in response.json()
    assert response.json()["scope"] == "read:things"


async def test_resource_parameter_names_the_audience(tenant: TenantFixture) -> None:
    form = await m2m(tenant, ["read:things"])
    response = await tenant.http.post("/oauth/token", data={**form, "resource": API})
    assert response.status_code == 200, response.text
    claims = await verify(tenant.http, response.json()["access_token"], audience=API, issuer=tenant.issuer)
    assert claims["aud"] == API


async def test_tenant_default_audience_is_used_when_none_is_sent(state: AppState, app: object) -> None:
    tenant = await make_tenant(state, app, default_audience=API)
    try:
        form = await m2m(tenant, ["read:things"])
        response = await tenant.http.post("/oauth/token", data=form)
        assert response.status_code == 200, response.text
        await verify(tenant.http, response.json()["access_token"], audience=API, issuer=tenant.issuer)
    finally:
        await tenant.http.aclose()


async def test_no_audience_and_no_default_is_auth0s_access_denied(tenant: TenantFixture) -> None:
    form = await m2m(tenant, ["read:things"])
    response = await tenant.http.post("/oauth/token", data=form)
    assert response.status_code == 403
    assert response.json() == {
        "error": "access_denied",
        "error_description": "No audience parameter was provided, and no default audience has been configured",
    }
    assert response.headers["cache-control"] == "no-store"


async def test_unknown_audience_is_service_not_enabled(tenant: TenantFixture) -> None:
    form = await m2m(tenant, ["read:things"])
    response = await tenant.http.post("/oauth/token", data={**form, "audience": "https://nope.example"})
    assert response.status_code == 403
    assert response.json() == {
        "error": "access_denied",
        "error_description": "Service not enabled within domain: https://nope.example",
    }


async def test_client_without_client_grant_gets_auth0s_exact_text(tenant: TenantFixture) -> None:
    form = await m2m(tenant, grant=None)
    response = await tenant.http.post("/oauth/token", data={**form, "audience": API})
    assert response.status_code == 403
    assert response.json() == {"error": "access_denied", "error_description": NO_GRANT}


async def test_grant_type_not_enabled_for_client(tenant: TenantFixture) -> None:
    form = await m2m(tenant, ["read:things"], app_type="regular_web", grant_types=["authorization_code"])
    response = await tenant.http.post("/oauth/token", data={**form, "audience": API})
    assert response.status_code == 403
    assert response.json() == {
        "error": "unauthorized_client",
        "error_description": "Grant type 'client_credentials' not allowed for the client.",
        "error_uri": "https://auth0.com/docs/clients/client-grant-types",
    }


async def test_public_client_is_refused_even_with_the_grant_type_enabled(tenant: TenantFixture) -> None:
    await tenant.api(API, scopes=["read:things"])
    client = await tenant.client(
        app_type="regular_web", token_endpoint_auth_method="none", grant_types=["client_credentials"]
    )
    await tenant.client_grant(client.client_id, API, ["read:things"])
    response = await tenant.http.post(
        "/oauth/token", data={"grant_type": "client_credentials", "client_id": client.client_id, "audience": API}
    )
    assert response.status_code == 403
    assert response.json() == {
        "error": "unauthorized_client",
        "error_description": "Grant type 'client_credentials' not allowed for the client.",
        "error_uri": "https://auth0.com/docs/clients/client-grant-types",
    }


@pytest.mark.parametrize(
    "secret_change",
    [
        {"client_secret": "wrong"},
        {"client_secret": ""},
    ],
    ids=["wrong-secret", "empty-secret"],
)
async def test_bad_client_secret_is_401_unauthorized(tenant: TenantFixture, secret_change: dict[str, str]) -> None:
    form = await m2m(tenant, ["read:things"])
    response = await tenant.http.post("/oauth/token", data={**form, **secret_change, "audience": API})
    assert response.status_code == 401
    assert response.json() == {"error": "access_denied", "error_description": "Unauthorized"}


async def test_missing_secret_of_a_confidential_client_is_401(tenant: TenantFixture) -> None:
    form = await m2m(tenant, ["read:things"])
    del form["client_secret"]
    response = await tenant.http.post("/oauth/token", data={**form, "audience": API})
    assert response.status_code == 401
    assert response.json() == {"error": "access_denied", "error_description": "Unauthorized"}


# (client grant scopes, requested scope or None, granted scope or None when the response has none)
SCOPE_TABLE = [
    (["read:things", "write:things"], None, "read:things write:things"),
    (["read:things", "write:things"], "", "read:things write:things"),
    (["read:things", "write:things"], "read:things", "read:things"),
    (["read:things", "write:things"], "write:things read:things", "write:things read:things"),
    (["read:things"], "read:things write:things", "read:things"),
    (["read:things"], "write:things", None),
    (["read:things"], "delete:things unknown:scope", None),
    (["read:things", "write:things"], "openid profile read:things", "read:things"),
    ([], None, None),
    ([], "read:things", None),
]


@pytest.mark.parametrize(("grant", "requested", "granted"), SCOPE_TABLE)
async def test_scopes_are_the_client_grant_narrowed_by_the_request(
    tenant: TenantFixture, grant: list[str], requested: str | None, granted: str | None
) -> None:
    form = await m2m(tenant, grant)
    data = {**form, "audience": API}
    if requested is not None:
        data["scope"] = requested
    response = await tenant.http.post("/oauth/token", data=data)
    assert response.status_code == 200, response.text
    assert response.json().get("scope") == granted
    claims = await verify(tenant.http, response.json()["access_token"], audience=API, issuer=tenant.issuer)
    assert (claims.get("scope") or None) == granted
