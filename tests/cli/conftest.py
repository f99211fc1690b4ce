"""CLI tests run synchronously (the CLI runs its own event loop) on a migrated database of each backend."""

from __future__ import annotations

import pytest

from tests.support.cli import Cli


@pytest.fixture
def cli(database_url: str) -> Cli:
    return Cli(database_url)
