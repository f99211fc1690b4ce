"""Custom token exchange: subject_token_types a tenant defines itself, validated by its hooks.

With no profile for the subject_token_type, the type is unsupported (Auth0 answers invalid_request).
The profile's custom-token-exchange hook validates the subject token and sets the user; then the normal
post-login pipeline runs (protocol oauth2-token-exchange) and the user's tokens are issued.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from ostiary.actions import registry
from ostiary.actions.api import CustomTokenExchangeApi, UserSelection
from ostiary.actions.event import build_event, request_view
from ostiary.actions.exchange_user import resolve_user
from ostiary.actions.outcome import Outcome
from ostiary.actions.pipeline import LoginFacts, run_post_login, settle
from ostiary.actions.runner import failed, run_hooks
from ostiary.entities import GRANT_TOKEN_EXCHANGE
from ostiary.errors import InvalidRequestError
from ostiary.oauth.client_auth import AuthenticatedClient
from ostiary.oauth.context import TenantContext
from ostiary.oauth.grants.base import require_param
from ostiary.oauth.issuance import Issued, issue_user_tokens
from ostiary.oauth.scopes import grantable, offline_access_allowed, requested_audience, require_api
from ostiary.tokens.claims import split_scope

GRANT_TYPE = GRANT_TOKEN_EXCHANGE
PROTOCOL = "oauth2-token-exchange"
# RFC 8693 §3; what Auth0's custom token exchange answers.
ISSUED_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"


async def handle(ctx: TenantContext, auth: AuthenticatedClient, params: Mapping[str, str]) -> Issued:
    subject_token_type = params.get("subject_token_type", "")
    profile = await ctx.repos.token_exchange_profiles.by_subject_token_type(subject_token_type)
    if profile is None:
        raise InvalidRequestError(f"Unsupported subject_token_type: {subject_token_type}")
    subject_token = require_param(params, "subject_token")
    client = auth.client
    audience = requested_audience(params, ctx.tenant)
    api = await require_api(ctx, audience) if audience else None
    requested = split_scope(params.get("scope"))
    scopes = grantable(requested, api)

    selection = UserSelection()
    hook = await registry.hook_named(ctx, profile.action_name, registry.CUSTOM_TOKEN_EXCHANGE)
    if hook is None:
        exchange = failed(registry.CUSTOM_TOKEN_EXCHANGE, profile.action_name, "the profile's action is missing")
    else:
        event = build_event(
            tenant_id=ctx.tenant.id,
            client=client,
            request=request_view(ctx.ip, ctx.user_agent, ctx.host, params),
            transaction={
                "protocol": PROTOCOL,
                "subject_token_type": subject_token_type,
                "subject_token": subject_token,
                "requested_scopes": requested,
                "audience": api.identifier if api else None,
            },
            api=api,
        )
        exchange = await run_hooks(
            registry.CUSTOM_TOKEN_EXCHANGE, (hook,), event,
            lambda outcome, name: CustomTokenExchangeApi(outcome, name, selection),
            time_limit=ctx.state.settings.hook_timeout_seconds,
        )
    if exchange.denied:
        await settle(ctx, None, exchange)
    user, connection = await resolve_user(ctx, client, selection, profile.action_name)

    login = await run_post_login(
        ctx,
        LoginFacts(
            protocol=PROTOCOL, client=client, user=user, connection=connection, api=api, scopes=scopes,
            requested_scopes=requested, transaction={"subject_token_type": subject_token_type},
            request_params=params,
        ),
    )
    # Metadata set by the exchange hook and by post-login hooks is persisted once, post-login winning.
    outcome: Outcome = dataclasses.replace(
        login,
        app_metadata={**exchange.app_metadata, **login.app_metadata},
        user_metadata={**exchange.user_metadata, **login.user_metadata},
    )
    await settle(ctx, user, outcome)
    await ctx.repos.users.record_login(user.user_id, ip=ctx.ip)
    issued = await issue_user_tokens(
        ctx, client=client, user=user, api=api, scopes=scopes, outcome=outcome,
        refresh=offline_access_allowed(outcome.adjust_scopes(scopes), api, client),
    )
    return dataclasses.replace(issued, extra={**issued.extra, "issued_token_type": ISSUED_TOKEN_TYPE})
