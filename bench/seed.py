"""The bench tenant: a Deploy-CLI-style spec (written as YAML), seeded into a fresh database, plus refresh
tokens for the virtual users and bulk filler tokens, and the row counts the bench checks.

`seed()` is one `ostiary import <file>`, the way an operator would load a tenant.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select, text, update

from ostiary.admin.session import admin_session
from ostiary.ids import new_refresh_token
from ostiary.oauth.issuance import refresh_expiry
from ostiary.settings import Settings
from ostiary.store.models import AuthorizationCode, RefreshToken

TENANT = "bench"
DOMAIN = "bench.ostiary.test"
API = "https://api.bench.test"
# The same API with RBAC on (enforce_policies, access_token_authz); every bench user holds ROLES.
RBAC_API = "https://api-rbac.bench.test"
ROLES = ("reader", "writer", "auditor")
CALLBACK = "http://127.0.0.1/callback"
BUNDLE_ID = "test.ostiary.bench"
PASSWORD = "Bench-password-1234"
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
PASSWORD_REALM = "http://auth0.com/oauth/grant-type/password-realm"
DB_CONNECTION = "Username-Password-Authentication"


def spec(*, users: int, apple: dict[str, Any]) -> dict[str, Any]:
    """The tenant in Auth0 Deploy CLI's YAML shape (tenant, resourceServers, clients, clientGrants,
    connections, roles), plus `users` for the database connection, each holding the three roles."""
    return {
        "tenant": {
            "name": TENANT, "domain": DOMAIN, "friendly_name": "Ostiary bench", "default_directory": DB_CONNECTION,
        },
        "resourceServers": [
            {
                "name": "Bench API",
                "identifier": API,
                "scopes": [{"value": "read:things"}, {"value": "write:things"}],
                "allow_offline_access": True,
                "signing_alg": "RS256",
            },
            {
                "name": "Bench API (RBAC)",
                "identifier": RBAC_API,
                "scopes": [{"value": "read:things"}, {"value": "write:things"}, {"value": "audit:things"}],
                "allow_offline_access": True,
                "signing_alg": "RS256",
                "enforce_policies": True,
                "token_dialect": "access_token_authz",
            },
        ],
        "roles": [
            {"name": name, "description": f"bench {name}",
             "permissions": [{"permission_name": f"{verb}:things", "resource_server_identifier": RBAC_API}
                             for verb in ("read", "write", "audit")[: i + 1]]}
            for i, name in enumerate(ROLES)
        ],
        "clients": [
            {"name": "bench-m2m", "app_type": "non_interactive", "grant_types": ["client_credentials"]},
            {
                "name": "bench-web",
                "app_type": "regular_web",
                "callbacks": [CALLBACK],
                "grant_types": ["authorization_code", "refresh_token", PASSWORD_REALM],
                "refresh_token": {"rotation_type": "rotating", "expiration_type": "expiring"},
            },
            {
                "name": "bench-ios",
                "app_type": "native",
                "grant_types": ["authorization_code", "refresh_token", TOKEN_EXCHANGE],
                "native_social_login": {"apple": {"enabled": True}},
                "mobile": {"ios": {"team_id": apple["team_id"], "app_bundle_identifier": BUNDLE_ID}},
                "refresh_token": {"rotation_type": "rotating", "expiration_type": "expiring"},
            },
        ],
        "clientGrants": [{"client_id": "bench-m2m", "audience": API, "scope": ["read:things", "write:things"]}],
        "connections": [
            {"name": DB_CONNECTION, "strategy": "auth0", "enabled_clients": ["bench-web"]},
            {"name": "apple", "strategy": "apple", "enabled_clients": ["bench-ios"], "options": apple},
        ],
        "users": [
            {"email": f"user{i}@bench.test", "email_verified": True, "password": PASSWORD, "connection": DB_CONNECTION,
             "roles": list(ROLES)}
            for i in range(users)
        ],
    }


def write_yaml(data: dict[str, Any], path: Path) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@dataclass(frozen=True)
class Seeded:
    tenant_id: str
    secrets: dict[str, str]  # client name -> client_id:secret
    client_ids: dict[str, str]
    user_ids: list[str]


async def seed(settings: Settings, data: dict[str, Any], *, yaml_path: Path) -> Seeded:
    """Create the bench tenant from the spec; returns what the scenarios need to authenticate."""
    env = {**os.environ, "OSTIARY_DATABASE_URL": settings.database_url, "OSTIARY_MASTER_KEY": settings.master_key or ""}
    subprocess.run([sys.executable, "-m", "ostiary", "import", str(yaml_path)], env=env, check=True)  # noqa: ASYNC221
    async with admin_session(settings) as admin:
        tenant, repos = await admin.tenant_repos(TENANT)
        clients = {c["name"]: await repos.clients.require(c["name"]) for c in data["clients"]}
        users = [await repos.users.by_login(DB_CONNECTION, u["email"]) for u in data["users"]]
    return Seeded(
        tenant_id=tenant.id,
        secrets={name: c.client_secret or "" for name, c in clients.items()},
        client_ids={name: c.client_id for name, c in clients.items()},
        user_ids=[u.user_id for u in users if u is not None],
    )


async def issue_refresh_tokens(
    settings: Settings, seeded: Seeded, *, client: str, count: int, scope: str, audience: str = API
) -> list[str]:
    """One refresh-token family per virtual user, stored exactly as oauth/issuance.issue_refresh_token does."""
    tokens = []
    async with admin_session(settings) as admin:
        tenant, repos = await admin.tenant_repos(TENANT)
        entity = await repos.clients.require(client)
        for i in range(count):
            user_id = seeded.user_ids[i % len(seeded.user_ids)]
            grant_id = await repos.grants.create(
                client_id=entity.client_id, user_id=user_id, audience=audience, scope=scope
            )
            absolute, idle = refresh_expiry(entity.refresh_token, admin.clock.now())
            token = new_refresh_token()
            await repos.refresh_tokens.create(
                token,
                grant_id=grant_id,
                client_id=entity.client_id,
                user_id=user_id,
                audience=audience,
                scope=scope,
                rotating=entity.refresh_token.rotating,
                absolute_expires_at=absolute,
                idle_expires_at=idle,
                auth_time=admin.clock.now(),
            )
            tokens.append(token)
    return tokens


_FILLER_COLUMNS = (
    "id, tenant_id, token_hash, grant_id, family_id, client_id, user_id, audience, scope, rotating, data, "
    "created_at"
)


async def seed_filler_refresh_tokens(settings: Settings, seeded: Seeded, count: int) -> None:
    """COUNT stored refresh tokens nobody presents, in one server-side INSERT ... SELECT: they only make the
    table and its indexes as big as a real tenant's. Keys ascend within a batch (each call has its own
    tag) so the B-trees are built by appending; the hashes' index has the same depth as with random keys,
    and a real token's hash (hex) can never equal a filler one (they start with "z")."""
    if count <= 0:
        return
    tag = secrets.token_hex(3)
    if settings.is_sqlite:
        rows = (
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count) "
            "SELECT printf('%s%026d', :tag, i), :tenant, printf('z%s%057d', :tag, i), 'filler', 'filler', "
            "'filler', 'auth0|filler', :api, 'openid', 1, '{}', 0 FROM n"
        )
    else:
        rows = (
            "SELECT :tag || lpad(i::text, 26, '0'), :tenant, 'z' || :tag || lpad(i::text, 57, '0'), 'filler', "
            "'filler', 'filler', 'auth0|filler', :api, 'openid', true, '{}'::json, 0 "
            "FROM generate_series(1, :count) i"
        )
    async with admin_session(settings) as admin:
        await admin.session.execute(
            text(f"INSERT INTO refresh_tokens ({_FILLER_COLUMNS}) {rows}"),  # noqa: S608 - constants only
            {"count": count, "tenant": seeded.tenant_id, "api": API, "tag": tag},
        )
    if not settings.is_sqlite:
        async with admin_session(settings) as admin:
            await admin.session.execute(text("ANALYZE refresh_tokens"))


