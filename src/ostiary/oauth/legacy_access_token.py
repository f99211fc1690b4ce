"""POST /oauth/access_token: Auth0's legacy "social with provider's access token" login.

Auth0 refuses it for OIDC-conformant clients ("OIDC conformant clients cannot use /oauth/access_token");
Ostiary keeps that rule and serves clients whose `oidc_conformant` is false (README "Differences from
Auth0"). The provider token is checked with the provider's profile API, then the user `{connection}|{id}` is
found or created and tokens are issued as /oauth/token would (response shape of Auth0's reference page).
"""

from __future__ import annotations

from collections.abc import Mapping

from ostiary.connections import facebook, google, twitter, weibo
from ostiary.connections.base import ProviderTokenLogin
from ostiary.errors import ClientAuthenticationError, InvalidRequestError
from ostiary.oauth.context import TenantContext
from ostiary.oauth.grants.base import require_param
from ostiary.oauth.issuance import Issued
from ostiary.oauth.scopes import grantable, requested_audience, require_api
from ostiary.oauth.social_login import complete_social_login, enabled_connection
from ostiary.tokens.claims import split_scope

PROTOCOL = "oauth2-access-token"
NOT_FOR_CONFORMANT = "OIDC conformant clients cannot use /oauth/access_token"

# The connections Auth0's reference page lists, by strategy.
PROVIDER_LOGINS: Mapping[str, ProviderTokenLogin] = {
    "facebook": facebook.access_token_login,
    "google-oauth2": google.access_token_login,
    "twitter": twitter.access_token_login,
    "weibo": weibo.access_token_login,
}


async def sign_in_with_provider_token(ctx: TenantContext, params: Mapping[str, str]) -> Issued:
    client_id = require_param(params, "client_id")
    client = await ctx.client(client_id)
    if client is None:
        raise ClientAuthenticationError(debug=f"unknown client {client_id}")
    if client.oidc_conformant:
        raise InvalidRequestError(NOT_FOR_CONFORMANT)
    access_token = require_param(params, "access_token")
    name = require_param(params, "connection")
    found = await ctx.repos.connections.by_name(name)
    strategy = found.strategy if found is not None else name
    login = PROVIDER_LOGINS.get(strategy)
    if login is None:
        raise InvalidRequestError(f"The connection {name} does not support provider access tokens")
    connection = await enabled_connection(ctx, strategy=strategy, client=client, name=name)
    audience = requested_audience(params, ctx.tenant)
    api = await require_api(ctx, audience) if audience else None
    scopes = grantable(split_scope(params.get("scope")), api)
    profile = await login(ctx, connection=connection, access_token=access_token, params=params)
    return await complete_social_login(
        ctx, client=client, connection=connection, profile=profile, api=api, scopes=scopes, protocol=PROTOCOL,
        params=params,
    )
