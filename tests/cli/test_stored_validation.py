"""What the admin doors store is validated once (issue 22): grant types, the objects inside a client, a user's
email and password (signup's rules); Auth0 fields stored but unused round-trip; an import reports every error;
users are found by email too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.support.cli import Cli, assert_one_error_line, snapshot


@pytest.fixture
def tenant(cli: Cli) -> str:
    return cli.new_tenant()


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        (["--grant-type", "client_credential"], "client.grant_types: 'client_credential' is not a grant type"),
        (["--set", 'jwt_configuration={"algo": "RS256"}'], "client.jwt_configuration.algo: unknown field"),
        (["--set", 'native_social_login={"apple": {"enabled": "yes"}}'],
         "client.native_social_login.apple.enabled: expected true or false"),
        (["--set", 'native_social_login={"github": {"enabled": true}}'],
         "client.native_social_login.github: unknown field"),
        (["--set", 'mobile={"ios": {"teamid": "X"}}'], "client.mobile.ios.teamid: unknown field"),
        (["--set", 'refresh_token={"rotation": "rotating"}'], "client.refresh_token.rotation: unknown field"),
    ],
)
def test_a_client_with_an_unknown_grant_type_or_nested_key_is_refused(
    cli: Cli, tenant: str, extra: list[str], error: str
) -> None:
    before = snapshot(cli.database_url)
    assert_one_error_line(cli("clients", "create", "-t", tenant, "--name", "web", *extra), error)
    assert snapshot(cli.database_url) == before


def test_auth0_grant_types_ostiary_does_not_serve_are_stored_as_in_an_export(cli: Cli, tenant: str) -> None:
    created = json.loads(cli.ok("clients", "create", "-t", tenant, "--name", "web", "--json", "--grant-type",
                                "authorization_code", "--grant-type", "http://auth0.com/oauth/grant-type/mfa-oob"))
    assert created["grant_types"] == ["authorization_code", "http://auth0.com/oauth/grant-type/mfa-oob"]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--email", "not-an-email", "--password", "correct horse"], "user.email: 'not-an-email' is not an email"),
        (["--email", "ann@ex ample.com", "--password", "correct horse"], "user.email: 'ann@ex ample.com'"),
        (["--email", "ann@example.com", "--password", "short"],
         "user.password: Password is too weak: at least 8 characters"),
    ],
)
def test_users_create_applies_signups_email_and_password_rules(
    cli: Cli, tenant: str, args: list[str], error: str
) -> None:
    cli.ok("connections", "create", "db", "-t", tenant, "--strategy", "auth0")
    before = snapshot(cli.database_url)
    assert_one_error_line(cli("users", "create", "-t", tenant, "--connection", "db", *args), error)
    assert snapshot(cli.database_url) == before


def test_users_show_update_delete_take_an_email(cli: Cli, tenant: str) -> None:
    cli.ok("connections", "create", "db", "-t", tenant, "--strategy", "auth0")
    created = json.loads(cli.ok("users", "create", "-t", tenant, "--connection", "db", "--email",
                                "ann@example.com", "--password", "correct horse", "--json"))
    shown = json.loads(cli.ok("users", "show", "Ann@Example.com", "-t", tenant))
    assert shown["user_id"] == created["user_id"]
    updated = json.loads(cli.ok("users", "update", "ann@example.com", "-t", tenant, "--name", "Ann", "--json"))
    assert updated["user_id"] == created["user_id"] and updated["name"] == "Ann"
    assert_one_error_line(cli("users", "update", "ann@example.com", "-t", tenant, "--password", "x"),
                          "user.password: Password is too weak")
    assert_one_error_line(cli("users", "show", "bob@example.com", "-t", tenant), "user: no user 'bob@example.com'")
    deleted = json.loads(cli.ok("users", "delete", "ann@example.com", "-t", tenant, "--json"))
    assert deleted == {"deleted": created["user_id"]}
    assert_one_error_line(cli("users", "show", created["user_id"], "-t", tenant), "user: no user")


def test_an_email_shared_by_two_connections_needs_the_user_id(cli: Cli, tenant: str) -> None:
    for name in ("db1", "db2"):
        cli.ok("connections", "create", name, "-t", tenant, "--strategy", "auth0")
        cli.ok("users", "create", "-t", tenant, "--connection", name, "--email", "ann@example.com",
               "--password", "correct horse")
    result = cli("users", "delete", "ann@example.com", "-t", tenant)
    assert_one_error_line(result, "user: 'ann@example.com' is the email of 2 users")


def test_unused_auth0_fields_round_trip_so_a_reimport_changes_nothing(cli: Cli, tmp_path: Path) -> None:
    name = cli.new_tenant()
    doc = {"clients": [{
        "name": "web", "app_type": "regular_web", "grant_types": ["authorization_code", "refresh_token"],
        "jwt_configuration": {"alg": "RS256", "lifetime_in_seconds": 36000, "secret_encoded": False},
        "refresh_token": {"rotation_type": "rotating", "expiration_type": "expiring", "leeway": 0,
                          "policies": [{"audience": "https://api.example", "scope": ["read"]}]},
        "native_social_login": {"apple": {"enabled": False}, "facebook": {"enabled": False}},
    }]}
    path = tmp_path / "tenant.yaml"
    path.write_text(yaml.safe_dump(doc))
    cli.ok("import", str(path), "--tenant", name)
    before = snapshot(cli.database_url)
    assert json.loads(cli.ok("import", str(path), "--tenant", name, "--json")) == {"clients.unchanged": 1}
    assert snapshot(cli.database_url) == before  # not even updated_at
    exported = yaml.safe_load(cli.ok("export", "--tenant", name))
    web = next(c for c in exported["clients"] if c["name"] == "web")
    assert web["jwt_configuration"]["secret_encoded"] is False
    assert web["refresh_token"]["policies"] == doc["clients"][0]["refresh_token"]["policies"]  # type: ignore[index]


def test_import_reports_every_error_and_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    name = cli.new_tenant()
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({
        "clients": [
            {"name": "ok", "app_type": "regular_web"},
            {"name": "typo", "grant_types": ["client_credential"]},
            {"name": "evil", "callbacks": ["javascript:alert(1)"]},
        ],
        "resourceServers": [{"identifier": "https://api.example", "colour": "red"}],
        "users": [{"email": "nope", "password": "correct horse", "connection": "missing"}],
    }))
    before = snapshot(cli.database_url)
    result = cli("import", str(path), "--tenant", name)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert [line.split(":")[1].strip() for line in lines] == [
        "clients[1]", "clients[2]", "resourceServers[0]", "users[0]"
    ], lines
    assert all(line.startswith("error: ") for line in lines)
    assert "'client_credential' is not a grant type" in lines[0]
    assert snapshot(cli.database_url) == before


def test_an_export_imports_without_tenant(cli: Cli, tmp_path: Path) -> None:
    name = cli.new_tenant()
    cli.ok("clients", "create", "-t", name, "--name", "web")
    exported = cli.ok("export", "--tenant", name, "--include-secrets")
    assert yaml.safe_load(exported)["tenant"]["name"] == name
    path = tmp_path / "export.yaml"
    path.write_text(exported)
    before = snapshot(cli.database_url)
    counts = json.loads(cli.ok("import", str(path), "--json"))
    assert counts and all(k.endswith(".unchanged") for k in counts), counts
    assert snapshot(cli.database_url) == before
