"""Which database connection the hosted login and signup pages use for a client.

Used by: /u/login, /u/signup, /dbconnections/*.
"""

from __future__ import annotations

from ostiary import entities
from ostiary.connections.database import database_connection
from ostiary.errors import UnauthorizedClientError
from ostiary.oauth.context import TenantContext


async def page_connection(
    ctx: TenantContext, *, client: entities.Client, name: str | None
) -> entities.Connection:
    """`connection` when the app named one; else the tenant's default directory; else (as Universal Login
    lists the client's enabled connections) the first database connection enabled for the client."""
    if name or ctx.tenant.default_directory:
        return await database_connection(ctx, name=name, client=client)
    for connection in await ctx.repos.connections.by_strategy("auth0"):
        if connection.is_enabled_for(client.client_id):
            return connection
    return await database_connection(ctx, name=None, client=client)


async def has_database_connection(ctx: TenantContext, *, client: entities.Client) -> bool:
    """Whether the login page has a database connection for this client (else it shows only the buttons)."""
    try:
        await page_connection(ctx, client=client, name=None)
    except UnauthorizedClientError:
        return False
    return True
