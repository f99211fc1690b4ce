"""Authorization codes: stored as SHA-256, redeemed at most once with one conditional UPDATE."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, select, update

from ostiary.ids import new_opaque_token, token_hash
from ostiary.store.models import AuthorizationCode as CodeRow
from ostiary.store.models import Grant as GrantRow
from ostiary.store.repositories.base import TenantScoped

# Auth0 documents codes as short-lived without a number; RFC 6749 §4.1.2 recommends at most 10 minutes and
# RFC 9700 / the security catalogue (AC-06) at most 60 s. A browser redirect plus one back-channel call fits.
CODE_LIFETIME_SECONDS = 60


@dataclass(frozen=True, slots=True)
class ConsumedCode:
    """What /authorize bound to a code, as the token endpoint reads it back."""

    grant_id: str
    client_id: str
    user_id: str
    redirect_uri: str | None
    scope: str
    audience: str | None
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: float | None
    session_id: str | None
    data: dict[str, Any]
    expires_at: float


_RETURNED = (
    CodeRow.grant_id, CodeRow.client_id, CodeRow.user_id, CodeRow.redirect_uri, CodeRow.scope, CodeRow.audience,
    CodeRow.nonce, CodeRow.code_challenge, CodeRow.code_challenge_method, CodeRow.auth_time, CodeRow.session_id,
    CodeRow.data, CodeRow.expires_at,
)


class AuthorizationCodes(TenantScoped):
    async def create(
        self,
        *,
        grant_id: str,
        client_id: str,
        user_id: str,
        redirect_uri: str | None,
        scope: str,
        audience: str | None,
        nonce: str | None,
        code_challenge: str | None,
        code_challenge_method: str | None,
        auth_time: float | None,
        session_id: str | None,
        data: dict[str, Any],
    ) -> str:
        """Store a new code (its hash only) and return the code. Used by: /authorize response types."""
        code = new_opaque_token()
        now = self.clock.now()
        self._new(
            CodeRow,
            code_hash=token_hash(code),
            grant_id=grant_id,
            client_id=client_id,
            user_id=user_id,
            redirect_uri=redirect_uri,
            scope=scope,
            audience=audience,
            nonce=nonce,
            code_challenge=code_challenge,
            code_challenge_method=code_challenge_method,
            auth_time=auth_time,
            session_id=session_id,
            data=data,
            created_at=now,
            expires_at=now + CODE_LIFETIME_SECONDS,
        )
        await self.session.flush()
        return code

    async def consume(self, code: str) -> ConsumedCode | None:
        """Mark the code used and return it, or None when unknown, already used or its grant was revoked
        since /authorize (logout, reuse of another code of the grant).

        One statement checks and flips (UPDATE ... WHERE consumed_at IS NULL RETURNING), so of many
        concurrent redemptions exactly one gets a row (SQLite 3.35+ and PostgreSQL). Used by: authorization_code.
        """
        result = await self.session.execute(
            update(CodeRow)
            .where(
                CodeRow.tenant_id == self.tenant_id,
                CodeRow.code_hash == token_hash(code),
                CodeRow.consumed_at.is_(None),
                ~exists().where(
                    GrantRow.tenant_id == CodeRow.tenant_id,
                    GrantRow.id == CodeRow.grant_id,
                    GrantRow.revoked_at.is_not(None),
                ),
            )
            .values(consumed_at=self.clock.now())
            .returning(*_RETURNED)
        )
        row = result.first()
        if row is None:
            return None
        return ConsumedCode(**dict(row._mapping))

    async def grant_of_used_code(self, code: str) -> str | None:
        """The grant of a code that was redeemed before (reuse detection), else None."""
        return await self.session.scalar(
            select(CodeRow.grant_id).where(
                CodeRow.tenant_id == self.tenant_id,
                CodeRow.code_hash == token_hash(code),
                CodeRow.consumed_at.is_not(None),
            )
        )
