"""Every security test logs in with cheap argon2 parameters (same code path; see tests/support/fast_passwords)."""

from __future__ import annotations

import pytest

from tests.support.fast_passwords import fast_passwords  # noqa: F401


@pytest.fixture(autouse=True)
def _cheap_passwords(fast_passwords: None) -> None:  # noqa: F811
    return None
