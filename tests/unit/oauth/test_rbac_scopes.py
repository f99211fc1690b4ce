"""The one RBAC scope decision (oauth/scopes.permitted) and the permissions claim, as pure functions."""

from __future__ import annotations

import pytest

from ostiary import entities
from ostiary.oauth.scopes import permissions_claim, permitted


def api(**fields: object) -> entities.Api:
    values: dict[str, object] = {"id": "a1", "tenant_id": "t1", "identifier": "https://api", "name": "API",
                                 "scopes": ("read:x", "write:x", "delete:x"), **fields}
    return entities.Api(**values)  # type: ignore[arg-type]


REQUESTED = ["openid", "profile", "offline_access", "read:x", "write:x"]


@pytest.mark.parametrize(("held", "expected"), [
    (frozenset(), ["openid", "profile", "offline_access"]),
    (frozenset({"write:x"}), ["openid", "profile", "offline_access", "write:x"]),
    (frozenset({"read:x", "write:x", "delete:x"}), REQUESTED),
], ids=["nothing", "some", "everything-and-more"])
def test_enforced_api_grants_the_requested_scopes_the_user_holds_plus_oidc(held: frozenset[str],
                                                                           expected: list[str]) -> None:
    assert permitted(REQUESTED, api(enforce_policies=True), held) == expected


def test_without_enforce_policies_or_an_api_nothing_changes() -> None:
    assert permitted(REQUESTED, api(), frozenset()) == REQUESTED
    assert permitted(["openid", "email"], None, frozenset()) == ["openid", "email"]


def test_permissions_claim_only_for_rbac_with_an_authz_dialect_in_the_apis_order() -> None:
    held = {"delete:x", "read:x", "not-of-this-api"}
    assert permissions_claim(api(enforce_policies=True, token_dialect="access_token_authz"), held) == [
        "read:x", "delete:x"]
    assert permissions_claim(api(enforce_policies=True, token_dialect="rfc9068_profile_authz"), set()) == []
    assert permissions_claim(api(enforce_policies=True, token_dialect="access_token"), held) is None
    assert permissions_claim(api(token_dialect="access_token_authz"), held) is None
