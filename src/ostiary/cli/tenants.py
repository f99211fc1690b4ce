"""`ostiary tenants create|list|show|update|delete`."""

from __future__ import annotations

from typing import Annotated

import typer

from ostiary import entities
from ostiary.admin.provision import provision_tenant
from ostiary.admin.session import AdminSession
from ostiary.cli._common import JsonOpt, done, emit, run_admin

app = typer.Typer(help="Tenants: each answers on its own domain(s) with its own keys, clients and users.",
                  no_args_is_help=True)


def _text(t: entities.Tenant) -> str:
    return f"{t.name}\t{', '.join(t.domains)}\t{t.friendly_name or ''}"


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Tenant name.")],
    domain: Annotated[list[str], typer.Option("--domain", "-d", help="Host[:port] it answers on (repeatable).")],
    friendly_name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    default_audience: Annotated[str | None, typer.Option(help="Audience when a request names none.")] = None,
    default_directory: Annotated[str | None, typer.Option(help="Connection used by the password grant.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a tenant with its signing keys."""

    async def go(admin: AdminSession) -> entities.Tenant:
        return await provision_tenant(
            admin,
            name=name,
            domains=domain,
            friendly_name=friendly_name,
            default_audience=default_audience,
            default_directory=default_directory,
        )

    emit(run_admin(go), as_json=as_json, text=_text)


@app.command("list")
def list_(as_json: JsonOpt = False) -> None:
    """List tenants."""

    async def go(admin: AdminSession) -> list[entities.Tenant]:
        return await admin.tenants.all()

    emit(run_admin(go), as_json=as_json, text=lambda ts: "\n".join(_text(t) for t in ts))


@app.command("show")
def show(name: Annotated[str, typer.Argument()], as_json: JsonOpt = True) -> None:
    """Show one tenant."""

    async def go(admin: AdminSession) -> entities.Tenant:
        return await admin.tenants.require(name)

    emit(run_admin(go), as_json=True)


@app.command("update")
def update(
    name: Annotated[str, typer.Argument()],
    domain: Annotated[list[str] | None, typer.Option("--domain", "-d", help="Replace the domains.")] = None,
    friendly_name: Annotated[str | None, typer.Option()] = None,
    default_audience: Annotated[str | None, typer.Option()] = None,
    default_directory: Annotated[str | None, typer.Option()] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a tenant's fields (only those given)."""
    fields = {
        k: v
        for k, v in {
            "friendly_name": friendly_name,
            "default_audience": default_audience,
            "default_directory": default_directory,
        }.items()
        if v is not None
    }

    async def go(admin: AdminSession) -> entities.Tenant:
        tenant = await admin.tenants.require(name)
        if domain:
            await admin.tenants.set_domains(tenant.id, domain)
        return await admin.tenants.update(name, **fields)

    emit(run_admin(go), as_json=as_json, text=_text)


@app.command("delete")
def delete(name: Annotated[str, typer.Argument()], as_json: JsonOpt = False) -> None:
    """Delete a tenant and everything in it."""

    async def go(admin: AdminSession) -> None:
        await admin.tenants.delete(name)

    run_admin(go)
    done(f"deleted tenant {name}", as_json=as_json, deleted=name)
