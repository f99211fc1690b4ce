"""JOSE attacks against /userinfo (security catalogue JW-01..07, TN-04/05): every one is a 401, never a 500."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from jwt.algorithms import RSAAlgorithm
from tests.support.factories import TenantFixture

from ostiary.ids import b64url

INVALID = 'Bearer error="invalid_token", error_description="Invalid access token"'
# tenant id -> the user_id of that tenant's real user (tenant ids are unique per test).
_SUBJECTS: dict[str, str] = {}


def _segment(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value).encode())


def _claims(t: TenantFixture, **overrides: Any) -> dict[str, Any]:
    now = int(t.state.clock.now())
    base = {
        "iss": t.issuer, "sub": _SUBJECTS[t.tenant.id], "aud": [f"{t.issuer}userinfo"], "iat": now, "exp": now + 600,
        "scope": "openid profile",
    }
    return {**base, **overrides}


def _rs256(header: dict[str, Any], claims: dict[str, Any], private_key: Any) -> str:
    """Signed by hand, so headers PyJWT would refuse to write (a numeric kid) can be sent."""
    signing_input = f"{_segment({'alg': 'RS256', **header})}.{_segment(claims)}"
    signature = private_key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64url(signature)}"


@pytest.fixture(autouse=True)
async def victim(tenant: TenantFixture, other_tenant: TenantFixture) -> None:
    """A real user in each tenant, so a refusal is never just "no such user"."""
    for t in (tenant, other_tenant):
        await t.connection()
        user = await t.user(name="Victim")
        _SUBJECTS[t.tenant.id] = user.user_id


async def test_a_well_formed_token_is_accepted(tenant: TenantFixture) -> None:
    """Positive control: the hand-made tokens below fail only for the reason each test names."""
    key = await _current(tenant)
    token = _rs256({"kid": key.kid, "typ": "JWT"}, _claims(tenant), key.private_key)
    response = await tenant.http.get("/userinfo", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["sub"], body["name"]) == (_claims(tenant)["sub"], "Victim")


async def _current(t: TenantFixture) -> Any:
    keys = await t.repos_call(lambda r: r.signing_keys.published())
    return keys.current()


async def _refused(t: TenantFixture, token: str) -> None:
    response = await t.http.get("/userinfo", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == INVALID


async def test_hs256_keyed_with_the_public_key_is_refused(tenant: TenantFixture) -> None:
    jwks = (await tenant.http.get("/.well-known/jwks.json")).json()["keys"]
    public = RSAAlgorithm.from_jwk(json.dumps(jwks[0]))
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)  # type: ignore[union-attr]
    for secret in (pem, json.dumps(jwks[0]).encode(), jwks[0]["n"].encode()):
        signing_input = f"{_segment({'alg': 'HS256', 'kid': jwks[0]['kid']})}.{_segment(_claims(tenant))}"
        signature = b64url(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())
        await _refused(tenant, f"{signing_input}.{signature}")


@pytest.mark.parametrize(
    "kid",
    ["../../../../dev/null", "' OR '1'='1", "x\u0000y", "k" * 10_000, "unknown", 42, None],
    ids=["path", "sql", "nul", "huge", "unknown", "number", "none"],
)
async def test_kid_injection_is_refused(tenant: TenantFixture, kid: Any) -> None:
    key = await _current(tenant)
    headers = {} if kid is None else {"kid": kid}
    await _refused(tenant, _rs256(headers, _claims(tenant), key.private_key))


async def test_header_supplied_keys_are_ignored(tenant: TenantFixture) -> None:
    attacker = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(RSAAlgorithm.to_jwk(attacker.public_key()))
    key = await _current(tenant)
    token = jwt.encode(
        _claims(tenant), attacker, algorithm="RS256",
        headers={"kid": key.kid, "jwk": jwk, "jku": "http://127.0.0.1:1/jwks"},
    )
    await _refused(tenant, token)


async def test_unknown_critical_header_is_refused(tenant: TenantFixture) -> None:
    key = await _current(tenant)
    token = jwt.encode(
        _claims(tenant), key.private_key, algorithm="RS256", headers={"kid": key.kid, "crit": ["exp-ext"]}
    )
    await _refused(tenant, token)


@pytest.mark.parametrize(
    "overrides",
    [
        {"exp": 1},
        {"nbf": 4_000_000_000},
        {"iss": "https://someone-else.test/"},
        {"aud": "https://api.example.com"},
        {"aud": None},
    ],
    ids=["expired", "not-yet-valid", "foreign-iss", "api-only-aud", "no-aud"],
)
async def test_claims_checks(tenant: TenantFixture, overrides: dict[str, Any]) -> None:
    key = await _current(tenant)
    claims = {k: v for k, v in _claims(tenant, **overrides).items() if v is not None}
    token = jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})
    response = await tenant.http.get("/userinfo", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')


async def test_bit_flipped_payload_and_extra_segment_are_refused(tenant: TenantFixture) -> None:
    key = await _current(tenant)
    token = jwt.encode(_claims(tenant), key.private_key, algorithm="RS256", headers={"kid": key.kid})
    header, payload, signature = token.split(".")
    flipped = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]
    await _refused(tenant, f"{header}.{flipped}.{signature}")
    await _refused(tenant, f"{token}.extra")
    await _refused(tenant, f"{header}.{payload}.{signature}==")
    await _refused(tenant, f"{header}.{payload}.{signature.replace('-', '+').replace('_', '/')}")


async def test_duplicate_claim_names_are_refused(tenant: TenantFixture) -> None:
    key = await _current(tenant)
    honest = _claims(tenant)
    payload_json = json.dumps(honest)[:-1] + ', "sub": "auth0|someone-else"}'
    signing_input = f"{_segment({'alg': 'RS256', 'kid': key.kid})}.{b64url(payload_json.encode())}"
    signature = key.private_key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    await _refused(tenant, f"{signing_input}.{b64url(signature)}")


async def test_a_token_signed_by_tenant_a_with_iss_rewritten_to_b_is_refused(
    tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    a_key = await _current(tenant)
    b_key = await _current(other_tenant)
    claims = _claims(other_tenant)
    # A's key under A's kid: B does not know that kid.
    await _refused(other_tenant, jwt.encode(claims, a_key.private_key, algorithm="RS256", headers={"kid": a_key.kid}))
    # A's key under B's kid: the signature does not verify.
    await _refused(other_tenant, jwt.encode(claims, a_key.private_key, algorithm="RS256", headers={"kid": b_key.kid}))
