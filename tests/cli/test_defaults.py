"""A new tenant has Auth0's default database connection; a new client is enabled on the tenant's connections
unless told otherwise; `connections enable|disable` change one client at a time (issue 22)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import Cli, assert_one_error_line

DEFAULT = "Username-Password-Authentication"


def enabled(cli: Cli, tenant: str, connection: str) -> list[str]:
    return list(json.loads(cli.ok("connections", "show", connection, "-t", tenant))["enabled_clients"])


def test_a_new_tenant_has_the_default_database_connection(cli: Cli) -> None:
    tenant = cli.new_tenant()
    listed = json.loads(cli.ok("connections", "list", "-t", tenant, "--json"))
    assert [(c["name"], c["strategy"], c["enabled_clients"]) for c in listed] == [(DEFAULT, "auth0", [])]


def test_a_new_client_is_enabled_on_every_connection_unless_told_otherwise(cli: Cli, tmp_path: Path) -> None:
    tenant = cli.new_tenant()
    cli.ok("connections", "create", "google", "-t", tenant, "--strategy", "google-oauth2")
    web = json.loads(cli.ok("clients", "create", "-t", tenant, "--name", "web", "--json"))["client_id"]
    assert enabled(cli, tenant, DEFAULT) == enabled(cli, tenant, "google") == [web]
    alone = json.loads(cli.ok("clients", "create", "-t", tenant, "--name", "alone", "--no-connections",
                              "--json"))["client_id"]
    assert alone not in enabled(cli, tenant, DEFAULT)
    # Auth0's tenant flag turns the default off for the whole tenant.
    flags = tmp_path / "flags.yaml"
    flags.write_text("tenant:\n  flags: {enable_client_connections: false}\n")
    cli.ok("import", str(flags), "--tenant", tenant)
    quiet = json.loads(cli.ok("clients", "create", "-t", tenant, "--name", "quiet", "--json"))["client_id"]
    assert enabled(cli, tenant, DEFAULT) == [web]
    assert quiet not in enabled(cli, tenant, "google")


def test_connections_enable_and_disable_change_one_client(cli: Cli) -> None:
    tenant = cli.new_tenant()
    a = json.loads(cli.ok("clients", "create", "-t", tenant, "--name", "a", "--no-connections", "--json"))
    b = json.loads(cli.ok("clients", "create", "-t", tenant, "--name", "b", "--json"))
    assert enabled(cli, tenant, DEFAULT) == [b["client_id"]]
    cli.ok("connections", "enable", DEFAULT, "-t", tenant, "--client", "a")
    cli.ok("connections", "enable", DEFAULT, "-t", tenant, "--client", a["client_id"])  # twice: no duplicate
    assert enabled(cli, tenant, DEFAULT) == [b["client_id"], a["client_id"]]
    cli.ok("connections", "disable", DEFAULT, "-t", tenant, "--client", "b")
    assert enabled(cli, tenant, DEFAULT) == [a["client_id"]]
    assert_one_error_line(cli("connections", "enable", DEFAULT, "-t", tenant, "--client", "nope"),
                          "--client: no client named 'nope'")
    assert_one_error_line(cli("connections", "enable", "nope", "-t", tenant, "--client", "a"),
                          "connection: no connection named 'nope'")
