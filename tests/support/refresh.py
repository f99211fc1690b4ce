"""Mint a real refresh token through oauth/issuance (what a code or password grant does), for refresh tests.

The code and password grants live on other branches; this goes through the same issuance code they call,
inside a TenantContext built from the fixture's state, and commits. Everything after it is driven over HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ostiary import entities
from ostiary.actions.outcome import Outcome
from ostiary.oauth.context import TenantContext
from ostiary.oauth.issuance import Issued, issue_user_tokens
from ostiary.oauth.scopes import offline_access_allowed
from tests.support.factories import TenantFixture


@dataclass(frozen=True)
class Login:
    """The result of a simulated login: its token response and the stored refresh-token family."""

    issued: Issued
    client: entities.Client
    user: entities.User

    @property
    def refresh_token(self) -> str:
        assert self.issued.refresh_token, "no refresh token was issued"
        return self.issued.refresh_token


async def login(
    tenant: TenantFixture,
    *,
    client: entities.Client,
    user: entities.User,
    api: entities.Api | None,
    scopes: list[str],
    auth_time: float | None = None,
    sid: str | None = "sid-1",
) -> Login:
    """Issue tokens as a login would; a refresh token only when the issuing policy allows it."""
    state = tenant.state

    async def run(repos: Any) -> Issued:
        ctx = TenantContext(
            state=state, tenant=tenant.tenant, host=tenant.domain, scheme=state.settings.public_scheme,
            repos=repos, ip="127.0.0.1",
        )
        return await issue_user_tokens(
            ctx,
            client=client,
            user=user,
            api=api,
            scopes=scopes,
            outcome=Outcome(),
            refresh=offline_access_allowed(scopes, api, client),
            auth_time=auth_time if auth_time is not None else state.clock.now(),
            sid=sid,
        )

    issued = await tenant.repos_call(run)
    return Login(issued=issued, client=client, user=user)


def refresh_form(client: entities.Client, token: str, **extra: str) -> dict[str, str]:
    """A refresh request body; confidential clients send their secret in the body (client_secret_post)."""
    form = {"grant_type": "refresh_token", "client_id": client.client_id, "refresh_token": token, **extra}
    if client.client_secret and client.token_endpoint_auth_method != "none":
        form["client_secret"] = client.client_secret
    return form


def revoke_form(client: entities.Client, token: str) -> dict[str, str]:
    form = {"client_id": client.client_id, "token": token}
    if client.client_secret and client.token_endpoint_auth_method != "none":
        form["client_secret"] = client.client_secret
    return form


async def family_of(tenant: TenantFixture, token_family_id: str) -> list[Any]:
    return await tenant.repos_call(lambda r: r.refresh_tokens.family(token_family_id))  # type: ignore[no-any-return]


async def record_of(tenant: TenantFixture, token: str) -> Any:
    return await tenant.repos_call(lambda r: r.refresh_tokens.find(token))


@dataclass(frozen=True)
class Setup:
    client: entities.Client
    api: entities.Api
    user: entities.User


FULL_SCOPES = ["openid", "profile", "offline_access", "read:things"]
API_ID = "https://api.example.com"


async def seed(tenant: TenantFixture, *, refresh_token: dict[str, Any] | None = None, **client_fields: Any) -> Setup:
    """An API allowing offline access, a client with the given refresh_token settings, and a user."""
    api = await tenant.api(API_ID, allow_offline_access=True)
    client = await tenant.client(refresh_token=refresh_token or {}, **client_fields)
    user = await tenant.user(name="Alice Example")
    return Setup(client=client, api=api, user=user)


ROTATING = {"rotation_type": "rotating", "expiration_type": "expiring", "leeway": 0}
