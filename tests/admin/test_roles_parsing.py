"""admin/roles.parse_permissions: Auth0's permission objects in, one-line errors naming the item out."""

from __future__ import annotations

import pytest

from ostiary.admin.roles import parse_permissions
from ostiary.entities import Permission
from ostiary.errors import AdminError


def test_accepts_auth0s_listing_shape_and_ignores_its_descriptive_keys() -> None:
    listed = [{"permission_name": "read:x", "resource_server_identifier": "https://api", "description": "Read",
               "resource_server_name": "API"}]
    assert parse_permissions("role.permissions", listed) == [Permission("https://api", "read:x")]
    assert parse_permissions("role.permissions", None) == []


@pytest.mark.parametrize(("value", "error"), [
    ("read:x", "role.permissions: expected a list"),
    ([{"permission_name": "read:x"}], "role.permissions[0]: expected {permission_name, resource_server_identifier}"),
    ([{"permission_name": "read:x", "resource_server_identifier": "https://api", "extra": 1}],
     "role.permissions[0]: expected"),
    ([{"permission_name": " ", "resource_server_identifier": "https://api"}],
     "role.permissions[0].permission_name: required"),
], ids=["not-a-list", "missing-key", "unknown-key", "blank-name"])
def test_rejects_malformed_permissions_naming_the_item(value: object, error: str) -> None:
    with pytest.raises(AdminError) as raised:
        parse_permissions("role.permissions", value)
    assert str(raised.value).startswith(error)
