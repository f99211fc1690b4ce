"""authorization_code (RFC 6749 §4.1.3, RFC 7636 §4.5): redeem a code from /authorize, once."""

from __future__ import annotations

from collections.abc import Mapping

from ostiary import entities
from ostiary.actions.outcome import Outcome
from ostiary.errors import InvalidGrantError, InvalidRequestError, UserBlockedError
from ostiary.oauth import pkce
from ostiary.oauth.client_auth import AuthenticatedClient
from ostiary.oauth.context import TenantContext
from ostiary.oauth.grants.base import require_param
from ostiary.oauth.issuance import Issued, issue_user_tokens
from ostiary.oauth.scopes import offline_access_allowed, require_api
from ostiary.store.repositories.codes import ConsumedCode
from ostiary.tokens.claims import split_scope

GRANT_TYPE = "authorization_code"
INVALID_CODE = "Invalid authorization code"


async def _reject_reuse(ctx: TenantContext, code: str) -> None:
    """A code redeemed before: revoke what its grant issued (RFC 6749 §4.1.2 SHOULD; catalogue AC-02)."""
    grant_id = await ctx.repos.codes.grant_of_used_code(code)
    if grant_id is not None:
        await ctx.repos.grants.revoke(grant_id)
        # Committed now: the error response below rolls the request's transaction back.
        await ctx.repos.commit()


def _check_binding(code: ConsumedCode, auth: AuthenticatedClient, params: Mapping[str, str], now: float) -> None:
    if code.expires_at <= now:
        raise InvalidGrantError(INVALID_CODE, debug="code expired")
    if code.client_id != auth.client.client_id:
        # RFC 6749 §4.1.3: ensure the code was issued to the authenticated client (AC-04).
        raise InvalidGrantError(INVALID_CODE, debug="code of another client")
    if code.redirect_uri is not None and params.get("redirect_uri") != code.redirect_uri:
        # RFC 6749 §4.1.3: redirect_uri REQUIRED and identical when it was included at /authorize (RU-15).
        raise InvalidGrantError("Invalid redirect_uri", debug="redirect_uri differs from /authorize")
    verifier = params.get("code_verifier")
    if code.code_challenge is None:
        if verifier is not None:
            # RFC 9700 §4.8.2: a verifier for a code without a challenge is a downgrade attempt (PK-03).
            raise InvalidGrantError("Failed to verify code verifier", debug="verifier without challenge")
        return
    if not verifier:
        raise InvalidGrantError("Failed to verify code verifier", debug="missing code_verifier")
    if not pkce.valid_verifier(verifier):
        raise InvalidRequestError("code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~]")
    if not pkce.verify_pkce(verifier, code.code_challenge, code.code_challenge_method or ""):
        raise InvalidGrantError("Failed to verify code verifier")


async def _redeem(
    ctx: TenantContext, auth: AuthenticatedClient, params: Mapping[str, str], code_value: str
) -> tuple[ConsumedCode, entities.User, bool]:
    """The code and its user, the code consumed; every refusal raised here leaves the code as it was.
    The flag: the code was consumed by a statement of its own, already committed."""
    verifier = params.get("code_verifier")
    if verifier is None or pkce.valid_verifier(verifier):
        # One statement on PostgreSQL when everything matches; its conditions are _check_binding's.
        redeemed = await ctx.repos.codes.redeem_matching(
            code_value,
            client_id=auth.client.client_id,
            redirect_uri=params.get("redirect_uri"),
            code_challenge=pkce.s256(verifier) if verifier is not None else None,
        )
        if redeemed is not None:
            return *redeemed, True
    code = await ctx.repos.codes.consume(code_value)
    if code is None:
        await _reject_reuse(ctx, code_value)
        raise InvalidGrantError(INVALID_CODE)
    _check_binding(code, auth, params, ctx.clock.now())
    user = await ctx.repos.users.by_user_id(code.user_id)
    if user is None:
        raise InvalidGrantError(INVALID_CODE, debug="user deleted since /authorize")
    if user.blocked:
        raise UserBlockedError.for_grant()
    return code, user, False


async def handle(ctx: TenantContext, auth: AuthenticatedClient, params: Mapping[str, str]) -> Issued:
    code, user, committed = await _redeem(ctx, auth, params, require_param(params, "code"))
    # A code whose grant was revoked since /authorize is not consumed at all (see AuthorizationCodes.consume).
    # Values bound at /authorize are authoritative: scope/audience sent here are ignored (AC-10).
    api = await require_api(ctx, code.audience) if code.audience else None
    scopes = split_scope(code.scope)
    outcome = Outcome.from_json(code.data.get("outcome"))
    return await issue_user_tokens(
        ctx,
        client=auth.client,
        user=user,
        api=api,
        scopes=scopes,
        outcome=outcome,
        refresh=offline_access_allowed(outcome.adjust_scopes(scopes), api, auth.client),
        nonce=code.nonce,
        auth_time=code.auth_time,
        sid=code.session_id,
        grant_id=code.grant_id,
        # Nothing of this request is left to roll back: the refresh token needs no transaction of its own.
        commit_refresh_now=committed,
    )
