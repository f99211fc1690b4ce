"""`ostiary export --format a0deploy -o DIR`: tenant.yaml with its files beside it, as a0deploy writes them
(database connections under `databases:`), so the directory imports back with `ostiary import DIR`."""

from __future__ import annotations

from pathlib import Path

from ostiary.admin import import_file
from ostiary.admin.session import AdminSession


async def tenant_yaml(admin: AdminSession, tenant_name: str, directory: Path, *, include_secrets: bool) -> str:
    """The text of DIR/tenant.yaml; the files it refers to (action code) are written into DIR meanwhile."""
    doc = await import_file.export_document(admin, tenant_name, include_secrets=include_secrets,
                                            base_dir=directory)
    connections = doc.get("connections") or []
    doc["databases"] = [c for c in connections if c.get("strategy") == "auth0"]
    doc["connections"] = [c for c in connections if c.get("strategy") != "auth0"]
    for database in doc["databases"]:
        database.pop("strategy")
    return import_file.dump(doc, fmt="yaml")
