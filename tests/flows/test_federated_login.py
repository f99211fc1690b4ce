"""Browser logins through identity providers over HTTP: /authorize?connection=NAME and the login page's
buttons, through loopback fakes of Google, Apple (form_post), GitHub and a generic OpenID Provider, resumed at
/authorize exactly as a database login (SSO session, hooks, response types and modes, prompt=none).

The provider's tokens are stored encrypted on the identity, never in Ostiary's tokens; every refusal (cancel,
provider error, forged or replayed answer, another browser) and every outage has its test.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select
from tests.support.browser_login import (
    CALLBACK,
    WebApp,
    assert_error_page,
    authorize_params,
    exchange_code,
    response_params,
    web_app,
)
from tests.support.factories import TenantFixture
from tests.support.fake_idps import FakeIdp, FakeIdps
from tests.support.fake_providers import closed_port_url
from tests.support.federated import (
    at_provider,
    back_at_ostiary,
    form_fields,
    idp_server,
    idps,
    provider_login,
    resume,
    settings,
)
from tests.support.hooks import add_hook
from tests.support.jwks import verify

from ostiary import entities
from ostiary.store.models import Identity

__all__ = ["idp_server", "idps", "settings"]

GOOGLE_USER = {"sub": "10769150350006150715113082367", "email": "ada@gmail.com", "email_verified": True,
               "name": "Ada Lovelace", "given_name": "Ada", "family_name": "Lovelace",
               "picture": "https://lh3.example/ada.png"}


async def connect(app: WebApp, idp: FakeIdp, name: str, strategy: str, **options: Any) -> entities.Connection:
    return await app.tenant.connection(
        name, strategy=strategy, options={**idp.options(), **options}, enabled_clients=[app.client.client_id]
    )


async def google_app(tenant: TenantFixture, idps: FakeIdps, **client: Any) -> WebApp:
    app = await web_app(tenant, **client)
    await connect(app, idps.google, "google-oauth2", "google-oauth2")
    idps.google.user = dict(GOOGLE_USER)
    return app


async def verified(tenant: TenantFixture, token: str, audience: str) -> dict[str, Any]:
    return await verify(tenant.http, token, audience=audience, issuer=tenant.issuer)


async def tokens_for(app: WebApp, answer: httpx.Response) -> dict[str, Any]:
    params = response_params(answer)
    assert "code" in params, params
    tokens = await exchange_code(app, params["code"])
    assert tokens.status_code == 200, tokens.text
    return dict(tokens.json())


async def test_connection_parameter_logs_in_through_google_and_resumes_the_request(
    tenant: TenantFixture, idps: FakeIdps
) -> None:
    app = await web_app(tenant)
    idps.google.user = dict(GOOGLE_USER)
    # Auth0's upstream_params: a static value, and one copied from the /authorize request; never a protocol one.
    await connect(app, idps.google, "google-oauth2", "google-oauth2", upstream_params={
        "hd": {"value": "gmail.com"}, "login_hint": {"alias": "login_hint"}, "state": {"value": "forced"},
        "uri": {"value": "x"}})
    params = authorize_params(app, connection="google-oauth2", nonce="app-nonce", login_hint="ada@gmail.com")
    leaving = await app.http.get("/authorize", params=params)
    sent = parse_qs(urlsplit(leaving.headers["location"]).query)
    assert sent["hd"] == ["gmail.com"] and sent["login_hint"] == ["ada@gmail.com"] and sent["state"] != ["forced"]
    # PKCE (S256), nonce and state toward Google; Ostiary's callback; email and profile asked by default.
    assert sent["redirect_uri"] == [f"{tenant.issuer}login/callback"] and sent["response_type"] == ["code"]
    assert sent["code_challenge_method"] == ["S256"] and sent["nonce"] and sent["state"]
    assert sent["scope"] == ["openid email profile"] and sent["client_id"] == ["google-web-client"]
    # The upstream state is not the login transaction's (which never leaves Ostiary).
    answer = await resume(app, await back_at_ostiary(app, await at_provider(leaving)))
    got = response_params(answer)
    assert got["state"] == params["state"] and got["iss"] == tenant.issuer
    assert idps.google.last("token")["form"]["code_verifier"]
    tokens = await tokens_for(app, answer)
    claims = await verified(tenant, tokens["id_token"], app.client.client_id)
    assert claims["sub"] == f"google-oauth2|{GOOGLE_USER['sub']}" and claims["nonce"] == "app-nonce"
    assert claims["email"] == "ada@gmail.com" and claims["nickname"] == "ada" and claims["email_verified"] is True
    # The provider's access token is nowhere in Ostiary's tokens.
    assert all("google-at" not in json.dumps(v) for v in (tokens, claims))

    user = await tenant.repos_call(lambda r: r.users.by_user_id(claims["sub"]))
    assert user.name == "Ada Lovelace" and user.picture == GOOGLE_USER["picture"]
    [identity] = user.identities
    assert identity.as_auth0() == {"connection": "google-oauth2", "provider": "google-oauth2",
                                   "user_id": GOOGLE_USER["sub"], "isSocial": True}
    stored = await tenant.repos_call(lambda r: r.users.idp_tokens(connection="google-oauth2",
                                                                   external_id=GOOGLE_USER["sub"]))
    assert stored["access_token"].startswith("google-at-") and stored["expires_in"] == 3600
    raw = await tenant.repos_call(lambda r: r.session.scalar(select(Identity.idp_tokens).where(
        Identity.tenant_id == tenant.tenant.id, Identity.external_id == GOOGLE_USER["sub"])))
    assert raw and "google-at" not in raw  # encrypted at rest

    # The SSO session answers prompt=none; the next provider login finds the same user.
    silent = await app.http.get("/authorize", params=authorize_params(app, prompt="none"))
    assert "code" in response_params(silent)
    again = await provider_login(app, authorize_params(app, connection="google-oauth2", prompt="login"))
    assert "code" in response_params(again)
    users = await tenant.repos_call(lambda r: r.users.all())
    assert [u.user_id for u in users if u.user_id.startswith("google")] == [claims["sub"]]
    assert (await tenant.repos_call(lambda r: r.users.by_user_id(claims["sub"]))).logins_count == 3


@pytest.mark.parametrize(("response_type", "mode"), [("id_token token", "fragment"), ("code id_token", "form_post")])
async def test_every_response_type_and_mode_after_a_provider_login(
    tenant: TenantFixture, idps: FakeIdps, response_type: str, mode: str
) -> None:
    app = await google_app(tenant, idps, grant_types=["authorization_code", "implicit", "refresh_token"])
    params = authorize_params(app, connection="google-oauth2", response_type=response_type, response_mode=mode,
                              nonce="n-1")
    got = response_params(await provider_login(app, params))
    claims = await verified(tenant, got["id_token"], app.client.client_id)
    assert claims["sub"].startswith("google-oauth2|") and claims["nonce"] == "n-1"
    assert got["state"] == params["state"]


async def test_login_page_shows_a_button_per_enabled_connection_beside_the_form(
    tenant: TenantFixture, idps: FakeIdps
) -> None:
    app = await google_app(tenant, idps)
    await connect(app, idps.github, "github", "github")
    await tenant.connection("disabled-oidc", strategy="oidc", options=idps.oidc.options(), enabled_clients=[])
    first = await app.http.get("/authorize", params=authorize_params(app))
    page = await app.http.get(first.headers["location"])
    assert 'name="password"' in page.text
    assert "Continue with Google" in page.text and "Continue with GitHub" in page.text
    assert "disabled-oidc" not in page.text
    assert 'action="/u/login/federated"' in page.text
    _, fields = form_fields(page.text)
    state, csrf = fields["state"], fields["_csrf"]
    leaving = await app.http.post("/u/login/federated", data={"state": state, "_csrf": csrf, "connection": "github"})
    assert leaving.headers["location"].startswith(idps.github.url("/login/oauth/authorize"))
    forged = await app.http.post("/u/login/federated", data={"state": state, "_csrf": "x", "connection": "github"})
    assert_error_page(forged, 403)


async def test_a_client_without_a_database_connection_sees_the_buttons_alone(
    tenant: TenantFixture, idps: FakeIdps
) -> None:
    client = await tenant.client(callbacks=[CALLBACK])
    await tenant.connection("google-oauth2", strategy="google-oauth2", options=idps.google.options(),
                            enabled_clients=[client.client_id])
    first = await tenant.http.get("/authorize", params={
        "response_type": "code", "client_id": client.client_id, "redirect_uri": CALLBACK, "scope": "openid"})
    page = await tenant.http.get(first.headers["location"])
    assert page.status_code == 200 and "Continue with Google" in page.text and 'name="password"' not in page.text


async def test_github_login_takes_the_primary_verified_email(tenant: TenantFixture, idps: FakeIdps) -> None:
    app = await web_app(tenant)
    await connect(app, idps.github, "github", "github")
    idps.github.user = {"id": 583231, "login": "octocat", "name": "The Octocat", "email": None,
                        "avatar_url": "https://avatars.example/583231",
                        "emails": [{"email": "old@example.com", "primary": False, "verified": True},
                                   {"email": "octo@example.com", "primary": True, "verified": True}]}
    tokens = await tokens_for(app, await provider_login(app, authorize_params(app, connection="github")))
    claims = await verified(tenant, tokens["id_token"], app.client.client_id)
    assert claims["sub"] == "github|583231" and claims["nickname"] == "octocat"
    assert claims["email"] == "octo@example.com" and claims["email_verified"] is True
    sent = idps.github.last("authorize")["query"]
    assert sent["scope"] == "user:email" and sent["code_challenge_method"] == "S256"


async def test_apple_form_post_login_with_the_es256_client_secret_and_first_login_name(
    tenant: TenantFixture, idps: FakeIdps
) -> None:
    app = await web_app(tenant)
    await connect(app, idps.apple, "apple", "apple")
    idps.apple.user = {"sub": "001234.abcdef", "email": "x7@privaterelay.appleid.com", "email_verified": "true",
                       "user": json.dumps({"name": {"firstName": "Grace", "lastName": "Hopper"}})}
    leaving = await app.http.get("/authorize", params=authorize_params(app, connection="apple"))
    sent = parse_qs(urlsplit(leaving.headers["location"]).query)
    assert sent["response_mode"] == ["form_post"] and sent["scope"] == ["name email"]
    answer = await at_provider(leaving)
    assert 'method="post"' in answer.text
    tokens = await tokens_for(app, await resume(app, await back_at_ostiary(app, answer)))
    claims = await verified(tenant, tokens["id_token"], app.client.client_id)
    assert claims["sub"] == "apple|001234.abcdef" and claims["name"] == "Grace Hopper"
    assert claims["email_verified"] is True


async def test_a_form_post_without_the_browser_cookie_is_posted_again_from_our_page(
    tenant: TenantFixture, idps: FakeIdps
) -> None:
    """A cross-site POST carries no SameSite=Lax cookie: our page re-posts it; a browser without it is refused."""
    app = await web_app(tenant)
    await connect(app, idps.apple, "apple", "apple")
    idps.apple.user = {"sub": "001234.abcdef"}
    _, fields = form_fields((await at_provider(await app.http.get(
        "/authorize", params=authorize_params(app, connection="apple")))).text)
    async with httpx.AsyncClient(transport=app.http._transport, base_url=str(app.http.base_url)) as stranger:
        page = await stranger.post("/login/callback", data=fields)
        action, again = form_fields(page.text)
        assert action == "/login/callback" and again["_ostiary_repost"] == "1" and again["state"] == fields["state"]
        assert_error_page(await stranger.post("/login/callback", data=again), 403)
    # The refusal did not spend the state: the right browser still completes the login.
    answer = await resume(app, await app.http.post("/login/callback", data=again))
    assert "code" in response_params(answer)


@pytest.mark.parametrize(("channel", "discovery"), [("front_channel", True), ("back_channel", True),
                                                    ("back_channel", False)])
async def test_generic_oidc_provider_by_discovery_or_explicit_endpoints(
    tenant: TenantFixture, idps: FakeIdps, channel: str, discovery: bool
) -> None:
    app = await web_app(tenant)
    idp = idps.oidc
    endpoints = {} if discovery else {
        "discovery_url": "", "issuer": idp.issuer, "authorization_endpoint": idp.url("/authorize"),
        "token_endpoint": idp.url("/token"), "jwks_uri": idp.url("/jwks")}
    await connect(app, idp, "corp-sso", "oidc", type=channel, display_name="Corp SSO",
                  scope="openid profile email groups", **endpoints)
    idps.oidc.user = {"sub": "emp-42", "email": "emp42@corp.example", "email_verified": True, "name": "Emp 42"}
    leaving = await app.http.get("/authorize", params=authorize_params(app, connection="corp-sso"))
    sent = parse_qs(urlsplit(leaving.headers["location"]).query)
    assert sent["response_type"] == (["id_token"] if channel == "front_channel" else ["code"])
    assert sent["scope"] == ["openid profile email groups"]
    tokens = await tokens_for(app, await resume(app, await back_at_ostiary(app, await at_provider(leaving))))
    claims = await verified(tenant, tokens["id_token"], app.client.client_id)
    assert claims["sub"] == "oidc|corp-sso|emp-42" and claims["email"] == "emp42@corp.example"
    user = await tenant.repos_call(lambda r: r.users.by_user_id(claims["sub"]))
    assert user.identities[0].as_auth0() == {"connection": "corp-sso", "provider": "oidc",
                                             "user_id": "corp-sso|emp-42", "isSocial": False}
    if channel == "back_channel":
        # With discovery the userinfo endpoint is known and its claims merged; explicitly, none was given.
        assert bool(idp.received.get("userinfo")) is discovery
    assert bool(idp.received.get("discovery")) is discovery


async def test_the_user_cancelling_at_the_provider_reaches_the_app_as_access_denied(
    tenant: TenantFixture, idps: FakeIdps
) -> None:
    app = await google_app(tenant, idps)
    idps.google.deny = True
    params = authorize_params(app, connection="google-oauth2")
    got = response_params(await back_at_ostiary(app, await at_provider(await app.http.get("/authorize",
                                                                                           params=params))))
    assert got == {"error": "access_denied", "error_description": "The user cancelled the login",
                   "state": params["state"], "iss": tenant.issuer}
    assert not [u for u in await tenant.repos_call(lambda r: r.users.all()) if u.user_id.startswith("google")]


@pytest.mark.parametrize("tamper", ["nonce", "audience", "issuer", "expired", "signature"])
async def test_an_id_token_that_does_not_verify_denies_the_login(
    tenant: TenantFixture, idps: FakeIdps, tamper: str
) -> None:
    app = await google_app(tenant, idps)
    idps.google.tamper = tamper
    params = authorize_params(app, connection="google-oauth2")
    got = response_params(await back_at_ostiary(app, await at_provider(await app.http.get("/authorize",
                                                                                           params=params))))
    assert got["error"] == "access_denied" and got["state"] == params["state"]
    assert "Invalid Google ID token" in got["error_description"]
    assert not [u for u in await tenant.repos_call(lambda r: r.users.all()) if u.user_id.startswith("google")]


async def test_a_replayed_or_unknown_callback_is_refused(tenant: TenantFixture, idps: FakeIdps) -> None:
    app = await google_app(tenant, idps)
    answer = await at_provider(await app.http.get("/authorize", params=authorize_params(app,
                                                                                        connection="google-oauth2")))
    location = urlsplit(answer.headers["location"])
    await resume(app, await app.http.get(f"{location.path}?{location.query}"))
    assert_error_page(await app.http.get(f"{location.path}?{location.query}"))
    assert_error_page(await app.http.get("/login/callback?state=forged&code=x"))
    assert_error_page(await app.http.get("/login/callback"))


async def test_outages_answer_a_clean_error_page(tenant: TenantFixture, idps: FakeIdps) -> None:
    app = await google_app(tenant, idps)
    # The token endpoint fails with 500, then is unreachable: 503 pages, never the app, never a 500.
    for options in ({}, {"token_endpoint": closed_port_url()}):
        if options:
            await tenant.repos_call(lambda r, o=options: r.connections.update(
                "google-oauth2", options={**idps.google.options(), **o}))
        else:
            idps.google.faults["token"] = "500"
        answer = await at_provider(await app.http.get("/authorize", params=authorize_params(
            app, connection="google-oauth2")))
        assert_error_page(await back_at_ostiary(app, answer), 503)
    # Discovery of an OIDC provider that is down: the page comes at /authorize already.
    await tenant.connection("down-sso", strategy="oidc", enabled_clients=[app.client.client_id],
                            options={**idps.oidc.options(), "discovery_url": f"{closed_port_url()}/.well-known"})
    assert_error_page(await app.http.get("/authorize", params=authorize_params(app, connection="down-sso")), 503)
    idps.oidc.faults["discovery"] = "500"
    await tenant.connection("broken-sso", strategy="oidc", enabled_clients=[app.client.client_id],
                            options=idps.oidc.options())
    assert_error_page(await app.http.get("/authorize", params=authorize_params(app, connection="broken-sso")), 503)


async def test_a_connection_not_enabled_for_the_client_is_refused_at_the_app(
    tenant: TenantFixture, idps: FakeIdps
) -> None:
    app = await web_app(tenant)
    await tenant.connection("google-oauth2", strategy="google-oauth2", options=idps.google.options())
    params = authorize_params(app, connection="google-oauth2")
    got = response_params(await app.http.get("/authorize", params=params))
    assert got["error"] == "invalid_request" and got["error_description"] == "the connection is not enabled"


LINK_HOOK = """
async def on_execute_post_login(event, api):
    api.access_token.set_custom_claim("https://hooks.test/strategy", event.connection.strategy)
    if not event.user.email_verified:
        return
    for candidate in await api.users.find_by_email(event.user.email):
        if candidate.user_id != event.user.user_id:
            api.authentication.set_primary_user(candidate.user_id)
