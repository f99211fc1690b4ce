"""APIs (resource servers): the audiences access tokens are minted for."""

from __future__ import annotations

from typing import Any

from ostiary import entities
from ostiary.errors import AdminConflictError, AdminError, AdminForbiddenError, AdminNotFoundError
from ostiary.ids import new_client_secret
from ostiary.store.models import ResourceServer as ApiRow
from ostiary.store.repositories import _validate as v
from ostiary.store.repositories.base import TenantScoped
from ostiary.store.repositories.roles import Roles
from ostiary.store.repositories.signing_keys import SigningKeys

API_FIELDS = (
    "name", "scopes", "signing_alg", "signing_secret", "token_lifetime", "token_lifetime_for_web",
    "allow_offline_access", "skip_consent_for_verifiable_first_party_clients", "enforce_policies",
    "token_dialect",
)
SIGNING_ALGS = ("RS256", "HS256", "PS256", "ES256")
TOKEN_DIALECTS = ("access_token", "access_token_authz", "rfc9068_profile", "rfc9068_profile_authz")
MAX_TOKEN_LIFETIME = 2_592_000


def parse_scopes(value: Any) -> list[dict[str, str]]:
    """Accept Auth0's [{value, description}] or plain strings."""
    out: list[dict[str, str]] = []
    for item in value or []:
        if isinstance(item, str):
            item = {"value": item}
        if not isinstance(item, dict) or not isinstance(item.get("value"), str) or not item["value"]:
            raise AdminError(f"resourceServer.scopes: {item!r} is not a scope")
        if " " in item["value"]:
            raise AdminError(f"resourceServer.scopes: {item['value']!r} contains a space")
        out.append({"value": item["value"], "description": str(item.get("description", ""))})
    return out


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    v.reject_unknown("resourceServer", fields, API_FIELDS)
    out = dict(fields)
    if "scopes" in out:
        out["scopes"] = parse_scopes(out["scopes"])
    if "signing_alg" in out:
        v.one_of("resourceServer.signing_alg", out["signing_alg"], SIGNING_ALGS)
    if "token_dialect" in out:
        v.one_of("resourceServer.token_dialect", out["token_dialect"], TOKEN_DIALECTS)
    for key in ("token_lifetime", "token_lifetime_for_web"):
        if key in out:
            if v.positive_int(f"resourceServer.{key}", out[key]) > MAX_TOKEN_LIFETIME:
                raise AdminError(f"resourceServer.{key}: at most {MAX_TOKEN_LIFETIME}")
    return out


class ResourceServers(TenantScoped):
    def _signing_keys(self) -> SigningKeys:
        return SigningKeys(self.session, self.tenant_id, box=self.box, clock=self.clock)

    async def by_identifier(self, identifier: str) -> entities.Api | None:
        """Used by: every grant that mints an access token for an audience (cached per process)."""
        row = await self.session.scalar(self._select(ApiRow).where(ApiRow.identifier == identifier))
        return self._entity(row) if row else None

    async def require(self, identifier: str) -> entities.Api:
        api = await self.by_identifier(identifier)
        if api is None:
            raise AdminNotFoundError(f"resourceServer: no API with identifier {identifier!r}", kind="resource_server")
        return api

    async def all(self) -> list[entities.Api]:
        """The tenant's own APIs, without its Management API (the CLI and import/export never see it)."""
        return [api for api in await self.listing() if not api.is_system]

    async def listing(self) -> list[entities.Api]:
        """Every API, the system one included. Used by: GET /resource-servers."""
        rows = (await self.session.scalars(self._select(ApiRow).order_by(ApiRow.identifier))).all()
        return [self._entity(r) for r in rows]

    async def system(self) -> entities.Api | None:
        """The tenant's Management API. Used by: every /api/v2 request (its identifier is the audience)."""
        row = await self.session.scalar(self._select(ApiRow).where(ApiRow.is_system.is_(True)))
        return self._entity(row) if row else None

    async def ensure_system(self, *, identifier: str, name: str, scopes: list[dict[str, str]]) -> entities.Api:
        """The tenant's Management API: RS256 always (its tokens are verified against the tenant's keys)."""
        existing = await self.system()
        if existing is not None:
            return existing
        row = self._new(
            ApiRow, identifier=identifier, name=name, scopes=scopes, is_system=True, signing_alg="RS256",
            created_at=self.clock.now(),
        )
        await self.session.flush()
        return self._entity(row)

    async def _changeable(self, identifier: str) -> ApiRow:
        api = await self.require(identifier)
        if api.is_system:
            raise AdminForbiddenError(f"resourceServer: {api.name!r} is a system API and cannot be changed")
        row = await self.session.get(ApiRow, api.id)
        assert row is not None
        return row

    def _entity(self, row: ApiRow) -> entities.Api:
        scopes = row.scopes or []
        return entities.Api(
            id=row.id,
            tenant_id=row.tenant_id,
            identifier=row.identifier,
            name=row.name,
            scopes=tuple(s["value"] for s in scopes),
            scope_descriptions={s["value"]: s.get("description", "") for s in scopes},
            signing_alg=row.signing_alg,
            signing_secret=self.box.decrypt(row.signing_secret_enc) if row.signing_secret_enc else None,
            token_lifetime=row.token_lifetime,
            token_lifetime_for_web=row.token_lifetime_for_web,
            allow_offline_access=row.allow_offline_access,
            skip_consent_for_verifiable_first_party_clients=row.skip_consent_for_verifiable_first_party_clients,
            enforce_policies=row.enforce_policies,
            token_dialect=row.token_dialect,
            is_system=row.is_system,
        )

    async def create(self, *, identifier: str, **fields: Any) -> entities.Api:
        if not identifier or not isinstance(identifier, str):
            raise AdminError("resourceServer.identifier: required")
        if await self.by_identifier(identifier):
            raise AdminConflictError(f"resourceServer.identifier: {identifier!r} exists already")
        clean = _clean(fields)
        secret = clean.pop("signing_secret", None) or new_client_secret()
        clean.setdefault("name", identifier)
        clean.setdefault("scopes", [])
        await self._signing_keys().ensure_for(clean.get("signing_alg", "RS256"))
        row = self._new(
            ApiRow,
            identifier=identifier,
            signing_secret_enc=self.box.encrypt(secret),
            created_at=self.clock.now(),
            **clean,
        )
        await self.session.flush()
        return self._entity(row)

    async def update(self, identifier: str, **fields: Any) -> entities.Api:
        row = await self._changeable(identifier)
        clean = _clean(fields)
        if "signing_alg" in clean:
            await self._signing_keys().ensure_for(clean["signing_alg"])
        if "signing_secret" in clean:
            row.signing_secret_enc = self.box.encrypt(clean.pop("signing_secret"))
        for key, value in clean.items():
            setattr(row, key, value)
        row.updated_at = self.clock.now()
        await self.session.flush()
        if "scopes" in clean:
            # A scope the API no longer defines is no one's permission any more (Auth0 does the same).
            roles = Roles(self.session, self.tenant_id, box=self.box, clock=self.clock)
            await roles.prune_scopes(row.id, [s["value"] for s in clean["scopes"]])
        return self._entity(row)

    async def delete(self, identifier: str) -> None:
        """The API; every role's and user's permission for it goes too (ON DELETE CASCADE)."""
        row = await self._changeable(identifier)
        await self.session.delete(row)
        await self.session.flush()
