"""Fixtures: a migrated database per backend (SQLite always, PostgreSQL when reachable), the app, tenants.

Each test gets its own tenant(s) on their own host names, so tests never see each other's rows.
`OSTIARY_REQUIRE_POSTGRES=1` (set by .ci/run) turns a missing PostgreSQL into a failure instead of a skip.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from ostiary.app import create_app
from ostiary.clock import FrozenClock
from ostiary.runtime import AppState, close_state, open_state
from ostiary.settings import Settings
from tests.support import databases
from tests.support.factories import TenantFixture, make_tenant
from tests.support.mail_flows import mailbox, quiet  # noqa: F401 - fixtures: loopback SMTP, a quiet outbox

# A urlsafe-base64 value of 34 bytes: `ostiary serve` refuses keys under 256 bits.
TEST_MASTER_KEY = "dGVzdC1tYXN0ZXIta2V5LW5vdC1mb3ItcHJvZHVjdGlvbg"
BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(scope="session")
def sqlite_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return databases.migrated(databases.sqlite_url(tmp_path_factory.mktemp("db")))


@pytest.fixture(scope="session")
def postgres_db() -> Iterator[str]:
    reason = databases.postgres_unavailable_reason()
    if reason:
        if databases.REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required here (OSTIARY_REQUIRE_POSTGRES=1): {reason}")
        pytest.skip(reason)
    with databases.postgres_database() as url:
        yield databases.migrated(url)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    """Every test that uses the store runs on both backends."""
    fixture = "sqlite_db" if request.param == "sqlite" else "postgres_db"
    return str(request.getfixturevalue(fixture))


def settings_for(database_url: str, **overrides: Any) -> Settings:
    """The tests' settings (https, no caching, no .env file); a module's own `settings` fixture adds overrides."""
    values: dict[str, Any] = {
        "public_scheme": "https", "master_key": TEST_MASTER_KEY, "cache_ttl_seconds": 0.0, "log_format": "text",
        # The Python-hook tests store Python source; tests/security/test_action_isolation.py checks the default
        # (off) refuses it.
        "trust_tenant_python": True,
        **overrides,
    }
    return Settings(database_url=database_url, _env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_for(database_url)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
async def state(settings: Settings, clock: FrozenClock) -> AsyncIterator[AppState]:
    st = await open_state(settings, clock=clock)
    yield st
    await close_state(st)


@pytest.fixture
def app(state: AppState) -> FastAPI:
    return create_app(state=state)


@pytest.fixture
async def tenant(state: AppState, app: FastAPI) -> AsyncIterator[TenantFixture]:
    t = await make_tenant(state, app)
    yield t
    await t.http.aclose()


@pytest.fixture
async def other_tenant(state: AppState, app: FastAPI) -> AsyncIterator[TenantFixture]:
    t = await make_tenant(state, app)
    yield t
    await t.http.aclose()


@pytest.fixture(scope="session")
def test_output_dir() -> Path:
    path = Path(__file__).resolve().parents[1] / "test-output"
    path.mkdir(exist_ok=True)
    return path
