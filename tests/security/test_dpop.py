"""Security catalogue 1.11 (DP): Ostiary accepts and ignores the DPoP header (README "Differences from Auth0"):
no token is ever DPoP-bound, so a proof can neither break a request nor bind a token, and the DPoP scheme is
never a way to present a bearer token. The binding cases (DP-02, 05, 06) do not apply until DPoP is built."""

from __future__ import annotations

import httpx
import jwt
import pytest

from tests.support.browser_login import API, authorize_params, exchange_code, login_round_trip, response_params, web_app
from tests.support.factories import TenantFixture
from tests.support.jwks import verify

PROOFS = {
    "malformed": "not-a-jwt",
    "alg-none": "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6Im5vbmUifQ.eyJodG0iOiJQT1NUIn0.",
    "looks-valid": "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7fX0.e30.c2ln",
}


async def _m2m_form(t: TenantFixture) -> dict[str, str]:
    await t.api(API)
    client = await t.client(app_type="non_interactive")
    await t.client_grant(client.client_id, API, ["read:things"])
    return {"grant_type": "client_credentials", "client_id": client.client_id,
            "client_secret": client.client_secret or "", "audience": API}


@pytest.mark.parametrize("proof", sorted(PROOFS))
async def test_DP01_DP07_any_dpop_header_is_ignored_and_tokens_stay_bearer(tenant: TenantFixture, proof: str) -> None:
    form = await _m2m_form(tenant)
    response = await tenant.http.post("/oauth/token", data=form, headers={"DPoP": PROOFS[proof]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    claims = await verify(tenant.http, body["access_token"], audience=API, issuer=tenant.issuer)
    assert "cnf" not in claims


async def test_DP03_two_dpop_headers_change_nothing(tenant: TenantFixture) -> None:
    form = await _m2m_form(tenant)
    headers = httpx.Headers([("DPoP", PROOFS["looks-valid"]), ("DPoP", PROOFS["malformed"])])
    response = await tenant.http.post("/oauth/token", data=form, headers=headers)
    assert response.status_code == 200 and response.json()["token_type"] == "Bearer"
    assert "cnf" not in jwt.decode(response.json()["access_token"], options={"verify_signature": False})


async def test_DP04_a_bearer_token_is_not_accepted_under_the_dpop_scheme(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    code = response_params(await login_round_trip(app, authorize_params(app, audience=API)))["code"]
    token = (await exchange_code(app, code)).json()["access_token"]
    ok = await tenant.http.get("/userinfo", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200
    headers = {"Authorization": f"DPoP {token}", "DPoP": PROOFS["looks-valid"]}
    response = await tenant.http.get("/userinfo", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
