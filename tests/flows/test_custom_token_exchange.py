"""Custom token exchange through POST /oauth/token: profiles, the exchange hook, post-login, issued tokens."""

from __future__ import annotations

from typing import Any

import pytest
from tests.support.factories import TenantFixture
from tests.support.hooks import add_hook
from tests.support.jwks import verify

from ostiary.errors import AdminError

API = "https://api.example.com"
GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
STT = "https://ext.example.com/legacy-token"
ISSUED = "urn:ietf:params:oauth:token-type:access_token"

# A toy subject token: "valid:<external id>:<email>" — the hook validates it and sets the user.
EXCHANGE_HOOK = """
async def on_execute_custom_token_exchange(event, api):
    token = event.transaction.subject_token
    if not token.startswith('valid:'):
        api.access.rejectInvalidSubjectToken('Invalid subject token')
        return
    _, external_id, email = token.split(':')
    if external_id == 'banned':
        api.access.deny('access_denied', 'This account may not exchange tokens')
        return
    if external_id.startswith('auth0|'):
        api.authentication.setUserById(external_id)
    else:
        api.authentication.setUserByConnection(
            'legacy-db',
            {'user_id': external_id, 'email': email, 'name': 'Legacy ' + external_id, 'blocked': True},
            {'creationBehavior': 'create_if_not_exists', 'updateBehavior': 'replace'},
        )
    api.user.setAppMetadata('migrated_from', event.secrets.SOURCE)
"""


async def setup(tenant: TenantFixture, *, hook: str = EXCHANGE_HOOK) -> dict[str, str]:
    await tenant.api(API, scopes=["read:things"], allow_offline_access=True)
    client = await tenant.client(
        app_type="native", token_endpoint_auth_method="none", grant_types=[GRANT, "refresh_token"]
    )
    await tenant.connection("legacy-db", enabled_clients=[client.client_id])
    await add_hook(tenant, "legacy-exchange", "custom-token-exchange", code=hook, secrets={"SOURCE": "legacy"},
                   bind=False)
    await tenant.repos_call(
        lambda r: r.token_exchange_profiles.create(
            name="legacy", subject_token_type=STT, action_name="legacy-exchange"
        )
    )
    return {
        "grant_type": GRANT, "client_id": client.client_id, "subject_token_type": STT,
        "audience": API, "scope": "openid email read:things offline_access",
    }


async def exchange(tenant: TenantFixture, form: dict[str, str], subject_token: str) -> Any:
    return await tenant.http.post("/oauth/token", data={**form, "subject_token": subject_token})


async def test_new_user_is_created_in_the_connection_and_gets_verified_tokens(tenant: TenantFixture) -> None:
    form = await setup(tenant)
    response = await exchange(tenant, form, "valid:42:ann@example.com")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["issued_token_type"] == ISSUED
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "openid email read:things offline_access"
    assert body["refresh_token"]
    access = await verify(tenant.http, body["access_token"], audience=[API, f"https://{tenant.domain}/userinfo"],
                          issuer=tenant.issuer)
    assert access["sub"] == "auth0|42"
    id_claims = await verify(tenant.http, body["id_token"], audience=form["client_id"], issuer=tenant.issuer)
    assert id_claims["email"] == "ann@example.com"
    user = await tenant.repos_call(lambda r: r.users.by_user_id("auth0|42"))
    assert user.name == "Legacy 42"
    assert user.app_metadata == {"migrated_from": "legacy"}
    assert user.blocked is False  # `blocked` is not a user attribute a hook may set
    assert user.logins_count == 1


async def test_existing_user_is_updated_with_replace_and_post_login_hooks_run(tenant: TenantFixture) -> None:
    form = await setup(tenant)
    await add_hook(
        tenant, "pl", "post-login",
        code=(
            "def on_execute_post_login(event, api):\n"
            "    api.access_token.set_custom_claim('https://x/protocol', event.transaction.protocol)\n"
            "    api.access_token.set_custom_claim('https://x/stt', event.transaction.subject_token_type)\n"
            "    api.access_token.set_custom_claim('https://x/connection', event.connection.name)\n"
        ),
    )
    assert (await exchange(tenant, form, "valid:7:old@example.com")).status_code == 200
    response = await exchange(tenant, form, "valid:7:new@example.com")
    assert response.status_code == 200, response.text
    access = await verify(tenant.http, response.json()["access_token"], audience=None, issuer=tenant.issuer)
    assert access["https://x/protocol"] == "oauth2-token-exchange"
    assert access["https://x/stt"] == STT
    assert access["https://x/connection"] == "legacy-db"
    user = await tenant.repos_call(lambda r: r.users.by_user_id("auth0|7"))
    assert user.email == "new@example.com" and user.logins_count == 2


