"""`ostiary --version`, and help that names value kinds as click does (TEXT, INTEGER, PATH), not `<str>`."""

from __future__ import annotations

import re
from pathlib import Path

from tests.cli.test_database_problems import run


def test_version() -> None:
    result = run(["--version"], cwd=Path.cwd(), env={})
    assert result.exit_code == 0 and result.stdout.strip() == "ostiary 0.1.0"


def test_help_shows_click_metavars() -> None:
    pages = {args: run([*args, "--help"], cwd=Path.cwd(), env={"COLUMNS": "200"}).stdout
             for args in (("clients", "create"), ("serve",), ("import",), ("users", "show"))}
    for page in pages.values():
        assert not re.search(r"<(str|int|bool|path|list\[str\])>", page), page
    assert re.search(r"--name\s+TEXT", pages[("clients", "create")])
    assert re.search(r"--port\s+INTEGER", pages[("serve",)])
    assert re.search(r"FILE\s+PATH", pages[("import",)])
    assert "USER" in pages[("users", "show")]
