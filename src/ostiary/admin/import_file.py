"""`ostiary import` / `ostiary export`: Auth0 Deploy CLI files (YAML or JSON), applied in one transaction.

A file is a mapping of sections; each section is one module under admin/sections, run in the order of
SECTIONS (references point backwards: grants and connections name clients created before them).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml

from ostiary.admin.a0deploy import files
from ostiary.admin.sections import (
    actions,
    client_grants,
    clients,
    connections,
    databases,
    email_provider,
    email_templates,
    guardian_factors,
    guardian_policies,
    resource_servers,
    roles,
    tenant,
    triggers,
    users,
)
from ostiary.admin.sections.base import AdminContext, Section
from ostiary.admin.session import AdminSession
from ostiary.errors import AdminError

SECTIONS: tuple[Section, ...] = (
    tenant,
    clients,
    resource_servers,
    client_grants,
    connections,
    databases,
    roles,
    users,
    actions,
    triggers,
    email_provider,
    email_templates,
    guardian_policies,
    guardian_factors,
)


def read_document(text: str, *, source: str, as_json: bool) -> dict[str, Any]:
    """The document as a mapping (any keys), or AdminError naming the line."""
    try:
        doc = json.loads(text) if as_json else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise AdminError(f"{source}: not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise AdminError(f"{source}: not valid YAML ({where}{getattr(exc, 'problem', None) or exc})") from exc
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise AdminError(f"{source}: expected a mapping of sections (tenant, clients, ...)")
    return doc


def check_sections(doc: dict[str, Any]) -> None:
    known = [s.KEY for s in SECTIONS]
    unknown = [f"{key}: unknown section (known: {', '.join(known)})" for key in doc if key not in known]
    if unknown:
        raise AdminError("\n".join(unknown))


def tenant_name_for(doc: dict[str, Any], given: str | None) -> str:
    """--tenant, else the file's tenant.name, else its first tenant domain."""
    if given:
        return given
    section = doc.get("tenant")
    if isinstance(section, dict):
        if isinstance(section.get("name"), str):
            return str(section["name"])
        if isinstance(section.get("domain"), str):
            return str(section["domain"])
        domains = section.get("domains")
        if isinstance(domains, list) and domains and isinstance(domains[0], str):
            return domains[0]
    raise AdminError("tenant: give --tenant NAME (or tenant.name / tenant.domain in the file)")


async def import_document(
    admin: AdminSession,
    doc: dict[str, Any],
    tenant_name: str,
    *,
    base_dir: Path | None = None,
    keywords: dict[str, Any] | None = None,
) -> AdminContext:
    """Apply every section present, in SECTIONS order, and report every error found (one per line) as one
    AdminError at the end. The caller's transaction makes it all or nothing. Fields that name a file (action
    code, ...) are read first, relative to base_dir, keyword-replaced."""
    doc = copy.deepcopy(doc)
    ctx = AdminContext(
        admin=admin,
        tenant_name=tenant_name,
        tenant=await admin.tenants.by_name(tenant_name),
        base_dir=base_dir or Path.cwd(),
    )
    ctx.file_sources = files.resolve(doc, ctx.base_dir, keywords or {})
    for section in SECTIONS:
        if section.KEY in doc:
            try:
                await section.apply(ctx, doc[section.KEY])
            except AdminError as exc:
                ctx.errors.append(str(exc))
        if ctx.tenant is None:  # only the tenant section may create the tenant; nothing else can be checked
            if not ctx.errors:
                ctx.errors.append(
                    f"tenant: no tenant named {tenant_name!r} (give tenant.domain in the file to create it)"
                )
            break
    if ctx.errors:
        raise AdminError("\n".join(ctx.errors))
    return ctx


async def export_document(
    admin: AdminSession, tenant_name: str, *, include_secrets: bool, base_dir: Path | None = None
) -> dict[str, Any]:
    tenant_ = await admin.tenants.require(tenant_name)
    ctx = AdminContext(
        admin=admin,
        tenant_name=tenant_name,
        tenant=tenant_,
        include_secrets=include_secrets,
        base_dir=base_dir or Path.cwd(),
    )
    return {section.KEY: await section.export(ctx) for section in SECTIONS if section is not databases}


def dump(doc: dict[str, Any], *, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(doc, indent=2) + "\n"
    return str(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
