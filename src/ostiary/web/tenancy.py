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
    """The peer, or behind trusted proxies the nearest X-Forwarded-For hop that is not one of them.

    Proxies append to X-Forwarded-For, so its leftmost entries are whatever the client sent: reading them would
    let anyone pick the IP that brute-force counters and rate limits key on (catalogue BF-07). With `*` every
    peer is trusted but no hop is known to be a proxy: the rightmost hop (what the nearest proxy saw) is used.
    """
    peer = request.client.host if request.client else ""
    if not peer_is_trusted(state, request):
        return peer
    hops = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",") if hop.strip()]
    trusted = state.settings.trusted_proxy_set()
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return hops[0] if hops else peer


DEFAULT_PORTS = {"https": ":443", "http": ":80"}


async def resolve_tenant(state: AppState, request: Request) -> tuple[entities.Tenant, str]:
    """The tenant this request is for and the host it came through (which the issuer uses).

    A host matches a tenant domain exactly; only the scheme's default port may be spelled out (`a.test:443`
    is `a.test`). Any other port, an IP literal or no Host at all matches nothing (catalogue TN-08).
    """
    if state.changes is not None and (pending := state.changes.pending()) is not None:
        await pending  # an admin change may have committed: drop the caches before using them
    host = request_host(state, request)
    default_port = DEFAULT_PORTS.get(request_scheme(state, request), "")
    if default_port and host.endswith(default_port):
        host = host.removesuffix(default_port)

    async def load() -> entities.Tenant | None:
        async with state.reader() as session:
            return await Tenants(session, clock=state.clock).by_domain(host)

    cached = await state.caches.tenants_by_host.get_or_load(host, load)
    if cached is None:
        raise NotFoundError("Unknown host")
    return cached, host
