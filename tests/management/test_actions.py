"""JavaScript actions, triggers and bindings through /api/v2 (admin/actions.py: checked in V8, then stored),
run by a real client_credentials exchange and verified against the JWKS."""

from __future__ import annotations

import httpx

from tests.management.conftest import mint
from tests.management.test_access import assert_auth0_error
from tests.support.factories import TenantFixture
from tests.support.jwks import verify

API = "https://things.example.com"
CLAIM = """
exports.onExecuteCredentialsExchange = async (event, api) => {
  if (event.request.body.audience === '%s') {
    api.accessToken.setCustomClaim('https://t/tag', event.secrets.TAG + '-%s');
  }
};
"""
CREDENTIALS = [{"id": "credentials-exchange", "version": "v2"}]


def _code(version: str) -> str:
    return CLAIM % (API, version)


async def _create(api: httpx.AsyncClient, name: str = "tag", **extra: object) -> dict[str, object]:
    body = {"name": name, "code": _code("one"), "runtime": "node22", "supported_triggers": CREDENTIALS,
            "secrets": [{"name": "TAG", "value": "s3cret"}], **extra}
    response = await api.post("/api/v2/actions/actions", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _machine(tenant: TenantFixture) -> dict[str, str]:
    """The client_credentials form of a machine client granted API."""
    await tenant.api(API, scopes=["read:things"])
    client = await tenant.client(app_type="non_interactive")
    await tenant.client_grant(client.client_id, API, scope=["read:things"])
    return {"grant_type": "client_credentials", "client_id": client.client_id,
            "client_secret": client.client_secret or "", "audience": API}


async def _tag(tenant: TenantFixture, form: dict[str, str]) -> object:
    response = await tenant.http.post("/oauth/token", data=form)
    assert response.status_code == 200, response.text
    claims = await verify(tenant.http, response.json()["access_token"], audience=API, issuer=tenant.issuer)
    return claims.get("https://t/tag")


async def test_action_lifecycle_binding_and_run(tenant: TenantFixture, api: httpx.AsyncClient) -> None:
    action = await _create(api)
    assert action["status"] == "built" and action["runtime"] == "node22"
    assert action["secrets"] == [{"name": "TAG", "updated_at": action["updated_at"]}]  # write-only
    assert "s3cret" not in str(action)
    listed = (await api.get("/api/v2/actions/actions", params={"triggerId": "credentials-exchange"})).json()
    assert listed["total"] == 1 and [a["id"] for a in listed["actions"]] == [action["id"]]
    assert (await api.get("/api/v2/actions/actions", params={"triggerId": "post-login"})).json()["actions"] == []
    assert (await api.get("/api/v2/actions/actions", params={"actionName": "nope"})).json()["actions"] == []
    assert (await api.get(f"/api/v2/actions/actions/{action['id']}")).json()["code"] == _code("one")
    deployed = await api.post(f"/api/v2/actions/actions/{action['id']}/deploy")
    assert deployed.status_code == 200 and deployed.json()["action"]["id"] == action["id"]

    bindings = "/api/v2/actions/triggers/credentials-exchange/bindings"
    assert (await api.get(bindings)).json()["bindings"] == []
    bound = await api.patch(bindings, json={"bindings": [
        {"ref": {"type": "action_name", "value": "tag"}, "display_name": "tag"}]})
    assert bound.status_code == 200
    assert [b["action"]["id"] for b in bound.json()["bindings"]] == [action["id"]]
    assert (await api.get(bindings)).json()["bindings"][0]["display_name"] == "tag"
    machine = await _machine(tenant)
    assert await _tag(tenant, machine) == "s3cret-one"

    patched = await api.patch(f"/api/v2/actions/actions/{action['id']}", json={"code": _code("two")})
    assert patched.status_code == 200 and patched.json()["secrets"][0]["name"] == "TAG"
    assert await _tag(tenant, machine) == "s3cret-two"  # the secret was kept, the new code runs

    by_id = await api.patch(bindings, json={"bindings": []})
    assert by_id.json() == {"bindings": []}
    assert await _tag(tenant, machine) is None  # unbound: no longer runs
    assert (await api.delete(f"/api/v2/actions/actions/{action['id']}")).status_code == 204
    assert_auth0_error(await api.get(f"/api/v2/actions/actions/{action['id']}"), 404, "inexistent_action")


async def test_triggers_and_the_list_shape(api: httpx.AsyncClient) -> None:
    triggers = (await api.get("/api/v2/actions/triggers")).json()["triggers"]
    assert {t["id"] for t in triggers} == {"post-login", "credentials-exchange", "custom-token-exchange"}
    assert all("node22" in t["runtimes"] for t in triggers)
    body = assert_auth0_error(await api.get("/api/v2/actions/actions", params={"include_totals": "true"}), 400,
                              "invalid_query_string")
    assert "include_totals" in str(body["message"])
    assert (await api.get("/api/v2/actions/actions", params={"per_page": "100", "page": "0"})).json() == {
        "actions": [], "total": 0, "page": 0, "per_page": 100}
    assert_auth0_error(await api.get("/api/v2/actions/triggers/post-user-registration/bindings"), 404,
                       "inexistent_trigger")


async def test_bad_actions_are_refused_and_nothing_is_stored(api: httpx.AsyncClient) -> None:
    refused = {
        "action.code: required": {"name": "a", "supported_triggers": CREDENTIALS},
        "action.runtime: 'python'": {"name": "a", "code": "x = 1", "runtime": "python",
                                     "supported_triggers": CREDENTIALS},
        "action a: the code does not load": {"name": "a", "code": "exports.x = ;", "supported_triggers": CREDENTIALS},
        "action a: the code does not export onExecuteCredentialsExchange": {
            "name": "a", "code": "exports.onExecutePostLogin = async () => {};", "supported_triggers": CREDENTIALS},
        "action.supported_triggers: 'pre-user-registration'": {
            "name": "a", "code": "", "supported_triggers": [{"id": "pre-user-registration", "version": "v2"}]},
        "action.secrets: 'K' has no value": {"name": "a", "code": _code("x"), "supported_triggers": CREDENTIALS,
                                             "secrets": [{"name": "K"}]},
        "action.colour: unknown field": {"name": "a", "colour": "red"},
    }
    for message, body in refused.items():
        error = assert_auth0_error(await api.post("/api/v2/actions/actions", json=body), 400, "invalid_body")
        assert str(error["message"]).startswith(message), (message, error)
    assert (await api.get("/api/v2/actions/actions")).json()["actions"] == []
    await _create(api, "dup")
    assert_auth0_error(await api.post("/api/v2/actions/actions", json={
        "name": "dup", "code": _code("x"), "supported_triggers": CREDENTIALS}), 409, "conflict")
    bad_ref = await api.patch("/api/v2/actions/triggers/credentials-exchange/bindings", json={"bindings": [
        {"ref": {"type": "action_id", "value": "nope"}}]})
    assert_auth0_error(bad_ref, 400, "invalid_body")


async def test_actions_of_another_tenant_are_invisible(
    tenant: TenantFixture, other_tenant: TenantFixture, api: httpx.AsyncClient
) -> None:
    token = await mint(other_tenant, ["create:actions"])
    created = await other_tenant.http.post("/api/v2/actions/actions", headers={"authorization": f"Bearer {token}"},
                                           json={"name": "secret", "code": _code("x"),
                                                 "supported_triggers": CREDENTIALS})
    assert created.status_code == 201, created.text
    foreign = created.json()["id"]
    assert (await api.get("/api/v2/actions/actions")).json()["actions"] == []
    for response in (await api.get(f"/api/v2/actions/actions/{foreign}"),
                     await api.patch(f"/api/v2/actions/actions/{foreign}", json={"code": ""}),
                     await api.post(f"/api/v2/actions/actions/{foreign}/deploy"),
                     await api.delete(f"/api/v2/actions/actions/{foreign}")):
        assert_auth0_error(response, 404, "inexistent_action")
    bind = await api.patch("/api/v2/actions/triggers/credentials-exchange/bindings", json={"bindings": [
        {"ref": {"type": "action_id", "value": foreign}}]})
    assert_auth0_error(bind, 400, "invalid_body")
    await _create(api, "secret")  # names are unique per tenant only
