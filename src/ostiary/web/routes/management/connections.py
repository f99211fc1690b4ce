"""/api/v2/connections (checkpoint or page-based; filters `strategy`, `name`) and /connections/{id}/clients."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from ostiary import entities
from ostiary.admin import references
from ostiary.errors import AdminError, AdminNotFoundError
from ostiary.web.routes.management.access import Call, json_body, json_object, scoped
from ostiary.web.routes.management.paging import checkpoint_body, checkpoint_of, fields_of, listing
from ostiary.web.routes.management.views import connection_view

router = APIRouter()


async def _connection(call: Call, connection_id: str) -> entities.Connection:
    for conn in await call.ctx.repos.connections.all():
        if conn.id == connection_id:
            return conn
    raise AdminNotFoundError(f"connection: no connection {connection_id!r}", kind="connection")


async def _fields(call: Call, body: dict[str, Any]) -> dict[str, Any]:
    if "enabled_clients" in body:
        body["enabled_clients"] = await references.client_ids(
            call.ctx.repos, "connection.enabled_clients", body["enabled_clients"] or []
        )
    return body


@router.get("/connections")
async def list_connections(request: Request, call: Annotated[Call, Depends(scoped("read:connections"))]) -> Response:
    params = dict(request.query_params)
    strategies = set(request.query_params.getlist("strategy")) or None
    name = params.get("name")
    rows = [
        connection_view(c) for c in await call.ctx.repos.connections.all()
        if (strategies is None or c.strategy in strategies) and (name is None or c.name == name)
    ]
    return call.json(listing("connections", rows, params, checkpoint=True))


@router.post("/connections")
async def create_connection(request: Request, call: Annotated[Call, Depends(scoped("create:connections"))]) -> Response:
    body = await _fields(call, await json_object(request))
    name = body.pop("name", None)
    conn = await call.ctx.repos.connections.create(name=name, **body)
    await call.commit()
    return call.json(connection_view(conn), status=201)


@router.get("/connections/{connection_id}")
async def get_connection(
    connection_id: str, request: Request, call: Annotated[Call, Depends(scoped("read:connections"))]
) -> Response:
    return call.json(fields_of(request.query_params).project(connection_view(await _connection(call, connection_id))))


@router.patch("/connections/{connection_id}")
async def update_connection(
    connection_id: str, request: Request, call: Annotated[Call, Depends(scoped("update:connections"))]
) -> Response:
    conn = await _connection(call, connection_id)
    body = await _fields(call, await json_object(request))
    if body.pop("strategy", conn.strategy) != conn.strategy or body.pop("name", conn.name) != conn.name:
        raise AdminError("connection.strategy: the name and strategy of a connection cannot change")
    updated = await call.ctx.repos.connections.update(conn.name, **body)
    await call.commit()
    return call.json(connection_view(updated))


@router.delete("/connections/{connection_id}")
async def delete_connection(
    connection_id: str, call: Annotated[Call, Depends(scoped("delete:connections"))]
) -> Response:
    conn = await _connection(call, connection_id)
    await call.ctx.repos.connections.delete(conn.name)
    await call.commit()
    return call.empty(202)


@router.get("/connections/{connection_id}/clients")
async def connection_clients(
    connection_id: str, request: Request, call: Annotated[Call, Depends(scoped("read:connections"))]
) -> Response:
    conn = await _connection(call, connection_id)
    rows = [{"client_id": cid} for cid in conn.enabled_clients]
    return call.json(checkpoint_body("clients", rows, checkpoint_of(dict(request.query_params))))


@router.patch("/connections/{connection_id}/clients")
async def update_connection_clients(
    connection_id: str, request: Request, call: Annotated[Call, Depends(scoped("update:connections"))]
) -> Response:
    """Body `[{"client_id", "status": true|false}]`: enable or disable the connection for each client."""
    conn = await _connection(call, connection_id)
    changes = await json_body(request)
    if not isinstance(changes, list):
        raise AdminError("Payload validation error: expected a list of {client_id, status}")
    enabled = list(conn.enabled_clients)
    for i, change in enumerate(changes):
        if not isinstance(change, dict) or not isinstance(change.get("status"), bool):
            raise AdminError(f"[{i}].status: expected true or false")
        [client_id] = await references.client_ids(call.ctx.repos, f"[{i}].client_id", [change["client_id"]])
        if change["status"] and client_id not in enabled:
            enabled.append(client_id)
        elif not change["status"] and client_id in enabled:
            enabled.remove(client_id)
    await call.ctx.repos.connections.update(conn.name, enabled_clients=enabled)
    await call.commit()
    return call.empty(204)
