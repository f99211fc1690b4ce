"""The code, token and id_token handlers, composed: any response_type is the merge of its words.

The ID token is minted last so that c_hash and at_hash cover the code and access token issued just before
(OIDC Core §3.3.2.11), through oauth/issuance like every other token.
"""

from __future__ import annotations

from ostiary import entities
from ostiary.actions.outcome import Outcome
from ostiary.oauth.authorize.request import AuthorizeRequest
from ostiary.oauth.context import TenantContext
from ostiary.oauth.issuance import mint_access_token, mint_id_token, user_scopes
from ostiary.store.repositories.sessions import SessionInfo
from ostiary.tokens.claims import join_scope


async def issue_code(
    ctx: TenantContext, req: AuthorizeRequest, *, user: entities.User, session: SessionInfo, outcome: Outcome
) -> str:
    """A code bound to client, redirect_uri, PKCE, nonce, scope, audience, session; hooks' outcome stored with it."""
    assert req.client is not None
    grant_id = await ctx.repos.grants.create(
        client_id=req.client.client_id, user_id=user.user_id, audience=req.audience, scope=join_scope(req.scopes)
    )
    return await ctx.repos.codes.create(
        grant_id=grant_id,
        client_id=req.client.client_id,
        user_id=user.user_id,
        redirect_uri=req.redirect_uri,
        scope=join_scope(req.scopes),
        audience=req.audience,
        nonce=req.nonce,
        code_challenge=req.code_challenge,
        code_challenge_method=req.code_challenge_method,
        auth_time=session.auth_time,
        session_id=session.sid,
        data={"outcome": outcome.to_json()},
    )


async def issue(
    ctx: TenantContext, req: AuthorizeRequest, *, user: entities.User, session: SessionInfo, outcome: Outcome
) -> dict[str, str]:
    """The authorization response parameters for req.response_types (without state and iss)."""
    assert req.client is not None
    response: dict[str, str] = {}
    code = None
    if "code" in req.response_types:
        code = response["code"] = await issue_code(ctx, req, user=user, session=session, outcome=outcome)
    scopes = outcome.adjust_scopes(list(req.scopes))  # what the ID token's claims depend on: OIDC scopes only
    access_token = None
    if "token" in req.response_types:
        decided = await user_scopes(ctx, user=user, api=req.api, scopes=list(req.scopes), outcome=outcome)
        scopes = decided.scopes
        # Tokens from /authorize live token_lifetime_for_web (Auth0: 7200 s by default).
        access_token, expires_in = await mint_access_token(
            ctx,
            client=req.client,
            api=req.api,
            subject=user.user_id,
            scopes=scopes,
            web=True,
            custom=outcome.access_token_claims,
            permissions=decided.permissions,
        )
        response.update(access_token=access_token, expires_in=str(expires_in), token_type="Bearer")
    if "id_token" in req.response_types:
        response["id_token"] = await mint_id_token(
            ctx,
            client=req.client,
            user=user,
            scopes=scopes,
            nonce=req.nonce,
            auth_time=session.auth_time,
            sid=session.sid,
            access_token=access_token,
            code=code,
            custom=outcome.id_token_claims,
        )
    return response
