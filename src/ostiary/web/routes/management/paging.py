"""The list shapes every Management API list shares (Auth0's, as node-auth0, auth0-python and a0deploy read them).

Page-based: `page`, `per_page` (default 50, at most 100), `include_totals` → `{"start","limit","length","total",
"<plural>"}` (else a bare array), `fields` + `include_fields`. Checkpoint (client grants, connections): `take` +
`from` → `{"<plural>", "next"}`; `include_totals` sent beside `take` is ignored, as a0deploy sends both.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ostiary.errors import ManagementQueryError

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100


@dataclass(frozen=True, slots=True)
class Fields:
    names: frozenset[str] | None
    include: bool

    def project(self, item: dict[str, Any]) -> dict[str, Any]:
        if self.names is None:
            return item
        return {k: v for k, v in item.items() if (k in self.names) == self.include}


@dataclass(frozen=True, slots=True)
class Page:
    page: int
    per_page: int
    include_totals: bool
    fields: Fields

    @property
    def offset(self) -> int:
        return self.page * self.per_page


@dataclass(frozen=True, slots=True)
class Checkpoint:
    take: int
    offset: int
    fields: Fields


def optional_bool(params: Mapping[str, str], name: str) -> bool | None:
    """A `true`/`false` query parameter, None when absent; anything else is 400 invalid_query_string."""
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    if raw.lower() not in ("true", "false"):
        raise ManagementQueryError(f"Query validation error: '{name}' must be true or false")
    return raw.lower() == "true"


def _bool(params: Mapping[str, str], name: str, default: bool) -> bool:
    value = optional_bool(params, name)
    return default if value is None else value


def _int(params: Mapping[str, str], name: str, default: int, *, low: int, high: int | None = None) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or int(raw) < low or (high is not None and int(raw) > high):
        bound = f" and at most {high}" if high is not None else ""
        raise ManagementQueryError(f"Query validation error: '{name}' must be a whole number of at least {low}{bound}")
    return int(raw)


def fields_of(params: Mapping[str, str]) -> Fields:
    raw = params.get("fields")
    names = frozenset(f.strip() for f in raw.split(",") if f.strip()) if raw else None
    return Fields(names=names or None, include=_bool(params, "include_fields", True))


def page_of(params: Mapping[str, str]) -> Page:
    return Page(
        page=_int(params, "page", 0, low=0),
        per_page=_int(params, "per_page", DEFAULT_PER_PAGE, low=1, high=MAX_PER_PAGE),
        include_totals=_bool(params, "include_totals", False),
        fields=fields_of(params),
    )


def is_checkpoint(params: Mapping[str, str]) -> bool:
    return "take" in params or "from" in params


def checkpoint_of(params: Mapping[str, str]) -> Checkpoint:
    raw_from = params.get("from") or ""
    offset = 0
    if raw_from:
        try:
            offset = int(base64.urlsafe_b64decode(raw_from + "=" * (-len(raw_from) % 4)).decode("ascii"))
        except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
            raise ManagementQueryError("Query validation error: 'from' is not a checkpoint this server issued") from exc
        if offset < 0:
            raise ManagementQueryError("Query validation error: 'from' is not a checkpoint this server issued")
    return Checkpoint(
        take=_int(params, "take", DEFAULT_PER_PAGE, low=1, high=MAX_PER_PAGE), offset=offset, fields=fields_of(params)
    )


def page_body(key: str, rows: Sequence[dict[str, Any]], *, page: Page, total: int) -> Any:
    """`rows` is the page already (the caller sliced it, in SQL where the list is large)."""
    items = [page.fields.project(r) for r in rows]
    if not page.include_totals:
        return items
    return {"start": page.offset, "limit": page.per_page, "length": len(items), "total": total, key: items}


def page_slice(key: str, rows: Sequence[dict[str, Any]], page: Page) -> Any:
    """A page of a list held in memory (clients, APIs, grants, connections: a tenant has few)."""
    return page_body(key, rows[page.offset: page.offset + page.per_page], page=page, total=len(rows))


def checkpoint_body(key: str, rows: Sequence[dict[str, Any]], cp: Checkpoint) -> dict[str, Any]:
    chunk = rows[cp.offset: cp.offset + cp.take]
    body: dict[str, Any] = {key: [cp.fields.project(r) for r in chunk]}
    end = cp.offset + len(chunk)
    if end < len(rows):
        body["next"] = base64.urlsafe_b64encode(str(end).encode()).rstrip(b"=").decode()
    return body


def listing(key: str, rows: Sequence[dict[str, Any]], params: Mapping[str, str], *, checkpoint: bool = False) -> Any:
    """A list answered page-based, or (lists Auth0 paginates by checkpoint) by checkpoint when take/from is sent."""
    if checkpoint and is_checkpoint(params):
        return checkpoint_body(key, rows, checkpoint_of(params))
    return page_slice(key, rows, page_of(params))
