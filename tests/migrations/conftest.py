"""Each migration test runs on a fresh database of its own, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import databases


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield databases.sqlite_url(tmp_path, "fresh.db")
        return
    reason = databases.postgres_unavailable_reason()
    if reason:
        if databases.REQUIRE_PG:
            pytest.fail(reason)
        pytest.skip(reason)
    with databases.postgres_database("ostiary_migrations") as url:
        yield url