"""


async def test_a_post_login_hook_links_the_provider_identity_into_the_database_user(
    tenant: TenantFixture, idps: FakeIdps
) -> None:
    app = await google_app(tenant, idps)
    primary = await tenant.user(email="ada@gmail.com", email_verified=True, password="correct horse battery")
    await add_hook(tenant, "link", "post-login", code=LINK_HOOK)
    answer = await provider_login(app, authorize_params(app, connection="google-oauth2", audience=app.api.identifier))
    tokens = await tokens_for(app, answer)
    claims = await verified(tenant, tokens["id_token"], app.client.client_id)
    access = await verified(tenant, tokens["access_token"], app.api.identifier)
    assert claims["sub"] == primary.user_id and access["https://hooks.test/strategy"] == "google-oauth2"
    linked = await tenant.repos_call(lambda r: r.users.by_user_id(primary.user_id))
    assert [i.provider for i in linked.identities] == ["auth0", "google-oauth2"]
    # The SSO session now belongs to the primary user.
    silent = await app.http.get("/authorize", params=authorize_params(app, prompt="none"))
    silent_tokens = await tokens_for(app, silent)
    assert (await verified(tenant, silent_tokens["id_token"], app.client.client_id))["sub"] == primary.user_id


# strategy → (what the fake's profile API answers, the user id and email Ostiary must derive)
PLAIN_PROVIDERS: dict[str, tuple[dict[str, Any], str, str | None]] = {
    "windowslive": ({"me": {"id": "4c1a", "displayName": "Ann Live", "mail": "ann@outlook.example"}},
                    "windowslive|4c1a", "ann@outlook.example"),
    "linkedin": ({"userinfo": {"sub": "li-77", "name": "Lin Ked", "email": "lin@example.com",
                               "email_verified": True}}, "linkedin|li-77", "lin@example.com"),
    "twitter": ({"2/users/me": {"data": {"id": "2244", "name": "Tweety", "username": "tweety"}}},
                "twitter|2244", None),
    "facebook": ({"debug_token": {"data": {"is_valid": True, "app_id": "plain-client", "user_id": "fb-9"}},
                  "me": {"id": "fb-9", "name": "Face Book", "email": "fb@example.com"}},
                 "facebook|fb-9", "fb@example.com"),
}


@pytest.mark.parametrize("strategy", sorted(PLAIN_PROVIDERS))
async def test_oauth2_social_strategies_map_their_profile_api(
    tenant: TenantFixture, idps: FakeIdps, strategy: str
) -> None:
    profiles, user_id, email = PLAIN_PROVIDERS[strategy]
    app = await web_app(tenant)
    await connect(app, idps.plain, strategy, strategy)
    idps.plain.profiles.update(profiles)
    tokens = await tokens_for(app, await provider_login(app, authorize_params(app, connection=strategy)))
    claims = await verified(tenant, tokens["id_token"], app.client.client_id)
    assert claims["sub"] == user_id and claims.get("email") == email
    token_call = idps.plain.last("token")
    if strategy == "twitter":  # X: HTTP Basic client authentication, PKCE required
        assert token_call["headers"]["authorization"].startswith("Basic ") and token_call["form"]["code_verifier"]
    user = await tenant.repos_call(lambda r: r.users.by_user_id(user_id))
    assert user.identities[0].is_social is True


@pytest.mark.parametrize(("strategy", "options", "claim"), [
    ("okta", {"domain": "{issuer}"}, "sub"),
    ("waad", {"discovery_url": "{issuer}/.well-known/openid-configuration"}, "oid"),
])
async def test_okta_and_entra_id_are_back_channel_oidc(
    tenant: TenantFixture, idps: FakeIdps, strategy: str, options: dict[str, str], claim: str
) -> None:
    app = await web_app(tenant)
    idp = idps.oidc
    await app.tenant.connection(strategy, strategy=strategy, enabled_clients=[app.client.client_id], options={
        "client_id": idp.client_id, "client_secret": idp.client_secret,
        **{k: v.format(issuer=idp.issuer) for k, v in options.items()}})
    idp.user = {"sub": "pairwise-sub", "oid": "object-id-1", "email": "emp@corp.example", "name": "Emp"}
    tokens = await tokens_for(app, await provider_login(app, authorize_params(app, connection=strategy)))
    claims = await verified(tenant, tokens["id_token"], app.client.client_id)
    assert claims["sub"] == f"{strategy}|{strategy}|{idp.user[claim]}"
    assert idp.last("authorize")["query"]["response_type"] == "code" and idp.last("token")["form"]["code_verifier"]


async def test_a_blocked_user_and_prompt_none_without_a_session(tenant: TenantFixture, idps: FakeIdps) -> None:
    app = await google_app(tenant, idps)
    params = authorize_params(app, connection="google-oauth2", prompt="none")
    # prompt=none never leaves for the provider: without an SSO session the app hears login_required.
    assert response_params(await app.http.get("/authorize", params=params))["error"] == "login_required"
    assert "authorize" not in idps.google.received
    await provider_login(app, authorize_params(app, connection="google-oauth2"))
    user_id = f"google-oauth2|{GOOGLE_USER['sub']}"
    await tenant.repos_call(lambda r: r.users.update(user_id, blocked=True))
    leaving = await app.http.get("/authorize", params=authorize_params(app, connection="google-oauth2",
                                                                        prompt="login"))
    got = response_params(await back_at_ostiary(app, await at_provider(leaving)))
    assert got["error"] == "unauthorized" and got["error_description"] == "user is blocked"


async def test_a_third_party_client_asks_consent_after_the_provider_login(
    tenant: TenantFixture, idps: FakeIdps
) -> None:
    app = await google_app(tenant, idps, is_first_party=False)
    params = authorize_params(app, connection="google-oauth2", audience=app.api.identifier,
                              scope="openid read:things")
    leaving = await app.http.get("/authorize", params=params)
    resumed = await resume(app, await back_at_ostiary(app, await at_provider(leaving)))
    assert resumed.status_code == 302 and resumed.headers["location"].startswith("/u/consent?state=")
    page = await app.http.get(resumed.headers["location"])
    _, fields = form_fields(page.text)
    accepted = await app.http.post("/u/consent", data={**fields, "action": "accept"})
    got = response_params(await app.http.get(accepted.headers["location"]))
    assert got["code"] and got["state"] == params["state"]
