"""Run Alembic from the CLI and the tests, with the database URL given (not alembic.ini's).

The migrations live in the checkout's top-level migrations/ folder; src/ostiary/migrations is a link to it, so
the wheel carries them as package data and an installed `ostiary db upgrade` works in any folder.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from ostiary.store.problems import DatabaseProblem


def migrations_dir() -> Path:
    """OSTIARY_HOME/migrations when set (a checkout elsewhere), else the migrations shipped in the package."""
    override = os.environ.get("OSTIARY_HOME")
    if override:
        return Path(override) / "migrations"
    return Path(__file__).resolve().parents[1] / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


async def require_head(engine: AsyncEngine) -> None:
    """DatabaseProblem unless the database is migrated to the head revision this Ostiary ships."""
    current, head = await current_revision(engine), head_revision()
    if current is None:
        raise DatabaseProblem(f"the database {engine.url.database} is not migrated: run `ostiary db upgrade`")
    if current != head:
        raise DatabaseProblem(
            f"the database is at revision {current}, this Ostiary needs {head}: run `ostiary db upgrade`"
        )


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate (creating a SQLite file and its folder, e.g. the per-user data directory, when missing)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())


@functools.cache
def head_revisions() -> tuple[str, ...]:
    """The revision(s) the code expects, read once from the migration scripts."""
    from alembic.script import ScriptDirectory

    return tuple(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())
