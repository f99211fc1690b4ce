"""http://auth0.com/oauth/grant-type/passwordless/otp: a code from POST /passwordless/start for tokens.

Parameters as Auth0's: realm (email or sms: the connection), username (the address), otp, scope, audience.
"""

from __future__ import annotations

from collections.abc import Mapping

from ostiary.actions.pipeline import LoginFacts, run_post_login, settle
from ostiary.oauth import passwordless
from ostiary.oauth.client_auth import AuthenticatedClient
from ostiary.oauth.context import TenantContext
from ostiary.oauth.end_user_ip import end_user_ip
from ostiary.oauth.grants.base import require_param
from ostiary.oauth.issuance import Issued, issue_user_tokens
from ostiary.oauth.scopes import grantable, offline_access_allowed, requested_audience, require_api, with_all_api_scopes
from ostiary.tokens.claims import split_scope

GRANT_TYPE = "http://auth0.com/oauth/grant-type/passwordless/otp"
PROTOCOL = "oauth2-password"


async def handle(ctx: TenantContext, auth: AuthenticatedClient, params: Mapping[str, str]) -> Issued:
    client = auth.client
    realm = require_param(params, "realm")
    username = require_param(params, "username")
    otp = require_param(params, "otp")
    audience = requested_audience(params, ctx.tenant)
    api = await require_api(ctx, audience) if audience else None
    connection = await passwordless.grant_connection(ctx, realm, client)
    requested = split_scope(params.get("scope"))
    scopes = with_all_api_scopes(grantable(requested, api), api)
    ip = end_user_ip(ctx, auth)
    user = await passwordless.verify(ctx, connection=connection, address=username, code=otp, ip=ip)
    facts = LoginFacts(
        protocol=PROTOCOL, client=client, user=user, connection=connection, api=api, scopes=scopes,
        requested_scopes=requested, request_params=params, ip=ip,
    )
    outcome = await run_post_login(ctx, facts)
    await settle(ctx, user, outcome)
    await ctx.repos.users.record_login(user.user_id, ip=ip)
    return await issue_user_tokens(
        ctx, client=client, user=user, api=api, scopes=scopes, outcome=outcome, gty="passwordless",
        refresh=offline_access_allowed(outcome.adjust_scopes(scopes), api, client), auth_time=ctx.clock.now(),
    )
