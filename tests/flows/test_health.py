"""Issue 22: /healthz is liveness only; /readyz names the dependency that fails (database unreachable or not
migrated, Redis unreachable when configured) with a 503."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from tests.conftest import settings_for
from tests.support import databases
from tests.support.live import free_port

from ostiary.app import create_app
from ostiary.runtime import close_state, open_state


@asynccontextmanager
async def _client(database_url: str, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    state = await open_state(settings_for(database_url, **overrides))
    try:
        transport = httpx.ASGITransport(app=create_app(state=state))
        async with httpx.AsyncClient(transport=transport, base_url="http://ops.local") as http:
            yield http
    finally:
        await close_state(state)


async def test_ready_when_the_database_answers_and_is_migrated(database_url: str) -> None:
    async with _client(database_url) as http:
        response = await http.get("/readyz")
        assert response.status_code == 200, response.text
        assert response.json() == {"status": "ok", "checks": {"database": "ok"}}
        assert (await http.get("/healthz")).json() == {"status": "ok"}


async def test_not_ready_on_an_unmigrated_database(tmp_path: Path) -> None:
    async with _client(databases.sqlite_url(tmp_path, "empty.db")) as http:
        response = await http.get("/readyz")
        assert response.status_code == 503
        body = response.json()
        assert body["error"] == "temporarily_unavailable"
        assert body["checks"]["database"].startswith("not migrated")
        assert "ostiary db upgrade" in body["error_description"]
        assert response.headers["retry-after"]
        assert (await http.get("/healthz")).status_code == 200  # alive, not ready


async def test_not_ready_on_an_unreachable_database() -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nothing"
    async with _client(url) as http:
        response = await http.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["database"].startswith("unreachable")
        assert (await http.get("/healthz")).status_code == 200


async def test_not_ready_when_the_configured_redis_does_not_answer(sqlite_db: str) -> None:
    async with _client(sqlite_db, redis_url=f"redis://127.0.0.1:{free_port()}/0") as http:
        response = await http.get("/readyz")
        assert response.status_code == 503
        checks = response.json()["checks"]
        assert checks["database"] == "ok"
        assert checks["redis"].startswith("unreachable")
        assert response.json()["error_description"].startswith("redis:")
