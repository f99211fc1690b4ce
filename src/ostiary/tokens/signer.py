"""The only code that touches private key material: signs claims with the tenant's current key.

Keys are parsed once per process (PEM parsing costs far more than a signature) and kept by kid, which is
immutable, so a cached key can never be the wrong one.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from ostiary.tokens.keys import load_private_key

STATUS_NEXT = "next"
STATUS_CURRENT = "current"
STATUS_PREVIOUS = "previous"
STATUS_REVOKED = "revoked"
PUBLISHED_STATUSES = (STATUS_CURRENT, STATUS_NEXT, STATUS_PREVIOUS)

_parsed_keys: dict[str, PrivateKeyTypes] = {}


def parsed_key(kid: str, pem: str) -> PrivateKeyTypes:
    key = _parsed_keys.get(kid)
    if key is None:
        key = _parsed_keys[kid] = load_private_key(pem)
    return key


@dataclass(frozen=True, slots=True)
class SigningMaterial:
    kid: str
    alg: str
    status: str
    private_key: PrivateKeyTypes = field(repr=False)
    jwk: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TenantKeys:
    """A tenant's published keys; `current` signs, the others are only published for verification."""

    keys: tuple[SigningMaterial, ...]

    def current(self, alg: str = "RS256") -> SigningMaterial:
        family = "EC" if alg.startswith("ES") else "RSA"
        for key in self.keys:
            if key.status == STATUS_CURRENT and _family(key.alg) == family:
                return key
        raise LookupError(f"no current {family} signing key")

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.jwk for k in self.keys]}


FAMILY_ALGS = {"RSA": ("RS256", "PS256"), "EC": ("ES256",)}


def _family(alg: str) -> str:
    return "EC" if alg.startswith("ES") else "RSA"


class Signer:
    def __init__(self, keys: TenantKeys) -> None:
        self.keys = keys

    def sign(self, claims: dict[str, Any], *, alg: str = "RS256", typ: str = "JWT") -> str:
        """Sign with the current asymmetric key (RS256, PS256 or ES256), kid in the header."""
        key = self.keys.current(alg)
        return jwt.encode(claims, key.private_key, algorithm=alg, headers={"kid": key.kid, "typ": typ})  # type: ignore[arg-type]

    @staticmethod
    def sign_hs256(claims: dict[str, Any], secret: str, *, typ: str = "JWT") -> str:
        """HS256 with an API's signing_secret or a client's secret; no kid (nothing public to find)."""
        return jwt.encode(claims, secret, algorithm="HS256", headers={"typ": typ})

    def verify(
        self,
        token: str,
        *,
        audience: str | list[str] | None,
        issuer: str | list[str] | None,
        leeway: float = 0,
        now: float | None = None,
        verify_exp: bool = True,
    ) -> dict[str, Any]:
        """Verify a token this tenant signed (used by /userinfo and logout id_token_hint).

        The algorithm is pinned by the key the kid names (RFC 8725 §3.1): an RSA key never verifies HS256 or
        ES256, and a kid outside this tenant's published set is refused. With `now` (the injected clock),
        exp/nbf/iat are checked against it instead of the wall clock.
        """
        _check_compact(token)
        header = jwt.get_unverified_header(token)
        kid, alg = header.get("kid"), header.get("alg")
        key = next((k for k in self.keys.keys if k.kid == kid), None) if isinstance(kid, str) else None
        if key is None or alg not in FAMILY_ALGS[_family(key.alg)]:
            raise jwt.InvalidTokenError("unknown signing key")
        claims: dict[str, Any] = jwt.decode(
            token,
            key.private_key.public_key(),  # type: ignore[arg-type]
            algorithms=[alg],
            audience=audience,
            issuer=issuer,
            leeway=leeway,
            # verify_exp=False: /oidc/logout accepts an expired id_token_hint (OpenID RP-Initiated Logout §2).
            options={
                "verify_aud": audience is not None,
                "require": ["exp", "iat"],
                "verify_exp": verify_exp and now is None,
                "verify_nbf": now is None,
                "verify_iat": now is None,
            },
        )
        if now is not None:
            _check_times(claims, now, leeway, verify_exp=verify_exp)
        return claims


_B64URL = re.compile(r"[A-Za-z0-9_-]+")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise jwt.InvalidTokenError(f"duplicate member {key!r}")
        out[key] = value
    return out


def _check_compact(token: str) -> None:
    """RFC 7515 §7.1 strictly: three unpadded base64url segments; no duplicate members (RFC 8725 §3.4).

    PyJWT alone accepts '=' padding and keeps the last of duplicate JSON members.
    """
    parts = token.split(".")
    if len(parts) != 3 or not all(_B64URL.fullmatch(part) for part in parts):
        raise jwt.DecodeError("not a compact JWS")
    for part in parts[:2]:
        try:
            json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)), object_pairs_hook=_no_duplicates)
        except ValueError as exc:
            raise jwt.DecodeError("malformed segment") from exc


def _check_times(claims: dict[str, Any], now: float, leeway: float, *, verify_exp: bool = True) -> None:
    """RFC 7519 §4.1.4-§4.1.6 against the injected clock; an iat in the future is refused as PyJWT does (JW-06)."""
    exp, nbf, iat = claims.get("exp"), claims.get("nbf"), claims.get("iat")
    if not isinstance(exp, int | float) or (verify_exp and exp <= now - leeway):
        raise jwt.ExpiredSignatureError("token expired")
    if nbf is not None and (not isinstance(nbf, int | float) or nbf > now + leeway):
        raise jwt.ImmatureSignatureError("token not yet valid")
    if not isinstance(iat, int | float) or iat > now + leeway:
        raise jwt.ImmatureSignatureError("token issued in the future")
