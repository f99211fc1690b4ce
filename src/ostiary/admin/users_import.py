"""`ostiary users import`: Auth0's bulk import into one database connection, in batches (one transaction
and a few statements each, no password hashing). A rejected user is reported with its index and reason; the
others land. Later: the same run behind POST /api/v2/jobs/users-imports once the Management API exists.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError

from ostiary.admin import references
from ostiary.admin.bulk_users import Rejected, user_columns
from ostiary.admin.session import AdminSession
from ostiary.ids import new_auth0_user_id
from ostiary.password_hashes import stored
from ostiary.store.repositories.user_import import ExistingUser

BATCH = 1000


@dataclass(frozen=True)
class Failure:
    index: int
    email: str | None
    code: str
    message: str


@dataclass
class Summary:
    total: int = 0
    inserted: int = 0
    updated: int = 0
    failed: int = 0
    seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)

    def reject(self, index: int, record: Any, code: str, message: str) -> None:
        email = record.get("email") if isinstance(record, dict) else None
        self.failures.append(Failure(index, email if isinstance(email, str) else None, code, message))
        self.failed += 1


Progress = Callable[[int, int], None]  # (users done, total)


class _Seen:
    """Keys already claimed by earlier records of the file: Auth0 rejects duplicates within one file."""

    def __init__(self) -> None:
        self.keys: set[str] = set()

    def claim(self, columns: dict[str, Any]) -> None:
        keys = [f"e:{columns['email']}"]
        if columns.get("username"):
            keys.append(f"u:{columns['username'].lower()}")
        if columns.get("user_id"):
            keys.append(f"i:{columns['user_id']}")
        if any(k in self.keys for k in keys):
            raise Rejected("DUPLICATED_USER", "the file holds this user (email, username or user_id) twice")
        self.keys.update(keys)


def _match(columns: dict[str, Any], existing: list[ExistingUser]) -> ExistingUser | None:
    for user in existing:
        if columns.get("user_id") == user.user_id or (user.in_connection and (
            user.email == columns["email"]
            or (columns.get("username") and (user.username or "").lower() == columns["username"].lower())
        )):
            return user
    return None


def _upsert_change(record: dict[str, Any], columns: dict[str, Any], user: ExistingUser) -> dict[str, Any]:
    """Auth0 upserts the profile fields and metadata the record gives; a new hash only while the imported one
    was never replaced by a login (Auth0: "if the user has not logged in with the imported hash")."""
    change: dict[str, Any] = {k: columns[k] for k in ("app_metadata", "user_metadata", "email_verified", "given_name",
                                      "family_name", "name", "nickname", "picture") if k in record}
    if columns["password_hash"] and (user.password_hash is None or stored.is_foreign(user.password_hash)):
        change["password_hash"] = columns["password_hash"]
    if columns["mfa_factors"] is not None:
        change["mfa_factors"] = columns["mfa_factors"]
    change["pk"] = user.pk
    return change


async def import_users(
    admin: AdminSession,
    tenant_name: str,
    connection: str,
    records: list[Any],
    *,
    upsert: bool = False,
    progress: Progress | None = None,
) -> Summary:
    _, repos = await admin.tenant_repos(tenant_name)
    await references.database_connection(repos, "--connection", connection)
    summary = Summary(total=len(records))
    seen = _Seen()
    started = time.monotonic()
    now = admin.clock.now()
    for start in range(0, len(records), BATCH):
        batch: list[tuple[int, Any, dict[str, Any]]] = []
        for index in range(start, min(start + BATCH, len(records))):
            try:
                columns = user_columns(records[index], connection)
                seen.claim(columns)
            except Rejected as exc:
                summary.reject(index, records[index], exc.code, exc.message)
                continue
            batch.append((index, records[index], columns))
        existing = await repos.user_import.existing(
            connection,
            emails=[c["email"] for _, _, c in batch],
            usernames=[c["username"].lower() for _, _, c in batch if c.get("username")],
            user_ids=[c["user_id"] for _, _, c in batch if c.get("user_id")],
        )
        inserts: list[tuple[int, Any, dict[str, Any]]] = []
        changes: list[dict[str, Any]] = []
        for index, record, columns in batch:
            user = _match(columns, existing)
            if user is None:
                columns.setdefault("user_id", "auth0|" + new_auth0_user_id())
                columns["created_at"] = columns["created_at"] or now
                columns["updated_at"] = columns["updated_at"] or now
                inserts.append((index, record, columns))
            elif upsert and user.in_connection:
                changes.append(_upsert_change(record, columns, user))
            else:
                summary.reject(index, record, "CONFLICT", f"the user exists already ({user.user_id})")
        try:
            await repos.user_import.insert(connection, [c for _, _, c in inserts])
            await repos.user_import.overwrite(changes)
            await admin.session.commit()
            summary.inserted += len(inserts)
        except IntegrityError:  # another writer took a user_id since `existing`: find which, one by one
            await admin.session.rollback()
            for index, record, columns in inserts:
                try:
                    async with admin.session.begin_nested():
                        await repos.user_import.insert(connection, [columns])
                    summary.inserted += 1
                except IntegrityError:
                    summary.reject(index, record, "CONFLICT", f"the user exists already ({columns['user_id']})")
            await repos.user_import.overwrite(changes)
            await admin.session.commit()
        summary.updated += len(changes)
        batches = start // BATCH + 1
        if batches & (batches - 1) == 0:  # after batch 1, 2, 4, 8, ...: the table grew enough to matter
            await repos.user_import.refresh_statistics()
            await admin.session.commit()
        if progress is not None:
            progress(min(start + BATCH, len(records)), len(records))
    summary.failures.sort(key=lambda f: f.index)
    summary.seconds = time.monotonic() - started
    return summary
