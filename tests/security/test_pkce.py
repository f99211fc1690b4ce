"""Security catalogue 1.4 (PK): PKCE is S256 only, required for public clients, and never downgradable."""

from __future__ import annotations

from tests.security._helpers import assert_token_error, code_for, pair
from tests.support.browser_login import authorize_params, exchange_code, response_params, start, web_app
from tests.support.factories import TenantFixture

CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


async def _authorize_error(app: object, **params: str) -> dict[str, str]:
    response = await start(app.http, authorize_params(app, state="pk", **params))  # type: ignore[attr-defined, arg-type]
    got = response_params(response)
    assert got.get("state") == "pk" and "code" not in got and "id_token" not in got, got
    return got


async def test_PK01_public_client_without_challenge_is_refused_for_code_and_hybrid(tenant: TenantFixture) -> None:
    app = await web_app(tenant, app_type="native", grant_types=["authorization_code", "implicit"])
    for response_type, nonce in (("code", {}), ("code id_token", {"nonce": "n"}), ("code token", {})):
        got = await _authorize_error(app, response_type=response_type, **nonce)
        assert got["error"] == "invalid_request", got
        assert got["error_description"] == "code_challenge is required for public clients"


async def test_PK06_unknown_or_miscased_or_empty_method_is_refused(tenant: TenantFixture) -> None:
    app = await web_app(tenant, app_type="native")
    for method in ("S512", "s256", "", "S256 ", "plain"):
        got = await _authorize_error(app, code_challenge=CHALLENGE, code_challenge_method=method)
        assert got["error"] == "invalid_request", (method, got)
    assert (await start(app.http, authorize_params(app, code_challenge=CHALLENGE, code_challenge_method="S256"))
            ).headers["location"].startswith("/u/login?")


async def test_PK07_abnf_violations_are_invalid_request_never_500(tenant: TenantFixture) -> None:
    app = await web_app(tenant, app_type="native")
    for challenge in ("A" * 42, "A" * 44, "A" * 129, CHALLENGE[:-1] + "&", CHALLENGE[:-1] + "+", CHALLENGE[:-1] + "/",
                      CHALLENGE[:-1] + "=", CHALLENGE[:-1] + "é"):
        got = await _authorize_error(app, code_challenge=challenge, code_challenge_method="S256")
        assert got["error"] == "invalid_request", (challenge, got)

    verifier, challenge = pair()
    code = await code_for(app, code_challenge=challenge, code_challenge_method="S256")
    for bad in ("a" * 42, "a" * 129, "a" * 42 + "!", "a" * 42 + " ", "a" * 42 + "é", "a" * 42 + "\x00"):
        response = await exchange_code(app, code, code_verifier=bad)
        assert_token_error(response, 400, "invalid_request")
    # None of that burned the code for its rightful owner.
    assert (await exchange_code(app, code, code_verifier=verifier)).status_code == 200


async def test_PK02_PK04_token_endpoint_rejects_missing_and_wrong_verifiers(tenant: TenantFixture) -> None:
    """PK-02 missing (or empty) verifier; PK-04 another verifier, or the S256 challenge sent as a plain verifier."""
    spa = await web_app(tenant, app_type="spa")
    verifier, challenge = pair()
    code = await code_for(spa, code_challenge=challenge, code_challenge_method="S256")
    for extra in ({}, {"code_verifier": ""}, {"code_verifier": pair()[0]}, {"code_verifier": challenge}):
        assert_token_error(await exchange_code(spa, code, **extra), 403, "invalid_grant")
    assert (await exchange_code(spa, code, code_verifier=verifier)).status_code == 200
