"""Every admin command's happy path, in-process against SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from ostiary.passwords import verify_password
from tests.support.cli import Cli


def test_clients_create_prints_id_and_secret_then_list_show_update_rotate_delete(cli: Cli) -> None:
    t = cli.new_tenant()
    out = cli.ok("clients", "create", "-t", t, "--name", "web", "--callback", "https://app.example/cb",
                 "--callback", "com.example.app://cb", "--web-origin", "https://app.example", "--jwt-alg", "HS256",
                 "--third-party", "--set", 'refresh_token={"rotation_type": "rotating"}')
    lines = dict(line.split("=", 1) for line in out.strip().splitlines())
    client_id, secret = lines["client_id"], lines["client_secret"]
    assert len(client_id) == 32 and len(secret) >= 32

    assert cli.ok("clients", "list", "-t", t).strip() == f"{client_id}\tweb\tregular_web"
    shown = json.loads(cli.ok("clients", "show", client_id, "-t", t))
    assert shown["client_secret"] == secret
    assert shown["callbacks"] == ["https://app.example/cb", "com.example.app://cb"]
    assert shown["jwt_configuration"] == {"alg": "HS256", "lifetime_in_seconds": 36000}
    assert shown["refresh_token"]["rotation_type"] == "rotating"
    assert shown["is_first_party"] is False

    cli.ok("clients", "update", "web", "-t", t, "--callback", "https://new.example/cb", "--jwt-alg", "RS256")
    shown = json.loads(cli.ok("clients", "show", "web", "-t", t))
    assert shown["callbacks"] == ["https://new.example/cb"]
    assert shown["web_origins"] == ["https://app.example"]
    assert shown["jwt_configuration"]["alg"] == "RS256"

    rotated = dict(line.split("=", 1) for line in cli.ok("clients", "rotate-secret", "web", "-t", t).split())
    assert rotated["client_id"] == client_id and rotated["client_secret"] != secret

    assert cli.ok("clients", "delete", "web", "-t", t).strip() == "deleted client web"
    assert json.loads(cli.ok("clients", "list", "-t", t, "--json")) == []


def test_clients_create_takes_a_given_client_id_and_secret(cli: Cli) -> None:
    t = cli.new_tenant()
    out = cli.ok("clients", "create", "-t", t, "--name", "fixed", "--client-id", "my-app",
                 "--client-secret", "s3cret-s3cret-s3cret-s3cret-s3cret")
    assert out.split() == ["client_id=my-app", "client_secret=s3cret-s3cret-s3cret-s3cret-s3cret"]


def test_apis_and_grants_commands(cli: Cli) -> None:
    t = cli.new_tenant()
    cli.ok("apis", "create", "-t", t, "--identifier", "https://api.example", "--name", "Example",
           "--scope", "read:x=Read things", "--scope", "write:x", "--token-lifetime", "600", "--allow-offline-access")
    api = json.loads(cli.ok("apis", "show", "https://api.example", "-t", t))
    assert api["scopes"] == ["read:x", "write:x"]
    assert api["scope_descriptions"] == {"read:x": "Read things", "write:x": ""}
    assert (api["token_lifetime"], api["allow_offline_access"]) == (600, True)
    cli.ok("apis", "update", "https://api.example", "-t", t, "--signing-alg", "HS256", "--no-offline-access")
    api = json.loads(cli.ok("apis", "show", "https://api.example", "-t", t))
    assert (api["signing_alg"], api["allow_offline_access"]) == ("HS256", False)
    assert cli.ok("apis", "list", "-t", t).strip() == "https://api.example\tExample\tread:x write:x"

    client_id = cli.ok("clients", "create", "-t", t, "--name", "m2m", "--app-type", "non_interactive").split()[0]
    client_id = client_id.removeprefix("client_id=")
    cli.ok("grants", "create", "-t", t, "--client", "m2m", "--audience", "https://api.example", "--scope", "read:x")
    grants = json.loads(cli.ok("grants", "list", "-t", t, "--json"))
    assert [(g["client_id"], g["audience"], g["scope"]) for g in grants] == [
        (client_id, "https://api.example", ["read:x"])
    ]
    cli.ok("grants", "delete", "-t", t, "--client", client_id, "--audience", "https://api.example")
    assert json.loads(cli.ok("grants", "list", "-t", t, "--client", "m2m", "--json")) == []
    assert json.loads(cli.ok("apis", "delete", "https://api.example", "-t", t, "--json")) == {
        "deleted": "https://api.example"
    }
    assert cli.ok("apis", "list", "-t", t).strip() == ""


def test_connections_commands_resolve_clients_by_name(cli: Cli) -> None:
    t = cli.new_tenant()
    client_id = cli.ok("clients", "create", "-t", t, "--name", "web").split()[0].removeprefix("client_id=")
    cli.ok("connections", "create", "google", "-t", t, "--strategy", "google-oauth2",
           "--options", '{"client_id": "g-id", "scope": ["email"]}', "--option", "client_secret=g-secret",
           "--enabled-client", "web")
    conn = json.loads(cli.ok("connections", "show", "google", "-t", t))
    assert conn["options"] == {"client_id": "g-id", "scope": ["email"], "client_secret": "g-secret"}
    assert conn["enabled_clients"] == [client_id]
    cli.ok("connections", "update", "google", "-t", t, "--option", "client_secret=rotated", "--enabled-client",
           client_id)
    conn = json.loads(cli.ok("connections", "show", "google", "-t", t))
    assert conn["options"]["client_secret"] == "rotated" and conn["options"]["client_id"] == "g-id"
    assert cli.ok("connections", "list", "-t", t).strip().splitlines() == [
        "Username-Password-Authentication\tauth0\t1 client(s)",  # the tenant's default; web is enabled on it
        "google\tgoogle-oauth2\t1 client(s)",
    ]
    cli.ok("connections", "delete", "google", "-t", t)
    assert cli.ok("connections", "list", "-t", t).strip() == "Username-Password-Authentication\tauth0\t1 client(s)"


def test_users_commands_store_an_argon2_hash(cli: Cli) -> None:
    t = cli.new_tenant()  # with its Username-Password-Authentication connection
    user = json.loads(cli.ok("users", "create", "-t", t, "--email", "Ann@Example.com", "--password", "pw-1-long",
                             "--name", "Ann", "--set", 'app_metadata={"plan": "gold"}', "--json"))
    user_id = user["user_id"]
    assert user_id.startswith("auth0|") and user["email"] == "ann@example.com"
    assert user["app_metadata"] == {"plan": "gold"} and user["has_password"] is True
    cli.ok("users", "update", user_id, "-t", t, "--password", "pw-2-long", "--email-verified", "--blocked")
    shown = json.loads(cli.ok("users", "show", user_id, "-t", t))
    assert (shown["email_verified"], shown["blocked"]) == (True, True)
    assert "password" not in json.dumps(shown).replace("has_password", "").replace("last_password_reset", "")
    assert cli.ok("users", "list", "-t", t).strip() == f"{user_id}\tann@example.com\tAnn"
    assert verify_password(_password_hash(cli, t, user_id), "pw-2-long")
    cli.ok("users", "delete", user_id, "-t", t)
    assert cli.ok("users", "list", "-t", t).strip() == ""


def _password_hash(cli: Cli, tenant: str, user_id: str) -> str | None:
    import asyncio

    from ostiary.admin.session import admin_session
    from ostiary.settings import Settings
    from tests.conftest import TEST_MASTER_KEY

    async def read() -> str | None:
        settings = Settings(database_url=cli.database_url, master_key=TEST_MASTER_KEY, _env_file=None)  # type: ignore[call-arg]
        async with admin_session(settings) as admin:
            _, repos = await admin.tenant_repos(tenant)
            return await repos.users.password_hash(user_id)

    return asyncio.run(read())


def test_keys_rotate_moves_next_to_current_and_revoke_only_takes_a_previous_key(cli: Cli) -> None:
    t = cli.new_tenant()
    before = {k["status"]: k["kid"] for k in json.loads(cli.ok("keys", "list", "-t", t, "--json"))}
    assert set(before) == {"current", "next"}
    after = {k["status"]: k["kid"] for k in json.loads(cli.ok("keys", "rotate", "-t", t, "--json"))}
    assert after["current"] == before["next"] and after["previous"] == before["current"]
    assert after["next"] not in before.values()

    refused = cli("keys", "revoke", "-t", t, "--", after["current"])  # a kid may begin with "-"
    assert refused.exit_code == 2 and "only previous keys can be revoked" in refused.stderr
    assert cli.ok("keys", "revoke", "-t", t, "--", after["previous"]).strip() == f"revoked key {after['previous']}"
    statuses = {k["kid"]: k["status"] for k in json.loads(cli.ok("keys", "list", "-t", t, "--json"))}
    assert statuses[after["previous"]] == "revoked"


def test_tenants_commands(cli: Cli) -> None:
    name = cli.new_tenant()
    cli.ok("tenants", "update", name, "--domain", f"{name}.test", "--domain", f"alt-{name}.test",
           "--friendly-name", "Acme")
    shown = json.loads(cli.ok("tenants", "show", name))
    assert shown["domains"] == [f"{name}.test", f"alt-{name}.test"] and shown["friendly_name"] == "Acme"
    assert f"{name}\t{name}.test, alt-{name}.test\tAcme" in cli.ok("tenants", "list").splitlines()
    assert cli.ok("tenants", "delete", name).strip() == f"deleted tenant {name}"
    assert name not in cli.ok("tenants", "list")
    other = cli.new_tenant()
    assert json.loads(cli.ok("tenants", "delete", other, "--json")) == {"deleted": other}


def test_hook_and_profile_commands_print_json(cli: Cli, tmp_path: Path) -> None:
    t = cli.new_tenant()
    code = tmp_path / "cte.js"
    code.write_text("exports.onExecuteCustomTokenExchange = async (event, api) => {};\n")
    cli.ok("actions", "add", "-t", t, "--name", "cte", "--trigger", "custom-token-exchange", "--code-file",
           str(code), "--no-bind")
    cli.ok("token-exchange-profiles", "create", "-t", t, "--name", "legacy",
           "--subject-token-type", "https://ext.example.com/t", "--action", "cte")
    assert json.loads(cli.ok("actions", "order", "-t", t, "custom-token-exchange", "--json")) == {
        "trigger": "custom-token-exchange", "actions": [],
    }
    assert json.loads(cli.ok("token-exchange-profiles", "delete", "-t", t, "legacy", "--json")) == {
        "deleted": "legacy",
    }
    assert json.loads(cli.ok("actions", "remove", "-t", t, "cte", "--json")) == {"deleted": "cte"}


def test_connections_create_accepts_the_browser_login_strategies(cli: Cli) -> None:
    t = cli.new_tenant()
    cli.ok("clients", "create", "-t", t, "--name", "web")
    cli.ok("connections", "create", "corp", "-t", t, "--strategy", "oidc", "--enabled-client", "web", "--options",
           '{"type": "back_channel", "discovery_url": "https://idp.corp.example/.well-known/openid-configuration",'
           ' "client_id": "corp-id", "scope": "openid profile email groups"}', "--option", "client_secret=corp-s")
    conn = json.loads(cli.ok("connections", "show", "corp", "-t", t))
    assert conn["strategy"] == "oidc" and conn["options"]["client_secret"] == "corp-s"
    for strategy in ("github", "windowslive", "linkedin", "okta", "waad", "apple", "facebook", "twitter"):
        cli.ok("connections", "create", strategy, "-t", t, "--strategy", strategy, "--option", "client_id=x")
    # corp, the eight, and the tenant's own Username-Password-Authentication
    assert len(cli.ok("connections", "list", "-t", t).strip().splitlines()) == 10
    refused = cli("connections", "create", "saml", "-t", t, "--strategy", "samlp")
    assert refused.exit_code != 0 and "connection.strategy" in refused.stderr
