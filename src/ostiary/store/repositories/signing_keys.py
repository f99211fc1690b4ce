"""A tenant's signing keys, rotated as Auth0 does: next → current → previous → revoked."""

from __future__ import annotations

from sqlalchemy import update

from ostiary.errors import AdminError
from ostiary.store.models import SigningKey as KeyRow
from ostiary.store.repositories.base import TenantScoped
from ostiary.tokens.keys import generate_key, published_jwk
from ostiary.tokens.signer import (
    PUBLISHED_STATUSES,
    STATUS_CURRENT,
    STATUS_NEXT,
    STATUS_PREVIOUS,
    STATUS_REVOKED,
    SigningMaterial,
    TenantKeys,
    parsed_key,
)


class SigningKeys(TenantScoped):
    async def all(self, *, include_revoked: bool = True) -> list[KeyRow]:
        query = self._select(KeyRow).order_by(KeyRow.created_at)
        if not include_revoked:
            query = query.where(KeyRow.status.in_(PUBLISHED_STATUSES))
        return list((await self.session.scalars(query)).all())

    async def published(self) -> TenantKeys:
        """Current, next and previous keys, parsed (cached by kid). Used by: the signer and JWKS."""
        rows = await self.all(include_revoked=False)
        order = {STATUS_CURRENT: 0, STATUS_NEXT: 1, STATUS_PREVIOUS: 2}
        rows.sort(key=lambda r: (order[r.status], -r.created_at))
        return TenantKeys(
            keys=tuple(
                SigningMaterial(
                    kid=r.kid,
                    alg=r.alg,
                    status=r.status,
                    private_key=parsed_key(r.kid, self.box.decrypt(r.private_key_enc)),
                    jwk=published_jwk(kid=r.kid, alg=r.alg, jwk=r.public_jwk, certificate_b64=r.certificate),
                )
                for r in rows
            )
        )

    async def _add(self, alg: str, status: str) -> KeyRow:
        key = generate_key(alg, common_name=self.tenant_id)
        now = self.clock.now()
        row = self._new(
            KeyRow,
            kid=key.kid,
            alg=alg,
            private_key_enc=self.box.encrypt(key.private_pem),
            public_jwk=key.public_jwk,
            certificate=key.certificate_b64,
            status=status,
            created_at=now,
            current_since=now if status == STATUS_CURRENT else None,
        )
        await self.session.flush()
        return row

    async def ensure(self, alg: str = "RS256") -> None:
        """Give the tenant a current and a next key of this algorithm if it lacks them."""
        rows = [r for r in await self.all(include_revoked=False) if r.alg == alg]
        if not any(r.status == STATUS_CURRENT for r in rows):
            await self._add(alg, STATUS_CURRENT)
        if not any(r.status == STATUS_NEXT for r in rows):
            await self._add(alg, STATUS_NEXT)

    async def ensure_for(self, alg: str) -> None:
        """An API or client choosing ES256 gives the tenant its ES256 keys (current + next) on the spot.

        RS256 and PS256 share the tenant's RSA keys, HS256 uses secrets: nothing to create for those.
        Used by: ResourceServers and Clients create/update.
        """
        if alg == "ES256":
            await self.ensure("ES256")

    async def rotate(self, alg: str = "RS256") -> KeyRow:
        """next becomes current, current becomes previous, a new next is generated. Returns the new current."""
        rows = [r for r in await self.all(include_revoked=False) if r.alg == alg]
        nxt = next((r for r in rows if r.status == STATUS_NEXT), None)
        if nxt is None:
            raise AdminError(f"keys: the tenant has no next {alg} key to rotate to")
        now = self.clock.now()
        for row in rows:
            if row.status == STATUS_CURRENT:
                row.status = STATUS_PREVIOUS
                row.current_until = now
        nxt.status = STATUS_CURRENT
        nxt.current_since = now
        await self.session.flush()
        await self._add(alg, STATUS_NEXT)
        return nxt

    async def revoke(self, kid: str) -> None:
        """Only a previous key can be revoked (Auth0's rule): it disappears from the JWKS."""
        result = await self.session.execute(
            update(KeyRow)
            .where(KeyRow.tenant_id == self.tenant_id, KeyRow.kid == kid, KeyRow.status == STATUS_PREVIOUS)
            .values(status=STATUS_REVOKED, revoked_at=self.clock.now())
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            raise AdminError(f"keys: {kid!r} is not a previous key of this tenant (only previous keys can be revoked)")
