"""Silent authentication: prompt=none without and with a session, missing consent; prompt=login, max_age."""

from __future__ import annotations

from tests.support.browser_login import (
    API,
    authorize_params,
    login_round_trip,
    response_params,
    start,
    web_app,
)
from tests.support.factories import TenantFixture
from tests.support.jwks import verify

from ostiary.clock import FrozenClock


async def test_prompt_none_without_session_redirects_login_required(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    response = await start(app.http, authorize_params(app, prompt="none", state="quiet"))
    assert response.status_code == 302
    assert response_params(response) == {
        "error": "login_required", "error_description": "Login required", "state": "quiet", "iss": tenant.issuer,
    }


async def test_prompt_none_with_session_answers_silently(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    first = response_params(await login_round_trip(app, authorize_params(app)))
    silent = await start(app.http, authorize_params(app, prompt="none", state="quiet", response_type="code id_token",
                                                    nonce="silent-nonce"))
    assert silent.status_code == 302
    got = response_params(silent)
    assert got["state"] == "quiet" and got["code"] != first["code"]
    claims = await verify(tenant.http, got["id_token"], audience=app.client.client_id, issuer=tenant.issuer)
    assert claims["nonce"] == "silent-nonce" and claims["sid"]


async def test_prompt_none_for_a_third_party_needing_consent_is_consent_required(tenant: TenantFixture) -> None:
    app = await web_app(tenant, is_first_party=False)
    # Log in through another (first-party) client of the tenant first, sharing the SSO session.
    first_party = await tenant.client(callbacks=["https://app.example/callback"])
    await tenant.repos_call(lambda r: r.connections.update(
        "Username-Password-Authentication", enabled_clients=[app.client.client_id, first_party.client_id]))
    params = authorize_params(app, client_id=first_party.client_id)
    response_params(await login_round_trip(app, params))
    silent = await start(app.http, authorize_params(app, prompt="none", audience=API, scope="openid read:things",
                                                    state="c"))
    assert response_params(silent) == {
        "error": "consent_required", "error_description": "Consent required", "state": "c", "iss": tenant.issuer,
    }


async def test_prompt_login_forces_the_page_and_a_later_auth_time(tenant: TenantFixture, clock: FrozenClock) -> None:
    app = await web_app(tenant)
    first = response_params(await login_round_trip(app, authorize_params(app, response_type="code id_token",
                                                                         nonce="a")))
    first_claims = await verify(tenant.http, first["id_token"], audience=app.client.client_id, issuer=tenant.issuer)
    clock.advance(30)
    forced = await start(app.http, authorize_params(app, prompt="login"))
    assert forced.status_code == 302 and forced.headers["location"].startswith("/u/login?state=")
    again = response_params(await login_round_trip(app, authorize_params(app, prompt="login",
                                                                         response_type="code id_token", nonce="b")))
    claims = await verify(tenant.http, again["id_token"], audience=app.client.client_id, issuer=tenant.issuer,
                          verify_iat=False)  # the frozen clock is ahead of PyJWT's
    assert claims["auth_time"] >= first_claims["auth_time"] + 30
    assert claims["sid"] != first_claims["sid"]  # a new session: the old one ended on re-login


async def test_max_age_reauthenticates_when_auth_time_is_older(tenant: TenantFixture, clock: FrozenClock) -> None:
    app = await web_app(tenant)
    await login_round_trip(app, authorize_params(app))
    fresh = await start(app.http, authorize_params(app, max_age="60"))
    assert "code" in response_params(fresh)
    clock.advance(61)
    stale = await start(app.http, authorize_params(app, max_age="60"))
    assert stale.headers["location"].startswith("/u/login?state=")
    silent = await start(app.http, authorize_params(app, max_age="60", prompt="none", state="m"))
    assert response_params(silent)["error"] == "login_required"


async def test_session_expires_after_the_idle_lifetime(tenant: TenantFixture, clock: FrozenClock) -> None:
    app = await web_app(tenant)
    await login_round_trip(app, authorize_params(app))
    clock.advance(72 * 3600 + 1)
    silent = await start(app.http, authorize_params(app, prompt="none", state="idle"))
    assert response_params(silent)["error"] == "login_required"


async def test_a_session_cookie_of_tenant_a_means_nothing_at_tenant_b(
    tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    app_a = await web_app(tenant)
    app_b = await web_app(other_tenant, client_id=app_a.client.client_id)
    await login_round_trip(app_a, authorize_params(app_a))
    stolen = tenant.http.cookies.get("__Host-ostiary_session")
    assert stolen
    other_tenant.http.cookies.set("__Host-ostiary_session", stolen, domain=other_tenant.domain)
    silent = await start(other_tenant.http, authorize_params(app_b, prompt="none", state="b"))
    assert response_params(silent)["error"] == "login_required"
