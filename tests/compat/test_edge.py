"""The edge, from day one: body caps, bad encodings and content types, unknown hosts, request ids, and an
unexpected exception turned into a logged, trace-free 500 — always JSON, never a stack trace."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from ostiary.logs import JsonFormatter
from tests.support.factories import TenantFixture


class _Lines(logging.Handler):
    """Formats each record when it is emitted (the request id lives in a context variable)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[dict[str, object]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def log_lines() -> Iterator[list[dict[str, object]]]:
    handler = _Lines()
    logger = logging.getLogger("ostiary")
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


async def test_body_over_the_cap_is_413_json(tenant: TenantFixture) -> None:
    limit = tenant.state.settings.max_body_bytes
    response = await tenant.http.post(
        "/oauth/token", content=b"a=" + b"x" * limit, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413
    assert response.json() == {"error": "invalid_request", "error_description": "Request body too large"}
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-request-id"]


async def test_non_utf8_body_is_400_invalid_request(tenant: TenantFixture) -> None:
    response = await tenant.http.post(
        "/oauth/token", content=b"grant_type=\xff\xfe", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_request", "error_description": "The request body is not valid UTF-8"}


async def test_unsupported_content_type_is_415_json(tenant: TenantFixture) -> None:
    response = await tenant.http.post("/oauth/token", content=b"<x/>", headers={"content-type": "application/xml"})
    assert response.status_code == 415
    assert response.json() == {
        "error": "invalid_request", "error_description": "Unsupported content type: application/xml"
    }


async def test_unknown_host_is_404_json_naming_no_tenant(tenant: TenantFixture, app: FastAPI) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://nobody.test") as http:
        for response in (await http.get("/.well-known/openid-configuration"),
                         await http.get("/.well-known/jwks.json"),
                         await http.post("/oauth/token", data={"grant_type": "client_credentials"})):
            assert response.status_code == 404
            assert response.json() == {"error": "not_found", "error_description": "Unknown host"}
            assert tenant.domain not in response.text


async def test_every_response_carries_a_request_id_and_a_safe_incoming_one_is_kept(tenant: TenantFixture) -> None:
    responses = [
        await tenant.http.get("/healthz"),
        await tenant.http.get("/.well-known/jwks.json"),
        await tenant.http.post("/oauth/token", data={}),
        await tenant.http.get("/no/such/path"),
    ]
    ids = [r.headers["x-request-id"] for r in responses]
    assert all(ids) and len(set(ids)) == len(ids)
    kept = await tenant.http.get("/healthz", headers={"x-request-id": "abc-123"})
    assert kept.headers["x-request-id"] == "abc-123"
    replaced = await tenant.http.get("/healthz", headers={"x-request-id": "bad id\n<script>"})
    assert replaced.headers["x-request-id"] not in ("", "bad id\n<script>")


async def test_unexpected_exception_is_a_logged_500_without_a_trace(
    tenant: TenantFixture, app: FastAPI, log_lines: list[dict[str, object]]
) -> None:
    async def explode() -> None:
        raise RuntimeError("secret internals at /srv/ostiary/db.py line 42")

    app.add_api_route("/test-only/explode", explode)
    response = await tenant.http.get("/test-only/explode")
    assert response.status_code == 500
    assert response.json() == {"error": "server_error", "error_description": "Internal error"}
    assert "secret internals" not in response.text and "Traceback" not in response.text
    request_id = response.headers["x-request-id"]
    logged = [line for line in log_lines if line.get("request_id") == request_id]
    assert any("secret internals" in str(line.get("exc", "")) for line in logged), log_lines
