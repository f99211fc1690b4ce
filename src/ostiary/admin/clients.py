"""Creating a client as the admin doors do (CLI, import, the Management API): like Auth0 with the tenant flag
`enable_client_connections` (default true), a new client is enabled on every connection of the tenant."""

from __future__ import annotations

from typing import Any

from ostiary import entities
from ostiary.store.repos import Repos


async def create_client(
    repos: Repos, tenant: entities.Tenant, *, enable_connections: bool | None = None, **fields: Any
) -> entities.Client:
    """enable_connections: None follows the tenant's flag; True/False decides for this client."""
    client = await repos.clients.create(**fields)
    if enable_connections is None:
        enable_connections = tenant.flags.get("enable_client_connections", True) is not False
    if enable_connections:
        for connection in await repos.connections.all():
            await repos.connections.set_enabled(connection.name, client.client_id, True)
    return client
