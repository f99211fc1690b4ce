"""Consent a user gave a third-party client: scopes per user, client and audience."""

from __future__ import annotations

from sqlalchemy import select

from ostiary.store.models import Consent
from ostiary.store.repositories.base import TenantScoped


class Consents(TenantScoped):
    async def granted(self, *, user_id: str, client_id: str, audience: str | None) -> frozenset[str]:
        """Scopes the user already agreed to give this client for this audience. Used by: /authorize prompts."""
        scopes = await self.session.scalar(
            select(Consent.scopes).where(
                Consent.tenant_id == self.tenant_id,
                Consent.user_id == user_id,
                Consent.client_id == client_id,
                Consent.audience == (audience or ""),
            )
        )
        return frozenset(scopes or ())

    async def grant(self, *, user_id: str, client_id: str, audience: str | None, scopes: list[str]) -> None:
        """Remember consent (adding to what was agreed before). Used by: /u/consent."""
        row = await self.session.scalar(
            self._select(Consent).where(
                Consent.user_id == user_id, Consent.client_id == client_id, Consent.audience == (audience or "")
            )
        )
        now = self.clock.now()
        if row is None:
            self._new(
                Consent,
                user_id=user_id,
                client_id=client_id,
                audience=audience or "",
                scopes=list(dict.fromkeys(scopes)),
                created_at=now,
                updated_at=now,
            )
        else:
            row.scopes = list(dict.fromkeys([*(row.scopes or []), *scopes]))
            row.updated_at = now
        await self.session.flush()
