"""`ostiary import` of a0deploy's own layout (tests/fixtures/a0deploy, written from auth0-deploy-cli's handlers):
tenant.yaml with files beside it and the directory format, keyword replacement, what Ostiary leaves out
reported section by section, less-safe omissions refused, --dry-run, idempotence, and export back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from tests.support.cli import Cli, assert_one_error_line, snapshot

FIXTURES = Path(__file__).parent.parent / "fixtures" / "a0deploy"
YAML_DIR = FIXTURES / "yaml"
CONFIG = str(YAML_DIR / "config.json")


def counts(out: str) -> dict[str, int]:
    return {k: int(n) for k, n in (line.split("\t") for line in out.strip().splitlines())}


def test_mfa_required_through_factors_ostiary_does_not_serve_stops_the_import(cli: Cli, tmp_path: Path) -> None:
    t = cli.new_tenant()
    doc = {"guardianPolicies": {"policies": ["all-applications"]},
           "guardianFactors": [{"name": "sms", "enabled": True}, {"name": "otp", "enabled": False}]}
    path = tmp_path / "tenant.yaml"
    path.write_text(yaml.safe_dump(doc))
    before = snapshot(cli.database_url)
    result = cli("import", str(path), "-t", t)
    assert_one_error_line(result, "guardianPolicies.policies: 'all-applications' requires MFA on Auth0 with factors "
                                  "Ostiary does not serve (sms); enable otp")
    assert "--accept-weaker" in result.stderr
    assert snapshot(cli.database_url) == before


def test_yaml_layout_imports_with_keywords_and_reports_what_is_left_out(cli: Cli) -> None:
    t = cli.new_tenant()
    result = cli("import", str(YAML_DIR / "tenant.yaml"), "-t", t, "--config", CONFIG, "--accept-weaker")
    assert result.exit_code == 0, result.stdout + result.stderr
    # The new tenant's own Username-Password-Authentication is updated; roles and email templates are served.
    assert counts(result.stdout) == {"tenant.updated": 1, "clients.created": 2, "databases.updated": 1,
                                     "connections.created": 1, "resourceServers.created": 1,
                                     "clientGrants.created": 1, "roles.created": 1, "emailTemplates.created": 1,
                                     "guardianPolicies.updated": 1, "guardianFactors.updated": 1}
    report = result.stderr.splitlines()
    for line in (
        "left out pages: hosted pages (Ostiary renders its own login page)",
        "left out clients: cross_origin_auth, custom_login_page_on, sso_disabled",
        "left out tenant: enabled_locales, picture_url, support_email",
    ):
        assert line in report, result.stderr
    assert any(x.startswith("left out databases: is_domain_connection, options.customScripts") for x in report)
    assert not any("guardian" in line for line in report), result.stderr
    assert json.loads(cli.ok("mfa", "show", "-t", t)) == {"policy": "all-applications", "factors": ["otp"]}

    tenant = json.loads(cli.ok("tenants", "show", t))
    assert tenant["friendly_name"] == "Acme (dev)"  # ##KEY## replaced literally
    assert tenant["allowed_logout_urls"] == ["https://dev.acme.example/", "http://localhost:3000/"]  # @@KEY@@ as JSON
    apis = cli.ok("apis", "list", "-t", t)
    assert "https://api.dev.acme.example" in apis
    database = json.loads(cli.ok("connections", "show", "Username-Password-Authentication", "-t", t))
    assert database["strategy"] == "auth0"
    assert database["options"] == {"brute_force_protection": True, "strategy_version": 2, "passwordPolicy": "low"}

    again = cli("import", str(YAML_DIR / "tenant.yaml"), "-t", t, "--config", CONFIG, "--accept-weaker")
    assert again.exit_code == 0 and all(k.endswith(".unchanged") for k in counts(again.stdout))


def test_keyword_option_wins_over_config_json_and_dry_run_writes_nothing(cli: Cli) -> None:
    t = cli.new_tenant()
    before = snapshot(cli.database_url)
    result = cli("import", str(YAML_DIR / "tenant.yaml"), "-t", t, "--config", CONFIG, "--keyword", "ENV=prod",
                 "--accept-weaker", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert counts(result.stdout)["clients.created"] == 2
    assert "dry run: nothing was written" in result.stderr
    assert snapshot(cli.database_url) == before
    cli.ok("import", str(YAML_DIR / "tenant.yaml"), "-t", t, "--config", CONFIG, "--keyword", "ENV=prod",
           "--accept-weaker")
    assert json.loads(cli.ok("tenants", "show", t))["friendly_name"] == "Acme (prod)"


def test_export_as_a0deploy_writes_the_layout_that_imports_back_unchanged(cli: Cli, tmp_path: Path) -> None:
    t = cli.new_tenant()
    cli.ok("import", str(YAML_DIR / "tenant.yaml"), "-t", t, "--config", CONFIG, "--accept-weaker")
    out = tmp_path / "exported"
    cli.ok("export", "-t", t, "--format", "a0deploy", "-o", str(out))
    doc = yaml.safe_load((out / "tenant.yaml").read_text())
    assert [d["name"] for d in doc["databases"]] == ["Username-Password-Authentication"]
    assert [c["name"] for c in doc["connections"]] == ["google-oauth2"]
    assert doc["databases"][0]["enabled_clients"] == ["Acme Web"]
    again = cli.ok("import", str(out), "-t", t)  # a directory holding tenant.yaml
    assert all(k.endswith(".unchanged") for k in counts(again)), again


def test_directory_format(cli: Cli) -> None:
    t = cli.new_tenant()
    args = ["import", str(FIXTURES / "directory"), "-t", t, "--config", CONFIG, "--keyword", "COMPANY=Globex"]
    result = cli(*args)  # passwordPolicy "good" is enforced (connections/password_policy.py): nothing weaker
    assert result.exit_code == 0, result.stderr
    assert counts(result.stdout) == {"tenant.updated": 1, "clients.created": 1, "resourceServers.created": 1,
                                     "clientGrants.created": 1, "databases.updated": 1,
                                     "guardianPolicies.unchanged": 1, "guardianFactors.updated": 1}
    database = json.loads(cli.ok("connections", "show", "Username-Password-Authentication", "-t", t))
    assert database["options"]["passwordPolicy"] == "good"
    assert "left out rules: Rules (deprecated by Auth0; use actions)" in result.stderr
    tenant = json.loads(cli.ok("tenants", "show", t))
    assert tenant["friendly_name"] == "Globex directory"
    assert tenant["allowed_logout_urls"] == ["https://dev.acme.example/", "http://localhost:3000/"]


def test_file_references_must_stay_inside_the_directory(cli: Cli, tmp_path: Path) -> None:
    t = cli.new_tenant()
    (tmp_path / "conf").mkdir()
    (tmp_path / "secret.py").write_text("def on_execute_post_login(event, api):\n    pass\n")
    (tmp_path / "conf" / "tenant.yaml").write_text(yaml.safe_dump({"actions": [
        {"name": "x", "code": "../secret.py", "supported_triggers": [{"id": "post-login", "version": "v3"}]}]}))
    assert_one_error_line(cli("import", str(tmp_path / "conf"), "-t", t), "actions[0].code: '../secret.py' is outside")


def test_a_javascript_action_in_the_layout_imports_as_javascript(cli: Cli, tmp_path: Path) -> None:
    t = cli.new_tenant()
    shutil.copytree(YAML_DIR / "actions", tmp_path / "actions")
    (tmp_path / "tenant.yaml").write_text(yaml.safe_dump({"actions": [
        {"name": "add-claims", "code": "./actions/add-claims/code.js", "deployed": True, "runtime": "node18",
         "supported_triggers": [{"id": "post-login", "version": "v3"}]}]}))
    cli.ok("import", str(tmp_path / "tenant.yaml"), "-t", t)
    [action] = json.loads(cli.ok("actions", "list", "-t", t, "--json"))
    assert action["name"] == "add-claims" and action["runtime"] == "node18"