"""/api/v2/roles, /roles/{id}/permissions, /roles/{id}/users, /users/{id}/roles and /users/{id}/permissions.

Every change goes through admin/roles.py, the use cases the CLI and `ostiary import` call (one validation, one
wording). Write statuses are Auth0's: POST /roles 200, DELETE /roles/{id} 200, POST /roles/{id}/permissions 201,
DELETE /roles/{id}/permissions 200, POST /roles/{id}/users 200, POST /users/{id}/roles 204,
DELETE /users/{id}/roles 204, POST /users/{id}/permissions 201, DELETE /users/{id}/permissions 204.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from ostiary.admin import roles as rbac
from ostiary.web.routes.management.access import Call, json_object, scoped
from ostiary.web.routes.management.paging import listing
from ostiary.web.routes.management.views import role_member_view, role_view

router = APIRouter()


async def _permission_views(call: Call, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Auth0's listed permission: {permission_name, description, resource_server_name,
    resource_server_identifier} (+ whatever else the row carries, e.g. `sources`)."""
    apis = {a.identifier: a for a in await call.ctx.repos.resource_servers.listing()}
    out = []
    for row in rows:
        api = apis.get(row["resource_server_identifier"])
        out.append({
            "permission_name": row["permission_name"],
            "description": api.scope_descriptions.get(row["permission_name"], "") if api else "",
            "resource_server_name": api.name if api else "",
            "resource_server_identifier": row["resource_server_identifier"],
            **{k: v for k, v in row.items() if k not in ("permission_name", "resource_server_identifier")},
        })
    return out


# -- roles ------------------------------------------------------------------------------------------------

@router.get("/roles")
async def list_roles(request: Request, call: Annotated[Call, Depends(scoped("read:roles"))]) -> Response:
    params = dict(request.query_params)
    name_filter = (params.get("name_filter") or "").lower()
    roles = [r for r in await call.ctx.repos.roles.all() if name_filter in r.name.lower()]
    return call.json(listing("roles", [role_view(r) for r in sorted(roles, key=lambda r: r.name)], params))


@router.post("/roles")
async def create_role(request: Request, call: Annotated[Call, Depends(scoped("create:roles"))]) -> Response:
    body = await json_object(request)
    role = await rbac.create_role(call.ctx.repos, name=body.get("name"), description=body.get("description", ""))
    await call.commit()
    return call.json(role_view(role))


@router.get("/roles/{role_id}")
async def get_role(role_id: str, call: Annotated[Call, Depends(scoped("read:roles"))]) -> Response:
    return call.json(role_view(await rbac.find_role(call.ctx.repos, role_id)))


@router.patch("/roles/{role_id}")
async def update_role(
    role_id: str, request: Request, call: Annotated[Call, Depends(scoped("update:roles"))]
) -> Response:
    body = await json_object(request)
    role = await rbac.update_role(call.ctx.repos, role_id, name=body.get("name"), description=body.get("description"))
    await call.commit()
    return call.json(role_view(role))


@router.delete("/roles/{role_id}")
async def delete_role(role_id: str, call: Annotated[Call, Depends(scoped("delete:roles"))]) -> Response:
    await rbac.delete_role(call.ctx.repos, role_id)
    await call.commit()
    return call.empty(200)


@router.get("/roles/{role_id}/permissions")
async def role_permissions(
    role_id: str, request: Request, call: Annotated[Call, Depends(scoped("read:roles"))]
) -> Response:
    role = await rbac.find_role(call.ctx.repos, role_id)
    rows = [rbac.permission_dict(p) for p in await call.ctx.repos.roles.permissions(role.id)]
    return call.json(listing("permissions", await _permission_views(call, rows), dict(request.query_params)))


@router.post("/roles/{role_id}/permissions")
async def add_role_permissions(
    role_id: str, request: Request, call: Annotated[Call, Depends(scoped("update:roles"))]
) -> Response:
    permissions = rbac.parse_permission_list("role.permissions", (await json_object(request)).get("permissions"))
    await rbac.add_role_permissions(call.ctx.repos, role_id, permissions)
    await call.commit()
    return call.empty(201)


