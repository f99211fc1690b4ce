"""PKCE (RFC 7636) with S256 only: public clients must use it; the verifier is checked at the token endpoint."""

from __future__ import annotations

import base64
import hashlib
import secrets

import pytest
from tests.support.browser_login import (
    CALLBACK,
    authorize_params,
    exchange_code,
    login_round_trip,
    response_params,
    start,
    web_app,
)
from tests.support.factories import TenantFixture


def pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


async def test_public_client_redeems_with_the_verifier(tenant: TenantFixture) -> None:
    app = await web_app(tenant, app_type="spa")
    assert app.client.client_secret is None
    verifier, challenge = pair()
    answer = await login_round_trip(
        app, authorize_params(app, code_challenge=challenge, code_challenge_method="S256")
    )
    code = response_params(answer)["code"]
    response = await exchange_code(app, code, code_verifier=verifier)
    assert response.status_code == 200, response.text
    assert response.json()["id_token"]


async def test_wrong_or_missing_verifier_is_invalid_grant(tenant: TenantFixture) -> None:
    app = await web_app(tenant, app_type="spa")
    verifier, challenge = pair()
    answer = await login_round_trip(app, authorize_params(app, code_challenge=challenge, code_challenge_method="S256"))
    code = response_params(answer)["code"]
    for extra in ({}, {"code_verifier": pair()[0]}, {"code_verifier": challenge}):
        response = await exchange_code(app, code, **extra)
        assert response.status_code == 403, extra
        assert response.json() == {"error": "invalid_grant", "error_description": "Failed to verify code verifier"}
    short = await exchange_code(app, code, code_verifier="short")
    assert short.status_code == 400 and short.json()["error"] == "invalid_request"
    assert (await exchange_code(app, code, code_verifier=verifier)).status_code == 200


async def test_verifier_without_a_challenge_is_a_downgrade(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    code = response_params(await login_round_trip(app, authorize_params(app)))["code"]
    response = await exchange_code(app, code, code_verifier=pair()[0])
    assert response.status_code == 403 and response.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({}, "code_challenge is required for public clients"),
        ({"code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method must be S256"),
        ({"code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "code_challenge_method": "plain"},
         "code_challenge_method must be S256"),
        ({"code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "code_challenge_method": "s256"},
         "code_challenge_method must be S256"),
        ({"code_challenge_method": "S256"}, "code_challenge_method requires a code_challenge"),
        ({"code_challenge": "too-short", "code_challenge_method": "S256"},
         "code_challenge must be 43 characters of base64url (S256)"),
    ],
    ids=["missing", "no-method-means-plain", "plain", "wrong-case", "method-only", "bad-abnf"],
)
async def test_authorize_rejects_bad_pkce(tenant: TenantFixture, params: dict[str, str], description: str) -> None:
    app = await web_app(tenant, app_type="native")
    response = await start(app.http, authorize_params(app, state="pk", **params))
    assert response.status_code == 302
    assert response.headers["location"].startswith(f"{CALLBACK}?")
    assert response_params(response) == {
        "error": "invalid_request", "error_description": description, "state": "pk", "iss": tenant.issuer,
    }
