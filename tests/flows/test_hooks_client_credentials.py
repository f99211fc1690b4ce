"""credentials-exchange hooks through POST /oauth/token (client_credentials)."""

from __future__ import annotations

from typing import Any

from tests.support.factories import TenantFixture
from tests.support.hooks import add_hook
from tests.support.jwks import verify

API = "https://api.example.com"
TRIGGER = "credentials-exchange"


async def machine_client(tenant: TenantFixture) -> dict[str, str]:
    await tenant.api(API, scopes=["read:things", "write:things"])
    client = await tenant.client(app_type="non_interactive", client_metadata={"tier": "gold"})
    await tenant.client_grant(client.client_id, API, ["read:things"])
    assert client.client_secret is not None
    return {
        "grant_type": "client_credentials", "client_id": client.client_id,
        "client_secret": client.client_secret, "audience": API,
    }


async def token(tenant: TenantFixture, form: dict[str, str]) -> Any:
    return await tenant.http.post("/oauth/token", data=form)


async def test_claims_set_by_a_hook_are_in_the_verified_token(tenant: TenantFixture) -> None:
    form = await machine_client(tenant)
    await add_hook(tenant, "caller", TRIGGER, module_path="tests.support.hook_examples:credentials_claim")
    await add_hook(
        tenant, "stored", TRIGGER, secrets={"REGION": "eu"},
        code=(
            "async def on_execute_credentials_exchange(event, api):\n"
            "    api.accessToken.setCustomClaim('https://example.com/region', event.secrets.REGION)\n"
            "    api.access_token.set_custom_claim('https://example.com/tier', event.client.metadata['tier'])\n"
            "    api.access_token.set_custom_claim('sub', 'someone-else')\n"
            "    api.access_token.set_custom_claim('scope', 'write:things')\n"
        ),
    )
    response = await token(tenant, form)
    assert response.status_code == 200, response.text
    claims = await verify(tenant.http, response.json()["access_token"], audience=API, issuer=tenant.issuer)
    assert claims["https://example.com/caller"] == form["client_id"]
    assert claims["https://example.com/scopes"] == ["read:things"]
    assert claims["https://example.com/region"] == "eu"
    assert claims["https://example.com/tier"] == "gold"
    # Restricted claims set by the hook were ignored.
    assert claims["sub"] == f"{form['client_id']}@clients"
    assert claims["scope"] == "read:things"
    assert response.json()["scope"] == "read:things"


async def test_deny_answers_the_hook_code_and_reason(tenant: TenantFixture) -> None:
    form = await machine_client(tenant)
    await add_hook(tenant, "deny", TRIGGER, module_path="tests.support.hook_examples:credentials_deny")
    response = await token(tenant, form)
    assert response.status_code == 403
    assert response.json() == {"error": "invalid_scope", "error_description": "Scope not allowed for this caller"}
    assert response.headers["cache-control"] == "no-store"


async def test_deny_with_invalid_request_code(tenant: TenantFixture) -> None:
    form = await machine_client(tenant)
    await add_hook(
        tenant, "deny", TRIGGER,
        code="def on_execute_credentials_exchange(event, api):\n    api.access.deny('invalid_request', 'Nope')\n",
    )
    response = await token(tenant, form)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_request", "error_description": "Nope"}


async def test_raising_hook_is_access_denied_never_500(tenant: TenantFixture) -> None:
    form = await machine_client(tenant)
    await add_hook(tenant, "bad", TRIGGER, module_path="tests.support.hook_examples:raises")
    response = await token(tenant, form)
    assert response.status_code == 403
    assert response.json() == {
        "error": "access_denied", "error_description": "The request was denied because a hook failed",
    }
    assert "access_token" not in response.text


async def test_hook_with_broken_source_is_access_denied(tenant: TenantFixture) -> None:
    form = await machine_client(tenant)
    await add_hook(tenant, "broken", TRIGGER, code="raise ImportError('at import time')\n")
    response = await token(tenant, form)
    assert response.status_code == 403 and response.json()["error"] == "access_denied"


async def test_unbound_hook_does_not_run_and_hooks_of_another_tenant_do_not_leak(
    tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    form = await machine_client(tenant)
    await add_hook(tenant, "unbound", TRIGGER, module_path="tests.support.hook_examples:raises", bind=False)
    other_form = await machine_client(other_tenant)
    await add_hook(other_tenant, "bad", TRIGGER, module_path="tests.support.hook_examples:raises")
    assert (await token(tenant, form)).status_code == 200
    assert (await token(other_tenant, other_form)).status_code == 403
