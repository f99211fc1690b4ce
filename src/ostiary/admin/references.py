"""Resolving admin references (clients by name or client_id, database connections) for the CLI and import."""

from __future__ import annotations

from collections.abc import Iterable

from ostiary import entities
from ostiary.errors import AdminError
from ostiary.store.repos import Repos


async def client_ids(repos: Repos, field: str, refs: Iterable[str]) -> list[str]:
    """client_id for each reference (a client's name or client_id); an unknown one fails naming the field."""
    out: list[str] = []
    for ref in refs:
        if not isinstance(ref, str):
            raise AdminError(f"{field}: {ref!r} is not a client name")
        client = await repos.clients.by_client_id(ref) or await repos.clients.by_name(ref)
        if client is None:
            raise AdminError(f"{field}: no client named {ref!r} in this tenant")
        out.append(client.client_id)
    return out


async def client_names(repos: Repos, client_ids_: Iterable[str]) -> list[str]:
    """Names for client_ids (Deploy CLI files refer to clients by name); unknown ids stay as they are."""
    names = {c.client_id: c.name for c in await repos.clients.all()}
    return [names.get(cid, cid) for cid in client_ids_]


async def database_connection(repos: Repos, field: str, name: str) -> entities.Connection:
    """A database (strategy auth0) connection: only those hold users with passwords."""
    conn = await repos.connections.by_name(name)
    if conn is None:
        raise AdminError(f"{field}: no connection named {name!r}")
    if conn.strategy != "auth0":
        raise AdminError(f"{field}: {name!r} is a {conn.strategy} connection, not a database connection")
    return conn
