"""GET/POST /userinfo: who may read a profile, and which claims they get (OIDC Core §5.3, Auth0 §3.8)."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from tests.support.factories import TenantFixture
from tests.support.jwks import verify
from tests.support.minting import user_tokens

from ostiary import entities
from ostiary.actions.outcome import Outcome
from ostiary.clock import FrozenClock, iso8601

INVALID = 'Bearer error="invalid_token", error_description="Invalid access token"'
NO_STORE = "no-store"


async def _setup(t: TenantFixture, **user: Any) -> tuple[entities.Client, entities.User, entities.Api]:
    await t.connection()
    api = await t.api("https://api.example.com", scopes=["read:things"])
    client = await t.client(app_type="regular_web")
    person = await t.user(
        name="Ada Lovelace", nickname="ada", given_name="Ada", family_name="Lovelace", email_verified=True, **user
    )
    return client, person, api


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_jwt_access_token_with_openid_reads_scope_filtered_claims(tenant: TenantFixture) -> None:
    client, user, api = await _setup(tenant)
    issued = await user_tokens(tenant, client=client, user=user, api=api, scopes=["openid", "email"])
    claims = await verify(
        tenant.http, issued.access_token, audience=api.identifier, issuer=tenant.issuer
    )
    assert claims["aud"] == [api.identifier, f"{tenant.issuer}userinfo"]
    response = await tenant.http.get("/userinfo", headers=_bearer(issued.access_token))
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == NO_STORE
    # email scope only: no name, nickname, picture, updated_at.
    assert response.json() == {"sub": user.user_id, "email": user.email, "email_verified": True}


async def test_opaque_token_profile_scope_returns_profile_and_iso_updated_at(tenant: TenantFixture) -> None:
    client, user, _ = await _setup(tenant)
    issued = await user_tokens(tenant, client=client, user=user, api=None, scopes=["openid", "profile"])
    assert issued.access_token.count(".") == 0
    response = await tenant.http.post("/userinfo", headers=_bearer(issued.access_token))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body == {
        "sub": user.user_id,
        "name": "Ada Lovelace",
        "nickname": "ada",
        "given_name": "Ada",
        "family_name": "Lovelace",
        "updated_at": iso8601(user.updated_at),
    }
    assert body["updated_at"].endswith("Z") and len(body["updated_at"]) == len("2021-10-12T09:11:30.963Z")


async def test_claims_come_from_the_current_user_row(tenant: TenantFixture) -> None:
    client, user, _ = await _setup(tenant)
    issued = await user_tokens(tenant, client=client, user=user, api=None, scopes=["openid", "profile"])
    await tenant.repos_call(lambda r: r.users.update(user.user_id, name="Ada King"))
    response = await tenant.http.get("/userinfo", headers=_bearer(issued.access_token))
    assert response.json()["name"] == "Ada King"


async def test_custom_claims_of_the_id_token_are_returned(tenant: TenantFixture) -> None:
    client, user, api = await _setup(tenant)
    outcome = Outcome(
        id_token_claims={"https://example.com/role": "admin", "email": "hook@example.com", "sub": "forged"},
        access_token_claims={"https://example.com/at-only": 1},
    )
    issued = await user_tokens(tenant, client=client, user=user, api=api, scopes=["openid"], outcome=outcome)
    response = await tenant.http.get("/userinfo", headers=_bearer(issued.access_token))
    # email needs its scope, sub is restricted, access-token claims are not userinfo claims.
    assert response.json() == {"sub": user.user_id, "https://example.com/role": "admin"}


async def test_token_in_the_query_string_is_rejected(tenant: TenantFixture) -> None:
    client, user, _ = await _setup(tenant)
    issued = await user_tokens(tenant, client=client, user=user, api=None, scopes=["openid"])
    query = await tenant.http.get("/userinfo", params={"access_token": issued.access_token})
    assert query.status_code == 400
    assert query.json() == {
        "error": "invalid_request",
        "error_description": "The access token must be sent in the Authorization header",
    }
    assert query.headers["www-authenticate"] == 'Bearer error="invalid_request"'


async def test_missing_token_gets_a_bare_bearer_challenge(tenant: TenantFixture) -> None:
    response = await tenant.http.get("/userinfo")
    assert response.status_code == 401
    # RFC 6750 §3.1: no error code when the request carried no credentials.
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["cache-control"] == NO_STORE
    assert response.json() == {"error": "invalid_token", "error_description": "Missing access token"}


@pytest.mark.parametrize(
    "authorization",
    ["Bearer", "Basic Zm9vOmJhcg==", "Bearer not-a-token", "Bearer a.b.c", "Bearer eyJhbGciOiJub25lIn0.e30."],
    ids=["empty-bearer", "basic-scheme", "unknown-opaque", "garbage-jwt", "alg-none"],
)
async def test_malformed_or_unknown_tokens_are_invalid_token(tenant: TenantFixture, authorization: str) -> None:
    response = await tenant.http.get("/userinfo", headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == INVALID
    assert response.json() == {"error": "invalid_token", "error_description": "Invalid access token"}


async def test_expired_tokens_are_refused(tenant: TenantFixture, clock: FrozenClock) -> None:
    client, user, api = await _setup(tenant)
    jwt_issued = await user_tokens(tenant, client=client, user=user, api=api, scopes=["openid"])
    opaque = await user_tokens(tenant, client=client, user=user, api=None, scopes=["openid"])
    clock.advance(86400 + 1)
    for token in (jwt_issued.access_token, opaque.access_token):
        response = await tenant.http.get("/userinfo", headers=_bearer(token))
        assert response.status_code == 401
        assert response.json() == {"error": "invalid_token", "error_description": "The access token expired"}


async def test_tokens_of_a_revoked_grant_stop_working(tenant: TenantFixture) -> None:
    client, user, api = await _setup(tenant)
    jwt_issued = await user_tokens(tenant, client=client, user=user, api=api, scopes=["openid"])
    opaque = await user_tokens(tenant, client=client, user=user, api=None, scopes=["openid"])
    claims = jwt.decode(jwt_issued.access_token, options={"verify_signature": False})
    grant_id = claims["jti"].split(".")[0]
    await tenant.repos_call(lambda r: r.grants.revoke(grant_id))
    revoked = await tenant.http.get("/userinfo", headers=_bearer(jwt_issued.access_token))
    assert revoked.status_code == 401
    assert revoked.json()["error_description"] == "The access token was revoked"
    # The other grant is untouched.
    assert (await tenant.http.get("/userinfo", headers=_bearer(opaque.access_token))).status_code == 200
    info = await tenant.repos_call(lambda r: r.opaque_access_tokens.find(opaque.access_token))
    await tenant.repos_call(lambda r: r.grants.revoke(info.grant_id))
    assert (await tenant.http.get("/userinfo", headers=_bearer(opaque.access_token))).status_code == 401


async def test_blocked_or_deleted_user_is_refused(tenant: TenantFixture) -> None:
    client, user, _ = await _setup(tenant)
    issued = await user_tokens(tenant, client=client, user=user, api=None, scopes=["openid"])
    await tenant.repos_call(lambda r: r.users.update(user.user_id, blocked=True))
    assert (await tenant.http.get("/userinfo", headers=_bearer(issued.access_token))).status_code == 401
    await tenant.repos_call(lambda r: r.users.delete(user.user_id))
    response = await tenant.http.get("/userinfo", headers=_bearer(issued.access_token))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == INVALID


async def test_token_without_openid_is_insufficient_scope(tenant: TenantFixture) -> None:
    client, user, _ = await _setup(tenant)
    issued = await user_tokens(tenant, client=client, user=user, api=None, scopes=["profile"])
    response = await tenant.http.get("/userinfo", headers=_bearer(issued.access_token))
    assert response.status_code == 403
    assert response.json() == {
        "error": "insufficient_scope",
        "error_description": "The access token was not granted the openid scope",
    }
    assert 'error="insufficient_scope"' in response.headers["www-authenticate"]
    assert 'scope="openid"' in response.headers["www-authenticate"]


async def test_api_only_id_and_machine_tokens_are_refused(tenant: TenantFixture) -> None:
    client, user, api = await _setup(tenant)
    api_only = await user_tokens(tenant, client=client, user=user, api=api, scopes=["read:things"])
    with_id = await user_tokens(tenant, client=client, user=user, api=None, scopes=["openid"])
    m2m = await tenant.client(app_type="non_interactive")
    await tenant.client_grant(m2m.client_id, api.identifier, ["read:things"])
    cc = await tenant.http.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials", "client_id": m2m.client_id,
            "client_secret": m2m.client_secret, "audience": api.identifier,
        },
    )
    assert with_id.id_token is not None
    for token in (api_only.access_token, with_id.id_token, cc.json()["access_token"]):
        response = await tenant.http.get("/userinfo", headers=_bearer(token))
        assert response.status_code == 401, token
        assert response.headers["www-authenticate"] == INVALID


async def test_token_of_one_tenant_is_refused_by_another(
    tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    client, user, api = await _setup(tenant)
    jwt_issued = await user_tokens(tenant, client=client, user=user, api=api, scopes=["openid"])
    opaque = await user_tokens(tenant, client=client, user=user, api=None, scopes=["openid"])
    for token in (jwt_issued.access_token, opaque.access_token):
        assert (await tenant.http.get("/userinfo", headers=_bearer(token))).status_code == 200
        response = await other_tenant.http.get("/userinfo", headers=_bearer(token))
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == INVALID
