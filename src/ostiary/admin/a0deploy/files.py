"""Fields that a0deploy writes as a path to a file beside tenant.yaml: the one table of them, and the one
function that reads them (inside the directory, keyword-replaced) for every section.

The table lists every such field a0deploy writes; whether a section serves it is the section's business
(left_out.py reports the sections Ostiary does not serve, whose references are then not read at all).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ostiary.admin.a0deploy.keywords import replace
from ostiary.errors import AdminError

# (section, field path inside one item; "*" is every key of a mapping)
FILE_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("actions", ("code",)),
    ("databases", ("options", "customScripts", "*")),
    ("pages", ("html",)),
    ("emailTemplates", ("body",)),
    ("rules", ("script",)),
    ("hooks", ("script",)),
    ("actionModules", ("code",)),
)


def _slots(container: Any, path: tuple[str, ...], where: str) -> Iterator[tuple[dict[str, Any], str, str]]:
    """(mapping, key, name) for every place the path reaches in one item."""
    if not isinstance(container, dict):
        return
    head, rest = path[0], path[1:]
    keys = list(container) if head == "*" else [head] if head in container else []
    for key in keys:
        if rest:
            yield from _slots(container[key], rest, f"{where}.{key}")
        else:
            yield container, key, f"{where}.{key}"


def read_reference(base_dir: Path, ref: Any, where: str, mappings: dict[str, Any]) -> str:
    if not isinstance(ref, str) or not ref.strip():
        raise AdminError(f"{where}: a path to a file")
    root = base_dir.resolve()
    path = (root / ref.replace("\\", "/")).resolve()
    if not path.is_relative_to(root):
        raise AdminError(f"{where}: {ref!r} is outside the configuration directory")
    try:
        return replace(path.read_text(encoding="utf-8"), mappings)
    except (OSError, UnicodeDecodeError) as exc:
        raise AdminError(f"{where}: cannot read {ref!r} ({exc})") from exc


def resolve(doc: dict[str, Any], base_dir: Path, mappings: dict[str, Any]) -> dict[str, str]:
    """Replace every file reference of FILE_FIELDS with the file's text, in place. Returns where each came
    from ("actions[0].code" -> "./actions/x/code.js") for sections that care about the file's kind."""
    sources: dict[str, str] = {}
    for section, path in FILE_FIELDS:
        items = doc.get(section)
        for index, item in enumerate(items if isinstance(items, list) else []):
            for mapping, key, where in _slots(item, path, f"{section}[{index}]"):
                ref = mapping[key]
                mapping[key] = read_reference(base_dir, ref, where, mappings)
                sources[where] = ref
    return sources
