"""client_credentials (RFC 6749 §4.4) with Auth0's client grants."""

from __future__ import annotations

from collections.abc import Mapping

from ostiary.actions.pipeline import CredentialsFacts, run_credentials_exchange, settle
from ostiary.errors import AccessDeniedError, UnauthorizedClientError
from ostiary.oauth.client_auth import AuthenticatedClient
from ostiary.oauth.context import TenantContext
from ostiary.oauth.issuance import Issued, mint_access_token
from ostiary.oauth.scopes import requested_audience, require_api
from ostiary.tokens.claims import join_scope, split_scope

GRANT_TYPE = "client_credentials"
GRANT_TYPES_URI = "https://auth0.com/docs/clients/client-grant-types"
NO_AUDIENCE = "No audience parameter was provided, and no default audience has been configured"


def granted_scopes(
    requested: list[str], client_grant_scopes: tuple[str, ...], api_scopes: tuple[str, ...]
) -> list[str]:
    """The client grant's scopes the API still defines; narrowed to the request when scopes were asked."""
    allowed = [s for s in client_grant_scopes if s in api_scopes]
    return [s for s in requested if s in allowed] if requested else allowed


async def handle(ctx: TenantContext, auth: AuthenticatedClient, params: Mapping[str, str]) -> Issued:
    client = auth.client
    if not auth.confidential:
        # RFC 6749 §4.4: the client credentials grant MUST only be used by confidential clients.
        raise UnauthorizedClientError(
            f"Grant type '{GRANT_TYPE}' not allowed for the client.", extra={"error_uri": GRANT_TYPES_URI}
        )
    audience = requested_audience(params, ctx.tenant)
    if not audience:
        # Auth0's answer when neither audience/resource nor a tenant default audience is given.
        raise AccessDeniedError(NO_AUDIENCE)
    api = await require_api(ctx, audience)
    client_grant = await ctx.client_grant(client.client_id, api.identifier)
    if client_grant is None:
        raise AccessDeniedError(
            f'Client is not authorized to access "{api.identifier}". You need to create a "client-grant" '
            "associated to this API. See: https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants"
        )
    scopes = granted_scopes(split_scope(params.get("scope")), client_grant.scope, api.scopes)
    outcome = await run_credentials_exchange(
        ctx, CredentialsFacts(client=client, api=api, scopes=scopes, request_params=params)
    )
    await settle(ctx, None, outcome)
    scopes = outcome.adjust_scopes(scopes)
    # No refresh token and no ID token: there is no user (RFC 6749 §4.4.3).
    access_token, expires_in = await mint_access_token(
        ctx,
        client=client,
        api=api,
        subject=f"{client.client_id}@clients",
        scopes=scopes,
        gty="client-credentials",
        custom=outcome.access_token_claims,
        # Auth0: the permissions claim of an M2M token is the client grant's scopes, whatever was asked.
        permissions=client_grant.scope,
    )
    return Issued(access_token=access_token, expires_in=expires_in, scope=join_scope(scopes) or None)
