"""A post-login hook links a first social sign-in into the existing user with the same verified email.

api.users.find_by_email finds the candidate, api.authentication.set_primary_user links (the store's code of
`ostiary users link`) and switches the login's subject. Real HTTP to the token endpoint, fake Google on loopback,
tokens verified against the published JWKS.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from tests.flows.test_token_exchange_google import google_claims
from tests.support.factories import TenantFixture
from tests.support.fake_providers import FakeProviders
from tests.support.fast_passwords import fast_passwords
from tests.support.firstparty import make_rop
from tests.support.hooks import add_hook
from tests.support.social import (
    API,
    GOOGLE_TYPE,
    SocialApp,
    exchange,
    fake_server,
    fakes,
    settings,
    social_app,
    users_of,
    verified_tokens,
)

from ostiary.clock import FrozenClock
from ostiary.runtime import AppState

__all__ = ["fake_server", "fakes", "fast_passwords", "settings"]

GOOGLE_SUB = "110169484474386276334"
GOOGLE_USER_ID = f"google-oauth2|{GOOGLE_SUB}"
REFUSED = {"error": "access_denied", "error_description": "The login could not be linked to the primary user"}

# The usual Auth0 account-linking Action, ported: link a new identity into the user with its verified email.
LINK_BY_EMAIL_HOOK = """
async def on_execute_post_login(event, api):
    if not event.user.email_verified:
        return
    for candidate in await api.users.find_by_email(event.user.email):
        if candidate.user_id != event.user.user_id:
            api.authentication.setPrimaryUser(candidate.user_id)
            api.user.set_app_metadata("linked_from", event.connection.name)
            return
"""
# Links into whatever user the secret names, so that each refusal can be driven directly.
LINK_TO_SECRET_HOOK = """
def on_execute_post_login(event, api):
    target = event.secrets["PRIMARY"]
    api.authentication.set_primary_user(event.user.user_id if target == "self" else target)
"""
FIND_HOOK = """
async def on_execute_post_login(event, api):
    found = await api.users.find_by_email("  ADA@gmail.com ")
    api.access_token.set_custom_claim("https://hooks.test/found", [u.user_id for u in found])
