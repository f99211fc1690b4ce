"""`ostiary import FILE` and `ostiary export`: Auth0 Deploy CLI files (see admin/import_file.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ostiary.admin import import_file
from ostiary.admin.session import AdminSession
from ostiary.cli._common import JsonOpt, emit, fail, run_admin

OptionalTenantOpt = Annotated[
    str | None, typer.Option("--tenant", "-t", help="Tenant name.", envvar="OSTIARY_TENANT")
]


def _summary(counts: dict[str, int]) -> str:
    return "\n".join(f"{key}\t{n}" for key, n in sorted(counts.items())) or "nothing to import"


def import_(
    file: Annotated[Path, typer.Argument(help="A YAML or JSON file (.json is read as JSON).")],
    tenant: OptionalTenantOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create or update a tenant's objects from a Deploy CLI file, all or nothing."""

    async def go(admin: AdminSession) -> dict[str, int]:
        doc = import_file.load(file)
        ctx = await import_file.import_document(
            admin, doc, import_file.tenant_name_for(doc, tenant), base_dir=file.resolve().parent
        )
        return dict(ctx.counts)

    emit(run_admin(go), as_json=as_json, text=_summary)


def export(
    tenant: OptionalTenantOpt = None,
    include_secrets: Annotated[
        bool, typer.Option("--include-secrets", help="Also write client and API signing secrets.")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", help="yaml or json.")] = "yaml",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
) -> None:
    """Write a tenant's objects in the Deploy CLI format that `ostiary import` reads."""
    if fmt not in ("yaml", "json"):
        fail(f"--format: {fmt!r} is not yaml or json")
    if not tenant:
        fail("tenant: give --tenant NAME")
    name = str(tenant)

    async def go(admin: AdminSession) -> str:
        base_dir = output.resolve().parent if output else Path.cwd()
        doc = await import_file.export_document(admin, name, include_secrets=include_secrets, base_dir=base_dir)
        return import_file.dump(doc, fmt=fmt)

    text = run_admin(go)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
