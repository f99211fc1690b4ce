"""/api/v2 access: token verification, scopes, Auth0's error body, request id and rate-limit headers."""

from __future__ import annotations

import httpx

from tests.management.conftest import MintToken, mint
from tests.support.factories import TenantFixture


def assert_auth0_error(response: httpx.Response, status: int, error_code: str) -> dict[str, object]:
    body = response.json()
    assert response.status_code == status, response.text
    assert set(body) == {"statusCode", "error", "message", "errorCode"}
    assert body["statusCode"] == status and body["errorCode"] == error_code
    return body  # type: ignore[no-any-return]


async def test_missing_token_is_a_401_in_auth0_shape(tenant: TenantFixture) -> None:
    response = await tenant.http.get("/api/v2/users")
    body = assert_auth0_error(response, 401, "invalid_token")
    assert body["error"] == "Unauthorized"
    assert response.headers["x-request-id"]


async def test_missing_scope_names_the_expected_scope(tenant: TenantFixture, token_for: MintToken) -> None:
    token = await token_for("read:clients")
    response = await tenant.http.get("/api/v2/users", headers={"authorization": f"Bearer {token}"})
    body = assert_auth0_error(response, 403, "insufficient_scope")
    assert body == {"statusCode": 403, "error": "Forbidden", "errorCode": "insufficient_scope",
                    "message": "Insufficient scope, expected any of: read:users"}


async def test_a_token_of_another_tenant_is_refused(tenant: TenantFixture, other_tenant: TenantFixture) -> None:
    from ostiary.admin.system_api import MANAGEMENT_SCOPES

    foreign = await mint(other_tenant, list(MANAGEMENT_SCOPES))
    response = await tenant.http.get("/api/v2/clients", headers={"authorization": f"Bearer {foreign}"})
    assert_auth0_error(response, 401, "invalid_token")


async def test_a_token_for_another_api_is_refused(tenant: TenantFixture) -> None:
    api = await tenant.api("https://api.example.com", scopes=["read:users"])
    client = await tenant.client(app_type="non_interactive")
    await tenant.client_grant(client.client_id, api.identifier, ["read:users"])
    response = await tenant.http.post("/oauth/token", data={
        "grant_type": "client_credentials", "client_id": client.client_id, "client_secret": client.client_secret,
        "audience": api.identifier,
    })
    token = response.json()["access_token"]
    response = await tenant.http.get("/api/v2/users", headers={"authorization": f"Bearer {token}"})
    assert_auth0_error(response, 401, "invalid_token")


async def test_expired_token_is_refused(tenant: TenantFixture, token_for: MintToken, clock: object) -> None:
    token = await token_for("read:users")
    clock.advance(86400 + 1)  # type: ignore[attr-defined]
    response = await tenant.http.get("/api/v2/users", headers={"authorization": f"Bearer {token}"})
    body = assert_auth0_error(response, 401, "invalid_token")
    assert "Expired" in str(body["message"])


async def test_answers_carry_rate_limit_headers(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/v2/clients")
    assert response.status_code == 200
    assert {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "x-request-id"} <= set(response.headers)


async def test_unserved_paths_answer_insufficient_scope_for_their_resource(api: httpx.AsyncClient) -> None:
    for path, scope in (
        ("/api/v2/rules", "read:rules"), ("/api/v2/email-templates/verify_email", "read:email_templates"),
        ("/api/v2/hooks", "read:hooks"), ("/api/v2/organizations", "read:organizations"),
    ):
        body = assert_auth0_error(await api.get(path), 403, "insufficient_scope")
        assert body["message"] == f"Insufficient scope, expected any of: {scope}"


async def test_unserved_paths_still_need_a_token(tenant: TenantFixture) -> None:
    assert_auth0_error(await tenant.http.get("/api/v2/rules"), 401, "invalid_token")


async def test_bad_json_body_is_invalid_body(api: httpx.AsyncClient) -> None:
    response = await api.post("/api/v2/clients", content=b"{not json", headers={"content-type": "application/json"})
    assert_auth0_error(response, 400, "invalid_body")


async def test_a_user_token_for_the_management_api_gets_no_management_scope(tenant: TenantFixture) -> None:
    """However a user came by a token for /api/v2/ with read:users in it, only machine tokens carry
    management scopes (Auth0 gives users the *current_user* ones only, which Ostiary does not serve)."""
    from tests.support.minting import user_tokens

    await tenant.connection("Username-Password-Authentication")
    user = await tenant.user()
    client = await tenant.client()
    system = await tenant.repos_call(lambda r: r.resource_servers.system())
    issued = await user_tokens(tenant, client=client, user=user, api=system, scopes=["read:users", "delete:users"])
    response = await tenant.http.get("/api/v2/users", headers={"authorization": f"Bearer {issued.access_token}"})
    assert_auth0_error(response, 403, "insufficient_scope")


async def test_metadata_scope_alone_updates_metadata_only(tenant: TenantFixture, token_for: MintToken) -> None:
    await tenant.connection("Username-Password-Authentication")
    user = await tenant.user()
    headers = {"authorization": f"Bearer {await token_for('update:users_app_metadata')}"}
    ok = await tenant.http.patch(f"/api/v2/users/{user.user_id}", json={"app_metadata": {"a": 1}}, headers=headers)
    assert ok.status_code == 200 and ok.json()["app_metadata"] == {"a": 1}
    refused = await tenant.http.patch(f"/api/v2/users/{user.user_id}", json={"blocked": True}, headers=headers)
    assert_auth0_error(refused, 403, "insufficient_scope")


async def test_edge_errors_under_api_v2_have_auth0s_body(tenant: TenantFixture, api: httpx.AsyncClient) -> None:
    too_large = await api.post("/api/v2/clients", content=b"x" * (70 * 1024),
                               headers={"content-type": "application/json"})
    assert_auth0_error(too_large, 413, "payload_too_large")
    async with httpx.AsyncClient(transport=tenant.http._transport, base_url="https://unknown.test") as stranger:
        assert_auth0_error(await stranger.get("/api/v2/users"), 404, "not_found")
