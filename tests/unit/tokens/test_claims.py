"""tokens/claims.py: pure claim builders, table-tested (Auth0 §4.1, §4.2, §6.9)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from ostiary import entities
from ostiary.clock import iso8601
from ostiary.tokens import claims

UPDATED = datetime(2021, 10, 12, 9, 11, 30, 963000, tzinfo=UTC).timestamp()
USER = entities.User(
    id="pk",
    tenant_id="t",
    user_id="auth0|abc",
    email="ada@example.com",
    email_verified=True,
    name="Ada Lovelace",
    nickname="ada",
    picture="https://example.com/ada.png",
    given_name="Ada",
    family_name="Lovelace",
    updated_at=UPDATED,
)
PROFILE = {
    "name": "Ada Lovelace",
    "given_name": "Ada",
    "family_name": "Lovelace",
    "nickname": "ada",
    "picture": "https://example.com/ada.png",
    "updated_at": "2021-10-12T09:11:30.963Z",
}
EMAIL = {"email": "ada@example.com", "email_verified": True}


def test_updated_at_is_written_like_auth0() -> None:
    assert iso8601(UPDATED) == "2021-10-12T09:11:30.963Z"
    assert iso8601(datetime(2021, 1, 2, 3, 4, 5, tzinfo=UTC).timestamp()) == "2021-01-02T03:04:05.000Z"


@pytest.mark.parametrize(
    ("scopes", "expected"),
    [
        ([], {}),
        (["openid"], {}),
        (["openid", "profile"], PROFILE),
        (["openid", "email"], EMAIL),
        (["openid", "profile", "email"], {**PROFILE, **EMAIL}),
        (["openid", "read:things", "offline_access"], {}),
        (["phone", "address"], {}),
    ],
    ids=["none", "openid-only", "profile", "email", "profile-email", "api-scopes", "phone-address-without-data"],
)
def test_scope_releases_standard_claims(scopes: list[str], expected: dict[str, Any]) -> None:
    assert claims.profile_claims(USER, scopes) == expected


def test_email_verified_is_absent_without_an_email() -> None:
    user = entities.User(id="pk", tenant_id="t", user_id="auth0|x", email_verified=True)
    assert claims.profile_claims(user, ["email"]) == {}


@pytest.mark.parametrize(
    ("custom", "scopes", "expected"),
    [
        ({"https://example.com/role": "admin"}, ["openid"], {"https://example.com/role": "admin"}),
        ({"favorite_color": "blue"}, ["openid"], {"favorite_color": "blue"}),
        ({"sub": "forged", "iss": "x", "aud": "y", "gty": "z", "permissions": ["a"], "jti": "j"}, ["openid"], {}),
        ({"email": "hook@example.com", "name": "Hook"}, ["openid"], {}),
        ({"email": "hook@example.com", "name": "Hook"}, ["openid", "email"], {"email": "hook@example.com"}),
        ({"given_name": "G"}, ["openid", "profile"], {"given_name": "G"}),
    ],
    ids=["namespaced", "plain", "restricted", "profile-without-scope", "email-with-scope", "profile-with-scope"],
)
def test_custom_claims_filtering(custom: dict[str, Any], scopes: list[str], expected: dict[str, Any]) -> None:
    assert claims.allowed_custom_claims(custom, scopes) == expected


def test_access_token_claims_auth0_profile() -> None:
    built = claims.access_token_claims(
        issuer="https://t.test/",
        subject="client@clients",
        audience="https://api",
        client_id="client",
        scope="read:things",
        issued_at=1000,
        lifetime=86400,
        gty="client-credentials",
        custom={"https://x/y": 1, "sub": "forged", "scope": "admin", "permissions": ["admin"]},
    )
    assert built == {
        "https://x/y": 1,
        "iss": "https://t.test/",
        "sub": "client@clients",
        "aud": "https://api",
        "iat": 1000,
        "exp": 87400,
        "scope": "read:things",
        "azp": "client",
        "gty": "client-credentials",
    }


@pytest.mark.parametrize(
    ("gty", "permissions", "present"),
    [(None, None, set()), ("password", None, {"gty"}), (None, [], {"permissions"}), (None, ["a"], {"permissions"})],
    ids=["neither", "gty", "empty-permissions", "permissions"],
)
def test_access_token_optional_claims(gty: str | None, permissions: list[str] | None, present: set[str]) -> None:
    built = claims.access_token_claims(
        issuer="i", subject="s", audience="a", client_id="c", scope="", issued_at=0, lifetime=1,
        gty=gty, permissions=permissions,
    )
    assert {"gty", "permissions"} & set(built) == present


def test_id_token_claims_profile_by_scope_and_protocol_claims_win() -> None:
    built = claims.id_token_claims(
        issuer="https://t.test/",
        user=USER,
        client_id="client",
        scopes=["openid", "email"],
        issued_at=1000,
        lifetime=36000,
        nonce="n",
        auth_time=999.7,
        sid="s1",
        at_hash="ah",
        custom={"https://x/r": "r", "name": "hook-name", "aud": "evil"},
    )
    assert built == {
        "https://x/r": "r",
        **EMAIL,
        "iss": "https://t.test/",
        "sub": "auth0|abc",
        "aud": "client",
        "iat": 1000,
        "exp": 37000,
        "nonce": "n",
        "auth_time": 999,
        "sid": "s1",
        "at_hash": "ah",
    }


def test_id_token_omits_absent_optional_claims() -> None:
    built = claims.id_token_claims(
        issuer="i", user=USER, client_id="c", scopes=["openid"], issued_at=0, lifetime=10
    )
    assert set(built) == {"iss", "sub", "aud", "iat", "exp"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(None, []), ("", []), ("a b a", ["a", "b"]), ("  openid   profile ", ["openid", "profile"])],
    ids=["none", "empty", "duplicates", "spaces"],
)
def test_split_scope(raw: str | None, expected: list[str]) -> None:
    assert claims.split_scope(raw) == expected
    assert claims.join_scope(expected) == " ".join(expected)


def test_restricted_claims_list_matches_auth0() -> None:
    for name in ("jti", "gty", "permissions", "scope", "azp", "x5t#S256", "org_id", "sid", "nonce"):
        assert name in claims.RESTRICTED_CLAIMS
    assert "email" not in claims.RESTRICTED_CLAIMS


@pytest.mark.parametrize(
    ("ts", "expected"),
    [(0.0, "1970-01-01T00:00:00.000Z"), (30.9996, "1970-01-01T00:00:31.000Z"), (1.0005, "1970-01-01T00:00:01.000Z")],
    ids=["epoch", "rounds-up-into-next-second", "half-millisecond"],
)
def test_iso8601_rounds_to_whole_milliseconds(ts: float, expected: str) -> None:
    assert iso8601(ts) == expected
