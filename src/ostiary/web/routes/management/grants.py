"""/api/v2/client-grants (checkpoint or page-based; filters `audience`, `client_id`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from ostiary import entities
from ostiary.errors import AdminConflictError, AdminError, AdminNotFoundError
from ostiary.store.repositories import _validate as v
from ostiary.web.routes.management.access import Call, json_object, scoped
from ostiary.web.routes.management.paging import listing
from ostiary.web.routes.management.views import grant_view

router = APIRouter()


async def _grant(call: Call, grant_id: str) -> entities.ClientGrant:
    for grant in await call.ctx.repos.client_grants.all():
        if grant.id == grant_id:
            return grant
    raise AdminNotFoundError(f"clientGrant: no client grant {grant_id!r}", kind="grant")


def _scope(body: dict[str, Any]) -> list[str]:
    return v.string_list("clientGrant.scope", body.get("scope", []))


@router.get("/client-grants")
async def list_grants(request: Request, call: Annotated[Call, Depends(scoped("read:client_grants"))]) -> Response:
    params = dict(request.query_params)
    audience, client_id = params.get("audience"), params.get("client_id")
    rows = [
        grant_view(g) for g in await call.ctx.repos.client_grants.all(client_id)
        if audience is None or g.audience == audience
    ]
    return call.json(listing("client_grants", rows, params, checkpoint=True))


@router.post("/client-grants")
async def create_grant(request: Request, call: Annotated[Call, Depends(scoped("create:client_grants"))]) -> Response:
    body = await json_object(request)
    v.reject_unknown("clientGrant", body, ("client_id", "audience", "scope"))
    client_id, audience = body.get("client_id"), body.get("audience")
    for key, value in (("client_id", client_id), ("audience", audience)):
        if not isinstance(value, str) or not value:
            raise AdminError(f"clientGrant.{key}: required")
    grants = call.ctx.repos.client_grants
    if await grants.find(client_id, audience):  # type: ignore[arg-type]
        raise AdminConflictError(f"clientGrant: client {client_id!r} has a grant for {audience!r} already")
    grant = await grants.upsert(client_id=client_id, audience=audience, scope=_scope(body))  # type: ignore[arg-type]
    await call.commit()
    return call.json(grant_view(grant), status=201)


@router.patch("/client-grants/{grant_id}")
async def update_grant(
    grant_id: str, request: Request, call: Annotated[Call, Depends(scoped("update:client_grants"))]
) -> Response:
    body = await json_object(request)
    v.reject_unknown("clientGrant", body, ("scope",))
    grant = await _grant(call, grant_id)
    updated = await call.ctx.repos.client_grants.upsert(
        client_id=grant.client_id, audience=grant.audience, scope=_scope(body) if "scope" in body else list(grant.scope)
    )
    await call.commit()
    return call.json(grant_view(updated))


@router.delete("/client-grants/{grant_id}")
async def delete_grant(grant_id: str, call: Annotated[Call, Depends(scoped("delete:client_grants"))]) -> Response:
    grant = await _grant(call, grant_id)
    await call.ctx.repos.client_grants.delete(grant.client_id, grant.audience)
    await call.commit()
    return call.empty(204)
