"""The /oauth/token front door: body parsing, client authentication, grant gate, headers, CORS."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote_plus

import httpx
import pytest
from tests.support.factories import TenantFixture

from ostiary import entities

API = "https://api.example.com"
UNAUTHORIZED = {"error": "access_denied", "error_description": "Unauthorized"}
BASIC_CHALLENGE = 'Basic realm="ostiary"'
CC_NOT_ALLOWED = "Grant type 'client_credentials' not allowed for the client."


def _invalid_request(description: str) -> dict[str, str]:
    return {"error": "invalid_request", "error_description": description}


def _basic(client_id: str, secret: str) -> dict[str, str]:
    raw = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


async def _m2m(t: TenantFixture, **fields: Any) -> entities.Client:
    await t.api(API)
    fields.setdefault("app_type", "non_interactive")
    client = await t.client(**fields)
    await t.client_grant(client.client_id, API, ["read:things"])
    return client


def _cc(client: entities.Client, **extra: str) -> dict[str, str]:
    form = {"grant_type": "client_credentials", "client_id": client.client_id, "audience": API}
    if client.client_secret:
        form["client_secret"] = client.client_secret
    return {**form, **extra}


def _assert_error(response: httpx.Response, status: int, body: dict[str, Any]) -> None:
    assert response.status_code == status, response.text
    assert response.json() == body
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"
    assert response.headers["content-type"] == "application/json"


async def test_form_and_json_bodies_both_work(tenant: TenantFixture) -> None:
    client = await _m2m(tenant)
    for kwargs in ({"data": _cc(client)}, {"json": _cc(client)}):
        response = await tenant.http.post("/oauth/token", **kwargs)  # type: ignore[arg-type]
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["pragma"] == "no-cache"
        assert list(response.json()) == ["access_token", "scope", "expires_in", "token_type"]


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        ("grant_type=client_credentials&grant_type=password", "application/x-www-form-urlencoded"),
        ('{"grant_type": "client_credentials", "grant_type": "password"}', "application/json"),
    ],
    ids=["form", "json"],
)
async def test_duplicate_parameters_are_invalid_request(
    tenant: TenantFixture, content: str, content_type: str
) -> None:
    response = await tenant.http.post("/oauth/token", content=content, headers={"Content-Type": content_type})
    _assert_error(response, 400, _invalid_request("Parameter grant_type is included more than once"))


async def test_parameters_in_the_query_string_are_refused(tenant: TenantFixture) -> None:
    client = await _m2m(tenant)
    response = await tenant.http.post(
        "/oauth/token", params={"client_secret": client.client_secret}, data=_cc(client)
    )
    _assert_error(
        response, 400, _invalid_request("Parameters must be sent in the request body, not the query string")
    )


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"data": {"client_id": "x"}}, {"json": {}}, {"json": {"grant_type": ""}}],
    ids=["empty", "form-without", "json-empty", "json-blank"],
)
async def test_missing_grant_type_is_400_never_422(tenant: TenantFixture, kwargs: dict[str, Any]) -> None:
    response = await tenant.http.post("/oauth/token", **kwargs)
    _assert_error(response, 400, _invalid_request("Missing required parameter: grant_type"))


@pytest.mark.parametrize(
    ("content", "content_type", "status", "description"),
    [
        (b"{not json", "application/json", 400, "The request body is not valid JSON"),
        (b"[1, 2]", "application/json", 400, "The request body must be a JSON object"),
        (b"grant_type=\xff", "application/x-www-form-urlencoded", 400, "The request body is not valid UTF-8"),
        (b"grant_type=password", "text/plain", 415, "Unsupported content type: text/plain"),
    ],
    ids=["bad-json", "json-array", "not-utf8", "text-plain"],
)
async def test_unparseable_bodies_are_oauth_errors(
    tenant: TenantFixture, content: bytes, content_type: str, status: int, description: str
) -> None:
    response = await tenant.http.post("/oauth/token", content=content, headers={"Content-Type": content_type})
    _assert_error(response, status, {"error": "invalid_request", "error_description": description})


async def test_unknown_grant_type_is_unsupported_grant_type(tenant: TenantFixture) -> None:
    response = await tenant.http.post("/oauth/token", data={"grant_type": "urn:example:magic", "client_id": "x"})
    _assert_error(
        response,
        400,
        {"error": "unsupported_grant_type", "error_description": "Unsupported grant type: urn:example:magic"},
    )


async def test_grant_not_enabled_for_the_client_is_unauthorized_client(tenant: TenantFixture) -> None:
    client = await _m2m(tenant, app_type="regular_web", grant_types=["authorization_code"])
    response = await tenant.http.post("/oauth/token", data=_cc(client))
    _assert_error(
        response,
        403,
        {
            "error": "unauthorized_client",
            "error_description": CC_NOT_ALLOWED,
            "error_uri": "https://auth0.com/docs/clients/client-grant-types",
        },
    )


async def test_wrong_secret_in_the_body_is_401_unauthorized_without_challenge(tenant: TenantFixture) -> None:
    client = await _m2m(tenant)
    response = await tenant.http.post("/oauth/token", data=_cc(client, client_secret="wrong"))
    _assert_error(response, 401, UNAUTHORIZED)
    assert "www-authenticate" not in response.headers


async def test_wrong_secret_with_basic_is_401_with_basic_challenge(tenant: TenantFixture) -> None:
    client = await _m2m(tenant, token_endpoint_auth_method="client_secret_basic")
    response = await tenant.http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "audience": API},
        headers=_basic(client.client_id, "wrong"),
    )
    _assert_error(response, 401, UNAUTHORIZED)
    assert response.headers["www-authenticate"] == BASIC_CHALLENGE


async def test_basic_credentials_are_form_urlencoded_before_base64(tenant: TenantFixture) -> None:
    secret = "a:b%c+d é".ljust(32, "-")  # chosen secrets are at least 32 characters
    client = await _m2m(tenant, token_endpoint_auth_method="client_secret_basic", client_secret=secret)
    response = await tenant.http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "audience": API},
        headers=_basic(client.client_id, secret),
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "authorization", ["Basic", "Basic !!!", "Basic " + base64.b64encode(b"no-colon").decode()],
    ids=["empty", "not-base64", "no-colon"],
)
async def test_malformed_basic_header_is_invalid_request(tenant: TenantFixture, authorization: str) -> None:
    response = await tenant.http.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, headers={"Authorization": authorization}
    )
    _assert_error(response, 400, _invalid_request("Malformed Authorization header"))


async def test_registered_auth_method_is_enforced(tenant: TenantFixture) -> None:
    basic_client = await _m2m(tenant, token_endpoint_auth_method="client_secret_basic")
    post_client = await tenant.client(app_type="non_interactive")
    await tenant.client_grant(post_client.client_id, API, ["read:things"])
    # Registered for Basic, sends the secret in the body.
    _assert_error(await tenant.http.post("/oauth/token", data=_cc(basic_client)), 401, UNAUTHORIZED)
    # Registered for post, sends Basic.
    assert post_client.client_secret is not None
    response = await tenant.http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "audience": API},
        headers=_basic(post_client.client_id, post_client.client_secret),
    )
    _assert_error(response, 401, UNAUTHORIZED)
    assert response.headers["www-authenticate"] == BASIC_CHALLENGE
    # Confidential client with no secret at all (CA-06).
    _assert_error(await tenant.http.post("/oauth/token", data=_cc(post_client, client_secret="")), 401, UNAUTHORIZED)
    no_secret = {k: v for k, v in _cc(post_client).items() if k != "client_secret"}
    _assert_error(await tenant.http.post("/oauth/token", data=no_secret), 401, UNAUTHORIZED)


async def test_public_client_sending_a_secret_is_refused(tenant: TenantFixture) -> None:
    spa = await tenant.client(app_type="spa", grant_types=["client_credentials"])
    assert spa.token_endpoint_auth_method == "none"
    response = await tenant.http.post("/oauth/token", data=_cc(spa, client_secret="anything"))
    _assert_error(response, 401, UNAUTHORIZED)


async def test_public_client_authenticates_with_none(tenant: TenantFixture) -> None:
    spa = await tenant.client(app_type="spa", grant_types=["client_credentials"])
    await tenant.api(API)
    response = await tenant.http.post("/oauth/token", data=_cc(spa))
    # RFC 6749 §4.4: authenticated as a public client, then refused by the grant itself.
    _assert_error(
        response,
        403,
        {
            "error": "unauthorized_client",
            "error_description": CC_NOT_ALLOWED,
            "error_uri": "https://auth0.com/docs/clients/client-grant-types",
        },
    )


async def test_unknown_client_and_two_methods_at_once(tenant: TenantFixture) -> None:
    unknown = {"grant_type": "client_credentials", "client_id": "nobody", "client_secret": "x"}
    _assert_error(await tenant.http.post("/oauth/token", data=unknown), 401, UNAUTHORIZED)
    client = await _m2m(tenant)
    assert client.client_secret is not None
    response = await tenant.http.post(
        "/oauth/token", data=_cc(client), headers=_basic(client.client_id, client.client_secret)
    )
    _assert_error(
        response, 400, _invalid_request("Client credentials were sent in both the body and the Authorization header")
    )


async def test_oversized_body_is_413_no_store(tenant: TenantFixture) -> None:
    response = await tenant.http.post(
        "/oauth/token", content=b"grant_type=" + b"x" * 70_000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    assert response.headers["cache-control"] == "no-store"
    assert response.json()["error"] == "invalid_request"


async def test_other_methods_are_405(tenant: TenantFixture) -> None:
    response = await tenant.http.get("/oauth/token")
    # Security catalogue CA-12: never a token, 405 with Allow.
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json() == {"error": "method_not_allowed", "error_description": "Method Not Allowed"}


class TestCors:
    ORIGIN = "https://app.example.com"

    async def _spa(self, t: TenantFixture) -> entities.Client:
        return await _m2m(t, web_origins=[self.ORIGIN])

    async def test_preflight_from_a_registered_origin(self, tenant: TenantFixture) -> None:
        await self._spa(tenant)
        response = await tenant.http.options(
            "/oauth/token", headers={"Origin": self.ORIGIN, "Access-Control-Request-Method": "POST"}
        )
        assert response.status_code == 204
        assert response.headers["access-control-allow-origin"] == self.ORIGIN
        assert "Content-Type" in response.headers["access-control-allow-headers"]
        assert response.headers["vary"] == "Origin"
        assert "access-control-allow-credentials" not in response.headers

    @pytest.mark.parametrize(
        "origin",
        ["https://evil.example", "null", "http://app.example.com", "https://app.example.com:8443",
         "https://app.example.com.evil.example"],
        ids=["foreign", "null", "scheme", "port", "suffix"],
    )
    async def test_preflight_from_other_origins_gets_no_allow_origin(self, tenant: TenantFixture, origin: str) -> None:
        await self._spa(tenant)
        response = await tenant.http.options("/oauth/token", headers={"Origin": origin})
        assert response.status_code == 204
        assert "access-control-allow-origin" not in response.headers

    async def test_preflight_at_another_tenant_gets_no_allow_origin(
        self, tenant: TenantFixture, other_tenant: TenantFixture
    ) -> None:
        await self._spa(tenant)
        response = await other_tenant.http.options("/oauth/token", headers={"Origin": self.ORIGIN})
        assert "access-control-allow-origin" not in response.headers

    async def test_request_from_the_clients_origin_is_allowed(self, tenant: TenantFixture) -> None:
        client = await self._spa(tenant)
        response = await tenant.http.post("/oauth/token", data=_cc(client), headers={"Origin": self.ORIGIN})
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == self.ORIGIN
        assert response.headers["vary"] == "Origin"
        error = await tenant.http.post(
            "/oauth/token", data=_cc(client, client_secret="wrong"), headers={"Origin": self.ORIGIN}
        )
        _assert_error(error, 401, UNAUTHORIZED)
        assert error.headers["access-control-allow-origin"] == self.ORIGIN

    async def test_request_from_another_origin_is_403_plain_text(self, tenant: TenantFixture) -> None:
        client = await self._spa(tenant)
        response = await tenant.http.post(
            "/oauth/token", data=_cc(client), headers={"Origin": "https://evil.example"}
        )
        assert response.status_code == 403
        assert response.text == "Origin https://evil.example is not allowed."
        assert response.headers["content-type"].startswith("text/plain")
        assert response.headers["cache-control"] == "no-store"
        assert "access-control-allow-origin" not in response.headers
        error = await tenant.http.post(
            "/oauth/token", data=_cc(client, client_secret="wrong"), headers={"Origin": "https://evil.example"}
        )
        assert error.status_code == 401
        assert "access-control-allow-origin" not in error.headers

    async def test_origin_of_client_a_is_refused_for_client_b(self, tenant: TenantFixture) -> None:
        await self._spa(tenant)
        other = await tenant.client(app_type="non_interactive")
        await tenant.client_grant(other.client_id, API, ["read:things"])
        response = await tenant.http.post("/oauth/token", data=_cc(other), headers={"Origin": self.ORIGIN})
        assert response.status_code == 403
        assert response.text == f"Origin {self.ORIGIN} is not allowed."
