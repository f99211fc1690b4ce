"""Clients (applications) and client grants."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete

from ostiary import entities
from ostiary.errors import AdminConflictError, AdminError, AdminForbiddenError, AdminNotFoundError
from ostiary.ids import new_client_id, new_client_secret
from ostiary.store.models import Client as ClientRow
from ostiary.store.models import ClientGrant as ClientGrantRow
from ostiary.store.models import ResourceServer as ApiRow
from ostiary.store.repositories import _validate as v
from ostiary.store.repositories.base import TenantScoped
from ostiary.store.repositories.signing_keys import SigningKeys

APP_TYPES = ("regular_web", "spa", "native", "non_interactive")
AUTH_METHODS = ("client_secret_post", "client_secret_basic", "none")
DEFAULT_GRANT_TYPES = {
    "regular_web": ["authorization_code", "implicit", "refresh_token", "client_credentials"],
    "spa": ["authorization_code", "implicit", "refresh_token"],
    "native": ["authorization_code", "implicit", "refresh_token"],
    "non_interactive": ["client_credentials"],
}
# Auth0 Management API field names a client accepts (plus client_id/client_secret for self-hosting).
CLIENT_FIELDS = (
    "name", "description", "app_type", "is_first_party", "oidc_conformant", "callbacks",
    "allowed_logout_urls", "web_origins", "allowed_origins", "grant_types", "token_endpoint_auth_method",
    "is_token_endpoint_ip_header_trusted", "jwt_configuration", "refresh_token", "native_social_login",
    "mobile", "client_metadata",
)
JWT_ALGS = ("RS256", "HS256", "PS256", "ES256")
# Grant types Ostiary serves (oauth/grants, and implicit at /authorize) ...
SERVED_GRANT_TYPES = (
    "authorization_code", "implicit", "refresh_token", "client_credentials", "password",
    "http://auth0.com/oauth/grant-type/password-realm", "urn:ietf:params:oauth:grant-type:token-exchange",
)
# ... and Auth0's others, stored (they appear in Deploy CLI exports) but never granted.
KNOWN_GRANT_TYPES = (
    *SERVED_GRANT_TYPES,
    "http://auth0.com/oauth/grant-type/mfa-oob", "http://auth0.com/oauth/grant-type/mfa-otp",
    "http://auth0.com/oauth/grant-type/mfa-recovery-code", "http://auth0.com/oauth/grant-type/passwordless/otp",
    "http://auth0.com/oauth/legacy/grant-type/access_token",
    "http://auth0.com/oauth/legacy/grant-type/delegation/refresh_token",
    "http://auth0.com/oauth/legacy/grant-type/delegation/id_token",
    "urn:ietf:params:oauth:grant-type:device_code", "urn:openid:params:grant-type:ciba",
    "urn:okta:params:oauth:grant-type:webauthn",
)
JWT_FIELDS = ("alg", "lifetime_in_seconds")
REFRESH_FIELDS = (
    "rotation_type", "expiration_type", "leeway", "token_lifetime", "idle_token_lifetime",
    "infinite_token_lifetime", "infinite_idle_token_lifetime",
)
# Keys Auth0 allows inside a client's objects: what Ostiary uses, and (UNUSED) what it stores for round trips.
NESTED_FIELDS: dict[str, tuple[str, ...]] = {
    "jwt_configuration": (*JWT_FIELDS, "secret_encoded", "scopes"),
    "refresh_token": (*REFRESH_FIELDS, "policies"),
    "native_social_login": ("apple", "facebook", "google"),
    "native_social_login.apple": ("enabled",),
    "native_social_login.facebook": ("enabled",),
    "native_social_login.google": ("enabled",),
    "mobile": ("android", "ios"),
    "mobile.android": ("app_package_name", "sha256_cert_fingerprints"),
    "mobile.ios": ("team_id", "app_bundle_identifier"),
}


def _check_nested(path: str, value: Any) -> dict[str, Any]:
    """An object of NESTED_FIELDS[path]'s keys, each nested object checked the same way."""
    obj = v.mapping(f"client.{path}", value)
    v.reject_unknown(f"client.{path}", obj, NESTED_FIELDS[path])
    for key, sub in obj.items():
        if f"{path}.{key}" in NESTED_FIELDS:
            _check_nested(f"{path}.{key}", sub)
        elif key == "enabled" and not isinstance(sub, bool):
            raise AdminError(f"client.{path}.enabled: expected true or false, got {sub!r}")
    return obj
GLOBAL_CLIENT_NAME = "All Applications"


