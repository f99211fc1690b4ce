"""Fixtures and seeds for the native-social and /oauth/access_token flows (import them into the test module).

`settings` here overrides the suite's: a short upstream timeout, so "the provider is slow" costs half a second.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ostiary import entities
from ostiary.connections.id_tokens import JWKS
from ostiary.settings import Settings
from tests.conftest import settings_for
from tests.support.factories import TenantFixture
from tests.support.fake_providers import FakeProviders, FakeProviderServer
from tests.support.jwks import verify

UPSTREAM_TIMEOUT = 1.5  # well under the slow fake's 3 s, well over a loaded machine's loopback answer
API = "https://api.example.com"
API_SCOPES = ["read:things", "write:things"]
BUNDLE_ID = "com.example.app"
TEAM_ID = "TEAM123456"
APPLE_KID = "SIWAKEY123"
GOOGLE_CLIENT_ID = "web-client.apps.googleusercontent.com"
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
APPLE_TYPE = "http://auth0.com/oauth/token-type/apple-authz-code"
FACEBOOK_TYPE = "http://auth0.com/oauth/token-type/facebook-info-session-access-token"
GOOGLE_TYPE = "http://auth0.com/oauth/token-type/google-id-token"
APPLE_SIGNING_KEY = ec.generate_private_key(ec.SECP256R1())
APPLE_P8 = APPLE_SIGNING_KEY.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
).decode()


@pytest.fixture(scope="session")
def fake_server() -> Iterator[FakeProviders]:
    server = FakeProviderServer()
    fakes = server.start()
    yield fakes
    server.stop()


@pytest.fixture
def fakes(fake_server: FakeProviders) -> FakeProviders:
    fake_server.reset()
    JWKS.clear()
    return fake_server


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_for(database_url, upstream_timeout_seconds=UPSTREAM_TIMEOUT)


def connection_options(fakes: FakeProviders, strategy: str) -> dict[str, Any]:
    return {
        "apple": {
            "client_id": "com.example.services", "team_id": TEAM_ID, "kid": APPLE_KID, "app_secret": APPLE_P8,
            "token_endpoint": fakes.url("/apple/auth/token"), "jwks_uri": fakes.url("/apple/auth/keys"),
        },
        "google-oauth2": {
            "client_id": GOOGLE_CLIENT_ID, "client_secret": "google-secret",
            "allowed_audiences": ["android-client.apps.googleusercontent.com"],
            "jwks_uri": fakes.url("/google/oauth2/v3/certs"), "tokeninfo_endpoint": fakes.url("/google/tokeninfo"),
            "userinfo_endpoint": fakes.url("/google/userinfo"),
        },
        "facebook": {
            "client_id": fakes.facebook_app[0], "client_secret": fakes.facebook_app[1],
            "api_base_url": fakes.url("/facebook"),
        },
        "twitter": {
            "consumer_key": fakes.twitter_consumer[0], "consumer_secret": fakes.twitter_consumer[1],
            "api_base_url": fakes.url("/twitter"),
        },
        "weibo": {"client_id": "weibo-app-key", "client_secret": "weibo-secret", "api_base_url": fakes.url("/weibo")},
    }[strategy]


@dataclass
class SocialApp:
    client: entities.Client
    connection: entities.Connection


async def social_app(
    tenant: TenantFixture,
    fakes: FakeProviders,
    strategy: str,
    *,
    native: dict[str, Any] | None = None,
    enabled: bool = True,
    options: dict[str, Any] | None = None,
    **client_fields: Any,
) -> SocialApp:
    """An API, a public native client with native social on, and the strategy's connection enabled for it."""
    if await tenant.repos_call(lambda r: r.resource_servers.by_identifier(API)) is None:
        await tenant.api(API, scopes=API_SCOPES, allow_offline_access=True)
    flag = {"apple": "apple", "google-oauth2": "google", "facebook": "facebook"}.get(strategy)
    client_fields.setdefault("app_type", "native")
    client_fields.setdefault("token_endpoint_auth_method", "none")
    client_fields.setdefault("native_social_login", native if native is not None else ({flag: {"enabled": True}}
                                                                                        if flag else {}))
    client_fields.setdefault("mobile", {"ios": {"team_id": TEAM_ID, "app_bundle_identifier": BUNDLE_ID}})
    client = await tenant.client(**client_fields)
    connection = await tenant.connection(
        strategy, strategy=strategy, options={**connection_options(fakes, strategy), **(options or {})},
        enabled_clients=[client.client_id] if enabled else [],
    )
    return SocialApp(client=client, connection=connection)


async def exchange(
    tenant: TenantFixture, client_id: str, subject_token: str, subject_token_type: str, **extra: str
) -> httpx.Response:
    form = {"grant_type": TOKEN_EXCHANGE, "client_id": client_id, "subject_token": subject_token,
            "subject_token_type": subject_token_type, **extra}
    headers = {"DPoP": extra.pop("dpop")} if "dpop" in extra else None
    form.pop("dpop", None)
    return await tenant.http.post("/oauth/token", data=form, headers=headers)


async def verified_tokens(
    tenant: TenantFixture, body: dict[str, Any], client_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(access-token claims, ID-token claims), both checked against the tenant's published JWKS."""
    access = await verify(tenant.http, body["access_token"], audience=API, issuer=tenant.issuer)
    id_claims = await verify(tenant.http, body["id_token"], audience=client_id, issuer=tenant.issuer)
    return access, id_claims


async def users_of(tenant: TenantFixture) -> list[entities.User]:
    return await tenant.repos_call(lambda r: r.users.all())  # type: ignore[no-any-return]


def error(status: int, code: str, description: str) -> tuple[int, dict[str, str]]:
    return status, {"error": code, "error_description": description}
