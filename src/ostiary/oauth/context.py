"""TenantContext: what a grant or an /authorize step may use for one request, bound to one tenant."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

import httpx

from ostiary import entities
from ostiary.clock import Clock
from ostiary.runtime import AppState
from ostiary.store.repos import Repos
from ostiary.tokens.signer import Signer

T = TypeVar("T")


@dataclass
class TenantContext:
    state: AppState
    tenant: entities.Tenant
    host: str
    scheme: str
    repos: Repos
    ip: str
    user_agent: str = ""
    # The raw auth0-forwarded-for header of a /oauth/token request; oauth/end_user_ip.py decides if it counts.
    forwarded_for: str | None = None
    # RBAC reads of this request, by (user pk, API pk): hooks and issuance share one (see user_authorization).
    authorizations: dict[tuple[str, str | None], entities.UserAuthorization] = field(default_factory=dict)

    @property
    def issuer(self) -> str:
        return self.tenant.issuer(self.scheme, self.host)

    @property
    def userinfo_audience(self) -> str:
        return self.tenant.userinfo_audience(self.scheme)

    @property
    def clock(self) -> Clock:
        return self.state.clock

    @property
    def http(self) -> httpx.AsyncClient:
        return self.state.http

    async def read(self, load: Callable[[Repos], Awaitable[T]]) -> T:
        """A cache miss. Before the request's transaction has begun, read in a read-only session of its own
        (on SQLite, beginning the request's transaction would take the write lock for a lookup); after, in
        the request's session (never two pooled connections held by one request at once)."""
        if self.repos.in_transaction():
            return await load(self.repos)
        async with self.state.reader() as session:
            return await load(self.state.repos(session, self.tenant.id))

    async def signer(self) -> Signer:
        keys = await self.state.caches.keys.get_or_load(
            self.tenant.id, lambda: self.read(lambda r: r.signing_keys.published())
        )
        assert keys is not None
        return Signer(keys)

    async def client(self, client_id: str) -> entities.Client | None:
        """Used by: client authentication, /authorize. Cached per process (settings.cache_ttl_seconds)."""
        return await self.state.caches.clients.get_or_load(
            (self.tenant.id, client_id), lambda: self.read(lambda r: r.clients.by_client_id(client_id))
        )

    async def client_grant(self, client_id: str, audience: str) -> entities.ClientGrant | None:
        """Used by: client_credentials. Cached per process like clients and APIs (found grants only), so the
        grant's hot path needs no database round trip."""
        return await self.state.caches.client_grants.get_or_load(
            (self.tenant.id, client_id, audience),
            lambda: self.read(lambda r: r.client_grants.find(client_id, audience)),
        )

    async def api(self, identifier: str) -> entities.Api | None:
        """Used by: every grant minting an access token for an audience. Cached per process."""
        return await self.state.caches.apis.get_or_load(
            (self.tenant.id, identifier), lambda: self.read(lambda r: r.resource_servers.by_identifier(identifier))
        )

    async def user_authorization(self, user: entities.User, api: entities.Api | None) -> entities.UserAuthorization:
        """The user's role names and effective permissions for the API: one indexed read per request, shared by
        the post-login hooks (event.authorization) and the token's RBAC decision. Never cached across requests:
        a permission removed is gone at the next token."""
        key = (user.id, api.id if api else None)
        found = self.authorizations.get(key)
        if found is None:
            found = await self.read(lambda r: r.roles.authorization(user.id, api.id if api else None))
            self.authorizations[key] = found
        return found
