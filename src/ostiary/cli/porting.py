"""`ostiary import FILE` and `ostiary export`: Auth0 Deploy CLI files (see admin/import_file.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ostiary.admin import import_file
from ostiary.admin.a0deploy import export as a0deploy_export
from ostiary.admin.a0deploy import keywords
from ostiary.admin.a0deploy import load as a0deploy
from ostiary.admin.session import AdminSession
from ostiary.cli._common import JsonOpt, emit, fail, run_admin

OptionalTenantOpt = Annotated[
    str | None, typer.Option("--tenant", "-t", help="Tenant name.", envvar="OSTIARY_TENANT")
]


def _summary(counts: dict[str, int]) -> str:
    return "\n".join(f"{key}\t{n}" for key, n in sorted(counts.items())) or "nothing to import"


def _report(loaded: a0deploy.Loaded, *, dry_run: bool) -> None:
    """What was left out, section by section, on stderr (stdout keeps the counts)."""
    for section, items in sorted(loaded.left_out.items()):
        typer.echo(f"left out {section}: {', '.join(items)}", err=True)
    for finding in loaded.weaker:
        typer.echo(f"accepted weaker: {finding}", err=True)
    if dry_run:
        typer.echo("dry run: nothing was written", err=True)


def import_(
    file: Annotated[Path, typer.Argument(help="tenant.yaml / a JSON file, or a0deploy's directory format.")],
    tenant: OptionalTenantOpt = None,
    keyword: Annotated[
        list[str] | None, typer.Option("--keyword", help="a0deploy keyword replacement KEY=VALUE (repeatable).")
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="a0deploy config.json (AUTH0_KEYWORD_REPLACE_MAPPINGS).")
    ] = None,
    accept_weaker: Annotated[
        bool, typer.Option("--accept-weaker", help="Import even when a left-out setting made Auth0 safer.")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print what would change; write nothing.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Create or update a tenant's objects from a Deploy CLI configuration, all or nothing."""

    async def go(admin: AdminSession) -> tuple[dict[str, int], a0deploy.Loaded]:
        loaded = a0deploy.load(file, keywords=keywords.mappings(keyword, config), accept_weaker=accept_weaker)
        ctx = await import_file.import_document(
            admin, loaded.doc, import_file.tenant_name_for(loaded.doc, tenant), base_dir=loaded.base_dir,
            keywords=loaded.keywords,
        )
        if dry_run:
            await admin.session.rollback()
        return dict(ctx.counts), loaded

    counts, loaded = run_admin(go)
    _report(loaded, dry_run=dry_run)
    emit(counts, as_json=as_json, text=_summary)


def export(
    tenant: OptionalTenantOpt = None,
    include_secrets: Annotated[
        bool, typer.Option("--include-secrets", help="Also write client and API signing secrets.")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", help="yaml, json, or a0deploy (a directory, with -o).")] = "yaml",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
) -> None:
    """Write a tenant's objects in the Deploy CLI format that `ostiary import` reads."""
    if fmt not in ("yaml", "json", "a0deploy"):
        fail(f"--format: {fmt!r} is not yaml, json or a0deploy")
    if not tenant:
        fail("tenant: give --tenant NAME")
    name = str(tenant)
    if fmt == "a0deploy":
        if output is None:
            fail("--format a0deploy: give -o DIR (tenant.yaml and its files are written there)")
        directory = Path(str(output))
        directory.mkdir(parents=True, exist_ok=True)

        async def layout(admin: AdminSession) -> str:
            return await a0deploy_export.tenant_yaml(admin, name, directory, include_secrets=include_secrets)

        (directory / "tenant.yaml").write_text(run_admin(layout), encoding="utf-8")
        typer.echo(f"wrote {directory / 'tenant.yaml'}", err=True)
        return

    async def go(admin: AdminSession) -> str:
        base_dir = output.resolve().parent if output else Path.cwd()
        doc = await import_file.export_document(admin, name, include_secrets=include_secrets, base_dir=base_dir)
        return import_file.dump(doc, fmt=fmt)

    text = run_admin(go)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