def to_entity(row: ClientRow, secret: str | None) -> entities.Client:
    jwt_conf = row.jwt_configuration or {}
    rt = row.refresh_token or {}
    return entities.Client(
        id=row.id,
        tenant_id=row.tenant_id,
        client_id=row.client_id,
        name=row.name,
        client_secret=secret,
        description=row.description,
        app_type=row.app_type,
        is_first_party=row.is_first_party,
        oidc_conformant=row.oidc_conformant,
        callbacks=tuple(row.callbacks or ()),
        allowed_logout_urls=tuple(row.allowed_logout_urls or ()),
        web_origins=tuple(row.web_origins or ()),
        allowed_origins=tuple(row.allowed_origins or ()),
        grant_types=tuple(row.grant_types or ()),
        token_endpoint_auth_method=row.token_endpoint_auth_method,
        is_token_endpoint_ip_header_trusted=row.is_token_endpoint_ip_header_trusted,
        jwt_configuration=entities.JwtConfiguration(
            alg=jwt_conf.get("alg", "RS256"),
            lifetime_in_seconds=int(jwt_conf.get("lifetime_in_seconds", entities.DEFAULT_ID_TOKEN_LIFETIME)),
            unused={k: val for k, val in jwt_conf.items() if k not in JWT_FIELDS},
        ),
        refresh_token=entities.RefreshPolicy(
            **{k: val for k, val in rt.items() if k in REFRESH_FIELDS},
            unused={k: val for k, val in rt.items() if k not in REFRESH_FIELDS},
        ),
        native_social_login=dict(row.native_social_login or {}),
        mobile=dict(row.mobile or {}),
        client_metadata=dict(row.client_metadata or {}),
        is_global=row.is_global,
    )


def _clean(fields: dict[str, Any], *, app_type: str) -> dict[str, Any]:
    """Validate and normalise client fields (Auth0 names); raises AdminError naming the field."""
    v.reject_unknown("client", fields, CLIENT_FIELDS)
    out = dict(fields)
    if "app_type" in out:
        v.one_of("client.app_type", out["app_type"], APP_TYPES)
    if "token_endpoint_auth_method" in out:
        v.one_of("client.token_endpoint_auth_method", out["token_endpoint_auth_method"], AUTH_METHODS)
    if "callbacks" in out:
        out["callbacks"] = v.callback_urls("client.callbacks", out["callbacks"])
    for key in ("allowed_logout_urls", "web_origins", "allowed_origins"):
        if key in out:
            out[key] = v.absolute_urls(f"client.{key}", out[key])
    if "grant_types" in out:
        out["grant_types"] = v.string_list("client.grant_types", out["grant_types"])
        for grant_type in out["grant_types"]:
            if grant_type not in KNOWN_GRANT_TYPES:
                raise AdminError(
                    f"client.grant_types: {grant_type!r} is not a grant type (known: {', '.join(SERVED_GRANT_TYPES)}"
                    ", and Auth0's others)"
                )
    if "client_metadata" in out:
        out["client_metadata"] = v.mapping("client.client_metadata", out["client_metadata"])
    for key in ("jwt_configuration", "refresh_token", "native_social_login", "mobile"):
        if key in out:
            out[key] = _check_nested(key, out[key])
    jwt_conf = out.get("jwt_configuration") or {}
    if "alg" in jwt_conf:
        v.one_of("client.jwt_configuration.alg", jwt_conf["alg"], JWT_ALGS)
    if "lifetime_in_seconds" in jwt_conf:
        v.positive_int("client.jwt_configuration.lifetime_in_seconds", jwt_conf["lifetime_in_seconds"])
    rt = out.get("refresh_token") or {}
    if "rotation_type" in rt:
        v.one_of("client.refresh_token.rotation_type", rt["rotation_type"], ("rotating", "non-rotating"))
    if "expiration_type" in rt:
        v.one_of("client.refresh_token.expiration_type", rt["expiration_type"], ("expiring", "non-expiring"))
    if "name" in out and (not isinstance(out["name"], str) or not out["name"].strip()):
        raise AdminError("client.name: must be a non-empty string")
    return out


MIN_SECRET_LENGTH = 32


def _check_secret(secret: str) -> None:
    """A chosen secret keys HS256 ID tokens too: at least 32 characters (RFC 7518 §3.2: a key of 256 bits or
    more; RFC 6749 §10.10). Generated ones are 64 characters of base64url (384 bits). Catalogue HK-04."""
    if not isinstance(secret, str) or len(secret) < MIN_SECRET_LENGTH:
        raise AdminError(f"client.client_secret: must be at least {MIN_SECRET_LENGTH} characters")


