"""Browser logins through an upstream identity provider: leave for it, come back, find or create the user.

Used by: /authorize?connection=NAME, the login page's "Continue with ..." buttons, and /login/callback
(web/routes/federated.py). The upstream `state` is a fresh secret whose hash the login transaction keeps
(the transaction's own state never leaves Ostiary); the callback claims it once and the login continues
under a new transaction state, exactly as a database login continues at /authorize/resume.

Calls to the provider (discovery, token endpoint, JWKS, userinfo) are made with no database transaction open:
on SQLite a request's transaction holds the write lock, and the provider may be this very server (a tenant as
another tenant's `oidc` provider). So each step is split into its network part and its store part.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ostiary import entities
from ostiary.connections.federated import STRATEGIES
from ostiary.connections.federated.base import Arrival, Departure, Strategy
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


def _strategy(connection: entities.Connection) -> Strategy:
    strategy = strategy_of(connection)
    assert strategy is not None, connection.strategy
    return strategy


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


async def login_buttons(ctx: TenantContext, client: entities.Client) -> list[tuple[str, str]]:
    """(connection name, button label) of every federated connection enabled for the client, by name."""
    return [
        (c.name, _strategy(c).button_label(c))
        for c in await ctx.repos.connections.all()
        if strategy_of(c) is not None and c.is_enabled_for(client.client_id)
    ]


async def plan_departure(
    ctx: TenantContext, *, params: Mapping[str, str], connection: entities.Connection
) -> Departure:
    """The provider's authorization URL with fresh state, nonce and PKCE (`params`: the /authorize request)."""
    return await _strategy(connection).depart(ctx, connection, redirect_uri=callback_url(ctx), request=params)


async def record_departure(
    ctx: TenantContext, *, state: str, connection: entities.Connection, departure: Departure
) -> None:
    await ctx.repos.transactions.await_upstream(
        state, departure.upstream_state, connection=connection.name, nonce=departure.nonce,
        code_verifier=departure.code_verifier,
    )


@dataclass(frozen=True, slots=True)
class Return:
    """Back at /login/callback: the waiting transaction, and the connection it left through."""

    upstream_state: str
    transaction: TransactionInfo
    connection: entities.Connection
    upstream: dict[str, Any]

    def text(self, name: str) -> str | None:
        value = self.upstream.get(name)
        return value if isinstance(value, str) else None


async def find_return(ctx: TenantContext, upstream_state: str) -> Return | None:
    """The transaction waiting for this upstream state (read only), or None (unknown, used or expired)."""
    transaction = await ctx.repos.transactions.by_upstream_state(upstream_state)
    upstream = transaction.progress.get("upstream") if transaction else None
    if transaction is None or not isinstance(upstream, dict) or not isinstance(upstream.get("connection"), str):
        return None
    connection = await ctx.repos.connections.by_name(upstream["connection"])
    if connection is None or strategy_of(connection) is None:
        return None
    return Return(upstream_state=upstream_state, transaction=transaction, connection=connection, upstream=upstream)


async def verify_arrival(ctx: TenantContext, back: Return, callback: Mapping[str, str]) -> Arrival:
    """The provider's answer checked with the provider (code redeemed, ID token verified): no store access."""
    return await _strategy(back.connection).arrive(
        ctx, back.connection, callback, redirect_uri=callback_url(ctx),
        nonce=back.text("nonce"), code_verifier=back.text("code_verifier"),
    )


async def record_arrival(ctx: TenantContext, back: Return, arrival: Arrival) -> entities.User:
    """Find or create `{provider}|{id}` and keep the provider's tokens (encrypted; never in Ostiary's tokens).
    Hooks run when the login resumes at /authorize, as for a database login."""
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
