"""`ostiary import` / `ostiary export`: Deploy CLI files, idempotent, all or nothing, round-trippable."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest
import yaml

from tests.support.cli import Cli, assert_one_error_line, snapshot


def deploy_file(domain: str) -> dict[str, object]:
    return {
        "tenant": {"friendly_name": "Acme", "domain": domain, "default_audience": "https://api.acme",
                   "allowed_logout_urls": ["https://app.acme/"]},
        "clients": [
            {"name": "Acme Web", "app_type": "regular_web", "callbacks": ["https://app.acme/callback"],
             "grant_types": ["authorization_code", "refresh_token"], "jwt_configuration": {"alg": "RS256"},
             "refresh_token": {"rotation_type": "rotating", "expiration_type": "expiring"}},
            {"name": "Acme Worker", "app_type": "non_interactive", "client_id": "acme-worker",
             "client_secret": "worker-secret-0123456789abcdef-0123456789"},
        ],
        "resourceServers": [
            {"identifier": "https://api.acme", "name": "Acme API",
             "scopes": [{"value": "read:orders", "description": "Read orders"}, "write:orders"],
             "allow_offline_access": True},
        ],
        "clientGrants": [{"client_id": "Acme Worker", "audience": "https://api.acme", "scope": ["read:orders"]}],
        "connections": [
            {"name": "Username-Password-Authentication", "strategy": "auth0", "enabled_clients": ["Acme Web"]},
            {"name": "google-oauth2", "strategy": "google-oauth2",
             "options": {"client_id": "g-id", "client_secret": "g-secret"}, "enabled_clients": ["Acme Web"]},
        ],
        "users": [{"email": "ann@acme.test", "password": "correct horse", "name": "Ann", "email_verified": True}],
    }


def write(tmp_path: Path, doc: object, name: str = "tenant.yaml") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc) if name.endswith(".json") else yaml.safe_dump(doc))
    return str(path)


@pytest.fixture
def name() -> str:
    return f"imp-{secrets.token_hex(4)}"


def counts(out: str) -> dict[str, int]:
    return {k: int(n) for k, n in (line.split("\t") for line in out.strip().splitlines())}


def test_import_creates_the_tenant_and_everything_in_it(cli: Cli, tmp_path: Path, name: str) -> None:
    out = cli.ok("import", write(tmp_path, deploy_file(f"{name}.test")), "--tenant", name)
    assert counts(out) == {"tenant.created": 1, "clients.created": 2, "resourceServers.created": 1,
                           "clientGrants.created": 1, "connections.created": 1, "connections.updated": 1,
                           "users.created": 1}  # the new tenant's own Username-Password-Authentication: updated
    tenant = json.loads(cli.ok("tenants", "show", name))
    assert tenant["domains"] == [f"{name}.test"] and tenant["friendly_name"] == "Acme"
    assert {k["status"] for k in json.loads(cli.ok("keys", "list", "-t", name, "--json"))} == {"current", "next"}
    worker = json.loads(cli.ok("clients", "show", "acme-worker", "-t", name))
    assert worker["client_secret"] == "worker-secret-0123456789abcdef-0123456789"
    grants = json.loads(cli.ok("grants", "list", "-t", name, "--json"))
    assert [(g["client_id"], g["scope"]) for g in grants] == [("acme-worker", ["read:orders"])]
    web = json.loads(cli.ok("clients", "show", "Acme Web", "-t", name))
    conn = json.loads(cli.ok("connections", "show", "google-oauth2", "-t", name))
    assert conn["enabled_clients"] == [web["client_id"]]
    assert web["refresh_token"]["rotation_type"] == "rotating"


def test_importing_the_same_file_twice_changes_nothing(cli: Cli, tmp_path: Path, name: str) -> None:
    path = write(tmp_path, deploy_file(f"{name}.test"))
    cli.ok("import", path, "--tenant", name)
    before = snapshot(cli.database_url)
    out = cli.ok("import", path, "--tenant", name)
    assert set(counts(out)) == {f"{s}.unchanged" for s in
                                ("tenant", "clients", "resourceServers", "clientGrants", "connections", "users")}
    assert snapshot(cli.database_url) == before  # not even a re-hashed password or an updated_at


def test_a_changed_field_is_updated(cli: Cli, tmp_path: Path, name: str) -> None:
    doc = deploy_file(f"{name}.test")
    cli.ok("import", write(tmp_path, doc), "--tenant", name)
    doc["clients"][0]["callbacks"] = ["https://app.acme/v2/callback"]  # type: ignore[index]
    doc["users"][0]["password"] = "new password"  # type: ignore[index]
    doc["clientGrants"][0]["scope"] = ["read:orders", "write:orders"]  # type: ignore[index]
    out = counts(cli.ok("import", write(tmp_path, doc), "--tenant", name))
    assert (out["clients.updated"], out["clients.unchanged"]) == (1, 1)
    assert (out["users.updated"], out["clientGrants.updated"]) == (1, 1)
    assert json.loads(cli.ok("clients", "show", "Acme Web", "-t", name))["callbacks"] == [
        "https://app.acme/v2/callback"
    ]


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_import_of_an_export_is_a_no_op(cli: Cli, tmp_path: Path, name: str, fmt: str) -> None:
    cli.ok("import", write(tmp_path, deploy_file(f"{name}.test")), "--tenant", name)
    for include_secrets in ([], ["--include-secrets"]):
        exported = cli.ok("export", "--tenant", name, "--format", fmt, *include_secrets)
        path = tmp_path / f"export.{fmt}"
        path.write_text(exported)
        before = snapshot(cli.database_url)
        out = counts(cli.ok("import", str(path), "--tenant", name))
        assert all(key.endswith(".unchanged") for key in out), out
        assert snapshot(cli.database_url) == before


def test_export_writes_secrets_only_when_asked(cli: Cli, tmp_path: Path, name: str) -> None:
    cli.ok("import", write(tmp_path, deploy_file(f"{name}.test")), "--tenant", name)
    plain = yaml.safe_load(cli.ok("export", "--tenant", name))
    assert list(plain) == [
        "tenant", "clients", "resourceServers", "clientGrants", "connections", "roles", "users", "actions",
        "triggers", "emailProvider", "emailTemplates", "guardianPolicies", "guardianFactors",
    ]
    assert all("client_secret" not in c for c in plain["clients"])
    assert all("signing_secret" not in a for a in plain["resourceServers"])
    assert _google(plain)["options"] == {"client_id": "g-id"}
    assert plain["clientGrants"] == [{"client_id": "Acme Worker", "audience": "https://api.acme",
                                      "scope": ["read:orders"]}]
    assert "password" not in json.dumps(plain["users"])
    full = json.loads(cli.ok("export", "--tenant", name, "--format", "json", "--include-secrets"))
    worker = next(c for c in full["clients"] if c["name"] == "Acme Worker")
    assert worker["client_secret"] == "worker-secret-0123456789abcdef-0123456789"
    assert _google(full)["options"] == {"client_id": "g-id", "client_secret": "g-secret"}


def _google(doc: dict[str, list[dict[str, object]]]) -> dict[str, object]:
    return next(c for c in doc["connections"] if c["name"] == "google-oauth2")


def test_an_export_seeds_a_new_tenant(cli: Cli, tmp_path: Path, name: str) -> None:
    cli.ok("import", write(tmp_path, deploy_file(f"{name}.test")), "--tenant", name)
    doc = yaml.safe_load(cli.ok("export", "--tenant", name, "--include-secrets"))
    doc["tenant"]["domains"] = [f"copy-{name}.test"]
    out = counts(cli.ok("import", write(tmp_path, doc, "copy.json"), "--tenant", f"copy-{name}"))
    assert out["tenant.created"] == 1 and out["users.created"] == 1
    copy = yaml.safe_load(cli.ok("export", "--tenant", f"copy-{name}", "--include-secrets"))
    assert copy["clients"] == doc["clients"] and copy["users"] == doc["users"]


BAD_FILES = {
    "malformed YAML": ("tenant: [unclosed\n", "{path}: not valid YAML (line 2"),
    "not a mapping": ("- just\n- a list\n", "{path}: expected a mapping of sections"),
    "unknown section": ("colours: []\n", "colours: unknown section"),
    "unknown client field": ({"clients": [{"name": "x", "colour": "red"}]}, "clients[0]: client.colour: unknown field"),
    "javascript: callback": ({"clients": [{"name": "x", "callbacks": ["javascript:alert(1)"]}]},
                             "clients[0]: client.callbacks: 'javascript:alert(1)' uses a forbidden scheme"),
    "data: logout URL": ({"tenant": {"allowed_logout_urls": ["data:text/html,x"]}},
                         "tenant.allowed_logout_urls: 'data:text/html,x' uses a forbidden scheme"),
    "relative callback": ({"clients": [{"name": "x", "callbacks": ["/cb"]}]},
                          "clients[0]: client.callbacks: '/cb' is not an absolute URL"),
    "grant for an unknown client": ({"clientGrants": [{"client_id": "ghost", "audience": "https://a", "scope": []}]},
                                    "clientGrants[0]: clientGrant.client_id: no client named 'ghost'"),
    "user without email": ({"users": [{"password": "x"}]}, "users[0]: user.email: required"),
    "section not a list": ({"clients": {"name": "x"}}, "clients: expected a list"),
    "bad item late in the file": (
        {"clients": [{"name": "fine"}], "resourceServers": [{"identifier": "https://x", "token_lifetime": "1h"}]},
        "resourceServers[0]: resourceServer.token_lifetime: expected a positive whole number",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_fails_with_one_line_and_writes_nothing(cli: Cli, tmp_path: Path, case: str) -> None:
    tenant = _existing_tenant(cli)
    content, message = BAD_FILES[case]
    path = tmp_path / "bad.yaml"
    path.write_text(content if isinstance(content, str) else yaml.safe_dump(content))
    before = snapshot(cli.database_url)
    assert_one_error_line(cli("import", str(path), "--tenant", tenant), message.format(path=path))
    assert snapshot(cli.database_url) == before


def test_a_file_that_would_create_a_tenant_and_then_fails_creates_nothing(
    cli: Cli, tmp_path: Path, name: str
) -> None:
    doc = deploy_file(f"{name}.test")
    doc["users"] = [{"email": "x@acme.test", "connection": "google-oauth2"}]
    before = snapshot(cli.database_url)
    result = cli("import", write(tmp_path, doc), "--tenant", name)
    assert_one_error_line(result, "users[0]: user.connection: 'google-oauth2' is a google-oauth2 connection")
    assert snapshot(cli.database_url) == before
    assert_one_error_line(cli("tenants", "show", name), f"tenant: no tenant named '{name}'")


def test_importing_into_a_missing_tenant_without_a_domain_fails(cli: Cli, tmp_path: Path, name: str) -> None:
    result = cli("import", write(tmp_path, {"clients": [{"name": "x"}]}), "--tenant", name)
    assert_one_error_line(result, f"tenant: no tenant named '{name}'")


_EXISTING: dict[str, str] = {}


def _existing_tenant(cli: Cli) -> str:
    if cli.database_url not in _EXISTING:
        _EXISTING[cli.database_url] = cli.new_tenant()
    return _EXISTING[cli.database_url]


def test_the_readme_example_file_imports(cli: Cli, tmp_path: Path, name: str) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("### Import and export", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.yaml"
    path.write_text(example.replace("auth.acme.test", f"{name}.test"))
    out = counts(cli.ok("import", str(path), "--tenant", name))
    assert out["users.created"] == 1 and out["clientGrants.created"] == 1


def test_import_accepts_social_and_enterprise_connections(cli: Cli, tmp_path: Path, name: str) -> None:
    doc = deploy_file(f"{name}.test")
    doc["connections"] = [*doc["connections"], *(  # type: ignore[misc]
        {"name": "github", "strategy": "github", "options": {"client_id": "gh", "client_secret": "gh-s"},
         "enabled_clients": ["Acme Web"]},
        {"name": "okta-corp", "strategy": "okta",
         "options": {"domain": "corp.okta.com", "client_id": "o", "client_secret": "o-s"}},
        {"name": "entra", "strategy": "waad",
         "options": {"tenant_domain": "corp.onmicrosoft.com", "client_id": "w", "client_secret": "w-s"}},
    )]
    out = cli.ok("import", write(tmp_path, doc), "--tenant", name)
    # github, okta-corp and entra beside the file's other new connections (the tenant's own
    # Username-Password-Authentication is updated, not created)
    assert counts(out)["connections.created"] == 4
    assert json.loads(cli.ok("connections", "show", "okta-corp", "-t", name))["options"]["domain"] == "corp.okta.com"
