"""CORS for browser calls to token-style endpoints: only the client's allowed web origins (Auth0's rule)."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.responses import PlainTextResponse, Response

from ostiary import entities
from ostiary.oauth.context import TenantContext

PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "POST, GET, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Authorization, Auth0-Client, DPoP",
    "Access-Control-Max-Age": "86400",
}


def origin_allowed(client: entities.Client, origin: str) -> bool:
    return origin in client.web_origins or origin in client.allowed_origins


def forbidden_origin(origin: str) -> Response:
    # Auth0 answers a bare 403 with a plain-text body here, not an OAuth error.
    return PlainTextResponse(
        f"Origin {origin} is not allowed.", status_code=403, headers={"Cache-Control": "no-store", "Pragma": "no-cache"}
    )


def preflight(origin: str | None, clients: Iterable[entities.Client]) -> Response:
    """204; the origin is allowed when some client of this tenant lists it (a preflight carries no client_id).

    The real request is then checked against its own client (security catalogue HD-05, TN-10).
    """
    headers = {**PREFLIGHT_HEADERS, "Vary": "Origin"}
    if origin and any(origin_allowed(client, origin) for client in clients):
        headers["Access-Control-Allow-Origin"] = origin
    return Response(status_code=204, headers=headers)


def allow_origin_headers(origin: str | None) -> dict[str, str]:
    if not origin:
        return {}
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}


async def error_cors_headers(ctx: TenantContext, params: dict[str, str], origin: str | None) -> dict[str, str]:
    """An SPA may read the error only when the client it names allows its origin (never any origin)."""
    client_id = params.get("client_id")
    if not origin or not client_id:
        return {}
    client = await ctx.client(client_id)
    return allow_origin_headers(origin) if client and origin_allowed(client, origin) else {}
