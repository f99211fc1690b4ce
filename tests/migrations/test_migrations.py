"""Alembic is the only way the schema changes: models and migrations agree, and the chain runs both ways,
on SQLite and PostgreSQL (each test on a fresh database of its own)."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from ostiary.store import migrate, models  # noqa: F401  (registers every table)
from ostiary.store.db import Base, create_engine


def _run(url: str, fn: Any) -> Any:
    async def go() -> Any:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(fn)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def _diff(conn: Any) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata))


def _tables(conn: Any) -> set[str]:
    return set(inspect(conn).get_table_names()) - {"alembic_version"}


def test_models_and_migrations_agree(fresh_url: str) -> None:
    migrate.upgrade(fresh_url)
    assert _run(fresh_url, _diff) == []


def test_upgrade_downgrade_upgrade_runs(fresh_url: str) -> None:
    migrate.upgrade(fresh_url)
    assert _run(fresh_url, _tables) == set(Base.metadata.tables)
    migrate.downgrade(fresh_url, "base")
    assert _run(fresh_url, _tables) == set()
    migrate.upgrade(fresh_url)
    assert _run(fresh_url, _diff) == []
