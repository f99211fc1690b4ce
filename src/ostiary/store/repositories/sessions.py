"""SSO sessions (behind the session cookie) and login transactions (an /authorize request parked at /u/*).

Both are looked up by the SHA-256 of a secret the browser holds; the secret itself is never stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import update

from ostiary.ids import new_id, new_opaque_token, token_hash
from ostiary.store.models import LoginSession as SessionRow
from ostiary.store.models import LoginTransaction as TransactionRow
from ostiary.store.repositories.base import TenantScoped

TRANSACTION_LIFETIME_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class SessionInfo:
    id: str
    sid: str
    user_id: str
    connection: str | None
    auth_time: float
    clients: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TransactionInfo:
    """A parked /authorize request: `params` are the original parameters, `progress` what the pages did."""

    id: str
    params: dict[str, str]
    csrf_secret: str
    user_id: str | None
    progress: dict[str, Any] = field(default_factory=dict)

    @property
    def browser_hash(self) -> str | None:
        value = self.progress.get("browser_hash")
        return str(value) if value else None

    @property
    def sid(self) -> str | None:
        value = self.progress.get("sid")
        return str(value) if value else None

    @property
    def authenticated_at(self) -> float | None:
        value = self.progress.get("auth_time")
        return float(value) if value is not None else None

    @property
    def consented(self) -> bool:
        return bool(self.progress.get("consented"))


def _session(row: SessionRow) -> SessionInfo:
    return SessionInfo(
        id=row.id,
        sid=row.sid,
        user_id=row.user_id,
        connection=row.connection,
        auth_time=row.auth_time,
        clients=tuple(row.clients or ()),
    )


class LoginSessions(TenantScoped):
    async def create(
        self, *, user_id: str, connection: str | None, lifetime: float, idle_lifetime: float
    ) -> tuple[str, SessionInfo]:
        """A new session with a fresh cookie secret (returned; only its hash is stored). Used by: /u/login."""
        secret = new_opaque_token()
        now = self.clock.now()
        row = self._new(
            SessionRow,
            cookie_hash=token_hash(secret),
            sid=new_id(),
            user_id=user_id,
            connection=connection,
            auth_time=now,
            clients=[],
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
            idle_expires_at=now + idle_lifetime,
        )
        await self.session.flush()
        return secret, _session(row)

    async def _active(self, *conditions: Any) -> SessionRow | None:
        now = self.clock.now()
        return await self.session.scalar(
            self._select(SessionRow).where(
                *conditions,
                SessionRow.revoked_at.is_(None),
                SessionRow.expires_at > now,
                SessionRow.idle_expires_at > now,
            )
        )

    async def by_cookie(self, secret: str | None) -> SessionInfo | None:
        """The live session behind a cookie value (not revoked, within absolute and idle lifetime)."""
        if not secret:
            return None
        row = await self._active(SessionRow.cookie_hash == token_hash(secret))
        return _session(row) if row else None

    async def by_sid(self, sid: str) -> SessionInfo | None:
        row = await self._active(SessionRow.sid == sid)
        return _session(row) if row else None

    async def touch(self, session_id: str, *, idle_lifetime: float, client_id: str | None = None) -> None:
        """Slide the idle expiry (never past the absolute one) and remember the client. Used by: /authorize."""
        row = await self.session.get(SessionRow, session_id)
        if row is None or row.tenant_id != self.tenant_id:
            return
        now = self.clock.now()
        row.last_seen_at = now
        row.idle_expires_at = min(row.expires_at, now + idle_lifetime)
        if client_id and client_id not in (row.clients or []):
            row.clients = [*(row.clients or []), client_id]
        await self.session.flush()

    async def revoke_user(self, user_id: str) -> None:
        """End every session of a user. Used by: DELETE /api/v2/users/{id}/sessions, the password reset."""
        await self.session.execute(
            update(SessionRow)
            .where(
                SessionRow.tenant_id == self.tenant_id, SessionRow.user_id == user_id, SessionRow.revoked_at.is_(None)
            )
            .values(revoked_at=self.clock.now())
        )

    async def switch_user(self, session_id: str, user_id: str) -> None:
        """A hook linked the session's user into a primary user: the session continues as the primary."""
        await self.session.execute(
            update(SessionRow)
            .where(SessionRow.tenant_id == self.tenant_id, SessionRow.id == session_id)
            .values(user_id=user_id)
        )

    async def revoke(self, session_id: str) -> None:
        """End a session (logout, or a new login in the same browser). Used by: /v2/logout, /oidc/logout, /u/login."""
        await self.session.execute(
            update(SessionRow)
            .where(SessionRow.tenant_id == self.tenant_id, SessionRow.id == session_id, SessionRow.revoked_at.is_(None))
            .values(revoked_at=self.clock.now())
        )