class Clients(TenantScoped):
    async def by_client_id(self, client_id: str) -> entities.Client | None:
        """Used by: client authentication and /authorize (cached per process in web/cache.py)."""
        row = await self.session.scalar(self._select(ClientRow).where(ClientRow.client_id == client_id))
        return self._entity(row) if row else None

    async def by_name(self, name: str) -> entities.Client | None:
        row = await self.session.scalar(self._select(ClientRow).where(ClientRow.name == name))
        return self._entity(row) if row else None

    async def require(self, ref: str) -> entities.Client:
        """By client_id, else by name (the CLI and import files refer to clients by name)."""
        client = await self.by_client_id(ref) or await self.by_name(ref)
        if client is None:
            raise AdminNotFoundError(f"client: no client {ref!r} in this tenant", kind="client")
        return client

    async def all(self) -> list[entities.Client]:
        """The tenant's applications, without the global "All Applications" client (the CLI and import/export
        never see it)."""
        return [c for c in await self.listing() if not c.is_global]

    async def listing(self) -> list[entities.Client]:
        """Every client, the global one included, as the Management API lists them. Used by: GET /clients."""
        rows = (await self.session.scalars(self._select(ClientRow).order_by(ClientRow.name))).all()
        return [self._entity(r) for r in rows]

    async def ensure_global(self) -> entities.Client:
        """Auth0's one `global: true` client per tenant ("All Applications"; a0deploy's export needs it). It
        can run no flow: no grant types, no callbacks, no secret."""
        row = await self.session.scalar(self._select(ClientRow).where(ClientRow.is_global.is_(True)))
        if row is None:
            row = self._new(
                ClientRow, client_id=new_client_id(), name=GLOBAL_CLIENT_NAME, is_global=True, app_type="regular_web",
                token_endpoint_auth_method="none", callbacks=[], allowed_logout_urls=[], web_origins=[],
                allowed_origins=[], grant_types=[], jwt_configuration={}, refresh_token={}, native_social_login={},
                mobile={}, client_metadata={}, created_at=self.clock.now(),
            )
            await self.session.flush()
        return self._entity(row)

    async def _ensure_keys(self, clean: dict[str, Any]) -> None:
        """A client whose ID tokens are ES256 needs the tenant's ES256 keys."""
        alg = (clean.get("jwt_configuration") or {}).get("alg")
        if alg:
            await SigningKeys(self.session, self.tenant_id, box=self.box, clock=self.clock).ensure_for(alg)

    def _entity(self, row: ClientRow) -> entities.Client:
        secret = self.box.decrypt(row.client_secret_enc) if row.client_secret_enc else None
        return to_entity(row, secret)

    async def create(
        self, *, client_id: str | None = None, client_secret: str | None = None, **fields: Any
    ) -> entities.Client:
        app_type = fields.get("app_type", "regular_web")
        clean = _clean(fields, app_type=app_type)
        if not clean.get("name"):
            raise AdminError("client.name: required")
        client_id = client_id or new_client_id()
        if not isinstance(client_id, str) or "|" in client_id or "@" in client_id or not client_id.strip():
            # User ids are `{provider}|{id}` and machine subjects `{client_id}@clients`: keeping `|` and `@` out
            # of client ids keeps the two `sub` namespaces disjoint (RFC 9700 §4.15.1; catalogue AU-04).
            raise AdminError(f"client.client_id: {client_id!r} may not be empty or contain '|' or '@'")
        if await self.by_client_id(client_id):
            raise AdminConflictError(f"client.client_id: {client_id!r} exists already")
        if await self.by_name(clean["name"]):
            raise AdminConflictError(f"client.name: a client named {clean['name']!r} exists already")
        clean.setdefault("grant_types", list(DEFAULT_GRANT_TYPES[app_type]))
        if "token_endpoint_auth_method" not in clean:
            clean["token_endpoint_auth_method"] = (
                "none" if app_type in ("spa", "native") else "client_secret_post"
            )
        if client_secret is None and clean["token_endpoint_auth_method"] != "none":
            client_secret = new_client_secret()
        elif client_secret is not None:
            _check_secret(client_secret)
        for key in ("callbacks", "allowed_logout_urls", "web_origins", "allowed_origins"):
            clean.setdefault(key, [])
        for key in ("jwt_configuration", "refresh_token", "native_social_login", "mobile", "client_metadata"):
            clean.setdefault(key, {})
        await self._ensure_keys(clean)
        row = self._new(
            ClientRow,
            client_id=client_id,
            client_secret_enc=self.box.encrypt(client_secret) if client_secret else None,
            created_at=self.clock.now(),
            **clean,
        )
        await self.session.flush()
        return self._entity(row)

    async def _row(self, ref: str) -> ClientRow:
        client = await self.require(ref)
        if client.is_global:
            raise AdminForbiddenError(f"client: the global client {GLOBAL_CLIENT_NAME!r} cannot be changed")
        row = await self.session.get(ClientRow, client.id)
        assert row is not None
        return row

    async def update(self, ref: str, *, client_secret: str | None = None, **fields: Any) -> entities.Client:
        row = await self._row(ref)
        clean = _clean(fields, app_type=fields.get("app_type", row.app_type))
        if "name" in clean and clean["name"] != row.name and await self.by_name(clean["name"]):
            raise AdminConflictError(f"client.name: a client named {clean['name']!r} exists already")
        await self._ensure_keys(clean)
        for key, value in clean.items():
            setattr(row, key, value)
        if client_secret is not None:
            _check_secret(client_secret)
            row.client_secret_enc = self.box.encrypt(client_secret)
        row.updated_at = self.clock.now()
        await self.session.flush()
        return self._entity(row)

    async def rotate_secret(self, ref: str) -> entities.Client:
        return await self.update(ref, client_secret=new_client_secret())

    async def delete(self, ref: str) -> None:
        row = await self._row(ref)
        await self.session.execute(
            delete(ClientGrantRow).where(
                ClientGrantRow.tenant_id == self.tenant_id, ClientGrantRow.client_id == row.client_id
            )
        )
        await self.session.delete(row)
        await self.session.flush()


