"""Test databases: a migrated SQLite file, and a uniquely named PostgreSQL database dropped afterwards."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg

from ostiary.store import migrate

PG_DSN = os.environ.get("OSTIARY_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE_PG = os.environ.get("OSTIARY_REQUIRE_POSTGRES") == "1"


def postgres_unavailable_reason() -> str | None:
    async def probe() -> None:
        conn = await asyncpg.connect(PG_DSN, timeout=3)
        await conn.close()

    try:
        asyncio.run(probe())
    except Exception as exc:  # any failure means: no usable server here
        return f"PostgreSQL not reachable at {PG_DSN} ({exc.__class__.__name__}: {exc})"
    return None


def _pg_url(name: str) -> str:
    base = PG_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return f"{base}/{name}"


@contextmanager
def postgres_database(prefix: str = "ostiary_test") -> Iterator[str]:
    """Create a uniquely named database, yield its SQLAlchemy URL, drop it afterwards."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(PG_DSN)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield _pg_url(name)
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def sqlite_url(directory: Path, name: str = "ostiary.db") -> str:
    return f"sqlite+aiosqlite:///{directory / name}"


def migrated(url: str) -> str:
    migrate.upgrade(url)
    return url
