"""`ostiary actions ...` and `ostiary token-exchange-profiles ...` against a real SQLite database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ostiary.cli import app
from tests.support import databases


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    url = databases.migrated(databases.sqlite_url(tmp_path))
    return {"OSTIARY_DATABASE_URL": url, "OSTIARY_MASTER_KEY": "cli-test-key", "OSTIARY_TENANT": "acme"}


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_add_list_order_remove_hooks_and_profiles(env: dict[str, str], tmp_path: Path) -> None:
    assert run(env, "tenants", "create", "acme", "--domain", "acme.test")[0] == 0
    code = tmp_path / "claims.py"
    code.write_text("def on_execute_post_login(event, api):\n    api.access_token.set_custom_claim('x', 1)\n")
    # Python source runs inside the server: refused unless the operator trusts tenant admins with it.
    status, _, err = run(env, "actions", "add", "--name", "claims", "--trigger", "post-login", "--code-file", str(code))
    assert status == 2 and "OSTIARY_TRUST_TENANT_PYTHON" in err
    env = {**env, "OSTIARY_TRUST_TENANT_PYTHON": "true"}
    status, out, _ = run(env, "actions", "add", "--name", "claims", "--trigger", "post-login",
                         "--code-file", str(code), "--secret", "API_KEY=s3cr3t")
    assert status == 0 and out.strip() == "saved hook claims (bound: post-login)"
    status, _, _ = run(env, "actions", "add", "--name", "mod", "--trigger", "post-login",
                       "--module", "tests.support.hook_examples:sync_claim")
    assert status == 0
    status, out, _ = run(env, "actions", "order", "post-login", "mod", "claims")
    assert (status, out.strip()) == (0, "post-login: mod → claims")

    status, out, _ = run(env, "actions", "list", "--json")
    listed = json.loads(out)
    assert [r["name"] for r in listed] == ["claims", "mod"]
    assert listed[0]["secrets"] == ["API_KEY"] and "s3cr3t" not in out
    assert listed[0]["bound"] == ["post-login"]

    status, _, err = run(env, "actions", "add", "--name", "bad", "--trigger", "post-login", "--module", "no colon")
    assert status == 2 and "module_path" in err
    status, _, err = run(env, "actions", "order", "post-login", "ghost")
    assert status == 2 and "no action named 'ghost'" in err

    status, _, _ = run(env, "actions", "add", "--name", "cte", "--trigger", "custom-token-exchange",
                       "--module", "tests.support.hook_examples:raises")
    assert status == 0
    status, _, err = run(env, "token-exchange-profiles", "create", "--name", "bad",
                         "--subject-token-type", "urn:ietf:params:oauth:token-type:jwt", "--action", "cte")
    assert status == 2 and "reserved namespace" in err
    status, out, _ = run(env, "token-exchange-profiles", "create", "--name", "legacy",
                         "--subject-token-type", "https://ext.example.com/t", "--action", "cte")
    assert (status, out.strip()) == (0, "legacy\thttps://ext.example.com/t\tcte")
    assert run(env, "token-exchange-profiles", "list")[1].strip() == "legacy\thttps://ext.example.com/t\tcte"
    assert run(env, "token-exchange-profiles", "delete", "legacy")[0] == 0

    status, out, _ = run(env, "actions", "remove", "claims")
    assert (status, out.strip()) == (0, "removed hook claims")
    status, out, _ = run(env, "actions", "list", "--json")
    assert [(r["name"], r["bound"]) for r in json.loads(out)] == [("cte", []), ("mod", ["post-login"])]
