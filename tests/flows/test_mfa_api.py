"""Auth0's MFA API through real HTTP: mfa_required from the password grants, enrollment at /mfa/associate,
/mfa/authenticators, /mfa/challenge, and the mfa-otp / mfa-recovery-code grants with codes from pyotp."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pyotp
import pytest
from tests.support.fast_passwords import fast_passwords  # noqa: F401
from tests.support.firstparty import API, REALM, ROP_GRANTS, Rop, make_rop
from tests.support.jwks import verify

from ostiary.clock import FrozenClock
from ostiary.protection.admin import unblock_user
from ostiary.runtime import AppState

pytestmark = pytest.mark.usefixtures("fast_passwords")
MFA_OTP = "http://auth0.com/oauth/grant-type/mfa-otp"
MFA_RECOVERY = "http://auth0.com/oauth/grant-type/mfa-recovery-code"
GRANTS = [*ROP_GRANTS, MFA_OTP, MFA_RECOVERY]


@pytest.fixture
async def rop(state: AppState, app: Any) -> AsyncIterator[Rop]:
    setup = await make_rop(state, app)
    await setup.t.update_client(setup.web.client_id, grant_types=GRANTS)
    await setup.t.update_client(setup.native.client_id, grant_types=GRANTS)
    await setup.t.repos_call(lambda r: r.mfa.set_settings(policy="all-applications", factors=["otp"]))
    yield setup
    await setup.t.http.aclose()


async def _mfa_token(rop: Rop, **params: str) -> str:
    response = await rop.token(audience=API, scope="openid", **params)
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["error"] == "mfa_required"
    assert body["error_description"] == "Multifactor authentication required"
    return str(body["mfa_token"])


async def _enroll(rop: Rop, mfa_token: str) -> dict[str, Any]:
    response = await rop.t.http.post("/mfa/associate", json={"authenticator_types": ["otp"]},
                                     headers={"Authorization": f"Bearer {mfa_token}"})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _otp_grant(rop: Rop, mfa_token: str, otp: str, client: Any = None) -> httpx.Response:
    client = client or rop.web
    form = {"grant_type": MFA_OTP, "client_id": client.client_id, "mfa_token": mfa_token, "otp": otp}
    if client.client_secret:
        form["client_secret"] = client.client_secret
    return await rop.t.http.post("/oauth/token", data=form)


def _code(secret: str, clock: FrozenClock, offset: int = 0) -> str:
    return pyotp.TOTP(secret).at(clock.now() + offset)


async def test_policy_never_issues_tokens_without_mfa(rop: Rop) -> None:
    await rop.t.repos_call(lambda r: r.mfa.set_settings(policy="never"))
    response = await rop.token(audience=API)
    assert response.status_code == 200, response.text


async def test_no_enabled_factor_challenges_no_one(rop: Rop) -> None:
    await rop.t.repos_call(lambda r: r.mfa.set_settings(factors=[]))
    assert (await rop.token(audience=API)).status_code == 200


@pytest.mark.parametrize("policy", ["all-applications", "confidence-score"])
async def test_password_and_realm_grants_answer_mfa_required(rop: Rop, policy: str) -> None:
    await rop.t.repos_call(lambda r: r.mfa.set_settings(policy=policy))
    response = await rop.token(audience=API)
    assert response.status_code == 403
    body = response.json()
    assert set(body) == {"error", "error_description", "mfa_token", "mfa_requirements"}
    assert body["mfa_requirements"] == {"enroll": [{"type": "otp"}]}
    realm = await rop.token(grant_type=REALM, realm="Username-Password-Authentication", audience=API)
    assert realm.status_code == 403 and realm.json()["error"] == "mfa_required"


async def test_enroll_then_login_with_otp(rop: Rop, clock: FrozenClock) -> None:
    mfa_token = await _mfa_token(rop)
    enrolled = await _enroll(rop, mfa_token)
    assert enrolled["authenticator_type"] == "otp"
    assert enrolled["barcode_uri"].startswith("otpauth://totp/") and enrolled["secret"] in enrolled["barcode_uri"]
    assert len(enrolled["recovery_codes"]) == 1 and len(enrolled["recovery_codes"][0]) == 24
    listed = await rop.t.http.get("/mfa/authenticators", headers={"Authorization": f"Bearer {mfa_token}"})
    assert listed.status_code == 200
    assert sorted((a["authenticator_type"], a["active"]) for a in listed.json()) == [
        ("otp", False), ("recovery-code", False)]
    response = await _otp_grant(rop, mfa_token, _code(enrolled["secret"], clock))
    assert response.status_code == 200, response.text
    body = response.json()
    claims = await verify(rop.t.http, body["access_token"], audience=API, issuer=rop.t.issuer)
    assert claims["amr"] == ["mfa"] and claims["sub"] == rop.user.user_id and claims["gty"] == "password"
    id_claims = await verify(rop.t.http, body["id_token"], audience=rop.web.client_id, issuer=rop.t.issuer)
    assert id_claims["amr"] == ["mfa"]
    # The next login: the user is enrolled, so the app is told to challenge; a second enrollment is refused.
    response = await rop.token(audience=API)
    assert response.json()["mfa_requirements"] == {"challenge": [{"type": "otp"}]}
    again = await rop.t.http.post("/mfa/associate", json={"authenticator_types": ["otp"]},
                                  headers={"Authorization": f"Bearer {response.json()['mfa_token']}"})
    assert again.status_code == 403
    assert again.json() == {"error": "access_denied", "error_description": "User is already enrolled."}


async def test_challenge_answers_otp_for_an_enrolled_user(rop: Rop, clock: FrozenClock) -> None:
    mfa_token = await _mfa_token(rop)
    form = {"client_id": rop.web.client_id, "client_secret": rop.web.client_secret or "", "mfa_token": mfa_token,
            "challenge_type": "otp"}
    before = await rop.t.http.post("/mfa/challenge", data=form)
    assert before.status_code == 400 and before.json()["error"] == "association_required"
    enrolled = await _enroll(rop, mfa_token)
    assert (await _otp_grant(rop, mfa_token, _code(enrolled["secret"], clock))).status_code == 200
    form["mfa_token"] = await _mfa_token(rop)
    response = await rop.t.http.post("/mfa/challenge", data=form)
    assert response.status_code == 200 and response.json() == {"challenge_type": "otp"}
    oob = await rop.t.http.post("/mfa/challenge", data={**form, "challenge_type": "oob"})
    assert oob.status_code == 400 and oob.json()["error"] == "unsupported_challenge_type"


async def test_wrong_code_and_a_code_used_twice_are_invalid_otp(rop: Rop, clock: FrozenClock) -> None:
    mfa_token = await _mfa_token(rop)
    secret = (await _enroll(rop, mfa_token))["secret"]
    wrong = await _otp_grant(rop, mfa_token, "000000" if _code(secret, clock) != "000000" else "111111")
    assert wrong.status_code == 403
    assert wrong.json() == {"error": "invalid_grant", "error_description": "Invalid otp_code."}
    code = _code(secret, clock)
    assert (await _otp_grant(rop, mfa_token, code)).status_code == 200
    # Same step, new login: the code was used.
    replay = await _otp_grant(rop, await _mfa_token(rop), code)
    assert replay.json() == {"error": "invalid_grant", "error_description": "Invalid otp_code."}
    # The next step brings a new code, accepted once.
    clock.advance(30)
    assert (await _otp_grant(rop, await _mfa_token(rop), _code(secret, clock))).status_code == 200


async def test_mfa_token_is_single_use_bound_to_client_and_expires(rop: Rop, clock: FrozenClock) -> None:
    mfa_token = await _mfa_token(rop)
    secret = (await _enroll(rop, mfa_token))["secret"]
    other = await _otp_grant(rop, mfa_token, _code(secret, clock), client=rop.native)
    assert other.status_code == 403
    assert other.json() == {"error": "invalid_grant", "error_description": "Malformed mfa_token"}
    assert (await _otp_grant(rop, mfa_token, _code(secret, clock))).status_code == 200
    clock.advance(30)
    reused = await _otp_grant(rop, mfa_token, _code(secret, clock))
    assert reused.json() == {"error": "invalid_grant", "error_description": "Malformed mfa_token"}
    old = await _mfa_token(rop)
    clock.advance(601)
    expired = await _otp_grant(rop, old, _code(secret, clock))
    assert expired.status_code == 403
    assert expired.json() == {"error": "expired_token", "error_description": "mfa_token is expired"}
    listed = await rop.t.http.get("/mfa/authenticators", headers={"Authorization": f"Bearer {old}"})
    assert listed.json()["error"] == "expired_token"


async def test_recovery_code_is_single_use_and_replaced(rop: Rop, clock: FrozenClock) -> None:
    mfa_token = await _mfa_token(rop)
    enrolled = await _enroll(rop, mfa_token)
    assert (await _otp_grant(rop, mfa_token, _code(enrolled["secret"], clock))).status_code == 200
    recovery = enrolled["recovery_codes"][0]

    async def grant(code: str) -> httpx.Response:
        return await rop.t.http.post("/oauth/token", data={
            "grant_type": MFA_RECOVERY, "client_id": rop.web.client_id, "client_secret": rop.web.client_secret or "",
            "mfa_token": await _mfa_token(rop), "recovery_code": code})

    used = await grant(recovery)
    assert used.status_code == 200, used.text
    body = used.json()
    assert body["recovery_code"] and body["recovery_code"] != recovery
    claims = await verify(rop.t.http, body["access_token"], audience=API, issuer=rop.t.issuer)
    assert claims["amr"] == ["mfa"]
    again = await grant(recovery)
    assert again.json() == {"error": "invalid_grant", "error_description": "Invalid recovery_code."}
    assert (await grant(body["recovery_code"].lower())).status_code == 200


async def test_wrong_codes_are_blocked_by_brute_force_protection(rop: Rop, clock: FrozenClock) -> None:
    mfa_token = await _mfa_token(rop)
    secret = (await _enroll(rop, mfa_token))["secret"]
    right = _code(secret, clock)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(9):
        assert (await _otp_grant(rop, mfa_token, wrong)).json()["error"] == "invalid_grant"
    tenth = await _otp_grant(rop, mfa_token, wrong)
    assert tenth.status_code == 429 and tenth.json()["error"] == "too_many_attempts"
    # Blocked: even the right code, and a new password login does not lift the block on codes.
    assert (await _otp_grant(rop, mfa_token, right)).status_code == 429
    assert (await _otp_grant(rop, await _mfa_token(rop), right)).status_code == 429
    # The admin's unblock (`ostiary users unblock USER`) lifts the block on codes with the password's.
    removed = await rop.t.repos_call(
        lambda r: unblock_user(r, rop.t.state.protection, user=rop.user.user_id, ip=None))
    assert removed >= 1
    assert (await _otp_grant(rop, await _mfa_token(rop), right)).status_code == 200


async def test_imported_totp_secret_works_at_once(rop: Rop, clock: FrozenClock) -> None:
    secret = pyotp.random_base32()

    async def give(r: Any) -> None:
        from sqlalchemy import update

        from ostiary.store.models import User
        await r.session.execute(update(User).where(User.user_id == rop.user.user_id).values(
            mfa_factors=[{"totp": {"secret": secret}}, {"email": {"value": "x@example.com"}}]))

    await rop.t.repos_call(give)
    response = await rop.token(audience=API)
    assert response.json()["mfa_requirements"] == {"challenge": [{"type": "otp"}]}
    assert (await _otp_grant(rop, response.json()["mfa_token"], _code(secret, clock))).status_code == 200
    kept = await rop.t.repos_call(lambda r: r.users.by_user_id(rop.user.user_id))
    assert kept is not None
    stored = await rop.t.repos_call(lambda r: r.mfa.otp_secrets(rop.user.user_id))
    assert [s for _, s, _ in stored] == [secret]


async def test_one_code_used_by_two_logins_at_once_works_once(rop: Rop, clock: FrozenClock) -> None:
    first = await _mfa_token(rop)
    secret = (await _enroll(rop, first))["secret"]
    assert (await _otp_grant(rop, first, _code(secret, clock))).status_code == 200
    clock.advance(30)
    code = _code(secret, clock)
    tokens = [await _mfa_token(rop), await _mfa_token(rop)]
    answers = await asyncio.gather(*(_otp_grant(rop, token, code) for token in tokens))
    assert sorted(a.status_code for a in answers) == [200, 403]


async def test_another_tenants_mfa_token_is_unknown(rop: Rop, state: AppState, app: Any, clock: FrozenClock) -> None:
    other = await make_rop(state, app)
    try:
        await other.t.update_client(other.web.client_id, grant_types=GRANTS)
        foreign = await _mfa_token(rop)
        listed = await other.t.http.get("/mfa/authenticators", headers={"Authorization": f"Bearer {foreign}"})
        assert listed.status_code == 403 and listed.json()["error_description"] == "Malformed mfa_token"
        response = await _otp_grant(other, foreign, "123456")
        assert response.json() == {"error": "invalid_grant", "error_description": "Malformed mfa_token"}
    finally:
        await other.t.http.aclose()