@router.delete("/roles/{role_id}/permissions")
async def remove_role_permissions(
    role_id: str, request: Request, call: Annotated[Call, Depends(scoped("update:roles"))]
) -> Response:
    permissions = rbac.parse_permission_list("role.permissions", (await json_object(request)).get("permissions"))
    await rbac.remove_role_permissions(call.ctx.repos, role_id, permissions)
    await call.commit()
    return call.empty(200)


@router.get("/roles/{role_id}/users")
async def role_users(
    role_id: str, request: Request, call: Annotated[Call, Depends(scoped("read:role_members", "read:users"))]
) -> Response:
    role = await rbac.find_role(call.ctx.repos, role_id)
    users = [await call.ctx.repos.users.by_user_id(uid) for uid in await rbac.role_user_ids(call.ctx.repos, role.id)]
    rows = [role_member_view(u) for u in users if u is not None]
    return call.json(listing("users", rows, dict(request.query_params), checkpoint=True))


@router.post("/roles/{role_id}/users")
async def assign_role_users(
    role_id: str, request: Request, call: Annotated[Call, Depends(scoped("create:role_members", "update:users"))]
) -> Response:
    user_ids = rbac.parse_ids("role.users", (await json_object(request)).get("users"))
    role = await rbac.find_role(call.ctx.repos, role_id)
    for user_id in user_ids:
        await rbac.assign_user_roles(call.ctx.repos, user_id, [role.id])
    await call.commit()
    return call.empty(200)


# -- a user's roles and direct permissions --------------------------------------------------------------------

@router.get("/users/{user_id}/roles")
async def user_roles(user_id: str, request: Request, call: Annotated[Call, Depends(scoped("read:users"))]) -> Response:
    roles = await rbac.user_roles(call.ctx.repos, user_id)
    return call.json(listing("roles", [role_view(r) for r in roles], dict(request.query_params)))


@router.post("/users/{user_id}/roles")
async def assign_user_roles(
    user_id: str, request: Request, call: Annotated[Call, Depends(scoped("create:role_members", "update:users"))]
) -> Response:
    refs = rbac.parse_ids("user.roles", (await json_object(request)).get("roles"))
    await rbac.assign_user_roles(call.ctx.repos, user_id, refs)
    await call.commit()
    return call.empty(204)


@router.delete("/users/{user_id}/roles")
async def remove_user_roles(
    user_id: str, request: Request, call: Annotated[Call, Depends(scoped("delete:role_members", "update:users"))]
) -> Response:
    refs = rbac.parse_ids("user.roles", (await json_object(request)).get("roles"))
    await rbac.remove_user_roles(call.ctx.repos, user_id, refs)
    await call.commit()
    return call.empty(204)


@router.get("/users/{user_id}/permissions")
async def user_permissions(
    user_id: str, request: Request, call: Annotated[Call, Depends(scoped("read:users"))]
) -> Response:
    rows = rbac.permissions_with_sources(await rbac.effective_permissions(call.ctx.repos, user_id))
    return call.json(listing("permissions", await _permission_views(call, rows), dict(request.query_params)))


@router.post("/users/{user_id}/permissions")
async def add_user_permissions(
    user_id: str, request: Request, call: Annotated[Call, Depends(scoped("update:users"))]
) -> Response:
    permissions = rbac.parse_permission_list("user.permissions", (await json_object(request)).get("permissions"))
    await rbac.add_user_permissions(call.ctx.repos, user_id, permissions)
    await call.commit()
    return call.empty(201)


@router.delete("/users/{user_id}/permissions")
async def remove_user_permissions(
    user_id: str, request: Request, call: Annotated[Call, Depends(scoped("update:users"))]
) -> Response:
    permissions = rbac.parse_permission_list("user.permissions", (await json_object(request)).get("permissions"))
    await rbac.remove_user_permissions(call.ctx.repos, user_id, permissions)
    await call.commit()
    return call.empty(204)
