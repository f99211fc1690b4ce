"""RBAC through the CLI and the import file: roles, their permissions, users' roles and direct permissions,
effective permissions with their source, cascades, idempotent import, and one-line errors that write nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.support.cli import Cli, assert_one_error_line, snapshot

API = "https://api.acme"


@pytest.fixture
def tenant(cli: Cli) -> str:
    """A tenant with an API (read/write/delete:orders); its users go to the database connection every new tenant
    has (Username-Password-Authentication)."""
    name = cli.new_tenant()
    cli.ok("apis", "create", "-t", name, "--identifier", API, "--scope", "read:orders=Read orders",
           "--scope", "write:orders", "--scope", "delete:orders")
    assert "Username-Password-Authentication\tauth0" in cli.ok("connections", "list", "-t", name)
    return name


@pytest.fixture
def user_id(cli: Cli, tenant: str) -> str:
    return cli.ok("users", "create", "-t", tenant, "--email", "ann@acme.test", "--password", "pw-ann-1234",
                  "--json").split('"user_id": "')[1].split('"')[0]


def effective(cli: Cli, tenant: str, user_id: str) -> list[dict[str, object]]:
    return json.loads(cli.ok("users", "permissions", "list", user_id, "-t", tenant, "--json"))  # type: ignore[no-any-return]


def test_roles_crud_and_permissions(cli: Cli, tenant: str) -> None:
    created = json.loads(cli.ok("roles", "create", "Admin", "-t", tenant, "--description", "Admins", "--json"))
    assert created["id"].startswith("rol_") and created["name"] == "Admin" and created["description"] == "Admins"
    assert cli.ok("roles", "permissions", "add", "Admin", "-t", tenant, "--api", API, "--permission", "read:orders",
                  "--permission", "write:orders") == "added 2 permission(s) to Admin\n"
    # Adding again is a no-op; by id works as by name.
    assert "added 0" in cli.ok("roles", "permissions", "add", created["id"], "-t", tenant, "--api", API,
                               "--permission", "read:orders")
    assert cli.ok("roles", "permissions", "list", "Admin", "-t", tenant) == (
        f"{API}\tread:orders\n{API}\twrite:orders\n")
    cli.ok("roles", "permissions", "remove", "Admin", "-t", tenant, "--api", API, "--permission", "write:orders")
    cli.ok("roles", "update", "Admin", "-t", tenant, "--name", "Administrators", "--description", "All of it")
    shown = json.loads(cli.ok("roles", "show", "Administrators", "-t", tenant))
    assert shown == {"id": created["id"], "name": "Administrators", "description": "All of it",
                     "permissions": [{"permission_name": "read:orders", "resource_server_identifier": API}],
                     "users": []}
    assert cli.ok("roles", "list", "-t", tenant) == f"{created['id']}\tAdministrators\tAll of it\n"
    cli.ok("roles", "delete", "Administrators", "-t", tenant)
    assert cli.ok("roles", "list", "-t", tenant) == "\n"


def test_user_roles_direct_permissions_and_effective_with_sources(cli: Cli, tenant: str, user_id: str) -> None:
    for role, scopes in (("reader", ["read:orders"]), ("writer", ["read:orders", "write:orders"])):
        cli.ok("roles", "create", role, "-t", tenant)
        cli.ok("roles", "permissions", "add", role, "-t", tenant, "--api", API,
               *[a for s in scopes for a in ("--permission", s)])
    cli.ok("users", "roles", "assign", user_id, "-t", tenant, "--role", "reader", "--role", "writer")
    cli.ok("users", "permissions", "add", user_id, "-t", tenant, "--api", API, "--permission", "delete:orders",
           "--permission", "read:orders")
    assert [r["name"] for r in json.loads(cli.ok("users", "roles", "list", user_id, "-t", tenant, "--json"))] == [
        "reader", "writer"]
    text = cli.ok("users", "permissions", "list", user_id, "-t", tenant)
    assert text.splitlines() == [
        f"{API}\tdelete:orders\tdirect",
        f"{API}\tread:orders\tdirect",
        f"{API}\tread:orders\treader",
        f"{API}\tread:orders\twriter",
        f"{API}\twrite:orders\twriter",
    ]
    read = next(p for p in effective(cli, tenant, user_id) if p["permission_name"] == "read:orders")
    assert [s["source_type"] for s in read["sources"]] == ["DIRECT", "ROLE", "ROLE"]  # type: ignore[index]
    assert json.loads(cli.ok("roles", "show", "reader", "-t", tenant))["users"] == [user_id]

    cli.ok("users", "roles", "remove", user_id, "-t", tenant, "--role", "writer")
    cli.ok("users", "permissions", "remove", user_id, "-t", tenant, "--api", API, "--permission", "read:orders")
    assert cli.ok("users", "permissions", "list", user_id, "-t", tenant).splitlines() == [
        f"{API}\tdelete:orders\tdirect", f"{API}\tread:orders\treader"]


def test_cascades_scope_removal_api_deletion_role_deletion(cli: Cli, tenant: str, user_id: str) -> None:
    cli.ok("roles", "create", "reader", "-t", tenant)
    cli.ok("roles", "permissions", "add", "reader", "-t", tenant, "--api", API, "--permission", "read:orders",
           "--permission", "write:orders")
    cli.ok("users", "roles", "assign", user_id, "-t", tenant, "--role", "reader")
    cli.ok("users", "permissions", "add", user_id, "-t", tenant, "--api", API, "--permission", "write:orders",
           "--permission", "delete:orders")
    # The API loses write:orders: it goes from the role and from the user.
    cli.ok("apis", "update", API, "-t", tenant, "--scope", "read:orders", "--scope", "delete:orders")
    assert cli.ok("users", "permissions", "list", user_id, "-t", tenant).splitlines() == [
        f"{API}\tdelete:orders\tdirect", f"{API}\tread:orders\treader"]
    # Deleting the role removes it from its users.
    cli.ok("roles", "delete", "reader", "-t", tenant)
    assert cli.ok("users", "roles", "list", user_id, "-t", tenant) == "\n"
    assert cli.ok("users", "permissions", "list", user_id, "-t", tenant).splitlines() == [
        f"{API}\tdelete:orders\tdirect"]
    # Deleting the API removes every permission for it.
    cli.ok("roles", "create", "deleter", "-t", tenant)
    cli.ok("roles", "permissions", "add", "deleter", "-t", tenant, "--api", API, "--permission", "delete:orders")
    cli.ok("apis", "delete", API, "-t", tenant)
    assert effective(cli, tenant, user_id) == []
    assert cli.ok("roles", "permissions", "list", "deleter", "-t", tenant) == "\n"


@pytest.mark.parametrize(("args", "error"), [
    (("roles", "create", " "), "role.name: required"),
    (("roles", "permissions", "add", "nobody", "--api", API, "--permission", "read:orders"),
     "role: no role named 'nobody'"),
    (("roles", "permissions", "add", "reader", "--api", API, "--permission", "fly:orders"),
     f"role.permissions: 'fly:orders' is not a scope of {API}"),
    (("roles", "permissions", "add", "reader", "--api", "https://nope", "--permission", "read:orders"),
     "role.permissions: no API with identifier 'https://nope'"),
    (("users", "roles", "assign", "auth0|nobody", "--role", "reader"), "user: no user 'auth0|nobody'"),
    (("roles", "create", "reader"), "role.name: 'reader' exists already"),
], ids=["blank-name", "unknown-role", "unknown-scope", "unknown-api", "unknown-user", "duplicate-name"])
def test_bad_input_is_one_line_and_writes_nothing(cli: Cli, tenant: str, args: tuple[str, ...], error: str) -> None:
    cli.ok("roles", "create", "reader", "-t", tenant)
    before = snapshot(cli.database_url)
    assert_one_error_line(cli(*args, "-t", tenant), error)
    assert snapshot(cli.database_url) == before


def test_roles_are_per_tenant(cli: Cli, tenant: str) -> None:
    other = cli.new_tenant()
    cli.ok("roles", "create", "reader", "-t", tenant)
    assert cli.ok("roles", "list", "-t", other) == "\n"
    assert_one_error_line(cli("roles", "show", "reader", "-t", other), "role: no role named 'reader'")
    cli.ok("roles", "create", "reader", "-t", other)  # the same name in another tenant is another role


# -- import / export ----------------------------------------------------------------------------------------

def rbac_file(domain: str) -> dict[str, object]:
    return {
        "tenant": {"domain": domain},
        "resourceServers": [{"identifier": API, "scopes": [{"value": "read:orders", "description": "Read"},
                                                           "write:orders"]}],
        "connections": [{"name": "Username-Password-Authentication", "strategy": "auth0"}],
        "roles": [
            {"name": "Admin", "description": "Administrators",
             "permissions": [{"permission_name": "read:orders", "resource_server_identifier": API},
                             {"permission_name": "write:orders", "resource_server_identifier": API}]},
            {"name": "Reader", "description": "",
             "permissions": [{"permission_name": "read:orders", "resource_server_identifier": API}]},
        ],
        "users": [{"email": "ann@acme.test", "password": "correct horse", "roles": ["Reader"],
                   "permissions": [{"permission_name": "write:orders", "resource_server_identifier": API}]}],
    }


def write(tmp_path: Path, doc: object) -> str:
    path = tmp_path / "tenant.yaml"
    path.write_text(yaml.safe_dump(doc))
    return str(path)


def counts(out: str) -> dict[str, int]:
    return {k: int(n) for k, n in (line.split("\t") for line in out.strip().splitlines())}


def ann(cli: Cli, name: str) -> str:
    users = json.loads(cli.ok("users", "list", "-t", name, "--json"))
    return str(next(u["user_id"] for u in users if u["email"] == "ann@acme.test"))


def test_import_roles_and_user_access_idempotently_and_export_round_trips(cli: Cli, tmp_path: Path) -> None:
    name = cli.new_tenant()
    doc = rbac_file(f"{name}.test")
    path = write(tmp_path, doc)
    assert counts(cli.ok("import", path, "--tenant", name)) == {
        "tenant.unchanged": 1, "resourceServers.created": 1, "connections.unchanged": 1, "roles.created": 2,
        "users.created": 1}
    user_id = ann(cli, name)
    assert cli.ok("users", "permissions", "list", user_id, "-t", name).splitlines() == [
        f"{API}\tread:orders\tReader", f"{API}\twrite:orders\tdirect"]

    before = snapshot(cli.database_url)
    again = counts(cli.ok("import", path, "--tenant", name))
    assert again["roles.unchanged"] == 2 and again["users.unchanged"] == 1
    assert snapshot(cli.database_url) == before

    exported = yaml.safe_load(cli.ok("export", "--tenant", name))
    assert exported["roles"] == doc["roles"]
    [user] = exported["users"]
    assert user["roles"] == ["Reader"] and user["permissions"] == doc["users"][0]["permissions"]  # type: ignore[index]
    (tmp_path / "export.yaml").write_text(yaml.safe_dump(exported))
    cli.ok("import", str(tmp_path / "export.yaml"), "--tenant", name)
    assert snapshot(cli.database_url) == before

    # A changed file sets exactly what it lists: Admin loses write:orders, Ann gets Admin and no direct ones.
    doc["roles"][0]["permissions"] = doc["roles"][0]["permissions"][:1]  # type: ignore[index]
    doc["users"][0]["roles"] = ["Admin"]  # type: ignore[index]
    doc["users"][0]["permissions"] = []  # type: ignore[index]
    changed = counts(cli.ok("import", write(tmp_path, doc), "--tenant", name))
    assert changed["roles.updated"] == 1 and changed["roles.unchanged"] == 1 and changed["users.updated"] == 1
    assert cli.ok("users", "permissions", "list", user_id, "-t", name).splitlines() == [f"{API}\tread:orders\tAdmin"]


@pytest.mark.parametrize(("patch", "error"), [
    (lambda d: d["roles"][0]["permissions"].append({"permission_name": "fly:orders",
                                                    "resource_server_identifier": API}),
     f"roles[0]: role.permissions: 'fly:orders' is not a scope of {API}"),
    (lambda d: d["users"][0].update(roles=["Nobody"]), "users[0]: user.roles: no role named 'Nobody'"),
    (lambda d: d["users"][0].update(permissions=[{"permission_name": "delete:orders",
                                                  "resource_server_identifier": API}]),
     f"users[0]: user.permissions: 'delete:orders' is not a scope of {API}"),
    (lambda d: d["roles"][1].update(colour="red"), "roles[1]: role.colour: unknown field"),
    (lambda d: d["roles"][1].update(permissions=[{"name": "read:orders"}]),
     "roles[1]: role.permissions[0]: expected {permission_name, resource_server_identifier}"),
], ids=["unknown-scope", "unknown-role", "user-unknown-scope", "unknown-field", "malformed-permission"])
def test_import_errors_name_the_item_and_write_nothing(cli: Cli, tmp_path: Path, patch: object, error: str) -> None:
    name = cli.new_tenant()
    doc = rbac_file(f"{name}.test")
    patch(doc)  # type: ignore[operator]
    before = snapshot(cli.database_url)
    result = cli("import", write(tmp_path, doc), "--tenant", name)
    # Import reports every error; a role that failed may also fail the users that name it, after it.
    assert result.exit_code == 2 and result.stderr.splitlines()[0].startswith(f"error: {error}"), result.stderr
    assert snapshot(cli.database_url) == before


def test_the_readme_example(cli: Cli, tenant: str, user_id: str) -> None:
    cli.ok("apis", "update", API, "-t", tenant, "--set", "enforce_policies=true",
           "--set", 'token_dialect="access_token_authz"')
    cli.ok("roles", "create", "Reader", "-t", tenant, "--description", "Reads orders")
    cli.ok("roles", "permissions", "add", "Reader", "-t", tenant, "--api", API, "--permission", "read:orders")
    cli.ok("users", "roles", "assign", user_id, "-t", tenant, "--role", "Reader")
    cli.ok("users", "permissions", "add", user_id, "-t", tenant, "--api", API, "--permission", "write:orders")
    assert cli.ok("users", "permissions", "list", user_id, "-t", tenant).splitlines() == [
        f"{API}\tread:orders\tReader", f"{API}\twrite:orders\tdirect"]
    shown = json.loads(cli.ok("apis", "show", API, "-t", tenant))
    assert shown["enforce_policies"] is True and shown["token_dialect"] == "access_token_authz"
