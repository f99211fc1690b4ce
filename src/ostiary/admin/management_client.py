"""A machine client with a grant on the tenant's Management API, and a token for it: what an admin needs to
start calling /api/v2 at once (`ostiary management token`)."""

from __future__ import annotations

from dataclasses import dataclass

from ostiary import entities
from ostiary.admin.system_api import MANAGEMENT_SCOPES, ensure_system_objects
from ostiary.errors import AdminError
from ostiary.store.repos import Repos
from ostiary.tokens.claims import access_token_claims, join_scope
from ostiary.tokens.signer import Signer

DEFAULT_CLIENT_NAME = "Ostiary Management Client"


@dataclass(frozen=True)
class ManagementAccess:
    client_id: str
    client_secret: str | None
    audience: str
    scope: str
    access_token: str
    expires_in: int
    token_type: str = "Bearer"


async def management_access(
    repos: Repos, tenant: entities.Tenant, *, client_name: str, scopes: list[str] | None, scheme: str, now: float
) -> ManagementAccess:
    """The machine client `client_name` (created if missing), its grant on the Management API (set to `scopes`,
    all of Auth0's when None), and an access token as /oauth/token would mint it by client_credentials."""
    api = await ensure_system_objects(repos, tenant)
    wanted = list(MANAGEMENT_SCOPES) if scopes is None else scopes
    client = await repos.clients.by_name(client_name)
    if client is None:
        client = await repos.clients.create(name=client_name, app_type="non_interactive")
    elif "client_credentials" not in client.grant_types or client.is_public:
        raise AdminError(f"client: {client_name!r} is not a confidential client_credentials client")
    grant = await repos.client_grants.upsert(client_id=client.client_id, audience=api.identifier, scope=wanted)
    issued_at = int(now)
    claims = access_token_claims(
        issuer=tenant.issuer(scheme), subject=f"{client.client_id}@clients", audience=api.identifier,
        client_id=client.client_id, scope=join_scope(grant.scope), issued_at=issued_at, lifetime=api.token_lifetime,
        gty="client-credentials",
    )
    token = Signer(await repos.signing_keys.published()).sign(claims, alg="RS256")
    return ManagementAccess(
        client_id=client.client_id, client_secret=client.client_secret, audience=api.identifier,
        scope=join_scope(grant.scope), access_token=token, expires_in=api.token_lifetime,
    )
