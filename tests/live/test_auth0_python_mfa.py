"""auth0-python against a real `ostiary serve` with MFA required: GetToken.login answers mfa_required
(Auth0Error carrying the mfa_token), the app enrolls at /mfa/associate, and auth0-python's client posts the
mfa-otp grant with a code computed by pyotp; the tokens carry amr ["mfa"] (verified against the JWKS)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import jwt
import pyotp
import pytest
from auth0.authentication import GetToken
from auth0.authentication.exceptions import Auth0Error

from ostiary.admin.provision import DEFAULT_DATABASE_CONNECTION, provision_tenant
from ostiary.admin.session import admin_session
from ostiary.settings import Settings
from tests.conftest import TEST_MASTER_KEY
from tests.support.live import LiveServer, live_server

pytestmark = pytest.mark.live
REALM = "http://auth0.com/oauth/grant-type/password-realm"
MFA_OTP = "http://auth0.com/oauth/grant-type/mfa-otp"
API = "https://api.live-mfa.example"
PASSWORD = "a long enough passphrase"


async def _seed(settings: Settings, srv: LiveServer) -> tuple[str, str, str]:
    domain = f"127.0.0.1:{srv.port}"
    async with admin_session(settings) as admin:
        tenant = await provision_tenant(admin, name=domain, domains=[domain])
        repos = admin.repos(tenant)
        await repos.resource_servers.create(identifier=API, scopes=["read:x"])
        client = await repos.clients.create(name="Live MFA App", app_type="regular_web",
                                            grant_types=[REALM, MFA_OTP])
        await repos.connections.update(DEFAULT_DATABASE_CONNECTION, enabled_clients=[client.client_id])
        await repos.users.create(connection=DEFAULT_DATABASE_CONNECTION, email="mo@example.com",
                                 email_verified=True, password=PASSWORD)
        await repos.mfa.set_settings(policy="all-applications", factors=["otp"])
    assert client.client_secret is not None
    return domain, client.client_id, client.client_secret


async def test_auth0_python_login_with_mfa_against_a_live_server(settings: Settings, test_output_dir: Path) -> None:
    with live_server(database_url=settings.database_url, master_key=TEST_MASTER_KEY, workers=1,
                     log_dir=test_output_dir) as srv:
        domain, client_id, client_secret = await _seed(settings, srv)
        try:
            tokens = GetToken(domain, client_id, client_secret=client_secret, protocol="http")
            with pytest.raises(Auth0Error) as raised:
                await asyncio.to_thread(tokens.login, "mo@example.com", PASSWORD, scope="openid",
                                        realm=DEFAULT_DATABASE_CONNECTION, audience=API)
            assert raised.value.status_code == 403 and raised.value.error_code == "mfa_required"
            assert raised.value.message == "Multifactor authentication required"
            mfa_token = raised.value.content["mfa_token"]
            async with httpx.AsyncClient(base_url=f"http://{domain}") as http:
                enrolled = (await http.post("/mfa/associate", json={"authenticator_types": ["otp"]},
                                            headers={"Authorization": f"Bearer {mfa_token}"})).json()
            code = pyotp.TOTP(enrolled["secret"]).now()
            with pytest.raises(Auth0Error) as wrong:
                await asyncio.to_thread(tokens.authenticated_post, f"http://{domain}/oauth/token", data={
                    "client_id": client_id, "grant_type": MFA_OTP, "mfa_token": mfa_token, "otp": "12345"})
            assert wrong.value.error_code == "invalid_grant" and wrong.value.message == "Invalid otp_code."
            answer = await asyncio.to_thread(tokens.authenticated_post, f"http://{domain}/oauth/token", data={
                "client_id": client_id, "grant_type": MFA_OTP, "mfa_token": mfa_token, "otp": code})
            keys = jwt.PyJWKClient(f"http://{domain}/.well-known/jwks.json")
            access = answer["access_token"]
            claims = jwt.decode(access, keys.get_signing_key_from_jwt(access).key, algorithms=["RS256"],
                                audience=API, issuer=f"http://{domain}/")
            assert claims["amr"] == ["mfa"] and claims["gty"] == "password"
        finally:
            async with admin_session(settings) as admin:
                await admin.tenants.delete(domain)