"""


async def google_sign_in(tenant: TenantFixture, fakes: FakeProviders, clock: FrozenClock, app: SocialApp,
                         **claims: Any) -> Any:
    token = fakes.google_id_token(google_claims(clock, **claims))
    return await exchange(tenant, app.client.client_id, token, GOOGLE_TYPE, audience=API,
                          scope="openid profile email read:things")


async def test_hook_links_first_google_sign_in_into_the_database_user(
    tenant: TenantFixture, fakes: FakeProviders, clock: FrozenClock
) -> None:
    app = await social_app(tenant, fakes, "google-oauth2")
    await tenant.connection("Username-Password-Authentication", enabled_clients=[app.client.client_id])
    primary = await tenant.user(email="Ada@Gmail.com", email_verified=True, password="correct horse battery",
                                app_metadata={"plan": "gold"})
    await add_hook(tenant, "link", "post-login", code=LINK_BY_EMAIL_HOOK)

    response = await google_sign_in(tenant, fakes, clock, app)

    assert response.status_code == 200, response.text
    access, id_claims = await verified_tokens(tenant, response.json(), app.client.client_id)
    assert access["sub"] == id_claims["sub"] == primary.user_id
    [user] = await users_of(tenant)
    assert user.user_id == primary.user_id and user.app_metadata == {"plan": "gold", "linked_from": "google-oauth2"}
    assert [(i.connection, i.user_id) for i in user.identities] == [
        ("Username-Password-Authentication", primary.identities[0].user_id), ("google-oauth2", GOOGLE_SUB)]
    assert user.logins_count == 1

    # Without any hook now, the same Google identity signs in as the primary directly.
    await tenant.repos_call(lambda r: r.actions.bind("post-login", []))
    again = await google_sign_in(tenant, fakes, clock, app, name="Ada King")
    assert again.status_code == 200, again.text
    access, _ = await verified_tokens(tenant, again.json(), app.client.client_id)
    assert access["sub"] == primary.user_id
    [user] = await users_of(tenant)
    assert user.user_id == primary.user_id and user.logins_count == 2
    assert await tenant.repos_call(lambda r: r.users.by_user_id(GOOGLE_USER_ID)) is None


async def test_find_by_email_sees_only_verified_users_of_the_tenant(
    tenant: TenantFixture, other_tenant: TenantFixture, fakes: FakeProviders, clock: FrozenClock
) -> None:
    app = await social_app(tenant, fakes, "google-oauth2")
    await tenant.connection("Username-Password-Authentication")
    await tenant.connection("second-db")
    verified = await tenant.user(email="ada@GMAIL.com", email_verified=True)
    await tenant.user(connection="second-db", email="ada@gmail.com", email_verified=False)
    await tenant.user(connection="second-db", email="ada.lovelace@gmail.com", email_verified=True)
    await other_tenant.connection("Username-Password-Authentication")
    await other_tenant.user(email="ada@gmail.com", email_verified=True)
    await add_hook(tenant, "find", "post-login", code=FIND_HOOK)

    response = await google_sign_in(tenant, fakes, clock, app)

    assert response.status_code == 200, response.text
    access, _ = await verified_tokens(tenant, response.json(), app.client.client_id)
    # Oldest first; the Google user made by this very sign-in is verified too, and the hook sees it.
    assert access["https://hooks.test/found"] == [verified.user_id, GOOGLE_USER_ID]
    assert access["sub"] == GOOGLE_USER_ID, "finding does not link"


@pytest.mark.parametrize(
    ("target", "primary_fields", "google", "cause"),
    [
        ("self", {}, {}, "a user cannot be linked to itself"),
        ("auth0|000000000000000000000000", {}, {}, "no such user in this tenant"),
        ("primary", {"blocked": True}, {}, "the primary user is blocked"),
        ("primary", {"email_verified": False}, {}, "the two users do not share a verified email"),
        ("primary", {}, {"email_verified": False}, "the two users do not share a verified email"),
        ("primary", {}, {"email": "mallory@gmail.com"}, "the two users do not share a verified email"),
    ],
    ids=["itself", "missing", "blocked", "primary-unverified", "social-unverified", "other-email"],
)
async def test_refused_link_denies_the_login_and_changes_nothing(
    tenant: TenantFixture, fakes: FakeProviders, clock: FrozenClock, caplog: pytest.LogCaptureFixture,
    target: str, primary_fields: dict[str, Any], google: dict[str, Any], cause: str,
) -> None:
    app = await social_app(tenant, fakes, "google-oauth2")
    await tenant.connection("Username-Password-Authentication")
    primary = await tenant.user(**{"email": "ada@gmail.com", "email_verified": True, **primary_fields})
    await add_hook(tenant, "link", "post-login", code=LINK_TO_SECRET_HOOK,
                   secrets={"PRIMARY": primary.user_id if target == "primary" else target})

    with caplog.at_level(logging.WARNING, logger="ostiary.hooks"):
        response = await google_sign_in(tenant, fakes, clock, app, **google)

    assert (response.status_code, response.json()) == (403, REFUSED)
    [record] = [r for r in caplog.records if r.getMessage().startswith("hook's set_primary_user refused")]
    assert record.__dict__["cause"] == cause
    [user] = await users_of(tenant)
    assert user.user_id == primary.user_id and len(user.identities) == 1 and user.logins_count == 0


async def test_other_tenants_user_cannot_be_the_primary(
    tenant: TenantFixture, other_tenant: TenantFixture, fakes: FakeProviders, clock: FrozenClock
) -> None:
    app = await social_app(tenant, fakes, "google-oauth2")
    await other_tenant.connection("Username-Password-Authentication")
    foreign = await other_tenant.user(email="ada@gmail.com", email_verified=True)
    await add_hook(tenant, "link", "post-login", code=LINK_TO_SECRET_HOOK, secrets={"PRIMARY": foreign.user_id})

    response = await google_sign_in(tenant, fakes, clock, app)

    assert (response.status_code, response.json()) == (403, REFUSED)
    assert await users_of(tenant) == []
    [still] = await users_of(other_tenant)
    assert still.user_id == foreign.user_id and len(still.identities) == 1


@pytest.mark.usefixtures("fast_passwords")
async def test_set_primary_user_outside_a_social_sign_in_denies_the_login(
    state: AppState, app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    rop = await make_rop(state, app)
    try:
        await rop.t.connection("second-db")
        other = await rop.t.user(email=rop.user.email, email_verified=True, connection="second-db")
        await add_hook(rop.t, "link", "post-login", code=LINK_TO_SECRET_HOOK, secrets={"PRIMARY": other.user_id})
        with caplog.at_level(logging.WARNING, logger="ostiary.hooks"):
            response = await rop.token(audience=API)
        assert (response.status_code, response.json()) == (403, REFUSED)
        [record] = [r for r in caplog.records if r.getMessage().startswith("hook's set_primary_user refused")]
        assert record.__dict__["cause"] == "set_primary_user is only honoured on social sign-ins"
        assert len(await users_of(rop.t)) == 2
    finally:
        await rop.t.http.aclose()
