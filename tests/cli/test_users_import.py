"""`ostiary users import` / `users export`: Auth0's bulk import format, its example files, rejected users
reported by index while the others land, upsert, Auth0 support's hash export, and export -> import restores."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import bcrypt

from ostiary import passwords
from tests.support.cli import Cli

FIXTURES = Path(__file__).parent.parent / "fixtures" / "auth0"
CONNECTION = "Username-Password-Authentication"


def _tenant(cli: Cli) -> str:
    """A new tenant; its users go to the database connection every new tenant has."""
    t = cli.new_tenant()
    assert f"{CONNECTION}\tauth0" in cli.ok("connections", "list", "-t", t)
    return t


def _write(tmp_path: Path, name: str, records: Any, *, ndjson: bool = False) -> str:
    path = tmp_path / name
    text = "\n".join(json.dumps(r) for r in records) + "\n" if ndjson else json.dumps(records)
    path.write_text(text)
    return str(path)


def _users(cli: Cli, t: str, **kwargs: str) -> dict[str, dict[str, Any]]:
    args = ["users", "export", "-t", t, "--connection", CONNECTION]
    if kwargs.get("hashes"):
        args.append("--include-hashes")
    return {u["email"]: u for u in map(json.loads, cli.ok(*args).splitlines())}


def test_auth0_documentation_examples_import(cli: Cli) -> None:
    t = _tenant(cli)
    out = cli.ok("users", "import", str(FIXTURES / "bulk_import_basic.json"), "-t", t, "--connection", CONNECTION)
    assert "total 1, inserted 1, updated 0, failed 0" in out
    john = _users(cli, t)["john.doe@contoso.com"]
    assert john["app_metadata"] == {"roles": ["admin"], "plan": "premium"}
    assert john["user_metadata"] == {"theme": "light"} and john["user_id"].startswith("auth0|")

    result = cli("users", "import", str(FIXTURES / "bulk_import_custom_hashes.json"), "-t", t,
                 "--connection", CONNECTION)
    # pbkdf2 over MD4 cannot be verified in reasonable time here (no OpenSSL MD4): that one user is refused.
    assert result.exit_code == 1
    assert "users[4] terrell@contoso.com: FORMAT: custom_password_hash.hash.value: pbkdf2 over md4" in result.stdout
    assert "total 8, inserted 7, updated 0, failed 1" in result.stdout
    exported = _users(cli, t, hashes="1")
    assert set(exported) == {"john.doe@contoso.com", "antoinette@contoso.com", "mary@contoso.com",
                             "velma@contoso.com", "edward@contoso.com", "cecil@contoso.com", "sean@contoso.com",
                             "peter@contoso.com"}
    assert exported["velma@contoso.com"]["password_hash"].startswith("$2b$10$C9hB01")
    hmac_spec = exported["peter@contoso.com"]["custom_password_hash"]
    column = passwords_column(hmac_spec)
    assert passwords.verify_password(column, "test") and not passwords.verify_password(column, "nope")


def passwords_column(spec: dict[str, Any]) -> str:
    from ostiary.password_hashes import stored

    column = stored.from_import(None, spec)
    assert column is not None
    return column


def test_each_rejected_user_is_reported_with_its_index_and_the_others_land(cli: Cli, tmp_path: Path) -> None:
    t = _tenant(cli)
    good = bcrypt.hashpw(b"pw", bcrypt.gensalt(rounds=4)).decode()
    records = [
        {"email": "ok1@example.com", "password_hash": good},
        {"email_verified": True},
        {"email": "ok1@example.com"},
        {"email": "meta@example.com", "app_metadata": {"loginsCount": 3}},
        {"email": "hash@example.com", "password_hash": "$1$md5crypt"},
        {"email": "field@example.com", "favourite_colour": "red"},
        {"email": "mfa@example.com", "mfa_factors": [{"totp": {"secret": "not base32 !"}}]},
        {"email": "ok2@example.com", "user_id": "abc123", "username": "Ok2",
         "mfa_factors": [{"totp": {"secret": "JBSWY3DPEHPK3PXP"}}, {"phone": {"value": "+14155550100"}}]},
    ]
    result = cli("users", "import", _write(tmp_path, "u.json", records), "-t", t, "--connection", CONNECTION,
                 "--json")
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert (summary["total"], summary["inserted"], summary["failed"]) == (8, 2, 6)
    assert [(f["index"], f["code"]) for f in summary["failures"]] == [
        (1, "ANY_OF_MISSING"), (2, "DUPLICATED_USER"), (3, "NOT_PASSED"), (4, "FORMAT"), (5, "NOT_PASSED"),
        (6, "MFA_FACTORS_FAILED"),
    ]
    assert "app_metadata.loginsCount" in summary["failures"][2]["message"]
    users = _users(cli, t, hashes="1")
    assert set(users) == {"ok1@example.com", "ok2@example.com"}
    assert users["ok2@example.com"]["user_id"] == "auth0|abc123" and users["ok2@example.com"]["username"] == "Ok2"
    assert users["ok2@example.com"]["mfa_factors"][0] == {"totp": {"secret": "JBSWY3DPEHPK3PXP"}}
    assert users["ok1@example.com"]["password_hash"] == good


def test_existing_users_conflict_unless_upsert_which_overwrites_metadata(cli: Cli, tmp_path: Path) -> None:
    t = _tenant(cli)
    first = [{"email": "a@example.com", "user_id": "a1", "name": "A", "app_metadata": {"plan": "free", "x": 1}}]
    cli.ok("users", "import", _write(tmp_path, "1.json", first), "-t", t, "--connection", CONNECTION)
    again = [{"email": "A@Example.com", "app_metadata": {"plan": "gold"}, "nickname": "ay"}]
    refused = cli("users", "import", _write(tmp_path, "2.json", again), "-t", t, "--connection", CONNECTION)
    assert refused.exit_code == 1 and "users[0] A@Example.com: CONFLICT" in refused.stdout
    out = cli.ok("users", "import", _write(tmp_path, "2.json", again), "-t", t, "--connection", CONNECTION,
                 "--upsert")
    assert "inserted 0, updated 1, failed 0" in out
    user = _users(cli, t)["a@example.com"]
    assert user["user_id"] == "auth0|a1" and user["name"] == "A" and user["nickname"] == "ay"
    assert user["app_metadata"] == {"plan": "gold"}  # Auth0: upsert replaces metadata, it does not merge


def test_unknown_connection_or_tenant_fails_with_one_line(cli: Cli, tmp_path: Path) -> None:
    t = _tenant(cli)
    path = _write(tmp_path, "u.json", [{"email": "a@example.com"}])
    result = cli("users", "import", path, "-t", t, "--connection", "nope")
    assert result.exit_code == 2 and "--connection: no connection named 'nope'" in result.stderr
    result = cli("users", "import", str(tmp_path / "missing.json"), "-t", t, "--connection", CONNECTION)
    assert result.exit_code == 2 and "users file" in result.stderr
    (tmp_path / "bad.json").write_text("[{")
    result = cli("users", "import", str(tmp_path / "bad.json"), "-t", t, "--connection", CONNECTION)
    assert result.exit_code == 2 and "not a JSON array or NDJSON" in result.stderr


def test_auth0_user_export_merged_with_the_support_hash_export(cli: Cli, tmp_path: Path) -> None:
    t = _tenant(cli)
    hashed = bcrypt.hashpw(b"s3cret", bcrypt.gensalt(rounds=4)).decode()
    export = [
        {"user_id": "auth0|60425dc4e1b8a3006a9b0001", "email": "kim@example.com", "email_verified": True,
         "name": "Kim", "created_at": "2021-03-05T16:35:16.775Z"},
        {"user_id": "auth0|60425dc4e1b8a3006a9b0002", "email": "lee@example.com"},
    ]
    hashes = [{"_id": {"$oid": "60425dc4e1b8a3006a9b0001"}, "email_verified": True, "email": "kim@example.com",
               "passwordHash": hashed, "password_set_date": {"$date": "2021-03-05T16:35:16.775Z"},
               "tenant": "dev-x", "connection": CONNECTION, "_tmp_is_unique": True}]
    result = cli("users", "import", _write(tmp_path, "users.ndjson", export, ndjson=True), "-t", t,
                 "--connection", CONNECTION, "--auth0-hashes", _write(tmp_path, "h.ndjson", hashes, ndjson=True))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "password hashes merged from" in result.stderr and ": 1" in result.stderr
    users = _users(cli, t, hashes="1")
    assert users["kim@example.com"]["password_hash"] == hashed
    assert users["kim@example.com"]["created_at"] == "2021-03-05T16:35:16.775Z"
    assert "password_hash" not in users["lee@example.com"]


def test_export_with_hashes_then_import_restores_the_users_exactly(cli: Cli, tmp_path: Path) -> None:
    source = _tenant(cli)
    records = [
        {"email": "p@example.com", "user_id": "p1", "username": "pat", "given_name": "Pat", "family_name": "Q",
         "name": "Pat Q", "nickname": "pq", "picture": "https://example.com/p.png", "blocked": True,
         "email_verified": True, "app_metadata": {"a": [1]}, "user_metadata": {"b": {"c": None}},
         "custom_password_hash": {"algorithm": "sha512", "hash": {"value": "00" * 64, "encoding": "hex"},
                                  "salt": {"value": "pepper", "position": "suffix"}},
         "mfa_factors": [{"email": {"value": "p@example.com"}}]},
        {"email": "r@example.com", "password_hash": bcrypt.hashpw(b"x", bcrypt.gensalt(rounds=4)).decode()},
    ]
    cli.ok("users", "import", _write(tmp_path, "u.json", records), "-t", source, "--connection", CONNECTION)
    cli.ok("users", "create", "-t", source, "--email", "native@example.com", "--password", "pw-native")
    backup = tmp_path / "backup.ndjson"
    cli.ok("users", "export", "-t", source, "--connection", CONNECTION, "--include-hashes", "-o", str(backup))
    assert len(backup.read_text().splitlines()) == 3

    target = _tenant(cli)
    cli.ok("users", "import", str(backup), "-t", target, "--connection", CONNECTION)
    assert _users(cli, target, hashes="1") == _users(cli, source, hashes="1")
    restored = _users(cli, target, hashes="1")["native@example.com"]["custom_password_hash"]
    assert restored["algorithm"] == "argon2"
    assert passwords.verify_password(restored["hash"]["value"], "pw-native")
    without = _users(cli, source)
    assert not any("hash" in key or "mfa" in key for user in without.values() for key in user)
