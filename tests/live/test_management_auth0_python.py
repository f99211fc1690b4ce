"""auth0-python's `auth0.management.Auth0` over https against a running server: users, clients, resource
servers, client grants, connections, roles and permissions, with the token a machine client gets by
client_credentials."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from auth0.management import Auth0, PermissionRequestPayload
from auth0.management.core.api_error import ApiError

from ostiary.admin.management_client import ManagementAccess, management_access
from ostiary.admin.provision import DEFAULT_DATABASE_CONNECTION, provision_tenant
from ostiary.admin.session import admin_session
from ostiary.settings import Settings
from tests.conftest import TEST_MASTER_KEY
from tests.support.live import free_port, live_server
from tests.support.tls import TlsFiles, make_tls

pytestmark = pytest.mark.live


async def test_auth0_python_management_client(settings: Settings, test_output_dir: Path, tmp_path: Path) -> None:
    tls = make_tls(tmp_path)
    port = free_port()
    domain = f"localhost:{port}"
    async with admin_session(settings) as admin:
        tenant = await provision_tenant(admin, name=f"py-{port}", domains=[domain])
        repos = admin.repos(tenant)
        assert await repos.connections.by_name(DEFAULT_DATABASE_CONNECTION)  # provisioning creates it
        access = await management_access(repos, tenant, client_name="py-sdk", scopes=None, scheme="https",
                                         now=admin.clock.now())
    try:
        env = {"OSTIARY_PUBLIC_SCHEME": "https"}
        with live_server(database_url=settings.database_url, master_key=TEST_MASTER_KEY, log_dir=test_output_dir,
                         workers=1, port=port, tls=tls, extra_env=env):
            await asyncio.to_thread(_exercise, domain, tls, access)
    finally:
        async with admin_session(settings) as admin:
            await admin.tenants.delete(f"py-{port}")


def _exercise(domain: str, tls: TlsFiles, access: ManagementAccess) -> None:
    """The SDK is synchronous: it runs on a thread of its own, with a token got by client_credentials."""
    with httpx.Client(verify=tls.client_context()) as http:
        token = http.post(f"https://{domain}/oauth/token", data={
            "grant_type": "client_credentials", "client_id": access.client_id,
            "client_secret": access.client_secret, "audience": access.audience,
        }).json()["access_token"]
        mgmt = Auth0(base_url=f"https://{domain}/api/v2", token=token, httpx_client=http)
        _users(mgmt)
        _applications(mgmt)
        _roles(mgmt)


def _users(mgmt: Auth0) -> None:
    user = mgmt.users.create(connection=DEFAULT_DATABASE_CONNECTION, email="Py.User@example.com",
                             password="correct horse battery", app_metadata={"plan": "pro"})
    assert user.user_id and user.email == "py.user@example.com"
    found = list(mgmt.users.list(q='email:"py.user@example.com"', search_engine="v3"))
    assert [u.user_id for u in found] == [user.user_id]
    assert [u.user_id for u in mgmt.users.list_users_by_email(email="py.user@example.com")] == [user.user_id]
    mgmt.users.update(user.user_id, app_metadata={"seats": 3}, user_metadata={"lang": "fr"})
    updated = mgmt.users.get(user.user_id)
    assert updated.app_metadata == {"plan": "pro", "seats": 3} and updated.user_metadata == {"lang": "fr"}
    mgmt.users.delete(user.user_id)
    with pytest.raises(ApiError) as info:
        mgmt.users.get(user.user_id)
    assert info.value.status_code == 404 and info.value.body["errorCode"] == "inexistent_user"  # type: ignore[index]


def _applications(mgmt: Auth0) -> None:
    client = mgmt.clients.create(name="py-backend", app_type="non_interactive")
    assert client.client_id in {c.client_id for c in mgmt.clients.list()}
    api = mgmt.resource_servers.create(identifier="https://py.example", scopes=[{"value": "read:py"}])
    assert api.identifier in {a.identifier for a in mgmt.resource_servers.list()}
    grant = mgmt.client_grants.create(client_id=client.client_id, audience="https://py.example", scope=["read:py"])
    assert [g.id for g in mgmt.client_grants.list(audience="https://py.example")] == [grant.id]
    conn = mgmt.connections.create(name="py-db", strategy="auth0")
    assert "py-db" in {c.name for c in mgmt.connections.list()}
    mgmt.connections.delete(conn.id)
    mgmt.client_grants.delete(grant.id)
    mgmt.clients.delete(client.client_id)


def _roles(mgmt: Auth0) -> None:
    mgmt.resource_servers.create(identifier="https://rbac.example", scopes=[{"value": "read:reports"}])
    user = mgmt.users.create(connection=DEFAULT_DATABASE_CONNECTION, email="role.user@example.com",
                             password="correct horse battery")
    role = mgmt.roles.create(name="auditor", description="Reads reports")
    assert role.id and [r.id for r in mgmt.roles.list(name_filter="audit")] == [role.id]
    mgmt.roles.update(role.id, description="Reads every report")
    assert mgmt.roles.get(role.id).description == "Reads every report"
    permission = PermissionRequestPayload(permission_name="read:reports", resource_server_identifier="https://rbac.example")
    mgmt.roles.permissions.add(role.id, permissions=[permission])
    assert [p.permission_name for p in mgmt.roles.permissions.list(role.id)] == ["read:reports"]
    mgmt.roles.users.assign(role.id, users=[user.user_id])
    assert [u.user_id for u in mgmt.roles.users.list(role.id)] == [user.user_id]
    assert [r.id for r in mgmt.users.roles.list(user.user_id)] == [role.id]
    [held] = list(mgmt.users.permissions.list(user.user_id))
    assert (held.permission_name, held.resource_server_identifier) == ("read:reports", "https://rbac.example")
    mgmt.users.roles.delete(user.user_id, roles=[role.id])
    assert list(mgmt.users.permissions.list(user.user_id)) == []
    mgmt.roles.delete(role.id)
    with pytest.raises(ApiError) as info:
        mgmt.roles.get(role.id)
    assert info.value.status_code == 404 and info.value.body["errorCode"] == "inexistent_role"  # type: ignore[index]
