"""`tenant:` — the tenant's settings and (self-hosting addition) `domain` / `domains`; creates the tenant."""

from __future__ import annotations

from typing import Any

from ostiary import entities
from ostiary.admin.provision import provision_tenant
from ostiary.admin.sections.base import AdminContext, changes, without_none
from ostiary.errors import AdminError
from ostiary.store.repositories import _validate as v
from ostiary.store.repositories.tenants import TENANT_FIELDS

KEY = "tenant"
EXTRA_FIELDS = ("name", "domain", "domains")


def domains_of(item: dict[str, Any]) -> list[str] | None:
    """`domain: x` or `domains: [x, y]` (not both); None when neither is given."""
    if "domain" in item and "domains" in item:
        raise AdminError("tenant.domain: give domain or domains, not both")
    if "domain" in item:
        if not isinstance(item["domain"], str):
            raise AdminError("tenant.domain: expected a host name")
        return [item["domain"]]
    if "domains" in item:
        return v.string_list("tenant.domains", item["domains"])
    return None


def to_auth0(tenant: entities.Tenant) -> dict[str, Any]:
    return without_none(
        {
            "friendly_name": tenant.friendly_name,
            "domains": list(tenant.domains),
            "default_audience": tenant.default_audience,
            "default_directory": tenant.default_directory,
            "allowed_logout_urls": list(tenant.allowed_logout_urls),
            "session_lifetime": tenant.session_lifetime_hours,
            "idle_session_lifetime": tenant.idle_session_lifetime_hours,
            "flags": dict(tenant.flags),
        }
    )


async def apply(ctx: AdminContext, items: Any) -> None:
    item = v.mapping("tenant", items)
    v.reject_unknown("tenant", item, (*TENANT_FIELDS, *EXTRA_FIELDS))
    domains = domains_of(item)
    fields = {k: val for k, val in item.items() if k in TENANT_FIELDS}
    tenants = ctx.admin.tenants
    if ctx.tenant is None:
        if not domains:
            raise AdminError(
                f"tenant.domain: no tenant named {ctx.tenant_name!r}; give tenant.domain to create it"
            )
        ctx.tenant = await provision_tenant(ctx.admin, name=ctx.tenant_name, domains=domains, **fields)
        ctx.note(KEY, "created")
        return
    diff = changes(to_auth0(ctx.tenant), fields)
    new_domains = domains is not None and [d.strip().lower() for d in domains] != list(ctx.tenant.domains)
    if new_domains and domains is not None:
        await tenants.set_domains(ctx.tenant.id, domains)
    if diff or new_domains:
        ctx.tenant = await tenants.update(ctx.tenant.name, **diff)
        ctx.note(KEY, "updated")
    else:
        ctx.note(KEY, "unchanged")


async def export(ctx: AdminContext) -> dict[str, Any]:
    """The tenant's settings and its name, so that importing the export needs no --tenant."""
    if ctx.tenant is None:
        raise AdminError(f"tenant: no tenant named {ctx.tenant_name!r}")
    return {"name": ctx.tenant.name, **to_auth0(ctx.tenant)}
