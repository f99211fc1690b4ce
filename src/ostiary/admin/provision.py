"""Creating a tenant with what every tenant needs, and the demo tenant `make run` starts with."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from ostiary import entities
from ostiary.admin.session import AdminSession
from ostiary.admin.system_api import ensure_system_objects
from ostiary.errors import AdminError

DEFAULT_DATABASE_CONNECTION = "Username-Password-Authentication"
DEMO_TENANT = "demo"
DEMO_API = "https://api.demo.local"
DEMO_WEB_CLIENT = "Demo Web App"
DEMO_MACHINE_CLIENT = "Demo Machine Client"
DEMO_EMAIL = "demo@example.com"


async def provision_tenant(
    admin: AdminSession, *, name: str, domains: list[str], default_connection: bool = True, **fields: Any
) -> entities.Tenant:
    """A tenant as Auth0 creates one: RS256 signing keys (current and next), its Management API and its global
    client, and the database connection Username-Password-Authentication (default_connection=False leaves it
    out)."""
    tenant = await admin.tenants.create(name=name, domains=domains, **fields)
    repos = admin.repos(tenant)
    await repos.signing_keys.ensure("RS256")
    await ensure_system_objects(repos, tenant)
    if default_connection:
        await repos.connections.create(name=DEFAULT_DATABASE_CONNECTION, strategy="auth0")
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
        name=DEMO_TENANT,
        domains=domains,
        friendly_name="Ostiary demo",
        default_directory=DEFAULT_DATABASE_CONNECTION,
        allowed_logout_urls=["http://localhost:3000/"],
    )
    repos = admin.repos(tenant)
    api = await repos.resource_servers.create(
        identifier=DEMO_API,
        name="Demo API",
        scopes=[{"value": "read:messages", "description": "Read messages"},
                {"value": "write:messages", "description": "Write messages"}],
        allow_offline_access=True,
    )
    web = await repos.clients.create(
        name=DEMO_WEB_CLIENT,
        app_type="regular_web",
        callbacks=["http://localhost:3000/callback"],
        allowed_logout_urls=["http://localhost:3000/"],
        web_origins=["http://localhost:3000"],
        grant_types=["authorization_code", "implicit", "refresh_token", "password",
                     "http://auth0.com/oauth/grant-type/password-realm"],
    )
    m2m = await repos.clients.create(name=DEMO_MACHINE_CLIENT, app_type="non_interactive")
    await repos.client_grants.upsert(client_id=m2m.client_id, audience=api.identifier, scope=list(api.scopes))
    await repos.connections.update(DEFAULT_DATABASE_CONNECTION, enabled_clients=[web.client_id])
    password = secrets.token_urlsafe(12)
    await repos.users.create(
        connection=DEFAULT_DATABASE_CONNECTION,
        email=DEMO_EMAIL,
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
        user_email=DEMO_EMAIL,
        user_password=password,
    )


async def reveal_demo(admin: AdminSession, *, scheme: str) -> DemoTenant:
    """The demo tenant's credentials again. Only a hash of the user's password is stored, so it gets a new one."""
    tenant = await admin.tenants.require(DEMO_TENANT)
    repos = admin.repos(tenant)
    api = await repos.resource_servers.by_identifier(DEMO_API)
    user = await repos.users.by_login(DEFAULT_DATABASE_CONNECTION, DEMO_EMAIL)
    if api is None or user is None:
        raise AdminError("demo: the demo tenant has been changed (its API or user is gone)")
    password = secrets.token_urlsafe(12)
    await repos.users.update(user.user_id, password=password)
    return DemoTenant(
        tenant=tenant,
        issuer=tenant.issuer(scheme),
        web_client=await repos.clients.require(DEMO_WEB_CLIENT),
        m2m_client=await repos.clients.require(DEMO_MACHINE_CLIENT),
        api=api,
        user_email=DEMO_EMAIL,
        user_password=password,
    )


def describe_demo(demo: DemoTenant, *, heading: str) -> str:
    return "\n".join(
        [
            heading,
            f"  issuer          {demo.issuer}",
            f"  web client      client_id={demo.web_client.client_id}",
            f"                  client_secret={demo.web_client.client_secret}",
            f"  machine client  client_id={demo.m2m_client.client_id}",
            f"                  client_secret={demo.m2m_client.client_secret}",
            f"  API             {demo.api.identifier} (scopes: {' '.join(demo.api.scopes)})",
            f"  user            {demo.user_email} / {demo.user_password}",
            "",
        ]
    )
