"""Connections: where identities come from."""

from __future__ import annotations

from typing import Any

from ostiary import entities
from ostiary.connections.import_mode import old_tenant
from ostiary.errors import AdminConflictError, AdminError, AdminNotFoundError
from ostiary.store.models import Connection as ConnectionRow
from ostiary.store.repositories import _validate as v
from ostiary.store.repositories.base import TenantScoped

STRATEGIES = (
    "auth0", "apple", "facebook", "github", "google-oauth2", "linkedin", "twitter", "weibo", "windowslive",
    "oidc", "okta", "waad", "custom-token-exchange", "email", "sms",
)
CONNECTION_FIELDS = ("strategy", "options", "enabled_clients")


class Connections(TenantScoped):
    async def by_name(self, name: str) -> entities.Connection | None:
        row = await self.session.scalar(self._select(ConnectionRow).where(ConnectionRow.name == name))
        return self._entity(row) if row else None

    async def by_strategy(self, strategy: str) -> list[entities.Connection]:
        rows = await self.session.scalars(
            self._select(ConnectionRow).where(ConnectionRow.strategy == strategy).order_by(ConnectionRow.name)
        )
        return [self._entity(r) for r in rows.all()]

    async def require(self, name: str) -> entities.Connection:
        conn = await self.by_name(name)
        if conn is None:
            raise AdminNotFoundError(f"connection: no connection named {name!r}", kind="connection")
        return conn

    async def all(self) -> list[entities.Connection]:
        rows = await self.session.scalars(self._select(ConnectionRow).order_by(ConnectionRow.name))
        return [self._entity(r) for r in rows.all()]

    def _entity(self, row: ConnectionRow) -> entities.Connection:
        return entities.Connection(
            id=row.id,
            name=row.name,
            strategy=row.strategy,
            options=self.box.decrypt_options(row.options or {}),
            enabled_clients=tuple(row.enabled_clients or ()),
        )

    def _clean(self, fields: dict[str, Any]) -> dict[str, Any]:
        v.reject_unknown("connection", fields, CONNECTION_FIELDS)
        out = dict(fields)
        if "strategy" in out:
            v.one_of("connection.strategy", out["strategy"], STRATEGIES)
        if "options" in out:
            out["options"] = self.box.encrypt_options(v.mapping("connection.options", out["options"]))
        if "enabled_clients" in out:
            out["enabled_clients"] = v.string_list("connection.enabled_clients", out["enabled_clients"])
        return out

    async def create(self, *, name: str, **fields: Any) -> entities.Connection:
        if not name or not isinstance(name, str):
            raise AdminError("connection.name: required")
        if await self.by_name(name):
            raise AdminConflictError(f"connection.name: {name!r} exists already")
        if "strategy" not in fields:
            raise AdminError("connection.strategy: required")
        old_tenant(name, fields.get("options") or {})
        clean = self._clean(fields)
        clean.setdefault("options", {})
        clean.setdefault("enabled_clients", [])
        row = self._new(ConnectionRow, name=name, created_at=self.clock.now(), **clean)
        await self.session.flush()
        return self._entity(row)

    async def update(self, name: str, **fields: Any) -> entities.Connection:
        conn = await self.require(name)
        if isinstance(fields.get("options"), dict):
            old_tenant(name, fields["options"])
        row = await self.session.get(ConnectionRow, conn.id)
        assert row is not None
        for key, value in self._clean(fields).items():
            setattr(row, key, value)
        row.updated_at = self.clock.now()
        await self.session.flush()
        return self._entity(row)

    async def set_enabled(self, name: str, client_id: str, enabled: bool) -> entities.Connection:
        """Enable or disable one client on a connection, leaving the others as they are."""
        conn = await self.require(name)
        current = list(conn.enabled_clients)
        wanted = [*current, client_id] if enabled and client_id not in current else current
        if not enabled:
            wanted = [c for c in current if c != client_id]
        return conn if wanted == current else await self.update(name, enabled_clients=wanted)

    async def delete(self, name: str) -> None:
        conn = await self.require(name)
        await self.session.delete(await self.session.get(ConnectionRow, conn.id))
        await self.session.flush()