async def extend_codes(settings: Settings, seeded: Seeded, seconds: float) -> None:
    """Push back the expiry of the tenant's unused codes. Codes live 60 s (AC-06) and minting thousands
    through /authorize on a loaded 2-core machine takes longer than that; the exchange must not measure
    expired codes."""
    async with admin_session(settings) as admin:
        await admin.session.execute(
            update(AuthorizationCode)
            .where(AuthorizationCode.tenant_id == seeded.tenant_id, AuthorizationCode.consumed_at.is_(None))
            .values(expires_at=AuthorizationCode.expires_at + seconds)
        )


@dataclass(frozen=True)
class RowCounts:
    refresh_tokens: int
    codes_consumed: int

    def minus(self, other: RowCounts) -> RowCounts:
        return RowCounts(self.refresh_tokens - other.refresh_tokens, self.codes_consumed - other.codes_consumed)


async def row_counts(settings: Settings, seeded: Seeded) -> RowCounts:
    async with admin_session(settings) as admin:
        rts = await admin.session.scalar(
            select(func.count()).select_from(RefreshToken).where(RefreshToken.tenant_id == seeded.tenant_id)
        )
        codes = await admin.session.scalar(
            select(func.count())
            .select_from(AuthorizationCode)
            .where(AuthorizationCode.tenant_id == seeded.tenant_id, AuthorizationCode.consumed_at.is_not(None))
        )
    return RowCounts(int(rts or 0), int(codes or 0))