async def test_set_user_by_id(tenant: TenantFixture) -> None:
    form = await setup(tenant)
    existing = await tenant.user(connection="legacy-db", email="bob@example.com")
    response = await exchange(tenant, form, f"valid:{existing.user_id}:x")
    assert response.status_code == 200, response.text
    access = await verify(tenant.http, response.json()["access_token"], audience=None, issuer=tenant.issuer)
    assert access["sub"] == existing.user_id


async def test_invalid_subject_token_is_invalid_request(tenant: TenantFixture) -> None:
    form = await setup(tenant)
    response = await exchange(tenant, form, "forged")
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_request", "error_description": "Invalid subject token"}


async def test_deny_answers_the_reason_and_creates_nobody(tenant: TenantFixture) -> None:
    form = await setup(tenant)
    response = await exchange(tenant, form, "valid:banned:x@example.com")
    assert response.status_code == 403
    assert response.json() == {
        "error": "access_denied", "error_description": "This account may not exchange tokens",
    }
    assert await tenant.repos_call(lambda r: r.users.all()) == []


async def test_unknown_subject_token_type_is_unsupported(tenant: TenantFixture) -> None:
    form = await setup(tenant)
    response = await exchange(tenant, {**form, "subject_token_type": "https://ext.example.com/other"}, "valid:1:x")
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "Unsupported subject_token_type: https://ext.example.com/other",
    }


async def test_missing_subject_token_is_invalid_request(tenant: TenantFixture) -> None:
    form = await setup(tenant)
    response = await tenant.http.post("/oauth/token", data=form)
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request", "error_description": "Missing required parameter: subject_token",
    }


async def test_hook_that_sets_no_user_or_raises_is_access_denied(tenant: TenantFixture) -> None:
    form = await setup(tenant, hook="def on_execute_custom_token_exchange(event, api):\n    pass\n")
    response = await exchange(tenant, form, "valid:1:x@example.com")
    assert response.status_code == 403
    assert response.json()["error"] == "access_denied"
    assert "access_token" not in response.text


async def test_user_of_a_connection_not_enabled_for_the_client_is_refused(tenant: TenantFixture) -> None:
    form = await setup(tenant)
    await tenant.repos_call(lambda r: r.connections.update("legacy-db", enabled_clients=[]))
    response = await exchange(tenant, form, "valid:9:x@example.com")
    assert response.status_code == 403 and response.json()["error"] == "access_denied"


@pytest.mark.parametrize(
    "subject_token_type",
    [
        "urn:ietf:params:oauth:token-type:jwt", "urn:auth0:thing", "urn:okta:thing", "http://auth0.com/x",
        "https://auth0.com/x", "http://okta.com/x", "https://okta.com", "URN:IETF:x", "not a uri",
    ],
)
async def test_reserved_namespaces_are_refused_at_creation(tenant: TenantFixture, subject_token_type: str) -> None:
    await add_hook(tenant, "h", "custom-token-exchange", code=EXCHANGE_HOOK, bind=False)
    with pytest.raises(AdminError) as caught:
        await tenant.repos_call(
            lambda r: r.token_exchange_profiles.create(
                name="bad", subject_token_type=subject_token_type, action_name="h"
            )
        )
    assert "subject_token_type" in str(caught.value)


async def test_profile_needs_an_action_with_the_custom_token_exchange_trigger(tenant: TenantFixture) -> None:
    await add_hook(tenant, "pl", "post-login", code="def on_execute_post_login(event, api):\n    pass\n")
    with pytest.raises(AdminError):
        await tenant.repos_call(
            lambda r: r.token_exchange_profiles.create(name="p1", subject_token_type=STT, action_name="pl")
        )


async def test_an_action_used_by_a_profile_cannot_be_deleted(tenant: TenantFixture) -> None:
    await setup(tenant)
    with pytest.raises(AdminError) as caught:
        await tenant.repos_call(lambda r: r.actions.delete("legacy-exchange"))
    assert "used by token exchange profile 'legacy'" in str(caught.value)


async def test_blocked_user_is_unauthorized_and_gets_no_tokens(tenant: TenantFixture) -> None:
    form = await setup(tenant)
    existing = await tenant.user(connection="legacy-db", email="bob@example.com")
    await tenant.repos_call(lambda r: r.users.update(existing.user_id, blocked=True))
    response = await exchange(tenant, form, f"valid:{existing.user_id}:x")
    assert response.status_code == 401
    assert response.json() == {"error": "unauthorized", "error_description": "user is blocked"}
