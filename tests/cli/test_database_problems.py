"""Every database or configuration problem met by a command is one line and exit status 2, and admin commands
never create a database by accident (issue 22, "The command line")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ostiary.settings import Settings
from tests.support import databases
from tests.support.cli import Cli, Result, assert_one_error_line
from tests.support.live import free_port

SCRIPT = os.path.join(os.path.dirname(sys.executable), "ostiary")


def run(args: list[str], *, cwd: Path, env: dict[str, str]) -> Result:
    """The installed script with only the given OSTIARY_ variables (no .env, no inherited database URL)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OSTIARY_")}
    proc = subprocess.run(  # noqa: S603
        [SCRIPT, *args], env={**clean, **env}, cwd=cwd, capture_output=True, text=True, timeout=60
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def require_postgres() -> None:
    reason = databases.postgres_unavailable_reason()
    if reason:
        if databases.REQUIRE_PG:
            pytest.fail(reason)
        pytest.skip(reason)


def test_an_admin_command_with_no_database_creates_nothing_and_says_how_to_make_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = run(["clients", "list", "--tenant", "acme"], cwd=tmp_path, env={"XDG_DATA_HOME": str(data)})
    assert_one_error_line(result, f"no database at {data / 'ostiary' / 'ostiary.db'}: run `ostiary db upgrade`")
    assert list(tmp_path.iterdir()) == []  # no ./ostiary.db, no master key file, no data folder


def test_the_default_database_is_one_per_user_location_whatever_the_folder(tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path / "data")}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert run(["db", "upgrade"], cwd=tmp_path / "a", env=env).exit_code == 0
    created = run(["tenants", "create", "acme", "--domain", "acme.test"], cwd=tmp_path / "a", env=env)
    assert created.exit_code == 0, created.stderr
    listed = run(["tenants", "list"], cwd=tmp_path / "b", env=env)
    assert listed.exit_code == 0 and "acme" in listed.stdout, listed
    assert (tmp_path / "data" / "ostiary" / "ostiary.db").exists()
    assert list((tmp_path / "a").iterdir()) == list((tmp_path / "b").iterdir()) == []


def test_an_unmigrated_sqlite_file_says_run_db_upgrade(tmp_path: Path) -> None:
    (tmp_path / "empty.db").touch()
    result = Cli(databases.sqlite_url(tmp_path, "empty.db"))("tenants", "list")
    assert_one_error_line(result, "the database")
    assert "is not migrated: run `ostiary db upgrade`" in result.stderr


@pytest.mark.parametrize("args", [["db", "upgrade"], ["db", "current"], ["tenants", "list"], ["serve"]])
def test_a_url_without_an_async_driver_is_one_line_for_every_command(tmp_path: Path, args: list[str]) -> None:
    result = run(args, cwd=tmp_path, env={"OSTIARY_DATABASE_URL": "mysql://root@127.0.0.1/ostiary"})
    assert_one_error_line(result, "OSTIARY_DATABASE_URL: 'mysql://' is not a database Ostiary can use")


def test_an_unreachable_server_is_one_line_for_admin_and_db_commands(tmp_path: Path) -> None:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/ostiary"
    env = {"OSTIARY_DATABASE_URL": url, "OSTIARY_MASTER_KEY": "k" * 43}
    for args in (["tenants", "list"], ["db", "upgrade"], ["db", "current"]):
        result = run(args, cwd=tmp_path, env=env)
        assert_one_error_line(result, "PostgreSQL database 'ostiary' on 127.0.0.1:")
        assert "is unreachable" in result.stderr


def test_a_missing_postgres_database_and_an_unmigrated_one_name_their_fix(tmp_path: Path) -> None:
    require_postgres()
    with databases.postgres_database("ostiary_cli_unmigrated") as url:
        unmigrated = Cli(url)("clients", "list", "--tenant", "acme")
        assert_one_error_line(unmigrated, "the database ostiary_cli_unmigrated_")
        assert "is not migrated: run `ostiary db upgrade`" in unmigrated.stderr
    missing = Cli(url)("clients", "list", "--tenant", "acme")  # dropped now
    assert_one_error_line(missing, "PostgreSQL database 'ostiary_cli_unmigrated_")
    assert "does not exist: create it (createdb), then run `ostiary db upgrade`" in missing.stderr


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_the_urls_people_type_are_mapped_to_asyncpg(tmp_path: Path, scheme: str) -> None:
    require_postgres()
    with databases.postgres_database("ostiary_cli_scheme") as url:
        typed = url.replace("postgresql+asyncpg://", f"{scheme}://", 1)
        assert Settings(database_url=typed, _env_file=None).database_url == url  # type: ignore[call-arg]
        env = {"OSTIARY_DATABASE_URL": typed, "OSTIARY_MASTER_KEY": "k" * 43}
        assert run(["db", "upgrade"], cwd=tmp_path, env=env).exit_code == 0
        created = run(["tenants", "create", "acme", "--domain", "acme.test"], cwd=tmp_path, env=env)
        assert created.exit_code == 0, created.stderr
