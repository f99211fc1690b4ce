"""CORS for browser calls to token-style endpoints: only the client's allowed web origins (Auth0's rule)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ostiary import entities

PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "POST, GET, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Authorization, Auth0-Client, DPoP",
    "Access-Control-Max-Age": "86400",
}


def origin_allowed(client: entities.Client, origin: str) -> bool:
    return origin in client.web_origins or origin in client.allowed_origins


def forbidden_origin(origin: str) -> Response:
    # Auth0 answers a bare 403 with a plain-text body here, not an OAuth error.
    return PlainTextResponse(f"Origin {origin} is not allowed.", status_code=403)


def preflight(request: Request) -> Response:
    """Preflights carry no client_id, so they reveal nothing; the real request is checked per client."""
    origin = request.headers.get("origin", "")
    headers = {**PREFLIGHT_HEADERS, "Vary": "Origin"}
    if origin:
        headers["Access-Control-Allow-Origin"] = origin
    return Response(status_code=204, headers=headers)


def allow_origin_headers(origin: str | None) -> dict[str, str]:
    if not origin:
        return {}
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
