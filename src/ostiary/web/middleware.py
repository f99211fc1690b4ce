"""Pure-ASGI middleware (cheaper than BaseHTTPMiddleware): request id, body cap, one Host, baseline headers,
503 while the database is unreachable, metrics when enabled, last-resort 500."""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from typing import Any

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ostiary.errors import TemporarilyUnavailableError, management_body
from ostiary.logs import request_id_var
from ostiary.metrics import Metrics
from ostiary.store.outage import is_database_unavailable
from ostiary.web.errors import is_management
from ostiary.web.pages import error_page

log = logging.getLogger("ostiary.http")
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


# On every response, JSON included (catalogue UI-12); pages set the same values plus their CSP. HSTS is
# ignored by browsers on plain http (development), so it is sent unconditionally like the pages do.
BASELINE_HEADERS = ((b"x-content-type-options", b"nosniff"), (b"strict-transport-security", b"max-age=31536000"))


def _with_baseline(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    present = {name.lower() for name, _ in headers}
    return [*headers, *(pair for pair in BASELINE_HEADERS if pair[0] not in present)]


class _BodyTooLarge(Exception):
    pass


# Pages a browser navigates to: an outage there is an HTML page, elsewhere Auth0's JSON error.
BROWSER_PATHS = ("/authorize", "/u/", "/v2/logout", "/oidc/logout")
RETRY_AFTER_SECONDS = "5"
# Metric labels stay bounded whatever a client sends.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


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
    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int, metrics: Metrics | None = None, routes: frozenset[str] = frozenset()
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.metrics = metrics
        # Paths that are metric labels as they are; any other path is counted as "other" (bounded labels).
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_ID.fullmatch(incoming) else secrets.token_hex(8)
        token = request_id_var.set(request_id)
        rid_header = (b"x-request-id", request_id.encode())
        started = False
        status = 500
        began = time.perf_counter() if self.metrics is not None else 0.0

        async def send_with_id(message: Message) -> None:
            nonlocal started, status
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                message["headers"] = [*_with_baseline(list(message.get("headers", []))), rid_header]
                if status >= 500 and status != 503:
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
            if len(headers) != len(scope["headers"]) and _host_count(scope["headers"]) > 1:
                # RFC 9112 §3.2: a request with more than one Host is a 400; the first must not pick the tenant.
                status = 400
                for message in _json_response(
                    400, {"error": "invalid_request", "error_description": "More than one Host header"}, request_id
                ):
                    await send(message)
                return
            length = headers.get(b"content-length")
            if length is not None and (not length.isdigit() or int(length) > limit):
                raise _BodyTooLarge
            await self.app(scope, capped_receive, send_with_id)
        except _BodyTooLarge:
            status = 413
            if not started:
                body = {"error": "invalid_request", "error_description": "Request body too large"}
                if is_management(scope["path"]):
                    body = management_body(413, "Request body too large", "payload_too_large")
                for message in _json_response(413, body, request_id):
                    await send(message)
        except ClientDisconnect:
            status = 499  # the client went away before sending its whole body: nobody to answer
        except Exception as exc:
            if is_database_unavailable(exc):
                scope["app"].state.ostiary.outage.refused(exc)  # the lifespan built it before any request
                if not started:
                    status = 503
                    await _unavailable(scope, send, request_id)
                return
            log.exception("unhandled error", extra={"path": scope["path"]})
            if not started:
                body = {"error": "server_error", "error_description": "Internal error"}
                if is_management(scope["path"]):
                    body = management_body(500, "Internal error", "server_error")
                for message in _json_response(500, body, request_id):
                    await send(message)
        finally:
            request_id_var.reset(token)
            if self.metrics is not None:
                path, method = scope["path"], scope["method"]
                route = path if path in self.routes else "other"
                self.metrics.request(route, method if method in _METHODS else "OTHER", status, began)


def _host_count(headers: list[tuple[bytes, bytes]]) -> int:
    return sum(1 for name, _ in headers if name == b"host")


async def _unavailable(scope: Scope, send: Send, request_id: str) -> None:
    """503 with Retry-After: an HTML page where a browser is navigating, Auth0's JSON error elsewhere."""
    if scope["path"].startswith(BROWSER_PATHS):
        page = error_page(
            "temporarily_unavailable", "The service is temporarily unavailable. Please try again in a moment.",
            status=503,
        )
        page.headers["Retry-After"] = RETRY_AFTER_SECONDS
        page.headers["X-Request-Id"] = request_id

        async def no_body() -> Message:
            return {"type": "http.disconnect"}

        await page(scope, no_body, send)
        return
    start, body = _json_response(503, TemporarilyUnavailableError().body(), request_id)
    start["headers"].append((b"retry-after", RETRY_AFTER_SECONDS.encode()))
    await send(start)
    await send(body)
