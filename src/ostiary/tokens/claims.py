"""Pure claim builders: plain data in, claim dicts out. No I/O, no key material."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ostiary import entities
from ostiary.clock import iso8601

# Auth0 silently refuses to let hooks set these (its "restricted claims" list).
RESTRICTED_CLAIMS = frozenset(
    """acr act active amr at_hash ath attest aud auth_time authorization_details azp c_hash client_id cnf cty
    dest entitlements events exp groups gty htm htu iat internalService iss jcard jku jti jwe jwk kid may_act
    mky nbf nonce object_id org_id org_name orig origid permissions roles rph s_hash scope sid sip_callid
    sip_cseq_num sip_date sip_from_tag sip_via_branch sub sub_jwk toe txn typ uuid vot vtm x5t#S256""".split()
)

# OIDC Core §5.4: which standard claims each scope releases.
SCOPE_CLAIMS: Mapping[str, tuple[str, ...]] = {
    "profile": (
        "name", "family_name", "given_name", "middle_name", "nickname", "preferred_username", "profile",
        "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at",
    ),
    "email": ("email", "email_verified"),
    "address": ("address",),
    "phone": ("phone_number", "phone_number_verified"),
}
STANDARD_PROFILE_CLAIMS = frozenset(c for claims in SCOPE_CLAIMS.values() for c in claims)


def split_scope(scope: str | None) -> list[str]:
    """Space-separated scope → ordered, de-duplicated list."""
    return list(dict.fromkeys((scope or "").split()))


def join_scope(scopes: Iterable[str]) -> str:
    return " ".join(dict.fromkeys(scopes))


def user_profile(user: entities.User) -> dict[str, Any]:
    """Every standard claim the user has, before scope filtering."""
    profile: dict[str, Any] = {
        "name": user.name,
        "given_name": user.given_name,
        "family_name": user.family_name,
        "nickname": user.nickname,
        "picture": user.picture,
        "email": user.email,
        "email_verified": user.email_verified if user.email else None,
        # Auth0 writes updated_at as an ISO-8601 string (OIDC says a number).
        "updated_at": iso8601(user.updated_at) if user.updated_at else None,
    }
    return {k: v for k, v in profile.items() if v is not None}


def profile_claims(user: entities.User, scopes: Iterable[str]) -> dict[str, Any]:
    """Standard claims released by the granted scopes (used by ID tokens and /userinfo)."""
    allowed = {claim for scope in scopes for claim in SCOPE_CLAIMS.get(scope, ())}
    return {k: v for k, v in user_profile(user).items() if k in allowed}


def allowed_custom_claims(custom: Mapping[str, Any], scopes: Iterable[str]) -> dict[str, Any]:
    """Hook-set claims minus restricted ones; standard profile claims only when their scope was granted."""
    released = {claim for scope in scopes for claim in SCOPE_CLAIMS.get(scope, ())}
    return {
        k: v
        for k, v in custom.items()
        if k not in RESTRICTED_CLAIMS and (k not in STANDARD_PROFILE_CLAIMS or k in released)
    }


def access_token_claims(
    *,
    issuer: str,
    subject: str,
    audience: str | list[str],
    client_id: str,
    scope: str,
    issued_at: int,
    lifetime: int,
    gty: str | None = None,
    permissions: list[str] | None = None,
    custom: Mapping[str, Any] | None = None,
    amr: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Auth0's access-token profile: iss, sub, aud, iat, exp, scope, azp (+ gty, permissions, amr)."""
    claims: dict[str, Any] = {}
    if custom:
        claims.update({k: v for k, v in custom.items() if k not in RESTRICTED_CLAIMS})
    claims.update(
        iss=issuer,
        sub=subject,
        aud=audience,
        iat=issued_at,
        exp=issued_at + lifetime,
        scope=scope,
        azp=client_id,
    )
    if gty:
        claims["gty"] = gty
    if permissions is not None:
        claims["permissions"] = permissions
    if amr:
        claims["amr"] = list(amr)
    return claims


def id_token_claims(
    *,
    issuer: str,
    user: entities.User,
    client_id: str,
    scopes: Iterable[str],
    issued_at: int,
    lifetime: int,
    nonce: str | None = None,
    auth_time: float | None = None,
    sid: str | None = None,
    at_hash: str | None = None,
    c_hash: str | None = None,
    custom: Mapping[str, Any] | None = None,
    amr: tuple[str, ...] = (),
) -> dict[str, Any]:
    scopes = list(scopes)
    claims: dict[str, Any] = allowed_custom_claims(custom or {}, scopes)
    claims.update(profile_claims(user, scopes))
    claims.update(iss=issuer, sub=user.user_id, aud=client_id, iat=issued_at, exp=issued_at + lifetime)
    optional = {
        "nonce": nonce,
        "auth_time": int(auth_time) if auth_time is not None else None,
        "sid": sid,
        "at_hash": at_hash,
        "c_hash": c_hash,
    }
    claims.update({k: v for k, v in optional.items() if v is not None})
    if amr:
        claims["amr"] = list(amr)
    return claims
