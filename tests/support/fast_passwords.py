"""Cheap argon2id parameters for tests that log in many times (same algorithm and code path, less memory/time).

Production keeps passwords.py's defaults; verify reads the parameters from each stored hash, so hashes made
here verify the same way. Use: `pytestmark = pytest.mark.usefixtures("fast_passwords")`.
"""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from ostiary import passwords


@pytest.fixture
def fast_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", hasher)
    dummy = hasher.hash("ostiary-dummy-password-for-timing")
    monkeypatch.setattr(passwords, "_dummy_hash", lambda: dummy)
