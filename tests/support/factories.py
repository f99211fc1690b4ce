"""Build tenants, clients, APIs and users through the real repositories (what the CLI uses too)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

import httpx

from ostiary import entities
from ostiary.admin.provision import DEFAULT_DATABASE_CONNECTION, provision_tenant
from ostiary.admin.session import AdminSession
from ostiary.runtime import AppState


@dataclass
class TenantFixture:
    """One tenant on its own host, with helpers to seed it and an HTTP client bound to that host."""

    state: AppState
    tenant: entities.Tenant
    http: httpx.AsyncClient
    clients: dict[str, entities.Client] = field(default_factory=dict)

    @property
    def domain(self) -> str:
        return self.tenant.primary_domain

    @property
    def issuer(self) -> str:
        return self.tenant.issuer(self.state.settings.public_scheme)

    async def _with_repos(self, fn: Any) -> Any:
        async with self.state.sessionmaker() as session:
            repos = self.state.repos(session, self.tenant.id)
            result = await fn(repos)
            await session.commit()
        self.state.caches.clear()
        return result

    async def client(self, name: str | None = None, **fields: Any) -> entities.Client:
        fields.setdefault("name", name or f"client-{secrets.token_hex(4)}")
        return await self._with_repos(lambda r: r.clients.create(**fields))  # type: ignore[no-any-return]

    async def update_client(self, client_id: str, **fields: Any) -> entities.Client:
        return await self._with_repos(lambda r: r.clients.update(client_id, **fields))  # type: ignore[no-any-return]

    async def api(self, identifier: str = "https://api.example.com", **fields: Any) -> entities.Api:
        fields.setdefault("scopes", ["read:things", "write:things"])
        return await self._with_repos(lambda r: r.resource_servers.create(identifier=identifier, **fields))  # type: ignore[no-any-return]

    async def client_grant(self, client_id: str, audience: str, scope: list[str]) -> entities.ClientGrant:
        return await self._with_repos(  # type: ignore[no-any-return]
            lambda r: r.client_grants.upsert(client_id=client_id, audience=audience, scope=scope)
        )

    async def connection(self, name: str = DEFAULT_DATABASE_CONNECTION, **fields: Any) -> entities.Connection:
        fields.setdefault("strategy", "auth0")
        return await self._with_repos(lambda r: r.connections.create(name=name, **fields))  # type: ignore[no-any-return]

    async def user(self, *, connection: str = DEFAULT_DATABASE_CONNECTION, **fields: Any) -> entities.User:
        fields.setdefault("email", f"user-{secrets.token_hex(4)}@example.com")
        return await self._with_repos(lambda r: r.users.create(connection=connection, **fields))  # type: ignore[no-any-return]

    async def repos_call(self, fn: Any) -> Any:
        """Run fn(repos) in its own committed transaction: for reading stored state in assertions."""
        return await self._with_repos(fn)


async def make_tenant(state: AppState, app: Any, **fields: Any) -> TenantFixture:
    """A tenant on a fresh random host name, with keys, and an httpx client sending that Host. It has no
    connection (tests create the ones they need, Username-Password-Authentication included); the default
    connection of a new tenant is tests/cli/test_defaults.py's subject."""
    name = f"t-{secrets.token_hex(5)}"
    domain = f"{name}.test"
    async with state.sessionmaker() as session:
        admin = AdminSession(session=session, box=state.box, clock=state.clock)
        tenant = await provision_tenant(admin, name=name, domains=[domain], default_connection=False, **fields)
        await session.commit()
    scheme = state.settings.public_scheme
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"{scheme}://{domain}")
    return TenantFixture(state=state, tenant=tenant, http=http)
