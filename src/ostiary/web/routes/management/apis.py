"""/api/v2/resource-servers (APIs; the tenant's Management API is listed, `is_system: true`, and read-only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from ostiary import entities
from ostiary.errors import AdminError, AdminNotFoundError
from ostiary.web.routes.management.access import Call, json_object, scoped
from ostiary.web.routes.management.paging import fields_of, listing
from ostiary.web.routes.management.views import api_view

router = APIRouter()


async def _api(call: Call, ref: str) -> entities.Api:
    """By id or identifier, as Auth0 accepts both in the path."""
    for api in await call.ctx.repos.resource_servers.listing():
        if ref in (api.id, api.identifier):
            return api
    raise AdminNotFoundError(f"resourceServer: no API with id or identifier {ref!r}", kind="resource_server")


@router.get("/resource-servers")
async def list_apis(request: Request, call: Annotated[Call, Depends(scoped("read:resource_servers"))]) -> Response:
    params = dict(request.query_params)
    ids = set(request.query_params.getlist("identifiers")) or None
    rows = [api_view(a) for a in await call.ctx.repos.resource_servers.listing() if ids is None or a.identifier in ids]
    return call.json(listing("resource_servers", rows, params))


@router.post("/resource-servers")
async def create_api(request: Request, call: Annotated[Call, Depends(scoped("create:resource_servers"))]) -> Response:
    body = await json_object(request)
    identifier = body.pop("identifier", None)
    api = await call.ctx.repos.resource_servers.create(identifier=identifier, **body)
    await call.commit()
    return call.json(api_view(api), status=201)


@router.get("/resource-servers/{ref:path}")
async def get_api(
    ref: str, request: Request, call: Annotated[Call, Depends(scoped("read:resource_servers"))]
) -> Response:
    return call.json(fields_of(request.query_params).project(api_view(await _api(call, ref))))


@router.patch("/resource-servers/{ref:path}")
async def update_api(
    ref: str, request: Request, call: Annotated[Call, Depends(scoped("update:resource_servers"))]
) -> Response:
    body = await json_object(request)
    api = await _api(call, ref)
    if body.get("identifier", api.identifier) != api.identifier:
        raise AdminError("resourceServer.identifier: cannot be changed")
    body.pop("identifier", None)
    body.pop("id", None)
    updated = await call.ctx.repos.resource_servers.update(api.identifier, **body)
    await call.commit()
    return call.json(api_view(updated))


@router.delete("/resource-servers/{ref:path}")
async def delete_api(ref: str, call: Annotated[Call, Depends(scoped("delete:resource_servers"))]) -> Response:
    api = await _api(call, ref)
    await call.ctx.repos.resource_servers.delete(api.identifier)
    await call.commit()
    return call.empty(204)
