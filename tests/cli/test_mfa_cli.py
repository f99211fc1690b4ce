"""`ostiary mfa show|policy|factors` and `ostiary users mfa list|delete|reset`, with authenticators that
came from `ostiary users import` (Auth0's mfa_factors: TOTP secrets usable at once, encrypted at rest)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import text

from ostiary.store.db import create_engine
from tests.support.cli import Cli

CONNECTION = "Username-Password-Authentication"
SECRET = "JBSWY3DPEHPK3PXP"


def _tenant_with_user(cli: Cli, tmp_path: Path) -> str:
    t = cli.new_tenant()
    path = tmp_path / "users.json"
    path.write_text(json.dumps([{"email": "mfa@example.com", "mfa_factors": [
        {"totp": {"secret": SECRET}}, {"phone": {"value": "+14155550100"}}]}]))
    cli.ok("users", "import", str(path), "-t", t, "--connection", CONNECTION)
    return t


async def _stored(database_url: str, tenant: str) -> tuple[list[str], Any]:
    """The tenant's stored TOTP secrets and its user's remaining mfa_factors, as the database holds them."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            secrets = [row[0] for row in await conn.execute(text(
                "SELECT a.secret FROM mfa_authenticators a JOIN tenants t ON t.id = a.tenant_id WHERE t.name = :t"),
                {"t": tenant})]
            factors = (await conn.execute(text(
                "SELECT u.mfa_factors FROM users u JOIN tenants t ON t.id = u.tenant_id "
                "WHERE t.name = :t AND u.email = 'mfa@example.com'"), {"t": tenant})).scalar()
    finally:
        await engine.dispose()
    return secrets, factors


def test_policy_and_factors(cli: Cli) -> None:
    t = cli.new_tenant()
    assert json.loads(cli.ok("mfa", "show", "-t", t)) == {"policy": "never", "factors": []}
    cli.ok("mfa", "policy", "confidence-score", "-t", t)
    shown = json.loads(cli.ok("mfa", "factors", "-t", t, "--enable", "otp", "--enable", "sms", "--json"))
    assert shown == {"policy": "confidence-score", "factors": ["otp", "sms"]}
    shown = json.loads(cli.ok("mfa", "factors", "-t", t, "--disable", "sms", "--json"))
    assert shown["factors"] == ["otp"]
    bad = cli("mfa", "policy", "sometimes", "-t", t)
    assert bad.exit_code == 2 and "mfa policy: expected one of never, all-applications, confidence-score" in bad.stderr
    unknown = cli("mfa", "factors", "-t", t, "--enable", "carrier-pigeon")
    assert unknown.exit_code == 2 and "unknown factor 'carrier-pigeon'" in unknown.stderr
    assert json.loads(cli.ok("mfa", "show", "-t", t))["factors"] == ["otp"]  # the failed command wrote nothing


def test_imported_totp_is_listed_encrypted_deleted_and_reset(cli: Cli, tmp_path: Path) -> None:
    t = _tenant_with_user(cli, tmp_path)
    listed = json.loads(cli.ok("users", "mfa", "list", "mfa@example.com", "-t", t, "--json"))
    assert [(a["kind"], a["active"]) for a in listed] == [("otp", True)]
    assert listed[0]["id"].startswith("totp|dev_")
    secrets, factors = asyncio.run(_stored(cli.database_url, t))
    assert len(secrets) == 1 and SECRET not in secrets[0]  # encrypted at rest
    assert SECRET not in str(factors) and "+14155550100" in str(factors)  # the phone factor stays, unserved
    missing = cli("users", "mfa", "delete", "mfa@example.com", "totp|dev_nope", "-t", t)
    assert missing.exit_code == 2 and "has no authenticator 'totp|dev_nope'" in missing.stderr
    cli.ok("users", "mfa", "delete", "mfa@example.com", listed[0]["id"], "-t", t)
    assert json.loads(cli.ok("users", "mfa", "list", "mfa@example.com", "-t", t, "--json")) == []
    reset = json.loads(cli.ok("users", "mfa", "reset", "mfa@example.com", "-t", t, "--json"))
    assert reset["removed"] == 0
    nobody = cli("users", "mfa", "list", "nobody@example.com", "-t", t)
    assert nobody.exit_code == 2


def test_guardian_sections_import_export_and_import_back_unchanged(cli: Cli, tmp_path: Path) -> None:
    t = cli.new_tenant()
    path = tmp_path / "tenant.yaml"
    path.write_text(yaml.safe_dump({"guardianPolicies": {"policies": ["all-applications"]},
                                    "guardianFactors": [{"name": "otp", "enabled": True},
                                                        {"name": "sms", "enabled": False}]}))
    result = cli("import", str(path), "-t", t)
    assert result.exit_code == 0, result.stderr
    assert "guardian" not in result.stderr  # nothing left out, nothing weaker
    assert json.loads(cli.ok("mfa", "show", "-t", t)) == {"policy": "all-applications", "factors": ["otp"]}
    exported = yaml.safe_load(cli.ok("export", "-t", t))
    assert exported["guardianPolicies"] == {"policies": ["all-applications"]}
    assert {"name": "otp", "enabled": True} in exported["guardianFactors"]
    assert {"name": "sms", "enabled": False} in exported["guardianFactors"]
    (tmp_path / "back.yaml").write_text(yaml.safe_dump({k: exported[k] for k in ("guardianPolicies",
                                                                                 "guardianFactors")}))
    again = cli.ok("import", str(tmp_path / "back.yaml"), "-t", t)
    assert "guardianPolicies.unchanged" in again and "guardianFactors.unchanged" in again
    never = tmp_path / "never.yaml"
    never.write_text(yaml.safe_dump({"guardianPolicies": {"policies": []}}))
    cli.ok("import", str(never), "-t", t)
    assert json.loads(cli.ok("mfa", "show", "-t", t))["policy"] == "never"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"guardianPolicies": {"policies": ["sometimes"]}}))
    refused = cli("import", str(bad), "-t", t)
    assert refused.exit_code == 2 and "guardianPolicies.policies: 'sometimes' is not one of" in refused.stderr
