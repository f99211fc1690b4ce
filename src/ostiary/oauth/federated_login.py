"""Browser logins through an upstream identity provider: leave for it, come back, find or create the user.

Used by: /authorize?connection=NAME, the login page's "Continue with ..." buttons, and /login/callback
(web/routes/federated.py). The upstream `state` is a fresh secret whose hash the login transaction keeps
(the transaction's own state never leaves Ostiary); the callback claims it once and the login continues
under a new transaction state, exactly as a database login continues at /authorize/resume.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ostiary import entities
from ostiary.connections.federated import STRATEGIES
from ostiary.connections.federated.base import Strategy
from ostiary.errors import (
    AccessDeniedError,
    InvalidRequestError,
    OAuthError,
    ServerError,
    TemporarilyUnavailableError,
    UnauthorizedClientError,
)
from ostiary.oauth.context import TenantContext
from ostiary.store.repositories.sessions import TransactionInfo

CALLBACK_PATH = "/login/callback"


def callback_url(ctx: TenantContext) -> str:
    """Auth0's callback for every identity provider: https://{tenant domain}/login/callback."""
    return f"{ctx.scheme}://{ctx.host}{CALLBACK_PATH}"


def strategy_of(connection: entities.Connection) -> Strategy | None:
    return STRATEGIES.get(connection.strategy)


async def federated_connection(
    ctx: TenantContext, *, client: entities.Client, name: str | None
) -> entities.Connection | None:
    """The federated connection `name` names, enabled for the client; None when it names none (a database
    connection, or nothing); InvalidRequestError when it exists but the client may not use it."""
    if not name:
        return None
    connection = await ctx.repos.connections.by_name(name)
    if connection is None or strategy_of(connection) is None:
        return None
    if not connection.is_enabled_for(client.client_id):
        # Auth0's /authorize answer for a connection the application may not use.
        raise InvalidRequestError("the connection is not enabled")
    return connection


async def enabled_federated(ctx: TenantContext, client: entities.Client) -> list[entities.Connection]:
    """Every federated connection enabled for the client, by name: the login page's buttons."""
    return [
        c for c in await ctx.repos.connections.all()
        if strategy_of(c) is not None and c.is_enabled_for(client.client_id)
    ]


async def login_buttons(ctx: TenantContext, client: entities.Client) -> list[tuple[str, str]]:
    """(connection name, button label) of every federated connection enabled for the client."""
    out = []
    for connection in await enabled_federated(ctx, client):
        strategy = strategy_of(connection)
        assert strategy is not None
        out.append((connection.name, strategy.button_label(connection)))
    return out


async def leave_for_provider(
    ctx: TenantContext, *, state: str, params: Mapping[str, str], connection: entities.Connection
) -> str:
    """Remember state/nonce/PKCE on the transaction (`params` its /authorize request) and return the
    provider's authorization URL."""
    strategy = strategy_of(connection)
    assert strategy is not None
    departure = await strategy.depart(ctx, connection, redirect_uri=callback_url(ctx), request=params)
    await ctx.repos.transactions.await_upstream(
        state, departure.upstream_state, connection=connection.name, nonce=departure.nonce,
        code_verifier=departure.code_verifier,
    )
    return departure.url


@dataclass(frozen=True, slots=True)
class Return:
    """Back at /login/callback: the transaction under its new state, and the connection it left through."""

    state: str
    transaction: TransactionInfo
    connection: entities.Connection
    upstream: dict[str, Any]


async def claim_return(ctx: TenantContext, upstream_state: str) -> Return | None:
    """The transaction that sent this upstream state (once), or None (unknown, replayed or expired)."""
    claimed = await ctx.repos.transactions.claim_upstream(upstream_state)
    if claimed is None:
        return None
    state, transaction = claimed
    upstream = transaction.progress.get("upstream")
    name = upstream.get("connection") if isinstance(upstream, dict) else None
    connection = await ctx.repos.connections.by_name(name) if isinstance(name, str) else None
    if connection is None or strategy_of(connection) is None or not isinstance(upstream, dict):
        return None
    return Return(state=state, transaction=transaction, connection=connection, upstream=upstream)


async def sign_in(ctx: TenantContext, back: Return, callback: Mapping[str, str]) -> entities.User:
    """Verify the provider's answer, then find or create `{provider}|{id}` and keep the provider's tokens
    (encrypted; never in Ostiary's tokens). Hooks run when the login resumes, as for a database login."""
    strategy = strategy_of(back.connection)
    assert strategy is not None
    nonce, verifier = back.upstream.get("nonce"), back.upstream.get("code_verifier")
    arrival = await strategy.arrive(
        ctx, back.connection, callback, redirect_uri=callback_url(ctx),
        nonce=nonce if isinstance(nonce, str) else None, code_verifier=verifier if isinstance(verifier, str) else None,
    )
    profile = arrival.profile
    user, _created = await ctx.repos.users.sign_in_external(
        connection=back.connection.name,
        provider=profile.provider,
        external_id=profile.external_id,
        attributes=profile.attributes,
        first_login_attributes=profile.first_login_attributes,
        profile_data=profile.profile_data,
    )
    await ctx.repos.users.store_idp_tokens(
        connection=back.connection.name, external_id=profile.external_id, tokens=arrival.tokens
    )
    return user


# The provider's error codes (RFC 6749 §4.1.2.1) passed on to the app as they came; anything else is access_denied.
PROVIDER_ERRORS: Mapping[str, type[OAuthError]] = {
    "access_denied": AccessDeniedError,
    "invalid_request": InvalidRequestError,
    "unauthorized_client": UnauthorizedClientError,
    "server_error": ServerError,
    "temporarily_unavailable": TemporarilyUnavailableError,
}


def provider_error(callback: Mapping[str, str]) -> OAuthError:
    """The provider's `error` (the user cancelled: access_denied) as the error the app receives."""
    code = callback.get("error", "")
    description = callback.get("error_description") or code
    return PROVIDER_ERRORS.get(code, AccessDeniedError)(description[:500])
