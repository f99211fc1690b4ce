"""Minting shared by every grant and by /authorize: access tokens, ID tokens, refresh tokens, the response.

Grants decide *what* to issue (client, user, API, scopes, hook outcome); this module turns the decision into
signed tokens and stored hashes. Nothing here is grant-specific.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from ostiary import entities
from ostiary.actions.outcome import Outcome
from ostiary.ids import new_opaque_token, new_refresh_token
from ostiary.oauth.context import TenantContext
from ostiary.oauth.scopes import held_permissions, permissions_claim, permitted
from ostiary.tokens import claims as claim_builders
from ostiary.tokens.hashes import left_half_hash
from ostiary.tokens.signer import Signer

# /userinfo-only access tokens: Auth0's fixed lifetimes (not configurable there either).
OPAQUE_LIFETIME = 86400
OPAQUE_LIFETIME_WEB = 7200


@dataclass(frozen=True, slots=True)
class Issued:
    """A token response (RFC 6749 §5.1 in Auth0's field set)."""

    access_token: str
    expires_in: int
    scope: str | None = None
    id_token: str | None = None
    refresh_token: str | None = None
    token_type: str = "Bearer"
    extra: dict[str, Any] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"access_token": self.access_token}
        if self.id_token:
            body["id_token"] = self.id_token
        if self.refresh_token:
            body["refresh_token"] = self.refresh_token
        if self.scope:
            body["scope"] = self.scope
        body["expires_in"] = self.expires_in
        body["token_type"] = self.token_type
        body.update(self.extra)
        return body


async def mint_access_token(
    ctx: TenantContext,
    *,
    client: entities.Client,
    api: entities.Api | None,
    subject: str,
    scopes: list[str],
    gty: str | None = None,
    web: bool = False,
    custom: dict[str, Any] | None = None,
    grant_id: str | None = None,
    signer: Signer | None = None,
    permissions: Collection[str] = (),
    amr: tuple[str, ...] = (),
) -> tuple[str, int]:
    """A JWT for the API's audience, or (no API) an opaque token stored for /userinfo. Returns (token, expires_in).

    `permissions`: what the subject holds for the API (see scopes.permissions_claim). With a grant_id (user
    tokens), the JWT carries `jti` = "{grant_id}.{random}" so /userinfo can refuse tokens of a revoked grant
    (Auth0 sets no jti in its access-token profile: see README).
    """
    now = int(ctx.clock.now())
    scope = claim_builders.join_scope(scopes)
    if api is None:
        lifetime = OPAQUE_LIFETIME_WEB if web else OPAQUE_LIFETIME
        token = new_opaque_token()
        await ctx.repos.opaque_access_tokens.create(
            token, client_id=client.client_id, user_id=subject, scope=scope, lifetime=lifetime, grant_id=grant_id
        )
        return token, lifetime
    lifetime = api.token_lifetime_for_web if web else api.token_lifetime
    audience: str | list[str] = api.identifier
    if "openid" in scopes and api.signing_alg != "HS256":
        audience = [api.identifier, ctx.userinfo_audience]
    claims = claim_builders.access_token_claims(
        issuer=ctx.issuer,
        subject=subject,
        audience=audience,
        client_id=client.client_id,
        scope=scope,
        issued_at=now,
        lifetime=lifetime,
        gty=gty,
        permissions=permissions_claim(api, permissions),
        custom=custom,
        amr=amr,
    )
    if grant_id is not None:
        claims["jti"] = access_token_jti(grant_id)
    typ = "at+jwt" if api.token_dialect.startswith("rfc9068") else "JWT"
    if api.signing_alg == "HS256" and api.signing_secret:
        return Signer.sign_hs256(claims, api.signing_secret, typ=typ), lifetime
    signer = signer or await ctx.signer()
    return signer.sign(claims, alg=api.signing_alg, typ=typ), lifetime


def access_token_jti(grant_id: str) -> str:
    return f"{grant_id}.{new_opaque_token(9)}"


def grant_id_from_jti(jti: object) -> str | None:
    """The grant a JWT access token came from (see access_token_jti). Used by: /userinfo."""
    if not isinstance(jti, str) or "." not in jti:
        return None
    return jti.split(".", 1)[0] or None


async def mint_id_token(
    ctx: TenantContext,
    *,
    client: entities.Client,
    user: entities.User,
    scopes: list[str],
    nonce: str | None = None,
    auth_time: float | None = None,
    sid: str | None = None,
    access_token: str | None = None,
    code: str | None = None,
    custom: dict[str, Any] | None = None,
    signer: Signer | None = None,
    amr: tuple[str, ...] = (),
) -> str:
    """An ID token for the client: alg and lifetime from its jwt_configuration; at_hash/c_hash added last."""
    alg = client.jwt_configuration.alg
    use_hs256 = alg == "HS256" and bool(client.client_secret)
    sign_alg = "HS256" if use_hs256 else (alg if alg in ("RS256", "PS256", "ES256") else "RS256")
    claims = claim_builders.id_token_claims(
        issuer=ctx.issuer,
        user=user,
        client_id=client.client_id,
        scopes=scopes,
        issued_at=int(ctx.clock.now()),
        lifetime=client.jwt_configuration.lifetime_in_seconds,
        nonce=nonce,
        auth_time=auth_time,
        sid=sid,
        at_hash=left_half_hash(access_token, sign_alg) if access_token else None,
        c_hash=left_half_hash(code, sign_alg) if code else None,
        custom=custom,
        amr=amr,
    )
    if use_hs256:
        assert client.client_secret is not None
        return Signer.sign_hs256(claims, client.client_secret)
    signer = signer or await ctx.signer()
    return signer.sign(claims, alg=sign_alg)


