"""Security catalogue 1.7 (RT): refresh-token reuse, binding to client and audience, issuing rules, storage.

Refresh tokens come from tests/support/refresh.login (the issuance code every user grant calls) or a real code
flow; everything after is driven over HTTP. Auth0's status for invalid_grant/invalid_scope is 403.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from ostiary.admin.provision import DEFAULT_DATABASE_CONNECTION
from ostiary.store.models import RefreshToken
from tests.security._helpers import assert_bearer_error, assert_token_error, code_for, pair, sibling
from tests.support.browser_login import APP_ORIGIN, CALLBACK, web_app
from tests.support.factories import TenantFixture
from tests.support.jwks import verify
from tests.support.refresh import API_ID, FULL_SCOPES, ROTATING, login, refresh_form, seed


async def _refresh(tenant: TenantFixture, client: object, token: str, **extra: str) -> object:
    return await tenant.http.post("/oauth/token", data=refresh_form(client, token, **extra))  # type: ignore[arg-type]


async def test_RT02_reuse_revokes_the_family_and_its_access_tokens(tenant: TenantFixture) -> None:
    s = await seed(tenant, refresh_token=ROTATING)
    rt1 = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token
    body = (await _refresh(tenant, s.client, rt1)).json()  # type: ignore[attr-defined]
    rt2, access = body["refresh_token"], body["access_token"]
    userinfo = {"authorization": f"Bearer {access}"}
    assert (await tenant.http.get("/userinfo", headers=userinfo)).status_code == 200

    assert_token_error(await _refresh(tenant, s.client, rt1), 403, "invalid_grant")  # type: ignore[arg-type]
    assert_token_error(await _refresh(tenant, s.client, rt2), 403, "invalid_grant")  # type: ignore[arg-type]
    assert_bearer_error(await tenant.http.get("/userinfo", headers=userinfo), 401, "invalid_token")


async def test_RT08_audience_or_resource_at_refresh_never_switches_the_api(tenant: TenantFixture) -> None:
    s = await seed(tenant, refresh_token=ROTATING)
    await tenant.api("https://api-b.example", scopes=["read:things"], allow_offline_access=True)
    token = (await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token
    for extra in ({"audience": "https://api-b.example"}, {"resource": "https://api-b.example"}):
        # Documented choice (README): `audience` at refresh is ignored; the token stays for its own API.
        response = await _refresh(tenant, s.client, token, **extra)
        assert response.status_code == 200, response.text  # type: ignore[attr-defined]
        body = response.json()  # type: ignore[attr-defined]
        claims = await verify(tenant.http, body["access_token"], audience=API_ID, issuer=tenant.issuer,
                              verify_iat=False)
        assert "https://api-b.example" not in claims["aud"]
        token = body["refresh_token"]


async def test_RT11_blocking_or_deleting_the_user_ends_refresh_and_userinfo(tenant: TenantFixture) -> None:
    """The events that revoke: block and delete (a password change does not; see COVERAGE-1.md)."""
    s = await seed(tenant, refresh_token=ROTATING)
    bob = await tenant.user(name="Bob")
    for user, change in ((s.user, "block"), (bob, "delete")):
        issued = (await login(tenant, client=s.client, user=user, api=s.api, scopes=FULL_SCOPES)).issued
        if change == "block":
            await tenant.repos_call(lambda r, u=user: r.users.update(u.user_id, blocked=True))
        else:
            await tenant.repos_call(lambda r, u=user: r.users.delete(u.user_id))
        refreshed = await _refresh(tenant, s.client, issued.refresh_token or "")
        assert_token_error(refreshed, 403, "invalid_grant")  # type: ignore[arg-type]
        response = await tenant.http.get("/userinfo", headers={"authorization": f"Bearer {issued.access_token}"})
        assert_bearer_error(response, 401, "invalid_token")


async def test_RT12_spa_without_rotation_gets_no_refresh_token_from_the_browser(tenant: TenantFixture) -> None:
    """Auth0-compat: a browser-based app gets a refresh token only with rotation on."""
    plain = await web_app(tenant, app_type="spa")
    rotating = await sibling(plain, app_type="spa", web_origins=[APP_ORIGIN], refresh_token=ROTATING)
    await tenant.repos_call(lambda r: r.connections.update(
        DEFAULT_DATABASE_CONNECTION, enabled_clients=[plain.client.client_id, rotating.client.client_id]))
    for app, expected in ((plain, False), (rotating, True)):
        verifier, challenge = pair()
        code = await code_for(app, scope="openid offline_access", code_challenge=challenge,
                              code_challenge_method="S256")
        response = await app.http.post("/oauth/token", headers={"Origin": APP_ORIGIN}, data={
            "grant_type": "authorization_code", "client_id": app.client.client_id, "code": code,
            "redirect_uri": CALLBACK, "code_verifier": verifier,
        })
        assert response.status_code == 200, response.text
        assert ("refresh_token" in response.json()) is expected


async def test_RT14_refresh_tokens_are_random_printable_and_stored_hashed(tenant: TenantFixture) -> None:
    s = await seed(tenant, refresh_token=ROTATING)
    tokens = [(await login(tenant, client=s.client, user=s.user, api=s.api, scopes=FULL_SCOPES)).refresh_token
              for _ in range(40)]
    assert len(set(tokens)) == len(tokens)
    for token in tokens:
        # RFC 6749 A.17: VSCHAR; "v1." + 48 random bytes base64url = 384 bits.
        assert re.fullmatch(r"v1\.[A-Za-z0-9_-]{64}", token), token

    async def dump(repos: object) -> list[tuple[object, ...]]:
        rows = await repos.session.execute(  # type: ignore[attr-defined]
            select(RefreshToken).where(RefreshToken.tenant_id == tenant.tenant.id)
        )
        return [tuple(vars(row).values()) for row in rows.scalars().all()]

    rows = await tenant.repos_call(dump)
    assert len(rows) == len(tokens)
    secrets_part = [t.removeprefix("v1.") for t in tokens]
    assert not any(isinstance(v, str) and p in v for row in rows for v in row for p in secrets_part)
    # A stolen table cannot be replayed: the hash is not a token.
    assert_token_error(await _refresh(tenant, s.client, "v1.not-in-the-table"), 403, "invalid_grant")  # type: ignore[arg-type]
