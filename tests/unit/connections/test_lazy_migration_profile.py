"""What lazy migration takes from the old tenant's /userinfo (pure)."""

from __future__ import annotations

import pytest

from ostiary.connections.lazy_migration import _profile
from ostiary.errors import UpstreamBadResponseError


def test_profile_claims_and_metadata_are_taken_and_odd_types_dropped() -> None:
    external_id, fields = _profile({
        "sub": "auth0|65f0aa", "email": "ann@example.com", "email_verified": True, "name": "Ann",
        "nickname": 7, "picture": None, "updated_at": "2024-01-01T00:00:00Z",
        "user_metadata": {"lang": "fr"}, "app_metadata": "not an object", "https://acme/roles": ["x"],
    })
    assert external_id == "65f0aa"
    assert fields == {"email": "ann@example.com", "email_verified": True, "name": "Ann",
                      "user_metadata": {"lang": "fr"}}


@pytest.mark.parametrize("sub", ["google-oauth2|1", "auth0|", "65f0aa", None])
def test_only_database_users_of_the_old_tenant_move(sub: object) -> None:
    with pytest.raises(UpstreamBadResponseError):
        _profile({"sub": sub, "email": "a@example.com"})
