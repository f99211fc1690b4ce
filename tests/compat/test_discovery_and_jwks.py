"""Discovery and JWKS checked field by field against Auth0's documents (auth0-api.md §3.9, §3.10)."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography import x509

from tests.support.browser_login import authorize_params, exchange_code, login_round_trip, response_params, web_app
from tests.support.factories import TenantFixture
from tests.support.jwks import verify

PATHS = ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"]


@pytest.mark.parametrize("path", PATHS, ids=["openid-configuration", "oauth-authorization-server"])
async def test_discovery_document_is_auth0s_field_set(tenant: TenantFixture, path: str) -> None:
    response = await tenant.http.get(path)
    assert response.status_code == 200
    issuer = f"https://{tenant.domain}/"
    base = issuer.rstrip("/")
    assert response.json() == {
        "issuer": issuer,
        "authorization_endpoint": f"{base}/authorize",
        "token_endpoint": f"{base}/oauth/token",
        "userinfo_endpoint": f"{base}/userinfo",
        "mfa_challenge_endpoint": f"{base}/mfa/challenge",
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "revocation_endpoint": f"{base}/oauth/revoke",
        "end_session_endpoint": f"{base}/oidc/logout",
        "scopes_supported": ["openid", "profile", "offline_access", "email"],
        "response_types_supported": [
            "code", "token", "id_token", "code token", "code id_token", "token id_token", "code token id_token",
        ],
        "code_challenge_methods_supported": ["S256"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["HS256", "RS256", "PS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "claims_supported": [
            "aud", "auth_time", "email", "email_verified", "exp", "family_name", "given_name", "iat", "iss",
            "name", "nickname", "picture", "sub", "updated_at",
        ],
        "request_uri_parameter_supported": False,
        "request_parameter_supported": False,
        "authorization_response_iss_parameter_supported": True,
    }
    # Auth0 publishes no grant_types_supported (auth0-api.md §9.16).
    assert "grant_types_supported" not in response.json()
    assert response.headers["access-control-allow-origin"] == "*"
    assert "max-age=" in response.headers["cache-control"]


async def test_every_advertised_scope_is_granted_and_every_advertised_claim_is_emitted(
    tenant: TenantFixture,
) -> None:
    discovery = (await tenant.http.get(PATHS[0])).json()
    app = await web_app(tenant)
    await tenant.repos_call(lambda r: r.users.update(
        app.user.user_id, given_name="Alice", family_name="Example", nickname="ali", picture="https://p.example/a",
    ))
    scope = " ".join(discovery["scopes_supported"])
    answer = response_params(await login_round_trip(app, authorize_params(app, scope=scope)))
    tokens = await exchange_code(app, answer["code"])
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    assert body.get("scope", scope) == scope and body["refresh_token"]
    id_claims = await verify(tenant.http, body["id_token"], audience=app.client.client_id, issuer=tenant.issuer)
    userinfo = await tenant.http.get("/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert userinfo.status_code == 200, userinfo.text
    missing = set(discovery["claims_supported"]) - set(id_claims) - set(userinfo.json())
    assert not missing, f"advertised but never emitted: {sorted(missing)}"


async def test_discovery_issuer_follows_the_host_and_ignores_untrusted_forwarded_host(
    tenant: TenantFixture,
) -> None:
    response = await tenant.http.get(PATHS[0], headers={"X-Forwarded-Host": "evil.example"})
    assert response.json()["issuer"] == f"https://{tenant.domain}/"
    assert "evil.example" not in response.text


async def test_discovery_of_two_tenants_names_each_its_own_host(
    tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    a = (await tenant.http.get(PATHS[0])).json()
    b = (await other_tenant.http.get(PATHS[0])).json()
    assert a["issuer"] != b["issuer"]
    assert all(other_tenant.domain not in str(v) for v in a.values())


async def test_jwks_entries_match_auth0s_shape(tenant: TenantFixture) -> None:
    response = await tenant.http.get("/.well-known/jwks.json")
    assert response.status_code == 200
    keys = response.json()["keys"]
    assert len(keys) == 2
    assert len({k["kid"] for k in keys}) == 2
    for key in keys:
        assert list(key) == ["alg", "kty", "use", "n", "e", "kid", "x5t", "x5c"]
        assert (key["alg"], key["kty"], key["use"], key["e"]) == ("RS256", "RSA", "sig", "AQAB")
        # No private members (security catalogue MX-03).
        assert not {"d", "p", "q", "dp", "dq", "qi", "k"} & set(key)
        der = base64.b64decode(key["x5c"][0])
        thumbprint = base64.urlsafe_b64encode(hashlib.sha1(der).digest()).rstrip(b"=").decode()  # noqa: S324
        assert key["x5t"] == thumbprint
        # The certificate carries the same public key as n/e.
        cert = x509.load_der_x509_certificate(der)
        n = cert.public_key().public_numbers().n  # type: ignore[union-attr]
        n_b64 = base64.urlsafe_b64encode(n.to_bytes((n.bit_length() + 7) // 8, "big")).rstrip(b"=").decode()
        assert key["n"] == n_b64
        assert n.bit_length() == 2048


async def test_jwks_is_cacheable_and_revalidates_with_etag(tenant: TenantFixture) -> None:
    first = await tenant.http.get("/.well-known/jwks.json")
    assert first.headers["cache-control"] == "public, max-age=15, stale-while-revalidate=15, stale-if-error=86400"
    assert first.headers["access-control-allow-origin"] == "*"
    etag = first.headers["etag"]
    again = await tenant.http.get("/.well-known/jwks.json", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    stale = await tenant.http.get("/.well-known/jwks.json", headers={"If-None-Match": '"other"'})
    assert stale.status_code == 200 and stale.json() == first.json()


async def test_jwks_etag_changes_after_rotation(tenant: TenantFixture) -> None:
    etag = (await tenant.http.get("/.well-known/jwks.json")).headers["etag"]
    await tenant.repos_call(lambda r: r.signing_keys.rotate())
    response = await tenant.http.get("/.well-known/jwks.json", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert len(response.json()["keys"]) == 3
    assert response.headers["etag"] != etag


async def test_jwks_of_two_tenants_are_disjoint(tenant: TenantFixture, other_tenant: TenantFixture) -> None:
    a = {k["kid"] for k in (await tenant.http.get("/.well-known/jwks.json")).json()["keys"]}
    b = {k["kid"] for k in (await other_tenant.http.get("/.well-known/jwks.json")).json()["keys"]}
    assert a and b and not a & b