class ClientGrants(TenantScoped):
    async def find(self, client_id: str, audience: str) -> entities.ClientGrant | None:
        """Used by: the client_credentials grant."""
        row = await self.session.scalar(
            self._select(ClientGrantRow).where(
                ClientGrantRow.client_id == client_id, ClientGrantRow.audience == audience
            )
        )
        return _grant(row) if row else None

    async def all(self, client_id: str | None = None) -> list[entities.ClientGrant]:
        query = self._select(ClientGrantRow).order_by(ClientGrantRow.client_id, ClientGrantRow.audience)
        if client_id:
            query = query.where(ClientGrantRow.client_id == client_id)
        return [_grant(r) for r in (await self.session.scalars(query)).all()]

    async def _check(self, client_id: str, audience: str, scope: list[str]) -> None:
        """The client and the API must exist in this tenant, and every scope must be one the API defines."""
        if not await self.session.scalar(self._select(ClientRow).where(ClientRow.client_id == client_id)):
            raise AdminError(f"clientGrant.client_id: no client {client_id!r} in this tenant")
        api = await self.session.scalar(self._select(ApiRow).where(ApiRow.identifier == audience))
        if api is None:
            raise AdminError(f"clientGrant.audience: no API with identifier {audience!r}")
        defined = {s["value"] for s in api.scopes or []}
        for value in scope:
            if value not in defined:
                raise AdminError(f"clientGrant.scope: {value!r} is not a scope of {audience}")

    async def upsert(self, *, client_id: str, audience: str, scope: list[str]) -> entities.ClientGrant:
        scope = v.string_list("clientGrant.scope", scope)
        await self._check(client_id, audience, scope)
        row = await self.session.scalar(
            self._select(ClientGrantRow).where(
                ClientGrantRow.client_id == client_id, ClientGrantRow.audience == audience
            )
        )
        if row is None:
            row = self._new(
                ClientGrantRow, client_id=client_id, audience=audience, scope=scope, created_at=self.clock.now()
            )
        else:
            row.scope = scope
        await self.session.flush()
        return _grant(row)

    async def delete(self, client_id: str, audience: str) -> None:
        result = await self.session.execute(
            delete(ClientGrantRow).where(
                ClientGrantRow.tenant_id == self.tenant_id,
                ClientGrantRow.client_id == client_id,
                ClientGrantRow.audience == audience,
            )
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            raise AdminNotFoundError(
                f"clientGrant: no grant for client {client_id!r} and audience {audience!r}", kind="grant"
            )


def _grant(row: ClientGrantRow) -> entities.ClientGrant:
    return entities.ClientGrant(
        id=row.id, client_id=row.client_id, audience=row.audience, scope=tuple(row.scope or ())
    )
