"""/api/v2/actions: actions, their deployment, triggers and trigger bindings (admin/actions.py does the work).

An action is checked (its npm dependencies resolved, its code loaded in V8) and stored in one step, so it is
`built` and deployed once created or updated; POST .../deploy answers its one version. Secrets are write-only:
listed by name. The list rejects include_totals as Auth0's does ("Additional properties not allowed").
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from ostiary.actions.js.hook import ENTRY_POINTS
from ostiary.admin import actions as action_cases
from ostiary.errors import AdminNotFoundError, ManagementQueryError
from ostiary.store.repositories.actions import ActionSpec
from ostiary.web.routes.management.access import Call, json_object, scoped
from ostiary.web.routes.management.paging import optional_bool, page_of
from ostiary.web.routes.management.views import action_view, iso

router = APIRouter()


async def _action(call: Call, action_id: str) -> ActionSpec:
    spec = await call.ctx.repos.actions.by_id(action_id)
    if spec is None:
        raise AdminNotFoundError(f"action: no action with id {action_id!r}", kind="action")
    return spec


@router.get("/actions/actions")
async def list_actions(request: Request, call: Annotated[Call, Depends(scoped("read:actions"))]) -> Response:
    params = dict(request.query_params)
    if "include_totals" in params:
        raise ManagementQueryError("Query validation error: 'Additional properties not allowed: include_totals'")
    page = page_of(params)
    trigger, name, deployed = params.get("triggerId"), params.get("actionName"), optional_bool(params, "deployed")
    specs = [s for s in await call.ctx.repos.actions.all()
             if (not trigger or trigger in s.supported_triggers) and (not name or s.name == name)
             and deployed is not False]  # every stored action is deployed (see the module's docstring)
    rows = [page.fields.project(action_view(s)) for s in specs[page.offset: page.offset + page.per_page]]
    return call.json({"actions": rows, "total": len(specs), "page": page.page, "per_page": page.per_page})


@router.post("/actions/actions")
async def create_action(request: Request, call: Annotated[Call, Depends(scoped("create:actions"))]) -> Response:
    spec = await action_cases.save_action(call.ctx.repos, call.ctx.state.settings, await json_object(request), None)
    await call.commit()
    return call.json(action_view(spec), status=201)


@router.get("/actions/actions/{action_id}")
async def get_action(action_id: str, call: Annotated[Call, Depends(scoped("read:actions"))]) -> Response:
    return call.json(action_view(await _action(call, action_id)))


@router.patch("/actions/actions/{action_id}")
async def update_action(
    action_id: str, request: Request, call: Annotated[Call, Depends(scoped("update:actions"))]
) -> Response:
    body = await json_object(request)
    spec = await action_cases.save_action(
        call.ctx.repos, call.ctx.state.settings, body, await _action(call, action_id)
    )
    await call.commit()
    return call.json(action_view(spec))


@router.delete("/actions/actions/{action_id}")
async def delete_action(action_id: str, call: Annotated[Call, Depends(scoped("delete:actions"))]) -> Response:
    spec = await _action(call, action_id)
    await call.ctx.repos.actions.delete(spec.name)
    await call.commit()
    return call.empty(204)


@router.post("/actions/actions/{action_id}/deploy")
async def deploy(action_id: str, call: Annotated[Call, Depends(scoped("create:actions"))]) -> Response:
    spec = await _action(call, action_id)
    view = action_view(spec)
    version = {**view, "id": spec.id, "action_id": spec.id, "number": 1, "deployed": True,
               "action": {"id": spec.id, "name": spec.name, "supported_triggers": view["supported_triggers"]}}
    return call.json(version)


@router.get("/actions/triggers")
async def triggers(call: Annotated[Call, Depends(scoped("read:actions"))]) -> Response:
    return call.json({"triggers": [
        {"id": t, "version": action_cases.TRIGGER_VERSIONS[t], "status": "CURRENT",
         "runtimes": list(action_cases.NODE_RUNTIMES), "default_runtime": action_cases.DEFAULT_NODE_RUNTIME,
         "compatible_triggers": []}
        for t in ENTRY_POINTS
    ]})


async def _bindings(call: Call, trigger: str, names: list[str]) -> list[dict[str, Any]]:
    out = []
    for name in names:
        spec = await call.ctx.repos.actions.by_name(name)
        if spec is not None:
            out.append({"trigger_id": trigger, "display_name": name, "action": action_view(spec),
                        "created_at": iso(spec.created_at), "updated_at": iso(spec.updated_at or spec.created_at)})
    return out


@router.get("/actions/triggers/{trigger}/bindings")
async def get_bindings(
    trigger: str, request: Request, call: Annotated[Call, Depends(scoped("read:actions"))]
) -> Response:
    if trigger not in ENTRY_POINTS:
        raise AdminNotFoundError(f"trigger: {trigger!r} is not one of {', '.join(ENTRY_POINTS)}", kind="trigger")
    page = page_of(dict(request.query_params))
    rows = await _bindings(call, trigger, await call.ctx.repos.actions.bound_names(trigger))
    chunk = rows[page.offset: page.offset + page.per_page]
    return call.json({"bindings": chunk, "total": len(rows), "page": page.page, "per_page": page.per_page})


@router.patch("/actions/triggers/{trigger}/bindings")
async def set_bindings(
    trigger: str, request: Request, call: Annotated[Call, Depends(scoped("update:actions"))]
) -> Response:
    body = await json_object(request)
    names = await action_cases.bind_refs(call.ctx.repos, trigger, body.get("bindings"))
    rows = await _bindings(call, trigger, names)
    await call.commit()
    return call.json({"bindings": rows})
