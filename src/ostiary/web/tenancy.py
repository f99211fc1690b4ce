"""Host (or X-Forwarded-Host from a trusted proxy) → tenant. An unknown host learns nothing of any tenant."""

from __future__ import annotations

from starlette.requests import Request

from ostiary import entities
from ostiary.errors import NotFoundError
from ostiary.runtime import AppState
from ostiary.store.repositories.tenants import Tenants


def peer_is_trusted(state: AppState, request: Request) -> bool:
    trusted = state.settings.trusted_proxy_set()
    if not trusted:
        return False
    peer = request.client.host if request.client else ""
    return "*" in trusted or peer in trusted


def request_host(state: AppState, request: Request) -> str:
    host = request.headers.get("host", "")
    if peer_is_trusted(state, request):
        forwarded = request.headers.get("x-forwarded-host")
        if forwarded:
            host = forwarded.split(",")[0].strip()
    return host.lower()


def request_scheme(state: AppState, request: Request) -> str:
    if peer_is_trusted(state, request):
        proto = request.headers.get("x-forwarded-proto")
        if proto in ("http", "https"):
            return proto
    return state.settings.public_scheme


def client_ip(state: AppState, request: Request) -> str:
    peer = request.client.host if request.client else ""
    if peer_is_trusted(state, request):
        forwarded = request.headers.get("x-forwarded-for")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return peer


async def resolve_tenant(state: AppState, request: Request) -> tuple[entities.Tenant, str]:
    """The tenant this request is for and the host it came through (which the issuer uses)."""
    host = request_host(state, request)

    async def load() -> entities.Tenant | None:
        async with state.reader() as session:
            tenants = Tenants(session, clock=state.clock)
            found = await tenants.by_domain(host)
            if found is None and ":" in host:
                found = await tenants.by_domain(host.rsplit(":", 1)[0])
            return found

    cached = await state.caches.tenants_by_host.get_or_load(host, load)
    if cached is None:
        raise NotFoundError("Unknown host")
    return cached, host