FILLER_USER_DOMAIN = "filler.bench.test"


def filler_email(i: int) -> str:
    return f"user{i:07d}@{FILLER_USER_DOMAIN}"


async def seed_filler_users(settings: Settings, seeded: Seeded, count: int) -> None:
    """COUNT users (no identity, no password) in one server-side INSERT ... SELECT, so that user search by email
    runs against a table as big as a real tenant's; emails are filler_email(1..COUNT)."""
    if count <= 0:
        return
    columns = ("id, tenant_id, user_id, email, email_verified, user_metadata, app_metadata, blocked, logins_count, "
               "created_at, updated_at")
    if settings.is_sqlite:
        rows = (
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count) "
            "SELECT printf('fu%s%024d', :tag, i), :tenant, printf('auth0|fu%s%d', :tag, i), "
            "printf('user%07d@' || :domain, i), 1, '{}', '{}', 0, 0, i, i FROM n"
        )
    else:
        rows = (
            "SELECT 'fu' || :tag || lpad(i::text, 24, '0'), :tenant, 'auth0|fu' || :tag || i, "
            "'user' || lpad(i::text, 7, '0') || '@' || :domain, true, '{}'::json, '{}'::json, false, 0, i, i "
            "FROM generate_series(1, :count) i"
        )
    async with admin_session(settings) as admin:
        await admin.session.execute(
            text(f"INSERT INTO users ({columns}) {rows}"),  # noqa: S608 - constants only
            {"count": count, "tenant": seeded.tenant_id, "tag": secrets.token_hex(3), "domain": FILLER_USER_DOMAIN},
        )
    if not settings.is_sqlite:
        async with admin_session(settings) as admin:
            await admin.session.execute(text("ANALYZE users"))


async def management_token(settings: Settings) -> str:
    """A Management API token for the bench tenant, as `ostiary management token` prints it."""
    from ostiary.admin.management_client import management_access

    async with admin_session(settings) as admin:
        tenant, repos = await admin.tenant_repos(TENANT)
        access = await management_access(repos, tenant, client_name="bench-management", scopes=["read:users"],
                                         scheme=settings.public_scheme, now=admin.clock.now())
    return access.access_token


# A JavaScript post-login Action setting two claims (the issue's speed target: at most 1 ms per login).
JS_TWO_CLAIMS = """
exports.onExecutePostLogin = async (event, api) => {
  api.accessToken.setCustomClaim('https://bench/email', event.user.email);
  api.idToken.setCustomClaim('https://bench/plan', event.user.app_metadata.plan || 'free');
};
"""
JS_ACTION = "bench-js-two-claims"


async def bind_js_action(settings: Settings, *, bound: bool) -> None:
    """Deploy JS_TWO_CLAIMS and bind it to post-login (bound=True), or unbind every post-login action."""
    from ostiary.admin.actions import ActionSource, deploy_action

    async with admin_session(settings) as admin:
        _, repos = await admin.tenant_repos(TENANT)
        if bound:
            await deploy_action(repos, settings, JS_ACTION, supported_triggers=["post-login"],
                                source=ActionSource(code=JS_TWO_CLAIMS, runtime="node22"))
        await repos.actions.bind("post-login", [JS_ACTION] if bound else [])
