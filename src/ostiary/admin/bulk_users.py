"""Auth0's bulk user import format, record by record: pure checks that turn one record into the user's columns
or a rejection with Auth0's error code (the codes of GET /api/v2/jobs/{id}/errors).

Also reads Ostiary's own export (`ostiary users export`), whose extra read-only fields restore a user exactly.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import datetime
from typing import Any

from ostiary.logins import normalize_login, normalize_username
from ostiary.password_hashes import stored
from ostiary.password_hashes.custom import HashSpecError

IMPORT_FIELDS = frozenset({
    "email", "email_verified", "user_id", "username", "given_name", "family_name", "name", "nickname",
    "picture", "blocked", "app_metadata", "user_metadata", "password_hash", "custom_password_hash",
    "mfa_factors",
})
# Written by `ostiary users export` (Auth0's export field names) and read back to restore a user exactly.
# Auth0's user export adds `identities` and `last_ip` (read, not kept: the identity is the connection's).
EXPORT_FIELDS = frozenset({"created_at", "updated_at", "last_login", "logins_count", "last_password_reset",
                           "identities", "connection", "last_ip"})
STRING_FIELDS = ("username", "given_name", "family_name", "name", "nickname", "picture")
RESERVED_APP_METADATA = frozenset({
    "__tenant", "_id", "blocked", "clientID", "created_at", "email_verified", "email", "globalClientID",
    "global_client_id", "identities", "lastIP", "lastLogin", "loginsCount", "metadata",
    "multifactor_last_modified", "multifactor", "updated_at", "user_id",
})
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_E164 = re.compile(r"\+[1-9]\d{1,14}")


class Rejected(Exception):  # noqa: N818 (a verdict, not a failure of the importer)
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def parse_records(text: str) -> list[Any]:
    """A JSON array (Auth0's import file) or NDJSON (Auth0's export, Ostiary's export)."""
    stripped = text.lstrip()
    try:
        if stripped.startswith("["):
            records = json.loads(stripped)
            return list(records)
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError as exc:
        raise ValueError(f"not a JSON array or NDJSON (line {exc.lineno}: {exc.msg})") from exc


def _epoch(field: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, dict) and "$date" in value:  # Auth0 support's MongoDB-style export
        value = value["$date"]
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError as exc:
        raise Rejected("FORMAT", f"{field}: not an ISO 8601 date") from exc


def _mfa_factors(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise Rejected("INVALID_TYPE", "mfa_factors: expected an array")
    if not 1 <= len(value) <= 10:
        raise Rejected("ARRAY_LENGTH_SHORT" if not value else "ARRAY_LENGTH_LONG", "mfa_factors: 1 to 10 factors")
    for i, factor in enumerate(value):
        kind = next(iter(factor), None) if isinstance(factor, dict) and len(factor) == 1 else None
        body = factor.get(kind) if kind else None
        if kind == "totp" and isinstance(body, dict) and isinstance(body.get("secret"), str):
            try:
                base64.b32decode(body["secret"].upper() + "=" * (-len(body["secret"]) % 8))
            except (binascii.Error, ValueError) as exc:
                raise Rejected("MFA_FACTORS_FAILED", f"mfa_factors[{i}].totp.secret: not Base32") from exc
        elif kind == "phone" and isinstance(body, dict) and _E164.fullmatch(str(body.get("value"))):
            pass
        elif kind == "email" and isinstance(body, dict) and _EMAIL.fullmatch(str(body.get("value"))):
            pass
        else:
            raise Rejected("MFA_FACTORS_FAILED", f"mfa_factors[{i}]: one of totp.secret, phone.value, email.value")
    return value


def user_columns(record: Any, connection: str) -> dict[str, Any]:
    """The user's columns from one record (user_id, normalized email/username, stored hash), or Rejected."""
    if not isinstance(record, dict):
        raise Rejected("INVALID_TYPE", "expected an object")
    for key in record:
        if key not in IMPORT_FIELDS and key not in EXPORT_FIELDS:
            raise Rejected("NOT_PASSED", f"{key}: not a property of Auth0's import format")
    email = record.get("email")
    if not isinstance(email, str) or not _EMAIL.fullmatch(email.strip()):
        raise Rejected("FORMAT" if isinstance(email, str) else "ANY_OF_MISSING", "email: required (an email)")
    if record.get("connection", connection) != connection:
        raise Rejected("CONNECTION_NOT_FOUND", f"connection: {record['connection']!r} is not {connection!r}")
    out: dict[str, Any] = {"email": normalize_login(email)}
    user_id = record.get("user_id")
    if user_id is not None:
        if not isinstance(user_id, str) or not user_id.strip():
            raise Rejected("INVALID_TYPE", "user_id: expected a string")
        provider, sep, rest = user_id.partition("|")
        if sep and provider != "auth0":
            raise Rejected("PATTERN", f"user_id: {user_id!r} is not a database user id (auth0|...)")
        out["user_id"] = "auth0|" + (rest if sep else user_id)
    for key in STRING_FIELDS:
        value = record.get(key)
        if value is not None and not isinstance(value, str):
            raise Rejected("INVALID_TYPE", f"{key}: expected a string")
        out[key] = value
    if isinstance(out["username"], str):
        out["username"] = normalize_username(out["username"])
    for key in ("email_verified", "blocked"):
        value = record.get(key, False)
        if not isinstance(value, bool):
            raise Rejected("INVALID_TYPE", f"{key}: expected true or false")
        out[key] = value
    for key in ("app_metadata", "user_metadata"):
        value = record.get(key, {})
        if not isinstance(value, dict):
            raise Rejected("INVALID_TYPE", f"{key}: expected an object")
        out[key] = value
    reserved = sorted(RESERVED_APP_METADATA & set(out["app_metadata"]))
    if reserved:
        raise Rejected("NOT_PASSED", f"app_metadata.{reserved[0]}: reserved by Auth0")
    try:
        out["password_hash"] = stored.from_import(record.get("password_hash"), record.get("custom_password_hash"))
    except HashSpecError as exc:
        raise Rejected("FORMAT", str(exc)) from exc
    out["mfa_factors"] = _mfa_factors(record["mfa_factors"]) if "mfa_factors" in record else None
    count = record.get("logins_count", 0)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise Rejected("INVALID_TYPE", "logins_count: expected a non-negative integer")
    out["logins_count"] = count
    for key in ("created_at", "updated_at", "last_login", "last_password_reset"):
        out[key] = _epoch(key, record.get(key))
    return out


def merge_password_hashes(records: list[Any], hash_lines: list[Any]) -> int:
    """Put Auth0 support's password-hash export (`{"_id": {"$oid": ...}, "passwordHash": ...}` per line) into
    the user records as password_hash, joined on user_id `auth0|<oid>` (else on email). Returns the count."""
    by_oid: dict[str, str] = {}
    by_email: dict[str, str] = {}
    for line in hash_lines:
        if not isinstance(line, dict) or not isinstance(line.get("passwordHash"), str):
            continue
        oid = line.get("_id") or line.get("_ID")
        if isinstance(oid, dict) and isinstance(oid.get("$oid"), str):
            by_oid[oid["$oid"]] = line["passwordHash"]
        if isinstance(line.get("email"), str):
            by_email[normalize_login(line["email"])] = line["passwordHash"]
    merged = 0
    for record in records:
        if not isinstance(record, dict) or "password_hash" in record or "custom_password_hash" in record:
            continue
        user_id = record.get("user_id")
        oid = user_id.partition("|")[2] or user_id if isinstance(user_id, str) else None
        found = by_oid.get(oid) if oid else None
        if found is None and isinstance(record.get("email"), str):
            found = by_email.get(normalize_login(record["email"]))
        if found is not None:
            record["password_hash"] = found
            merged += 1
    return merged
