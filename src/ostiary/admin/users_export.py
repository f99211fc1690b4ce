"""`ostiary users export`: a database connection's users as NDJSON with Auth0's field names, which
`ostiary users import` reads back into the same users (same user_id, profile, metadata, dates, hash)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from ostiary.admin import references
from ostiary.admin.session import AdminSession
from ostiary.password_hashes import stored

_PROFILE = ("email", "email_verified", "username", "given_name", "family_name", "name", "nickname", "picture",
            "blocked", "app_metadata", "user_metadata", "logins_count")
_DATES = ("created_at", "updated_at", "last_login", "last_password_reset")


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def export_record(row: dict[str, Any], connection: str, *, include_hash: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"user_id": row["user_id"], "connection": connection}
    out.update({k: row[k] for k in _PROFILE if row[k] is not None})
    out.update({k: _iso(row[k]) for k in _DATES if row[k] is not None})
    if row["mfa_factors"] is not None and include_hash:
        out["mfa_factors"] = row["mfa_factors"]
    if include_hash and row["password_hash"]:
        out.update(stored.to_export(row["password_hash"]))
    return out


async def export_users(
    admin: AdminSession, tenant_name: str, connection: str, *, include_hashes: bool
) -> AsyncIterator[dict[str, Any]]:
    _, repos = await admin.tenant_repos(tenant_name)
    await references.database_connection(repos, "--connection", connection)
    after = ""
    while True:
        rows = await repos.user_import.all_rows(connection, after=after)
        for row in rows:
            yield export_record(row, connection, include_hash=include_hashes)
        if not rows:
            return
        after = rows[-1]["user_id"]
