"""A parsed user query (admin/user_query.py) as one SQL condition on the users table, tenant-scoped by the caller.

`email:"a@b"` is an equality on the indexed (tenant_id, email) column (the stored email and its lower case:
database users' emails are stored in lower case). Metadata values are compared as text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, not_, or_, select, true

from ostiary.admin.user_query import And, Exists, Not, Or, Query, Range, Term
from ostiary.errors import ManagementQueryError
from ostiary.store.models import Identity as IdentityRow
from ostiary.store.models import User as UserRow

TEXT_FIELDS = {
    "user_id": UserRow.user_id, "email": UserRow.email, "name": UserRow.name, "nickname": UserRow.nickname,
    "given_name": UserRow.given_name, "family_name": UserRow.family_name, "username": UserRow.username,
    "picture": UserRow.picture,
}
BOOL_FIELDS = {"email_verified": UserRow.email_verified, "blocked": UserRow.blocked}
NUMBER_FIELDS = {"logins_count": UserRow.logins_count}
DATE_FIELDS = {"created_at": UserRow.created_at, "updated_at": UserRow.updated_at, "last_login": UserRow.last_login}
IDENTITY_FIELDS = {
    "identities.connection": IdentityRow.connection, "identities.provider": IdentityRow.provider,
    "identities.user_id": IdentityRow.external_id,
}
METADATA = {"app_metadata": UserRow.app_metadata, "user_metadata": UserRow.user_metadata}


def _error(message: str) -> ManagementQueryError:
    return ManagementQueryError(f"Query validation error: {message}")


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _text_match(column: Any, term: Term) -> ColumnElement[bool]:
    if term.prefix:
        return column.like(_like(term.value), escape="\\")  # type: ignore[no-any-return]
    return column == term.value  # type: ignore[no-any-return]


def _number(field: str, raw: str | None, *, date: bool) -> float | None:
    if raw is None:
        return None
    try:
        return float(raw)
    except ValueError:
        pass
    if date:
        try:
            parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError as exc:
            raise _error(f"{field}: {raw!r} is not a date") from exc
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=datetime.now().astimezone().tzinfo)
        return parsed.timestamp()
    raise _error(f"{field}: {raw!r} is not a number")


def _metadata_column(field: str) -> Any | None:
    root, _, path = field.partition(".")
    if root not in METADATA:
        return None
    if not path:
        raise _error(f"{field}: name a key (e.g. {root}.plan)")
    return METADATA[root][tuple(path.split("."))].as_string()


def _identity(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists(select(IdentityRow.id).where(IdentityRow.user_pk == UserRow.id, condition))


def _term(term: Term) -> ColumnElement[bool]:
    field = term.field
    if field == "email" and not term.prefix:
        return UserRow.email.in_(sorted({term.value, term.value.lower()}))
    if field in TEXT_FIELDS:
        return _text_match(TEXT_FIELDS[field], term)
    if field in IDENTITY_FIELDS:
        return _identity(_text_match(IDENTITY_FIELDS[field], term))
    if field in BOOL_FIELDS and not term.prefix:
        if term.value not in ("true", "false"):
            raise _error(f"{field}: expected true or false")
        return BOOL_FIELDS[field].is_(term.value == "true")
    if field in NUMBER_FIELDS or field in DATE_FIELDS:
        column: Any = {**NUMBER_FIELDS, **DATE_FIELDS}[field]
        return column == _number(field, term.value, date=field in DATE_FIELDS)  # type: ignore[no-any-return]
    metadata = _metadata_column(field)
    if metadata is not None:
        return _text_match(metadata, term)
    raise _error(f"unsupported field {field!r}")


def _range(node: Range) -> ColumnElement[bool]:
    field = node.field
    low: float | str | None
    high: float | str | None
    column: Any
    if field in NUMBER_FIELDS or field in DATE_FIELDS:
        column = {**NUMBER_FIELDS, **DATE_FIELDS}[field]
        low = _number(field, node.low, date=field in DATE_FIELDS)
        high = _number(field, node.high, date=field in DATE_FIELDS)
    elif field in TEXT_FIELDS or _metadata_column(field) is not None:
        column = TEXT_FIELDS[field] if field in TEXT_FIELDS else _metadata_column(field)
        low, high = node.low, node.high
    else:
        raise _error(f"unsupported range field {field!r}")
    parts = []
    if low is not None:
        parts.append(column >= low if node.include_low else column > low)
    if high is not None:
        parts.append(column <= high if node.include_high else column < high)
    return and_(true(), *parts)


def _exists(node: Exists) -> ColumnElement[bool]:
    field = node.field
    column: Any = {**TEXT_FIELDS, **DATE_FIELDS}.get(field)
    if column is not None:
        return column.isnot(None)  # type: ignore[no-any-return]
    if field in BOOL_FIELDS or field in NUMBER_FIELDS:
        return true()
    metadata = _metadata_column(field)
    if metadata is not None:
        return metadata.isnot(None)  # type: ignore[no-any-return]
    raise _error(f"unsupported field {field!r}")


def condition(node: Query) -> ColumnElement[bool]:
    """The WHERE clause for `node` (raises ManagementQueryError for a field Ostiary cannot search)."""
    if isinstance(node, Term):
        return _term(node)
    if isinstance(node, Range):
        return _range(node)
    if isinstance(node, Exists):
        return _exists(node)
    if isinstance(node, Not):
        return not_(condition(node.operand))
    if isinstance(node, And):
        return and_(*(condition(n) for n in node.operands))
    if isinstance(node, Or):
        return or_(false(), *(condition(n) for n in node.operands))
    raise AssertionError(node)  # pragma: no cover


SORT_FIELDS = {**TEXT_FIELDS, **DATE_FIELDS, **NUMBER_FIELDS}


def order_by(sort: str | None) -> list[Any]:
    """Auth0's `sort=field:1|-1` (ascending or descending); default created_at then id, so pages are stable."""
    if not sort:
        return [UserRow.created_at, UserRow.id]
    field, _, direction = sort.partition(":")
    if field not in SORT_FIELDS or direction not in ("1", "-1"):
        raise ManagementQueryError(
            f"Query validation error: sort {sort!r} is not field:1 or field:-1 on a sortable field"
        )
    column = SORT_FIELDS[field]
    return [column.asc() if direction == "1" else column.desc(), UserRow.id]
