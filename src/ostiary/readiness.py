"""Readiness: can this process serve traffic? The database answers and is migrated; Redis answers when configured.

Used by GET /readyz (each dependency named, 503 when one fails) and by `ostiary serve` before it starts.
"""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from ostiary.store import migrate

TIMEOUT_SECONDS = 3.0


async def _current_revision(engine: AsyncEngine) -> str | None:
    """alembic_version read directly: Alembic's MigrationContext logs a line each time it is made."""
    async with engine.connect() as conn:
        if not await conn.run_sync(lambda sync: inspect(sync).has_table("alembic_version")):
            return None
        revision = await conn.scalar(text("SELECT version_num FROM alembic_version"))
        return str(revision) if revision is not None else None


async def database_status(engine: AsyncEngine) -> str:
    """"ok", or what is wrong, as one phrase naming the fix."""
    try:
        current = await asyncio.wait_for(_current_revision(engine), TIMEOUT_SECONDS)
    except Exception as exc:  # noqa: BLE001 (whatever the driver raises: the database cannot be used)
        return f"unreachable ({type(exc).__name__}: {str(exc)[:160]})"
    heads = migrate.head_revisions()
    if current not in heads:
        at = current or "no revision"
        return f"not migrated (at {at}, code expects {', '.join(heads)}): run `ostiary db upgrade`"
    return "ok"


async def redis_status(redis: Redis) -> str:
    try:
        await asyncio.wait_for(redis.ping(), TIMEOUT_SECONDS)
    except Exception as exc:  # noqa: BLE001
        return f"unreachable ({type(exc).__name__})"
    return "ok"


async def readiness(engine: AsyncEngine, redis: Redis | None) -> dict[str, str]:
    checks = {"database": database_status(engine)}
    if redis is not None:
        checks["redis"] = redis_status(redis)
    results = await asyncio.gather(*checks.values())
    return dict(zip(checks, results, strict=True))
