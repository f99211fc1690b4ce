"""/api/v2/users, /users-by-email, identities, sessions and refresh tokens of a user, /user-blocks.

A user's roles and permissions (/users/{id}/roles, /users/{id}/permissions) are in roles.py.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from ostiary.admin import users as user_cases
from ostiary.admin.user_query import parse_user_query
from ostiary.errors import ManagementQueryError, ManagementScopeError
from ostiary.protection.admin import unblock_user, user_blocks
from ostiary.store.repositories import user_search
from ostiary.web.routes.management.access import Call, json_object, scoped
from ostiary.web.routes.management.paging import fields_of, page_body, page_of
from ostiary.web.routes.management.views import user_view

router = APIRouter()
SEARCH_ENGINES = ("v3", "v2")


@router.get("/users")
async def list_users(request: Request, call: Annotated[Call, Depends(scoped("read:users"))]) -> Response:
    params = dict(request.query_params)
    engine = params.get("search_engine", "v3")
    if engine not in SEARCH_ENGINES:
        raise ManagementQueryError(f"Query validation error: search_engine {engine!r} is not supported (use v3)")
    page = page_of(params)
    q = params.get("q")
    where = user_search.condition(parse_user_query(q)) if q else None
    users, total = await call.ctx.repos.users.search(
        where, order=user_search.order_by(params.get("sort")), offset=page.offset, limit=page.per_page,
        count=page.include_totals,
    )
    return call.json(page_body("users", [user_view(u) for u in users], page=page, total=total or 0))


@router.get("/users-by-email")
async def users_by_email(request: Request, call: Annotated[Call, Depends(scoped("read:users"))]) -> Response:
    email = request.query_params.get("email")
    if not email:
        raise ManagementQueryError("Query validation error: Missing required property: email")
    fields = fields_of(request.query_params)
    return call.json([fields.project(user_view(u)) for u in await call.ctx.repos.users.by_email(email)])


@router.post("/users")
async def create_user(request: Request, call: Annotated[Call, Depends(scoped("create:users"))]) -> Response:
    user = await user_cases.create_user(call.ctx.repos, await json_object(request))
    await call.commit()
    return call.json(user_view(user), status=201)


@router.get("/users/{user_id}")
async def get_user(user_id: str, request: Request, call: Annotated[Call, Depends(scoped("read:users"))]) -> Response:
    user = await call.ctx.repos.users.require(user_id)
    return call.json(fields_of(request.query_params).project(user_view(user)))


@router.patch("/users/{user_id}")
async def update_user(
    user_id: str, request: Request, call: Annotated[Call, Depends(scoped("update:users", "update:users_app_metadata"))]
) -> Response:
    body = await json_object(request)
    if "update:users" not in call.caller.scopes and set(body) - {"app_metadata", "user_metadata"}:
        # update:users_app_metadata reaches the metadata only (Auth0's scope split).
        raise ManagementScopeError(("update:users",))
    user = await user_cases.patch_user(call.ctx.repos, user_id, body)
    await call.commit()
    return call.json(user_view(user))


@router.delete("/users/{user_id}")
async def delete_user(user_id: str, call: Annotated[Call, Depends(scoped("delete:users"))]) -> Response:
    await user_cases.delete_user(call.ctx.repos, user_id)
    await call.commit()
    return call.empty(204)


@router.post("/users/{user_id}/identities")
async def link(user_id: str, request: Request, call: Annotated[Call, Depends(scoped("update:users"))]) -> Response:
    user = await user_cases.link_identity(call.ctx.repos, user_id, await json_object(request))
    await call.commit()
    return call.json([i.as_auth0() for i in user.identities], status=201)


@router.delete("/users/{user_id}/identities/{provider}/{external_id}")
async def unlink(
    user_id: str, provider: str, external_id: str, call: Annotated[Call, Depends(scoped("update:users"))]
) -> Response:
    await call.ctx.repos.users.unlink(user_id, provider=provider, external_id=external_id)
    user = await call.ctx.repos.users.require(user_id)
    await call.commit()
    return call.json([i.as_auth0() for i in user.identities])


@router.delete("/users/{user_id}/refresh-tokens")
async def revoke_refresh_tokens(
    user_id: str, call: Annotated[Call, Depends(scoped("delete:refresh_tokens"))]
) -> Response:
    await call.ctx.repos.users.require(user_id)
    await call.ctx.repos.grants.revoke_user(user_id)
    await call.commit()
    return call.empty(202)


@router.delete("/users/{user_id}/sessions")
async def revoke_sessions(user_id: str, call: Annotated[Call, Depends(scoped("delete:sessions"))]) -> Response:
    await call.ctx.repos.users.require(user_id)
    await call.ctx.repos.sessions.revoke_user(user_id)
    await call.commit()
    return call.empty(202)


@router.get("/user-blocks")
async def blocks_by_identifier(request: Request, call: Annotated[Call, Depends(scoped("read:users"))]) -> Response:
    identifier = request.query_params.get("identifier")
    if not identifier:
        raise ManagementQueryError("Query validation error: Missing required property: identifier")
    blocked = await user_blocks(call.ctx.repos, call.ctx.state.protection, user=identifier)
    return call.json({"blocked_for": blocked})


@router.get("/user-blocks/{user_id}")
async def blocks(user_id: str, call: Annotated[Call, Depends(scoped("read:users"))]) -> Response:
    await call.ctx.repos.users.require(user_id)
    blocked = await user_blocks(call.ctx.repos, call.ctx.state.protection, user=user_id)
    return call.json({"blocked_for": blocked})


@router.delete("/user-blocks")
async def unblock_by_identifier(request: Request, call: Annotated[Call, Depends(scoped("update:users"))]) -> Response:
    identifier = request.query_params.get("identifier")
    if not identifier:
        raise ManagementQueryError("Query validation error: Missing required property: identifier")
    await unblock_user(call.ctx.repos, call.ctx.state.protection, user=identifier, ip=None)
    await call.commit()
    return call.empty(204)


@router.delete("/user-blocks/{user_id}")
async def unblock(user_id: str, call: Annotated[Call, Depends(scoped("update:users"))]) -> Response:
    await call.ctx.repos.users.require(user_id)
    await unblock_user(call.ctx.repos, call.ctx.state.protection, user=user_id, ip=None)
    await call.commit()
    return call.empty(204)
