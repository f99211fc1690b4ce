"""A bare ASGI app with one constant JSON response: the HTTP stack's ceiling on this machine."""

from __future__ import annotations

from typing import Any

BODY = b'{"status":"ok"}'
START = {
    "type": "http.response.start",
    "status": 200,
    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())],
}


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send(START)
    await send({"type": "http.response.body", "body": BODY})
