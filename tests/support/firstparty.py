"""A tenant ready for the resource-owner password grants: API, database connection, clients and one user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from ostiary import entities
from ostiary.admin.provision import DEFAULT_DATABASE_CONNECTION
from ostiary.runtime import AppState
from tests.support.factories import TenantFixture, make_tenant

REALM = "http://auth0.com/oauth/grant-type/password-realm"
PASSWORD = "correct horse battery staple"
API = "https://api.example.com"
WRONG_PASSWORD_BODY = {"error": "invalid_grant", "error_description": "Wrong email or password."}
TOO_MANY_ATTEMPTS_BODY = {
    "error": "too_many_attempts",
    "error_description": "Your account has been blocked after multiple consecutive login attempts.",
}
ROP_GRANTS = ["password", REALM, "refresh_token"]


@dataclass
class Rop:
    t: TenantFixture
    api: entities.Api
    web: entities.Client  # confidential (client_secret_post)
    native: entities.Client  # public (none)
    user: entities.User

    def form(self, client: entities.Client | None = None, **params: str) -> dict[str, str]:
        client = client or self.web
        form = {"grant_type": "password", "client_id": client.client_id, "username": self.user.email or "",
                "password": PASSWORD}
        if client.client_secret:
            form["client_secret"] = client.client_secret
        form.update(params)
        return form

    async def token(self, client: entities.Client | None = None, headers: dict[str, str] | None = None,
                    **params: str) -> httpx.Response:
        return await self.t.http.post("/oauth/token", data=self.form(client, **params), headers=headers)


async def make_rop(state: AppState, app: Any, **tenant_fields: Any) -> Rop:
    tenant_fields.setdefault("default_directory", DEFAULT_DATABASE_CONNECTION)
    t = await make_tenant(state, app, **tenant_fields)
    api = await t.api(API, scopes=["read:things", "write:things"], allow_offline_access=True)
    web = await t.client(app_type="regular_web", grant_types=ROP_GRANTS)
    native = await t.client(app_type="native", grant_types=ROP_GRANTS)
    await t.connection(DEFAULT_DATABASE_CONNECTION, enabled_clients=[web.client_id, native.client_id])
    user = await t.user(password=PASSWORD, name="Alice", email_verified=True)
    return Rop(t=t, api=api, web=web, native=native, user=user)


async def fail_logins(rop: Rop, times: int, **kwargs: Any) -> None:
    """`times` wrong passwords, each answered with Auth0's 403 "Wrong email or password."."""
    for _ in range(times):
        response = await rop.token(password="wrong", audience=API, **kwargs)
        assert response.status_code == 403 and response.json() == WRONG_PASSWORD_BODY, response.text
