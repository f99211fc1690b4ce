"""A handful of runs of the installed `ostiary` script as a user types it (each start costs ~0.5 s)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.support import databases
from tests.support.cli import Cli, assert_one_error_line, snapshot


def test_fresh_sqlite_file_upgrade_create_client_and_reject_a_javascript_callback(tmp_path: Path) -> None:
    cli = Cli(databases.sqlite_url(tmp_path, "fresh.db"))
    assert cli.subprocess("db", "upgrade").exit_code == 0
    assert cli.subprocess("tenants", "create", "acme", "--domain", "acme.test").exit_code == 0
    created = cli.subprocess("clients", "create", "--tenant", "acme", "--name", "web", "--json")
    assert created.exit_code == 0, created.stderr
    assert json.loads(created.stdout)["client_secret"]

    before = snapshot(cli.database_url)
    bad = cli.subprocess("clients", "create", "--tenant", "acme", "--name", "evil",
                         "--callback", "javascript:alert(1)")
    assert_one_error_line(bad, "client.callbacks: 'javascript:alert(1)' uses a forbidden scheme")
    assert "Traceback" not in bad.stderr
    unknown = cli.subprocess("clients", "list", "--tenant", "nope")
    assert_one_error_line(unknown, "tenant: no tenant named 'nope'")
    assert snapshot(cli.database_url) == before


def test_import_export_round_trip_on_postgres(tmp_path: Path) -> None:
    reason = databases.postgres_unavailable_reason()
    if reason:
        if databases.REQUIRE_PG:
            pytest.fail(reason)
        pytest.skip(reason)
    with databases.postgres_database("ostiary_cli") as url:
        cli = Cli(databases.migrated(url))
        seed = tmp_path / "seed.yaml"
        seed.write_text(yaml.safe_dump({
            "tenant": {"domain": "pg.test", "friendly_name": "PG"},
            "clients": [{"name": "m2m", "app_type": "non_interactive"}],
            "resourceServers": [{"identifier": "https://api.pg", "scopes": ["read:x"]}],
            "clientGrants": [{"client_id": "m2m", "audience": "https://api.pg", "scope": ["read:x"]}],
            "connections": [{"name": "db", "strategy": "auth0", "enabled_clients": ["m2m"]}],
            "users": [{"email": "u@pg.test", "connection": "db", "password": "pw-long-enough"}],
        }))
        first = cli.subprocess("import", str(seed), "--tenant", "pg")
        assert first.exit_code == 0, first.stderr
        exported = cli.subprocess("export", "--tenant", "pg", "--include-secrets", "--format", "json")
        assert exported.exit_code == 0, exported.stderr
        again = tmp_path / "export.json"
        again.write_text(exported.stdout)
        before = snapshot(cli.database_url)
        second = cli.subprocess("import", str(again), "--tenant", "pg", "--json")
        assert second.exit_code == 0, second.stderr
        assert all(k.endswith(".unchanged") for k in json.loads(second.stdout))
        assert snapshot(cli.database_url) == before

        broken = tmp_path / "broken.yaml"
        broken.write_text("clients:\n  - name: x\n    callbacks: ['data:text/html,hi']\n")
        result = cli.subprocess("import", str(broken), "--tenant", "pg")
        assert_one_error_line(result, "clients[0]: client.callbacks: 'data:text/html,hi' uses a forbidden scheme")
        assert snapshot(cli.database_url) == before
