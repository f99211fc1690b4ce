"""Creating a tenant with what every tenant needs, and the demo tenant `make run` starts with."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from ostiary import entities
from ostiary.admin.session import AdminSession
from ostiary.admin.system_api import ensure_system_objects

DEFAULT_DATABASE_CONNECTION = "Username-Password-Authentication"


async def provision_tenant(admin: AdminSession, *, name: str, domains: list[str], **fields: Any) -> entities.Tenant:
    """A tenant with its RS256 signing keys (current and next), its Management API and its global client, as
    Auth0 creates them."""
    tenant = await admin.tenants.create(name=name, domains=domains, **fields)
    repos = admin.repos(tenant)
    await repos.signing_keys.ensure("RS256")
    await ensure_system_objects(repos, tenant)
    return tenant


@dataclass(frozen=True)
class DemoTenant:
    tenant: entities.Tenant
    issuer: str
    web_client: entities.Client
    m2m_client: entities.Client
    api: entities.Api
    user_email: str
    user_password: str


async def provision_demo(admin: AdminSession, *, scheme: str, host: str, port: int) -> DemoTenant:
    domains = [f"{host}:{port}"]
    if host in ("127.0.0.1", "localhost"):
        domains += [f"{'localhost' if host == '127.0.0.1' else '127.0.0.1'}:{port}"]
    tenant = await provision_tenant(
        admin,
        name="demo",
        domains=domains,
        friendly_name="Ostiary demo",
        default_directory=DEFAULT_DATABASE_CONNECTION,
        allowed_logout_urls=["http://localhost:3000/"],
    )
    repos = admin.repos(tenant)
    api = await repos.resource_servers.create(
        identifier="https://api.demo.local",
        name="Demo API",
        scopes=[{"value": "read:messages", "description": "Read messages"},
                {"value": "write:messages", "description": "Write messages"}],
        allow_offline_access=True,
    )
    web = await repos.clients.create(
        name="Demo Web App",
        app_type="regular_web",
        callbacks=["http://localhost:3000/callback"],
        allowed_logout_urls=["http://localhost:3000/"],
        web_origins=["http://localhost:3000"],
        grant_types=["authorization_code", "implicit", "refresh_token", "password",
                     "http://auth0.com/oauth/grant-type/password-realm"],
    )
    m2m = await repos.clients.create(name="Demo Machine Client", app_type="non_interactive")
    await repos.client_grants.upsert(client_id=m2m.client_id, audience=api.identifier, scope=list(api.scopes))
    await repos.connections.create(
        name=DEFAULT_DATABASE_CONNECTION,
        strategy="auth0",
        enabled_clients=[web.client_id],
    )
    password = secrets.token_urlsafe(12)
    await repos.users.create(
        connection=DEFAULT_DATABASE_CONNECTION,
        email="demo@example.com",
        email_verified=True,
        name="Demo User",
        nickname="demo",
        password=password,
    )
    return DemoTenant(
        tenant=tenant,
        issuer=tenant.issuer(scheme),
        web_client=web,
        m2m_client=m2m,
        api=api,
        user_email="demo@example.com",
        user_password=password,
    )