def refresh_expiry(policy: entities.RefreshPolicy, now: float) -> tuple[float | None, float | None]:
    """(absolute_expires_at, idle_expires_at) for a new family, per the client's refresh_token settings.

    Auth0 "Configure Refresh Token Expiration": rotating tokens always expire (the infinite flags do not
    apply to them); non-rotating tokens expire only with expiration_type "expiring", each limit unless its
    infinite_* flag is set. The absolute limit is fixed here for the whole family and never extended.
    """
    return _limit(policy, now, policy.token_lifetime, policy.infinite_token_lifetime), idle_expiry(policy, now)


def idle_expiry(policy: entities.RefreshPolicy, now: float) -> float | None:
    """The idle limit after a successful use: renewed each time, from the client's *current* settings."""
    return _limit(policy, now, policy.idle_token_lifetime, policy.infinite_idle_token_lifetime)


def _limit(policy: entities.RefreshPolicy, now: float, lifetime: int, infinite: bool) -> float | None:
    if policy.rotating:
        return now + lifetime
    if policy.expiration_type != "expiring" or infinite:
        return None
    return now + lifetime


async def issue_refresh_token(
    ctx: TenantContext,
    *,
    client: entities.Client,
    user_id: str,
    api: entities.Api | None,
    scopes: list[str],
    grant_id: str,
    auth_time: float | None = None,
    session_id: str | None = None,
    data: dict[str, Any] | None = None,
    commit_now: bool = False,
) -> str:
    """Start a new refresh-token family for this grant and return the token (only its hash is stored).
    commit_now: see RefreshTokens.create."""
    token = new_refresh_token()
    absolute, idle = refresh_expiry(client.refresh_token, ctx.clock.now())
    await ctx.repos.refresh_tokens.create(
        token,
        grant_id=grant_id,
        client_id=client.client_id,
        user_id=user_id,
        audience=api.identifier if api else None,
        scope=claim_builders.join_scope(scopes),
        rotating=client.refresh_token.rotating,
        absolute_expires_at=absolute,
        idle_expires_at=idle,
        session_id=session_id,
        auth_time=auth_time,
        data=data,
        commit_now=commit_now,
    )
    return token


@dataclass(frozen=True, slots=True)
class UserScopes:
    """A user's scopes after RBAC and the hooks' scope commands, and the permissions they hold for the API."""

    scopes: list[str]
    permissions: frozenset[str]


async def user_scopes(
    ctx: TenantContext, *, user: entities.User, api: entities.Api | None, scopes: list[str], outcome: Outcome
) -> UserScopes:
    """RBAC first (one indexed read, only for an enforce_policies API), then add_scope/remove_scope, which
    override it (Auth0: Actions run after RBAC). Used by: issue_user_tokens and /authorize's token answers."""
    held = await held_permissions(ctx, user, api)
    return UserScopes(scopes=outcome.adjust_scopes(permitted(scopes, api, held)), permissions=held)


async def issue_user_tokens(
    ctx: TenantContext,
    *,
    client: entities.Client,
    user: entities.User,
    api: entities.Api | None,
    scopes: list[str],
    outcome: Outcome,
    gty: str | None = None,
    refresh: bool = False,
    nonce: str | None = None,
    auth_time: float | None = None,
    sid: str | None = None,
    grant_id: str | None = None,
    refresh_data: dict[str, Any] | None = None,
    commit_refresh_now: bool = False,
    amr: tuple[str, ...] = (),
) -> Issued:
    """The token-endpoint response for a user: access token, ID token with openid, refresh token if asked.

    Used by: authorization_code, password/password-realm, token exchange, /oauth/access_token. The caller
    has already checked the grant and run the hooks (outcome); nothing is committed here. RBAC is decided
    here, at every issuance (a refresh included), from the permissions the user holds now.
    """
    decided = await user_scopes(ctx, user=user, api=api, scopes=scopes, outcome=outcome)
    scopes = decided.scopes
    if grant_id is None:
        # Every user token hangs off a grant, so revoking the grant stops its access tokens at /userinfo.
        grant_id = await ctx.repos.grants.create(
            client_id=client.client_id,
            user_id=user.user_id,
            audience=api.identifier if api else None,
            scope=claim_builders.join_scope(scopes),
        )
    if "openid" in scopes and outcome.id_token_claims:
        # Auth0 returns the ID token's custom claims at /userinfo too ("always the latest value").
        await ctx.repos.grants.set_id_token_claims(grant_id, outcome.id_token_claims)
    signer = await ctx.signer()
    access_token, expires_in = await mint_access_token(
        ctx,
        client=client,
        api=api,
        subject=user.user_id,
        scopes=scopes,
        gty=gty,
        custom=outcome.access_token_claims,
        grant_id=grant_id,
        signer=signer,
        permissions=decided.permissions,
        amr=amr,
    )
    id_token = None
    if "openid" in scopes:
        id_token = await mint_id_token(
            ctx,
            client=client,
            user=user,
            scopes=scopes,
            nonce=nonce,
            auth_time=auth_time,
            sid=sid,
            access_token=access_token,
            custom=outcome.id_token_claims,
            signer=signer,
            amr=amr,
        )
    refresh_token = None
    if refresh:
        refresh_token = await issue_refresh_token(
            ctx,
            client=client,
            user_id=user.user_id,
            api=api,
            scopes=scopes,
            grant_id=grant_id,
            auth_time=auth_time,
            session_id=sid,
            data=refresh_data,
            commit_now=commit_refresh_now,
        )
    return Issued(
        access_token=access_token,
        expires_in=expires_in,
        scope=claim_builders.join_scope(scopes) or None,
        id_token=id_token,
        refresh_token=refresh_token,
    )
