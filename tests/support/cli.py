"""Running the `ostiary` CLI in tests: in-process (typer's CliRunner) or as a real subprocess, and a
snapshot of every row in the database to prove a failed command wrote nothing."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from typer.testing import CliRunner

from ostiary.cli import app
from ostiary.store.db import Base, create_engine
from tests.conftest import TEST_MASTER_KEY


@dataclass(frozen=True)
class Result:
    exit_code: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class Cli:
    """The CLI bound to one database."""

    database_url: str

    @property
    def env(self) -> dict[str, str]:
        # https as the in-process app's settings (tests/conftest.py), whatever `make test` exports
        return {"OSTIARY_DATABASE_URL": self.database_url, "OSTIARY_MASTER_KEY": TEST_MASTER_KEY,
                "OSTIARY_PUBLIC_SCHEME": "https"}

    def __call__(self, *args: str) -> Result:
        """In-process: the same typer app the `ostiary` script runs."""
        result = CliRunner().invoke(app, list(args), env=self.env)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Result(result.exit_code, result.stdout, result.stderr)

    def ok(self, *args: str) -> str:
        result = self(*args)
        assert result.exit_code == 0, (args, result.stdout, result.stderr)
        return result.stdout

    def subprocess(self, *args: str, cwd: str | None = None) -> Result:
        """The installed console script, as a user runs it."""
        script = os.path.join(os.path.dirname(sys.executable), "ostiary")
        proc = subprocess.run(  # noqa: S603
            [script, *args], env={**os.environ, **self.env}, capture_output=True, text=True, timeout=60, cwd=cwd
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    def new_tenant(self) -> str:
        name = f"cli-{secrets.token_hex(4)}"
        self.ok("tenants", "create", name, "--domain", f"{name}.test")
        return name


def snapshot(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted: equal snapshots mean nothing was written."""

    async def read() -> dict[str, list[tuple[Any, ...]]]:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as conn:
                out = {}
                for table in Base.metadata.sorted_tables:
                    rows = (await conn.execute(select(table))).all()
                    out[table.name] = sorted((tuple(r) for r in rows), key=repr)
                return out
        finally:
            await engine.dispose()

    return asyncio.run(read())


def assert_one_error_line(result: Result, prefix: str) -> None:
    """Exit code 2, and stderr is exactly one line `error: <prefix>...` naming the field."""
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {prefix}"), lines[0]
