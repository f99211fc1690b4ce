"""Grants, refresh tokens and opaque access tokens: everything issued to a user, stored by hash."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from ostiary.ids import new_id, token_hash
from ostiary.store.models import Grant as GrantRow
from ostiary.store.models import OpaqueAccessToken as OpaqueRow
from ostiary.store.models import RefreshToken as RefreshRow
from ostiary.store.repositories.base import TenantScoped


@dataclass(frozen=True, slots=True)
class OpaqueTokenInfo:
    client_id: str
    user_id: str
    scope: str
    expires_at: float
    grant_id: str | None


@dataclass(frozen=True, slots=True)
class GrantView:
    client_id: str
    user_id: str
    revoked: bool
    id_token_claims: dict[str, Any]


class Grants(TenantScoped):
    async def create(self, *, client_id: str, user_id: str, audience: str | None, scope: str) -> str:
        grant_id = new_id()
        self._new(
            GrantRow,
            id=grant_id,
            client_id=client_id,
            user_id=user_id,
            audience=audience,
            scope=scope,
            created_at=self.clock.now(),
        )
        return grant_id

    async def find(self, grant_id: str) -> GrantView | None:
        """Used by: /userinfo (revocation and the ID token's custom claims)."""
        row = await self.session.scalar(self._select(GrantRow).where(GrantRow.id == grant_id))
        if row is None:
            return None
        return GrantView(
            client_id=row.client_id,
            user_id=row.user_id,
            revoked=row.revoked_at is not None,
            id_token_claims=dict(row.id_token_claims or {}),
        )

    async def set_id_token_claims(self, grant_id: str, claims: dict[str, Any]) -> None:
        """Used by: oauth/issuance.issue_user_tokens, each time an ID token with custom claims is minted."""
        await self.session.flush()
        await self.session.execute(
            update(GrantRow)
            .where(GrantRow.tenant_id == self.tenant_id, GrantRow.id == grant_id)
            .values(id_token_claims=dict(claims))
        )

    async def is_revoked(self, grant_id: str) -> bool:
        revoked_at = await self.session.scalar(
            select(GrantRow.revoked_at).where(GrantRow.tenant_id == self.tenant_id, GrantRow.id == grant_id)
        )
        return revoked_at is not None

    async def revoke(self, grant_id: str) -> None:
        """Revoke a grant and every refresh token issued from it (reuse detection, /oauth/revoke)."""
        now = self.clock.now()
        await self.session.execute(
            update(GrantRow)
            .where(GrantRow.tenant_id == self.tenant_id, GrantRow.id == grant_id, GrantRow.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        await self.session.execute(
            update(RefreshRow)
            .where(
                RefreshRow.tenant_id == self.tenant_id,
                RefreshRow.grant_id == grant_id,
                RefreshRow.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )


class RefreshTokens(TenantScoped):
    async def create(
        self,
        token: str,
        *,
        grant_id: str,
        client_id: str,
        user_id: str,
        audience: str | None,
        scope: str,
        rotating: bool,
        absolute_expires_at: float | None,
        idle_expires_at: float | None,
        family_id: str | None = None,
        parent_id: str | None = None,
        session_id: str | None = None,
        auth_time: float | None = None,
        data: dict[str, Any] | None = None,
    ) -> str:
        """Store a new refresh token (its hash). Returns the row id (the family id of a new family)."""
        row_id = new_id()
        self._new(
            RefreshRow,
            id=row_id,
            token_hash=token_hash(token),
            grant_id=grant_id,
            family_id=family_id or row_id,
            parent_id=parent_id,
            client_id=client_id,
            user_id=user_id,
            audience=audience,
            scope=scope,
            rotating=rotating,
            session_id=session_id,
            auth_time=auth_time,
            data=data or {},
            created_at=self.clock.now(),
            absolute_expires_at=absolute_expires_at,
            idle_expires_at=idle_expires_at,
        )
        return row_id


class OpaqueAccessTokens(TenantScoped):
    async def create(
        self, token: str, *, client_id: str, user_id: str, scope: str, lifetime: int, grant_id: str | None
    ) -> None:
        now = self.clock.now()
        self._new(
            OpaqueRow,
            token_hash=token_hash(token),
            grant_id=grant_id,
            client_id=client_id,
            user_id=user_id,
            scope=scope,
            created_at=now,
            expires_at=now + lifetime,
        )

    async def find(self, token: str) -> OpaqueTokenInfo | None:
        row = await self.session.scalar(self._select(OpaqueRow).where(OpaqueRow.token_hash == token_hash(token)))
        if row is None:
            return None
        return OpaqueTokenInfo(
            client_id=row.client_id,
            user_id=row.user_id,
            scope=row.scope,
            expires_at=row.expires_at,
            grant_id=row.grant_id,
        )
