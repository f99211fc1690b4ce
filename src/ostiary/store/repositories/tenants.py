"""Tenants are the one aggregate looked up across tenants (by host), so this repository is not scoped."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ostiary import entities
from ostiary.clock import Clock
from ostiary.errors import AdminError
from ostiary.store.models import Tenant, TenantDomain
from ostiary.store.repositories import _validate as v

TENANT_FIELDS = (
    "friendly_name",
    "default_audience",
    "default_directory",
    "allowed_logout_urls",
    "session_lifetime",
    "idle_session_lifetime",
    "flags",
)


def clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Validate tenant fields (Auth0 names); raises AdminError naming the field."""
    v.reject_unknown("tenant", fields, TENANT_FIELDS)
    out = dict(fields)
    if "allowed_logout_urls" in out:
        out["allowed_logout_urls"] = v.absolute_urls("tenant.allowed_logout_urls", out["allowed_logout_urls"])
    for key in ("session_lifetime", "idle_session_lifetime"):
        if key in out:
            value = out[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise AdminError(f"tenant.{key}: expected a positive number of hours, got {value!r}")
    for key in ("friendly_name", "default_audience", "default_directory"):
        if out.get(key) is not None and not isinstance(out[key], str):
            raise AdminError(f"tenant.{key}: expected a string, got {out[key]!r}")
    if "flags" in out:
        out["flags"] = v.mapping("tenant.flags", out["flags"])
    return out


def to_entity(row: Tenant, domains: list[str]) -> entities.Tenant:
    return entities.Tenant(
        id=row.id,
        name=row.name,
        domains=tuple(domains),
        friendly_name=row.friendly_name,
        default_audience=row.default_audience,
        default_directory=row.default_directory,
        allowed_logout_urls=tuple(row.allowed_logout_urls or ()),
        session_lifetime_hours=row.session_lifetime,
        idle_session_lifetime_hours=row.idle_session_lifetime,
        flags=dict(row.flags or {}),
    )


class Tenants:
    def __init__(self, session: AsyncSession, *, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    async def by_domain(self, domain: str) -> entities.Tenant | None:
        """Used by: web/tenancy.py for every request (cached there per process)."""
        tenant_id = await self.session.scalar(
            select(TenantDomain.tenant_id).where(TenantDomain.domain == domain.lower())
        )
        return await self._load(tenant_id) if tenant_id else None

    async def by_name(self, name: str) -> entities.Tenant | None:
        tenant_id = await self.session.scalar(select(Tenant.id).where(Tenant.name == name))
        return await self._load(tenant_id) if tenant_id else None

    async def require(self, name: str) -> entities.Tenant:
        tenant = await self.by_name(name)
        if tenant is None:
            raise AdminError(f"tenant: no tenant named {name!r}")
        return tenant

    async def all(self) -> list[entities.Tenant]:
        ids = (await self.session.scalars(select(Tenant.id).order_by(Tenant.name))).all()
        return [t for t in [await self._load(i) for i in ids] if t is not None]

    async def count(self) -> int:
        return len((await self.session.scalars(select(Tenant.id))).all())

    async def _load(self, tenant_id: str) -> entities.Tenant | None:
        row = await self.session.get(Tenant, tenant_id)
        if row is None:
            return None
        domains = (
            await self.session.scalars(
                select(TenantDomain.domain)
                .where(TenantDomain.tenant_id == tenant_id)
                .order_by(TenantDomain.is_primary.desc(), TenantDomain.domain)
            )
        ).all()
        return to_entity(row, list(domains))

    async def create(self, *, name: str, domains: list[str], **fields: Any) -> entities.Tenant:
        if not domains:
            raise AdminError("tenant.domains: a tenant needs at least one domain")
        if await self.session.scalar(select(Tenant.id).where(Tenant.name == name)):
            raise AdminError(f"tenant.name: a tenant named {name!r} exists already")
        if not isinstance(name, str) or not name.strip():
            raise AdminError("tenant.name: required (a non-empty string)")
        fields = clean_fields(fields)
        row = Tenant(name=name, created_at=self.clock.now(), **fields)
        row.allowed_logout_urls = list(fields.get("allowed_logout_urls") or [])
        row.flags = dict(fields.get("flags") or {})
        self.session.add(row)
        await self.session.flush()
        await self.set_domains(row.id, domains)
        loaded = await self._load(row.id)
        assert loaded is not None
        return loaded

    async def update(self, name: str, **fields: Any) -> entities.Tenant:
        row = await self.session.scalar(select(Tenant).where(Tenant.name == name))
        if row is None:
            raise AdminError(f"tenant: no tenant named {name!r}")
        for key, value in clean_fields(fields).items():
            setattr(row, key, value)
        row.updated_at = self.clock.now()
        await self.session.flush()
        loaded = await self._load(row.id)
        assert loaded is not None
        return loaded

    async def set_domains(self, tenant_id: str, domains: list[str]) -> None:
        if isinstance(domains, str) or not all(isinstance(d, str) for d in domains):
            raise AdminError("tenant.domains: expected a list of host names")
        normalized = [d.strip().lower() for d in domains]
        if not normalized:
            raise AdminError("tenant.domains: a tenant needs at least one domain")
        for domain in normalized:
            if not domain or "/" in domain or " " in domain:
                raise AdminError(f"tenant.domains: {domain!r} is not a host name")
            owner = await self.session.scalar(
                select(TenantDomain.tenant_id).where(TenantDomain.domain == domain)
            )
            if owner is not None and owner != tenant_id:
                raise AdminError(f"tenant.domains: {domain!r} belongs to another tenant")
        await self.session.execute(delete(TenantDomain).where(TenantDomain.tenant_id == tenant_id))
        await self.session.flush()
        for i, domain in enumerate(dict.fromkeys(normalized)):
            self.session.add(TenantDomain(tenant_id=tenant_id, domain=domain, is_primary=(i == 0)))
        await self.session.flush()

    async def delete(self, name: str) -> None:
        row = await self.session.scalar(select(Tenant).where(Tenant.name == name))
        if row is None:
            raise AdminError(f"tenant: no tenant named {name!r}")
        await self.session.delete(row)
        await self.session.flush()
