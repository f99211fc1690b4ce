"""README's Settings table and .env.example stay true: every setting is in both, and nothing else is."""

from __future__ import annotations

import re

from ostiary.settings import Settings
from tests.support.live import ROOT

SETTINGS = {f"OSTIARY_{name.upper()}" for name in Settings.model_fields}


def test_every_setting_is_in_the_readme_table() -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Settings", 1)[1].split("\n## ", 1)[0]
    assert set(re.findall(r"^\| `(OSTIARY_[A-Z_]+)`", table, flags=re.M)) == SETTINGS


def test_every_setting_is_in_env_example() -> None:
    lines = (ROOT / ".env.example").read_text().splitlines()
    names = {line.split("=", 1)[0] for line in lines if line and not line.startswith("#")}
    assert SETTINGS <= names
    assert names - SETTINGS <= {"OSTIARY_TENANT", "POSTGRES_PASSWORD"}  # the CLI's and compose's own
