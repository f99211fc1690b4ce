"""a0deploy's keyword replacement, applied to the text of every file before it is parsed (src/tools/utils.ts):
`@@KEY@@` (optionally quoted) becomes the JSON of the value, then `##KEY##` becomes the value as it is."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ostiary.errors import AdminError

CONFIG_KEY = "AUTH0_KEYWORD_REPLACE_MAPPINGS"


def replace(text: str, mappings: dict[str, Any]) -> str:
    for key, value in mappings.items():
        pattern = re.escape(f"@@{key}@@")
        as_json = json.dumps(value)
        text = re.sub(f"'{pattern}'|\"{pattern}\"|{pattern}", lambda _m: as_json, text)  # noqa: B023
    for key, value in mappings.items():
        text = text.replace(f"##{key}##", value if isinstance(value, str) else json.dumps(value))
    return text


def mappings(keywords: list[str] | None, config: Path | None) -> dict[str, Any]:
    """From a0deploy's config.json (AUTH0_KEYWORD_REPLACE_MAPPINGS), then --keyword KEY=VALUE (wins)."""
    out: dict[str, Any] = {}
    if config is not None:
        try:
            doc = json.loads(config.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise AdminError(f"--config {config}: cannot read a JSON object ({exc})") from exc
        found = doc.get(CONFIG_KEY, {}) if isinstance(doc, dict) else None
        if not isinstance(found, dict):
            raise AdminError(f"--config {config}: {CONFIG_KEY} must be an object")
        out.update(found)
    for pair in keywords or []:
        key, sep, value = pair.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z0-9_]+", key):
            raise AdminError(f"--keyword: {pair!r} is not KEY=VALUE")
        out[key] = value
    return out
