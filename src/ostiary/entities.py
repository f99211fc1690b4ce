"""Plain, frozen views of stored objects, as the protocol core sees them.

Repositories turn rows into these (decrypting secrets on the way), so the core never holds an ORM object
and per-process caches can keep them safely.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

GRANT_AUTHORIZATION_CODE = "authorization_code"
GRANT_IMPLICIT = "implicit"
GRANT_REFRESH_TOKEN = "refresh_token"
GRANT_CLIENT_CREDENTIALS = "client_credentials"
GRANT_PASSWORD = "password"
GRANT_PASSWORD_REALM = "http://auth0.com/oauth/grant-type/password-realm"
GRANT_TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"

DEFAULT_ID_TOKEN_LIFETIME = 36000
DEFAULT_REFRESH_LIFETIME = 2_592_000


@dataclass(frozen=True, slots=True)
class Tenant:
    id: str
    name: str
    domains: tuple[str, ...]
    friendly_name: str | None = None
    default_audience: str | None = None
    default_directory: str | None = None
    allowed_logout_urls: tuple[str, ...] = ()
    session_lifetime_hours: float = 168.0
    idle_session_lifetime_hours: float = 72.0
    flags: dict[str, Any] = field(default_factory=dict)

    @property
    def primary_domain(self) -> str:
        return self.domains[0]

    def issuer(self, scheme: str, host: str | None = None) -> str:
        """Auth0's issuer: `{scheme}://{domain}/`, with the trailing slash SDKs compare against."""
        return f"{scheme}://{host or self.primary_domain}/"

    def userinfo_audience(self, scheme: str) -> str:
        # Stays on the canonical domain even when the request came through another one (Auth0 does so).
        return f"{scheme}://{self.primary_domain}/userinfo"


@dataclass(frozen=True, slots=True)
class JwtConfiguration:
    alg: str = "RS256"
    lifetime_in_seconds: int = DEFAULT_ID_TOKEN_LIFETIME
    # Auth0 fields Ostiary stores but does not use (secret_encoded, scopes): kept so exports round-trip.
    unused: dict[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, slots=True)
class RefreshPolicy:
    """A client's refresh_token settings, with Auth0's defaults."""

    rotation_type: str = "non-rotating"
    expiration_type: str = "non-expiring"
    leeway: int = 0
    token_lifetime: int = DEFAULT_REFRESH_LIFETIME
    idle_token_lifetime: int = 1_296_000
    infinite_token_lifetime: bool = True
    infinite_idle_token_lifetime: bool = True
    # Auth0 fields Ostiary stores but does not use (policies): kept so exports round-trip.
    unused: dict[str, Any] = field(default_factory=dict, hash=False)

    @property
    def rotating(self) -> bool:
        return self.rotation_type == "rotating"


@dataclass(frozen=True, slots=True)
class Client:
    id: str
    tenant_id: str
    client_id: str
    name: str
    client_secret: str | None
    app_type: str = "regular_web"
    is_first_party: bool = True
    oidc_conformant: bool = True
    callbacks: tuple[str, ...] = ()
    allowed_logout_urls: tuple[str, ...] = ()
    web_origins: tuple[str, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    grant_types: tuple[str, ...] = ()
    token_endpoint_auth_method: str = "client_secret_post"
    is_token_endpoint_ip_header_trusted: bool = False
    jwt_configuration: JwtConfiguration = JwtConfiguration()
    refresh_token: RefreshPolicy = RefreshPolicy()
    native_social_login: dict[str, Any] = field(default_factory=dict)
    mobile: dict[str, Any] = field(default_factory=dict)
    client_metadata: dict[str, Any] = field(default_factory=dict)
    description: str | None = None
    is_global: bool = False

    @property
    def is_public(self) -> bool:
        return self.token_endpoint_auth_method == "none"

    def allows_grant(self, grant_type: str) -> bool:
        if grant_type == GRANT_TOKEN_EXCHANGE and self.native_social_providers():
            # Auth0 has no grant_types entry for native social: enabling it on the client is the switch.
            return True
        return grant_type in self.grant_types

    def native_social_providers(self) -> tuple[str, ...]:
        return tuple(p for p in ("apple", "facebook", "google") if self.native_social_enabled(p))

    def native_social_enabled(self, provider: str) -> bool:
        return bool((self.native_social_login.get(provider) or {}).get("enabled"))


@dataclass(frozen=True, slots=True)
class Api:
    """A resource server; `identifier` is the audience."""

    id: str
    tenant_id: str
    identifier: str
    name: str
    scopes: tuple[str, ...] = ()
    scope_descriptions: dict[str, str] = field(default_factory=dict)
    signing_alg: str = "RS256"
    signing_secret: str | None = None
    token_lifetime: int = 86400
    token_lifetime_for_web: int = 7200
    allow_offline_access: bool = False
    skip_consent_for_verifiable_first_party_clients: bool = True
    enforce_policies: bool = False
    token_dialect: str = "access_token"
    is_system: bool = False


@dataclass(frozen=True, slots=True)
class ClientGrant:
    id: str
    client_id: str
    audience: str
    scope: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Connection:
    id: str
    name: str
    strategy: str
    options: dict[str, Any]
    enabled_clients: tuple[str, ...]

    def is_enabled_for(self, client_id: str) -> bool:
        return client_id in self.enabled_clients


@dataclass(frozen=True, slots=True)
class IdentityInfo:
    connection: str
    provider: str
    user_id: str
    is_social: bool
    profile_data: dict[str, Any] = field(default_factory=dict)

    def as_auth0(self) -> dict[str, Any]:
        return {
            "connection": self.connection,
            "provider": self.provider,
            "user_id": self.user_id,
            "isSocial": self.is_social,
        }


@dataclass(frozen=True, slots=True)
class User:
    id: str
    tenant_id: str
    user_id: str
    email: str | None = None
    email_verified: bool = False
    username: str | None = None
    name: str | None = None
    nickname: str | None = None
    picture: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    user_metadata: dict[str, Any] = field(default_factory=dict)
    app_metadata: dict[str, Any] = field(default_factory=dict)
    blocked: bool = False
    logins_count: int = 0
    last_login: float | None = None
    created_at: float = 0.0
    updated_at: float = 0.0
    identities: tuple[IdentityInfo, ...] = ()
    has_password: bool = False
    last_password_reset: float | None = None


@dataclass(frozen=True, slots=True)
class Permission:
    """RBAC: one scope of one API (Auth0's {permission_name, resource_server_identifier})."""

    resource_server_identifier: str
    permission_name: str


@dataclass(frozen=True, slots=True)
class Role:
    id: str
    name: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class PermissionSource:
    """One of a user's effective permissions and where it comes from: a role, or None (held directly)."""

    permission: Permission
    role: Role | None


@dataclass(frozen=True, slots=True)
class UserAuthorization:
    """What RBAC knows of a user at login: role names (event.authorization.roles) and the effective
    permissions (roles' and direct) for the one API the token is for."""

    roles: tuple[str, ...] = ()
    permissions: frozenset[str] = frozenset()