def _transaction(row: TransactionRow) -> TransactionInfo:
    stored = dict(row.params or {})
    return TransactionInfo(
        id=row.id,
        params=dict(stored.get("request") or {}),
        csrf_secret=row.csrf_token,
        user_id=row.user_id,
        progress=dict(stored.get("progress") or {}),
    )


class LoginTransactions(TenantScoped):
    async def create(self, params: dict[str, str], *, state: str | None = None) -> str:
        """Park an /authorize request; returns the `state` of the /u/* pages (only its hash is stored).

        `state`: one already chosen (an action's redirect, whose token was bound to it before the row existed)."""
        state = state or new_opaque_token()
        now = self.clock.now()
        self._new(
            TransactionRow,
            state_hash=token_hash(state),
            params={"request": params, "progress": {}},
            csrf_token=new_opaque_token(),
            created_at=now,
            expires_at=now + TRANSACTION_LIFETIME_SECONDS,
        )
        await self.session.flush()
        return state

    async def _row(self, state: str) -> TransactionRow | None:
        if not state:
            return None
        return await self.session.scalar(
            self._select(TransactionRow).where(
                TransactionRow.state_hash == token_hash(state),
                TransactionRow.completed_at.is_(None),
                TransactionRow.expires_at > self.clock.now(),
            )
        )

    async def open(self, state: str) -> TransactionInfo | None:
        """The unfinished, unexpired transaction for this state."""
        row = await self._row(state)
        return _transaction(row) if row else None

    async def record(self, state: str, *, user_id: str | None = None, **progress: Any) -> None:
        """Remember what a page did (browser binding, login, consent)."""
        row = await self._row(state)
        if row is None:
            return
        stored = dict(row.params or {})
        stored["progress"] = {**dict(stored.get("progress") or {}), **progress}
        row.params = stored
        if user_id is not None:
            row.user_id = user_id
        await self.session.flush()

    async def await_upstream(self, state: str, upstream_state: str, **progress: Any) -> None:
        """The user leaves for an identity provider with `upstream_state`; a later start replaces an earlier one."""
        row = await self._row(state)
        if row is None:
            return
        row.upstream_state_hash = token_hash(upstream_state)
        await self.record(state, upstream=progress)

    async def by_upstream_state(self, upstream_state: str) -> TransactionInfo | None:
        """The open transaction waiting at a provider with this upstream state (read only)."""
        if not upstream_state:
            return None
        row = await self.session.scalar(
            self._select(TransactionRow).where(
                TransactionRow.upstream_state_hash == token_hash(upstream_state),
                TransactionRow.completed_at.is_(None),
                TransactionRow.expires_at > self.clock.now(),
            )
        )
        return _transaction(row) if row else None

    async def claim_upstream(self, upstream_state: str) -> str | None:
        """Back from the provider: clear the upstream state once (a conditional UPDATE) and give the transaction
        a fresh `state` for the rest of the login (returned); None when it was claimed, finished or expired."""
        if not upstream_state:
            return None
        state = new_opaque_token()
        result = await self.session.execute(
            update(TransactionRow)
            .where(
                TransactionRow.tenant_id == self.tenant_id,
                TransactionRow.upstream_state_hash == token_hash(upstream_state),
                TransactionRow.completed_at.is_(None),
                TransactionRow.expires_at > self.clock.now(),
            )
            .values(upstream_state_hash=None, state_hash=token_hash(state))
            .execution_options(synchronize_session=False)
        )
        return state if result.rowcount else None  # type: ignore[attr-defined]

    async def complete(self, state: str) -> bool:
        """Finish the transaction exactly once (conditional UPDATE); False when it was finished already."""
        result = await self.session.execute(
            update(TransactionRow)
            .where(
                TransactionRow.tenant_id == self.tenant_id,
                TransactionRow.state_hash == token_hash(state),
                TransactionRow.completed_at.is_(None),
            )
            .values(completed_at=self.clock.now())
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
