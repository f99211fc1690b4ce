"""client_credentials (RFC 6749 §4.4) with Auth0's client grants."""

from __future__ import annotations

from collections.abc import Mapping

from ostiary.actions.pipeline import CredentialsFacts, run_credentials_exchange, settle
from ostiary.errors import AccessDeniedError, InvalidRequestError, UnauthorizedClientError
from ostiary.oauth.client_auth import AuthenticatedClient
from ostiary.oauth.context import TenantContext
from ostiary.oauth.issuance import Issued, mint_access_token
from ostiary.oauth.scopes import requested_audience, require_api
from ostiary.tokens.claims import join_scope, split_scope

GRANT_TYPE = "client_credentials"


async def handle(ctx: TenantContext, auth: AuthenticatedClient, params: Mapping[str, str]) -> Issued:
    client = auth.client
    if not auth.confidential:
        # RFC 6749 §4.4: the client credentials grant MUST only be used by confidential clients.
        raise UnauthorizedClientError("Grant type 'client_credentials' not allowed for the client.")
    audience = requested_audience(params, ctx.tenant)
    if not audience:
        raise InvalidRequestError("Missing required parameter: audience")
    api = await require_api(ctx, audience)
    client_grant = await ctx.client_grant(client.client_id, api.identifier)
    if client_grant is None:
        raise AccessDeniedError(
            f'Client is not authorized to access "{api.identifier}". You need to create a "client-grant" '
            "associated to this API. See: https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants"
        )
    requested = split_scope(params.get("scope"))
    allowed = [s for s in client_grant.scope if s in api.scopes]
    scopes = [s for s in requested if s in allowed] if requested else allowed
    outcome = await run_credentials_exchange(ctx, CredentialsFacts(client=client, api=api, scopes=scopes))
    await settle(ctx, None, outcome)
    access_token, expires_in = await mint_access_token(
        ctx,
        client=client,
        api=api,
        subject=f"{client.client_id}@clients",
        scopes=scopes,
        gty="client-credentials",
        custom=outcome.access_token_claims,
    )
    return Issued(access_token=access_token, expires_in=expires_in, scope=join_scope(scopes) or None)
