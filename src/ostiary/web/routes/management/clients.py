"""/api/v2/clients: applications (Auth0's one `global: true` client included in the list)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from ostiary import entities
from ostiary.errors import AdminNotFoundError
from ostiary.web.routes.management.access import Call, json_object, scoped
from ostiary.web.routes.management.paging import fields_of, listing, optional_bool
from ostiary.web.routes.management.views import client_view

router = APIRouter()


@router.get("/clients")
async def list_clients(request: Request, call: Annotated[Call, Depends(scoped("read:clients"))]) -> Response:
    params = dict(request.query_params)
    with_secret = "read:client_keys" in call.caller.scopes
    rows = []
    is_global, first_party = optional_bool(params, "is_global"), optional_bool(params, "is_first_party")
    app_types = set(params["app_type"].split(",")) if params.get("app_type") else None
    for client in await call.ctx.repos.clients.listing():
        if is_global is not None and client.is_global != is_global:
            continue
        if first_party is not None and client.is_first_party != first_party:
            continue
        if app_types is not None and client.app_type not in app_types:
            continue
        rows.append(client_view(client, with_secret=with_secret))
    return call.json(listing("clients", rows, params))


@router.post("/clients")
async def create_client(request: Request, call: Annotated[Call, Depends(scoped("create:clients"))]) -> Response:
    body = await json_object(request)
    client = await call.ctx.repos.clients.create(**body)
    await call.commit()
    return call.json(client_view(client, with_secret=True), status=201)


@router.get("/clients/{client_id}")
async def get_client(
    client_id: str, request: Request, call: Annotated[Call, Depends(scoped("read:clients"))]
) -> Response:
    client = await _client(call, client_id)
    view = client_view(client, with_secret="read:client_keys" in call.caller.scopes)
    return call.json(fields_of(request.query_params).project(view))


@router.patch("/clients/{client_id}")
async def update_client(
    client_id: str, request: Request, call: Annotated[Call, Depends(scoped("update:clients"))]
) -> Response:
    body = await json_object(request)
    secret = body.pop("client_secret", None)
    current = await _client(call, client_id)
    client = await call.ctx.repos.clients.update(current.client_id, client_secret=secret, **body)
    await call.commit()
    return call.json(client_view(client, with_secret=True))


@router.delete("/clients/{client_id}")
async def delete_client(client_id: str, call: Annotated[Call, Depends(scoped("delete:clients"))]) -> Response:
    await call.ctx.repos.clients.delete((await _client(call, client_id)).client_id)
    await call.commit()
    return call.empty(204)


@router.post("/clients/{client_id}/rotate-secret")
async def rotate_secret(client_id: str, call: Annotated[Call, Depends(scoped("update:client_keys"))]) -> Response:
    client = await call.ctx.repos.clients.rotate_secret((await _client(call, client_id)).client_id)
    await call.commit()
    return call.json(client_view(client, with_secret=True))


async def _client(call: Call, client_id: str) -> entities.Client:
    """The API names clients by client_id only (the CLI also accepts names: a client named like another's
    client_id must not be reached here)."""
    client = await call.ctx.repos.clients.by_client_id(client_id)
    if client is None:
        raise AdminNotFoundError(f"client: no client {client_id!r} in this tenant", kind="client")
    return client
