"""Read an a0deploy configuration (tenant.yaml / .json, or the directory format) into a document the sections
import: keywords replaced, the less-safe check, what Ostiary does not serve taken out and reported."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ostiary.admin import import_file
from ostiary.admin.a0deploy import directory, left_out, weaker
from ostiary.admin.a0deploy.keywords import replace
from ostiary.errors import AdminError


@dataclass
class Loaded:
    doc: dict[str, Any]
    base_dir: Path
    keywords: dict[str, Any]
    left_out: dict[str, list[str]] = field(default_factory=dict)
    weaker: list[str] = field(default_factory=list)


def load(path: Path, *, keywords: dict[str, Any], accept_weaker: bool) -> Loaded:
    if path.is_dir() and (path / "tenant.yaml").is_file():
        path = path / "tenant.yaml"
    if path.is_dir():
        doc, base_dir = directory.read(path, keywords), path
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise AdminError(f"{path}: cannot read ({exc})") from exc
        doc = import_file.read_document(replace(text, keywords), source=str(path),
                                        as_json=path.suffix.lower() == ".json")
        base_dir = path.resolve().parent
    found = weaker.findings(doc)
    if found and not accept_weaker:
        raise AdminError(f"{found[0]} (this import would make the tenant less safe; --accept-weaker to go on)")
    report = left_out.strip(doc)
    import_file.check_sections(doc)
    return Loaded(doc=doc, base_dir=base_dir, keywords=keywords, left_out=report, weaker=found)
