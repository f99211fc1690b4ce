"""What every import/export section shares: the context of one import, the Section contract, diff helpers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ostiary import entities
from ostiary.admin.session import AdminSession
from ostiary.errors import AdminError
from ostiary.store.repos import Repos


@dataclass
class AdminContext:
    """One import or export: the admin transaction, the tenant (None until the tenant section creates it)."""

    admin: AdminSession
    tenant_name: str
    tenant: entities.Tenant | None
    include_secrets: bool = False
    # Where files referenced by the document live (action code: ./actions/<name>.py).
    base_dir: Path = field(default_factory=Path.cwd)
    counts: Counter[str] = field(default_factory=Counter)
    # Every error found so far (`clients[2]: ...`): an import goes on to report them all, then writes nothing.
    errors: list[str] = field(default_factory=list)
    # Where each file-backed field was read from, "actions[0].code" -> "./actions/x.py" (a0deploy/files.py).
    file_sources: dict[str, str] = field(default_factory=dict)

    def require_tenant(self) -> entities.Tenant:
        if self.tenant is None:
            raise AdminError(
                f"tenant: no tenant named {self.tenant_name!r} (give tenant.domain in the file to create it)"
            )
        return self.tenant

    @property
    def repos(self) -> Repos:
        return self.admin.repos(self.require_tenant())

    def note(self, section: str, outcome: str) -> None:
        """Record what happened to one item: created, updated or unchanged."""
        self.counts[f"{section}.{outcome}"] += 1


class Section(Protocol):
    """One top-level key of a Deploy CLI file."""

    KEY: str

    async def apply(self, ctx: AdminContext, items: Any) -> None: ...

    async def export(self, ctx: AdminContext) -> list[dict[str, Any]] | dict[str, Any]: ...


def as_list(key: str, value: Any) -> list[dict[str, Any]]:
    """A section's value must be a list of objects."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise AdminError(f"{key}: expected a list")
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise AdminError(f"{key}[{i}]: expected an object")
    return value


async def apply_each(
    ctx: AdminContext, key: str, items: Any, apply_one: Callable[[AdminContext, dict[str, Any]], Awaitable[None]]
) -> None:
    """Apply every object of a list section; an error names the item (`clients[2]: ...`) and is recorded in
    ctx.errors while the other items go on."""
    for i, item in enumerate(as_list(key, items)):
        try:
            await apply_one(ctx, item)
        except AdminError as exc:
            ctx.errors.append(f"{key}[{i}]: {exc}")


def required_str(field_name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise AdminError(f"{field_name}: required (a non-empty string)")
    return value


def changes(current: dict[str, Any], wanted: dict[str, Any], *, merged: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields of `wanted` that differ from `current`. For `merged` keys (objects whose defaults the store
    fills in), only the given sub-keys are compared and the result is the current object updated with them."""
    out: dict[str, Any] = {}
    for key, value in wanted.items():
        now = current.get(key)
        if key in merged and isinstance(value, dict) and isinstance(now, dict):
            if any(now.get(k) != val for k, val in value.items()):
                out[key] = {**now, **value}
        elif now != value:
            out[key] = value
    return out


def without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: val for k, val in values.items() if val is not None}
