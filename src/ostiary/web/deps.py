"""FastAPI dependencies: the per-request TenantContext (tenant, issuer host, unit of work)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends
from starlette.requests import Request

from ostiary.oauth.context import TenantContext
from ostiary.runtime import AppState
from ostiary.web.tenancy import client_ip, request_scheme, resolve_tenant


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.ostiary
    return state


async def get_context(request: Request) -> AsyncIterator[TenantContext]:
    state = get_state(request)
    tenant, host = await resolve_tenant(state, request)
    async with state.sessionmaker() as session:
        yield TenantContext(
            state=state,
            tenant=tenant,
            host=host,
            scheme=request_scheme(state, request),
            repos=state.repos(session, tenant.id),
            ip=client_ip(state, request),
            user_agent=request.headers.get("user-agent", ""),
        )


Context = Annotated[TenantContext, Depends(get_context)]
State = Annotated[AppState, Depends(get_state)]
