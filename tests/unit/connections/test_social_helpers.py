"""Pure helpers of the social connections: profile cleaning, user_profile parsing, Apple's client secret."""

from __future__ import annotations

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ostiary import entities
from ostiary.connections import apple
from ostiary.connections.base import clean_attributes
from ostiary.errors import InvalidRequestError, ServerError, UnauthorizedClientError
from ostiary.oauth.grants.token_exchange import parse_user_profile

KEY = ec.generate_private_key(ec.SECP256R1())
PEM = KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                        serialization.NoEncryption()).decode()


def connection(**options: object) -> entities.Connection:
    return entities.Connection(id="c", name="apple", strategy="apple", options=dict(options), enabled_clients=())


def client(mobile: dict[str, object]) -> entities.Client:
    return entities.Client(id="i", tenant_id="t", client_id="cid", name="app", client_secret=None, mobile=mobile)


def test_clean_attributes_keeps_known_string_fields_and_parses_apple_booleans() -> None:
    assert clean_attributes({"email": " a@b.c ", "email_verified": "true", "name": "", "admin": True,
                             "picture": 5, "nickname": "x" * 2001}) == {"email": "a@b.c", "email_verified": True}
    assert clean_attributes({"email_verified": False}) == {"email_verified": False}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(None, None), ("", None), ('{"name": {"firstName": "J", "lastName": null}}',
                                {"name": {"firstName": "J", "lastName": None}})],
    ids=["absent", "empty", "apple-name"],
)
def test_parse_user_profile_accepts_flat_objects(raw: str | None, expected: object) -> None:
    assert parse_user_profile(raw) == expected


@pytest.mark.parametrize("raw", ["nope", "[]", '{"a": [1]}', '{"a": {"b": {"c": "d"}}}', '{"a": "' + "x" * 5000 + '"}'],
                         ids=["not-json", "array", "list-value", "too-deep", "too-large"])
def test_parse_user_profile_rejects_the_rest(raw: str) -> None:
    with pytest.raises(InvalidRequestError):
        parse_user_profile(raw)


def test_apple_client_secret_follows_apples_spec() -> None:
    conn = connection(team_id="TEAM", kid="KID1", app_secret=PEM)
    token = apple.client_secret(conn, client_id="com.example.app", now=1_700_000_000)
    assert jwt.get_unverified_header(token)["kid"] == "KID1"
    claims = jwt.decode(token, KEY.public_key(), algorithms=["ES256"], audience="https://appleid.apple.com",
                        options={"verify_exp": False, "verify_iat": False})
    assert claims == {"iss": "TEAM", "iat": 1_700_000_000, "exp": 1_700_000_300,
                      "aud": "https://appleid.apple.com", "sub": "com.example.app"}


@pytest.mark.parametrize("options", [{}, {"team_id": "T", "kid": "K", "app_secret": "not a pem"}],
                         ids=["unconfigured", "bad-pem"])
def test_apple_client_secret_misconfiguration_is_a_server_error(options: dict[str, str]) -> None:
    with pytest.raises(ServerError):
        apple.client_secret(connection(**options), client_id="x", now=0)


def test_apple_client_id_is_the_bundle_id_else_the_connections() -> None:
    assert apple.app_client_id(client({"ios": {"app_bundle_identifier": "com.b"}}), connection(client_id="svc")) == \
        "com.b"
    assert apple.app_client_id(client({}), connection(client_id="svc")) == "svc"
    with pytest.raises(UnauthorizedClientError):
        apple.app_client_id(client({}), connection())
