"""Pure-ASGI middleware (cheaper than BaseHTTPMiddleware): request id, body cap, baseline headers, last-resort 500."""

from __future__ import annotations

import json
import logging
import re
import secrets
from typing import Any

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ostiary.errors import management_body
from ostiary.logs import request_id_var
from ostiary.web.errors import is_management

log = logging.getLogger("ostiary.http")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


# On every response, JSON included (catalogue UI-12); pages set the same values plus their CSP. HSTS is
# ignored by browsers on plain http (development), so it is sent unconditionally like the pages do.
BASELINE_HEADERS = ((b"x-content-type-options", b"nosniff"), (b"strict-transport-security", b"max-age=31536000"))


def _with_baseline(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    present = {name.lower() for name, _ in headers}
    return [*headers, *(pair for pair in BASELINE_HEADERS if pair[0] not in present)]


class _BodyTooLarge(Exception):
    pass


def _json_response(status: int, body: dict[str, Any], request_id: str) -> tuple[Message, Message]:
    payload = json.dumps(body).encode()
    start: Message = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
            (b"cache-control", b"no-store"),
            (b"pragma", b"no-cache"),
            *BASELINE_HEADERS,
            (b"x-request-id", request_id.encode()),
        ],
    }
    return start, {"type": "http.response.body", "body": payload}


class EdgeMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_ID.match(incoming) else secrets.token_hex(8)
        token = request_id_var.set(request_id)
        rid_header = (b"x-request-id", request_id.encode())
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*_with_baseline(list(message.get("headers", []))), rid_header]
                if message["status"] >= 500:
                    log.error("server error response", extra={"status": message["status"], "path": scope["path"]})
            await send(message)

        limit = self.max_body_bytes
        received = 0

        async def capped_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge
            return message

        try:
            length = dict(scope["headers"]).get(b"content-length")
            if length is not None and (not length.isdigit() or int(length) > limit):
                raise _BodyTooLarge
            await self.app(scope, capped_receive, send_with_id)
        except _BodyTooLarge:
            if not started:
                body = {"error": "invalid_request", "error_description": "Request body too large"}
                if is_management(scope["path"]):
                    body = management_body(413, "Request body too large", "payload_too_large")
                for message in _json_response(413, body, request_id):
                    await send(message)
        except ClientDisconnect:
            pass  # the client went away before sending its whole body: nobody to answer
        except Exception:
            log.exception("unhandled error", extra={"path": scope["path"]})
            if not started:
                body = {"error": "server_error", "error_description": "Internal error"}
                if is_management(scope["path"]):
                    body = management_body(500, "Internal error", "server_error")
                for message in _json_response(500, body, request_id):
                    await send(message)
        finally:
            request_id_var.reset(token)
