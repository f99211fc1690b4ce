"""POST /oauth/access_token: a provider access token (Facebook, Google, Twitter, Weibo) for Ostiary tokens."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from tests.support.factories import TenantFixture
from tests.support.fake_providers import FakeProviders
from tests.support.jwks import verify
from tests.support.social import (
    API,
    GOOGLE_CLIENT_ID,
    error,
    fake_server,
    fakes,
    settings,
    social_app,
    users_of,
)

__all__ = ["fake_server", "fakes", "settings"]


async def post(tenant: TenantFixture, body: dict[str, Any], *, form: bool = False) -> httpx.Response:
    if form:
        return await tenant.http.post("/oauth/access_token", data=body)
    return await tenant.http.post("/oauth/access_token", json=body)


def facebook_token(fakes: FakeProviders, token: str = "EAAB-user-token", app_id: str | None = None) -> str:
    fakes.facebook_tokens[token] = {
        "debug": {"app_id": app_id or fakes.facebook_app[0], "is_valid": True, "user_id": "4242"},
        "me": {"id": "4242", "name": "Jane Roe", "first_name": "Jane", "last_name": "Roe",
               "email": "jane@example.com", "picture": {"data": {"url": "https://fb.example/jane.png"}}},
    }
    return token


def google_token(fakes: FakeProviders, token: str = "ya29.google", aud: str = GOOGLE_CLIENT_ID) -> str:
    fakes.google_tokens[token] = {
        "tokeninfo": {"aud": aud, "azp": aud, "sub": "1077", "scope": "openid email profile", "expires_in": "3599"},
        "userinfo": {"sub": "1077", "email": "g@example.com", "email_verified": True, "name": "Gee Oogle"},
    }
    return token


async def test_oidc_conformant_client_is_refused_as_auth0_does(tenant: TenantFixture, fakes: FakeProviders) -> None:
    app = await social_app(tenant, fakes, "facebook")
    response = await post(tenant, {"client_id": app.client.client_id, "access_token": facebook_token(fakes),
                                   "connection": "facebook", "scope": "openid"})
    assert (response.status_code, response.json()) == error(
        400, "invalid_request", "OIDC conformant clients cannot use /oauth/access_token"
    )
    assert response.headers["cache-control"] == "no-store"
    assert "facebook_debug_token" not in fakes.received


@pytest.mark.parametrize("form", [False, True], ids=["json", "form"])
async def test_facebook_access_token_signs_in(tenant: TenantFixture, fakes: FakeProviders, form: bool) -> None:
    app = await social_app(tenant, fakes, "facebook", oidc_conformant=False)
    response = await post(tenant, {"client_id": app.client.client_id, "access_token": facebook_token(fakes),
                                   "connection": "facebook", "scope": "openid profile email"}, form=form)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "id_token", "scope", "expires_in", "token_type"}
    assert body["scope"] == "openid profile email" and body["token_type"] == "Bearer"
    claims = await verify(tenant.http, body["id_token"], audience=app.client.client_id, issuer=tenant.issuer)
    assert claims["sub"] == "facebook|4242" and claims["name"] == "Jane Roe"
    assert claims["picture"] == "https://fb.example/jane.png"
    [me] = fakes.received["facebook_me"]
    assert me["query"]["fields"] == "id,name,first_name,last_name,email,picture" and me["query"]["appsecret_proof"]
    [user] = await users_of(tenant)
    assert (user.user_id, user.given_name, user.logins_count) == ("facebook|4242", "Jane", 1)


async def test_facebook_token_issued_to_another_app_is_refused(tenant: TenantFixture, fakes: FakeProviders) -> None:
    app = await social_app(tenant, fakes, "facebook", oidc_conformant=False)
    token = facebook_token(fakes, app_id="attacker-app")
    response = await post(tenant, {"client_id": app.client.client_id, "access_token": token, "connection": "facebook"})
    assert (response.status_code, response.json()) == error(403, "invalid_grant", "Invalid Facebook access token")
    assert "facebook_me" not in fakes.received
    assert await users_of(tenant) == []


async def test_google_access_token_signs_in_with_an_api_audience(tenant: TenantFixture, fakes: FakeProviders) -> None:
    app = await social_app(tenant, fakes, "google-oauth2", oidc_conformant=False)
    response = await post(tenant, {"client_id": app.client.client_id, "access_token": google_token(fakes),
                                   "connection": "google-oauth2", "scope": "openid email read:things",
                                   "audience": API})
    assert response.status_code == 200, response.text
    body = response.json()
    access = await verify(tenant.http, body["access_token"], audience=API, issuer=tenant.issuer)
    assert access["sub"] == "google-oauth2|1077" and access["scope"] == "openid email read:things"
    [sent] = fakes.received["google_userinfo"]
    assert sent["headers"]["authorization"] == "Bearer ya29.google"
    [user] = await users_of(tenant)
    assert (user.email, user.email_verified) == ("g@example.com", True)


async def test_google_token_of_an_allowed_mobile_client_is_accepted(
    tenant: TenantFixture, fakes: FakeProviders
) -> None:
    app = await social_app(tenant, fakes, "google-oauth2", oidc_conformant=False)
    token = google_token(fakes, aud="android-client.apps.googleusercontent.com")
    response = await post(tenant, {"client_id": app.client.client_id, "access_token": token,
                                   "connection": "google-oauth2"})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("other-app", error(403, "invalid_grant", "Invalid Google access token")),
        ("unknown", error(403, "invalid_grant", "Invalid Google access token")),
        ("userinfo-slow", error(503, "temporarily_unavailable", "Google did not answer in time")),
        ("tokeninfo-malformed", error(502, "server_error", "Invalid response from Google")),
    ],
    ids=["token-of-another-app", "unknown-token", "userinfo-slow", "tokeninfo-not-json"],
)
async def test_google_failures_create_nothing(
    tenant: TenantFixture, fakes: FakeProviders, setup: str, expected: tuple[int, dict[str, str]]
) -> None:
    app = await social_app(tenant, fakes, "google-oauth2", oidc_conformant=False)
    token = google_token(fakes, aud="attacker.apps.googleusercontent.com") if setup == "other-app" else (
        "nobody" if setup == "unknown" else google_token(fakes))
    if setup == "userinfo-slow":
        fakes.faults["google_userinfo"] = "slow"
    if setup == "tokeninfo-malformed":
        fakes.faults["google_tokeninfo"] = "malformed"
    response = await post(tenant, {"client_id": app.client.client_id, "access_token": token,
                                   "connection": "google-oauth2"})
    assert (response.status_code, response.json()) == expected
    assert await users_of(tenant) == []


def twitter_token(fakes: FakeProviders) -> tuple[str, str]:
    fakes.twitter_tokens["tw-token"] = {"secret": "tw-token-secret", "profile": {
        "id": 783214, "id_str": "783214", "name": "Twitter", "screen_name": "twitter",
        "profile_image_url_https": "https://pbs.twimg.com/p.png"}}
    return "tw-token", "tw-token-secret"


async def test_twitter_token_is_checked_with_an_oauth1_signature(tenant: TenantFixture, fakes: FakeProviders) -> None:
    app = await social_app(tenant, fakes, "twitter", oidc_conformant=False)
    token, secret = twitter_token(fakes)
    response = await post(tenant, {"client_id": app.client.client_id, "access_token": token,
                                   "access_token_secret": secret, "connection": "twitter", "scope": "openid profile"})
    assert response.status_code == 200, response.text
    claims = await verify(tenant.http, response.json()["id_token"], audience=app.client.client_id,
                          issuer=tenant.issuer)
    assert claims["sub"] == "twitter|783214" and claims["nickname"] == "twitter"
    [sent] = fakes.received["twitter_verify"]
    assert sent["headers"]["authorization"].startswith("OAuth ") and sent["query"] == {"include_email": "true"}


@pytest.mark.parametrize(
    ("secret", "expected"),
    [
        ("wrong-secret", error(403, "invalid_grant", "Invalid Twitter access token")),
        (None, error(400, "invalid_request", "Missing required parameter: access_token_secret")),
    ],
    ids=["wrong-token-secret", "missing-token-secret"],
)
async def test_twitter_rejections(
    tenant: TenantFixture, fakes: FakeProviders, secret: str | None, expected: tuple[int, dict[str, str]]
) -> None:
    app = await social_app(tenant, fakes, "twitter", oidc_conformant=False)
    token, _ = twitter_token(fakes)
    body = {"client_id": app.client.client_id, "access_token": token, "connection": "twitter"}
    if secret:
        body["access_token_secret"] = secret
    response = await post(tenant, body)
    assert (response.status_code, response.json()) == expected
    assert await users_of(tenant) == []


def weibo_token(fakes: FakeProviders, appkey: str = "weibo-app-key") -> str:
    fakes.weibo_tokens["2.00weibo"] = {
        "info": {"uid": 1404376560, "appkey": appkey, "scope": "", "create_at": 1, "expire_in": 157679999},
        "user": {"id": 1404376560, "idstr": "1404376560", "screen_name": "zaku", "name": "zaku",
                 "avatar_large": "https://tva.sinaimg.cn/zaku.jpg"},
    }
    return "2.00weibo"


async def test_weibo_token_signs_in(tenant: TenantFixture, fakes: FakeProviders) -> None:
    app = await social_app(tenant, fakes, "weibo", oidc_conformant=False)
    response = await post(tenant, {"client_id": app.client.client_id, "access_token": weibo_token(fakes),
                                   "connection": "weibo", "scope": "openid profile"})
    assert response.status_code == 200, response.text
    claims = await verify(tenant.http, response.json()["id_token"], audience=app.client.client_id,
                          issuer=tenant.issuer)
    assert claims["sub"] == "weibo|1404376560" and claims["picture"] == "https://tva.sinaimg.cn/zaku.jpg"
    assert fakes.received["weibo_users_show"][0]["query"]["uid"] == "1404376560"


async def test_weibo_token_of_another_app_is_refused(tenant: TenantFixture, fakes: FakeProviders) -> None:
    app = await social_app(tenant, fakes, "weibo", oidc_conformant=False)
    response = await post(tenant, {"client_id": app.client.client_id, "access_token": weibo_token(fakes, "other"),
                                   "connection": "weibo"})
    assert (response.status_code, response.json()) == error(403, "invalid_grant", "Invalid Weibo access token")
    assert await users_of(tenant) == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"connection": "github", "access_token": "t"},
         error(400, "invalid_request", "The connection github does not support provider access tokens")),
        ({"connection": "facebook"}, error(400, "invalid_request", "Missing required parameter: access_token")),
        ({"access_token": "t"}, error(400, "invalid_request", "Missing required parameter: connection")),
    ],
    ids=["unsupported-connection", "no-access-token", "no-connection"],
)
async def test_bad_requests(
    tenant: TenantFixture, fakes: FakeProviders, body: dict[str, str], expected: tuple[int, dict[str, str]]
) -> None:
    app = await social_app(tenant, fakes, "facebook", oidc_conformant=False)
    response = await post(tenant, {"client_id": app.client.client_id, **body})
    assert (response.status_code, response.json()) == expected


async def test_connection_not_enabled_for_the_client(tenant: TenantFixture, fakes: FakeProviders) -> None:
    app = await social_app(tenant, fakes, "facebook", oidc_conformant=False, enabled=False)
    response = await post(tenant, {"client_id": app.client.client_id, "access_token": facebook_token(fakes),
                                   "connection": "facebook"})
    assert (response.status_code, response.json()) == error(
        400, "invalid_request", "The facebook connection is not enabled for this client"
    )


async def test_unknown_client_is_unauthorized(tenant: TenantFixture, fakes: FakeProviders) -> None:
    response = await post(tenant, {"client_id": "nobody", "access_token": "t", "connection": "facebook"})
    assert (response.status_code, response.json()) == error(401, "access_denied", "Unauthorized")


async def test_blocked_user_is_unauthorized(tenant: TenantFixture, fakes: FakeProviders) -> None:
    app = await social_app(tenant, fakes, "google-oauth2", oidc_conformant=False)
    body = {"client_id": app.client.client_id, "access_token": google_token(fakes), "connection": "google-oauth2"}
    assert (await post(tenant, body)).status_code == 200
    [user] = await users_of(tenant)
    await tenant.repos_call(lambda r: r.users.update(user.user_id, blocked=True))
    response = await post(tenant, body)
    assert response.status_code == 401
    assert response.json() == {"error": "unauthorized", "error_description": "user is blocked"}
