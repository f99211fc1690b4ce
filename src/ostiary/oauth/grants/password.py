"""password and http://auth0.com/oauth/grant-type/password-realm (RFC 6749 §4.3; Auth0's Resource Owner
Password flow). One module for both: they differ only in how the connection is chosen and the protocol
the post-login hooks see.
"""

from __future__ import annotations

from collections.abc import Mapping

from ostiary import entities
from ostiary.actions.pipeline import LoginFacts, run_post_login, settle
from ostiary.connections.database import authenticate_password, database_connection
from ostiary.oauth import mfa
from ostiary.oauth.client_auth import AuthenticatedClient
from ostiary.oauth.context import TenantContext
from ostiary.oauth.end_user_ip import end_user_ip
from ostiary.oauth.grants.base import require_param
from ostiary.oauth.issuance import Issued, issue_user_tokens
from ostiary.oauth.scopes import grantable, offline_access_allowed, requested_audience, require_api, with_all_api_scopes
from ostiary.tokens.claims import split_scope

GRANT_TYPE = entities.GRANT_PASSWORD
REALM_GRANT_TYPE = entities.GRANT_PASSWORD_REALM

# event.transaction.protocol (Auth0 Actions): `oauth2-password` is "login using the password exchange";
# `oauth2-resource-owner` is the username/password login against a named database connection, which is
# what password-realm (Auth0.swift/Android `login(usernameOrEmail:password:realmOrConnection:)`) does.
PROTOCOL = "oauth2-password"
REALM_PROTOCOL = "oauth2-resource-owner"


async def handle(ctx: TenantContext, auth: AuthenticatedClient, params: Mapping[str, str]) -> Issued:
    """grant_type=password: `realm` optional, else the tenant's default_directory."""
    return await _login(ctx, auth, params, realm=params.get("realm") or None, protocol=PROTOCOL)


async def handle_realm(ctx: TenantContext, auth: AuthenticatedClient, params: Mapping[str, str]) -> Issued:
    """grant_type=http://auth0.com/oauth/grant-type/password-realm: `realm` (the connection name) required."""
    return await _login(ctx, auth, params, realm=require_param(params, "realm"), protocol=REALM_PROTOCOL)


async def _login(
    ctx: TenantContext, auth: AuthenticatedClient, params: Mapping[str, str], *, realm: str | None, protocol: str
) -> Issued:
    client = auth.client
    username = require_param(params, "username")
    password = require_param(params, "password")
    audience = requested_audience(params, ctx.tenant)
    api = await require_api(ctx, audience) if audience else None
    connection = await database_connection(ctx, name=realm, client=client)
    ip = end_user_ip(ctx, auth)
    user = await authenticate_password(
        ctx, connection=connection, username=username, password=password, ip=ip, client_id=auth.client.client_id
    )
    if await mfa.required(ctx):
        raise await mfa.start(ctx, client=client, user=user, data={
            "protocol": protocol, "connection": connection.name, "audience": audience, "scope": params.get("scope"),
        })
    return await finish_login(ctx, auth, params, user=user, connection=connection, api=api, protocol=protocol, ip=ip)


async def finish_login(
    ctx: TenantContext,
    auth: AuthenticatedClient,
    params: Mapping[str, str],
    *,
    user: entities.User,
    connection: entities.Connection,
    api: entities.Api | None,
    protocol: str,
    ip: str,
    amr: tuple[str, ...] = (),
) -> Issued:
    """After the password (and the second factor, `amr`): the post-login hooks, then the tokens."""
    client = auth.client
    requested = split_scope(params.get("scope"))
    # Auth0's implied trust: no API scope asked means every scope of the audience.
    scopes = with_all_api_scopes(grantable(requested, api), api)
    facts = LoginFacts(
        protocol=protocol,
        client=client,
        user=user,
        connection=connection,
        api=api,
        scopes=scopes,
        requested_scopes=requested,
        request_params=params,
        ip=ip,
    )
    outcome = await run_post_login(ctx, facts)
    await settle(ctx, user, outcome)
    await ctx.repos.users.record_login(user.user_id, ip=ip)
    return await issue_user_tokens(
        ctx,
        client=client,
        user=user,
        api=api,
        scopes=scopes,
        outcome=outcome,
        # Auth0 marks resource-owner access tokens with gty "password" (both grant types).
        gty="password",
        # What the hooks left: a hook that removes offline_access also removes the refresh token.
        refresh=offline_access_allowed(outcome.adjust_scopes(scopes), api, client),
        auth_time=ctx.clock.now(),
        amr=amr,
    )
