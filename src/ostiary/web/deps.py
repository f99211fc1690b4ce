"""FastAPI dependencies: the per-request TenantContext (tenant, issuer host, unit of work)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends
from starlette.requests import Request

from ostiary.oauth.context import TenantContext
from ostiary.runtime import AppState
from ostiary.web.tenancy import client_ip, request_scheme, resolve_tenant


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.ostiary
    return state


@asynccontextmanager
async def tenant_context(request: Request, *, read_only: bool = False) -> AsyncIterator[TenantContext]:
    """The TenantContext for a request; for routes that skip FastAPI's dependency machinery (hot paths).
    read_only: the route never writes (on SQLite its transaction then takes no write lock)."""
    state = get_state(request)
    tenant, host = await resolve_tenant(state, request)
    # The session opens when a repository first needs it: cached-only requests never pay for one.
    repos = state.repos(state.reader if read_only else state.sessionmaker, tenant.id)
    try:
        yield TenantContext(
            state=state,
            tenant=tenant,
            host=host,
            scheme=request_scheme(state, request),
            repos=repos,
            ip=client_ip(state, request),
            user_agent=request.headers.get("user-agent", ""),
        )
    finally:
        await repos.close()


async def get_context(request: Request) -> AsyncIterator[TenantContext]:
    async with tenant_context(request) as ctx:
        yield ctx


async def get_read_context(request: Request) -> AsyncIterator[TenantContext]:
    async with tenant_context(request, read_only=True) as ctx:
        yield ctx


Context = Annotated[TenantContext, Depends(get_context)]
ReadContext = Annotated[TenantContext, Depends(get_read_context)]
State = Annotated[AppState, Depends(get_state)]
