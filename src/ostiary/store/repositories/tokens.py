"""Grants, refresh tokens and opaque access tokens: everything issued to a user, stored by hash."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, exists, insert, or_, select, update
from sqlalchemy.orm import aliased

from ostiary import entities
from ostiary.ids import new_id, token_hash
from ostiary.store.models import Grant as GrantRow
from ostiary.store.models import OpaqueAccessToken as OpaqueRow
from ostiary.store.models import RefreshToken as RefreshRow
from ostiary.store.models import User as UserRow
from ostiary.store.raw_pg import PgStatement, RawPool
from ostiary.store.raw_sqlite import Compiled, Declined, RawSqlite, row_values
from ostiary.store.repositories.base import TenantScoped
from ostiary.store.repositories.users import (
    PG_USER_SELECT_LIST,
    user_from_pg_row,
    user_in_sqlite_transaction,
)


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

    async def revoke_user(self, user_id: str) -> list[str]:
        """Revoke every grant of a user, with its refresh tokens and JWT access tokens (/userinfo checks the
        grant). Used by: DELETE /api/v2/users/{id}/refresh-tokens, user deletion and the password reset (which
        ends every login, as Auth0's does)."""
        grant_ids = (
            await self.session.scalars(
                select(GrantRow.id).where(
                    GrantRow.tenant_id == self.tenant_id, GrantRow.user_id == user_id, GrantRow.revoked_at.is_(None)
                )
            )
        ).all()
        for grant_id in grant_ids:
            await self.revoke(grant_id)
        return list(grant_ids)

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


@dataclass(frozen=True, slots=True)
class RefreshRecord:
    """A stored refresh token as the protocol core sees it (never the token itself)."""

    id: str
    grant_id: str
    family_id: str
    parent_id: str | None
    client_id: str
    user_id: str
    audience: str | None
    scope: str
    rotating: bool
    session_id: str | None
    auth_time: float | None
    data: dict[str, Any]
    created_at: float
    used_at: float | None
    revoked_at: float | None
    absolute_expires_at: float | None
    idle_expires_at: float | None

    def expired(self, now: float) -> bool:
        """Past its absolute or its idle lifetime (Auth0: either one ends the token)."""
        return any(limit is not None and now >= limit for limit in (self.absolute_expires_at, self.idle_expires_at))


_TOKENS = cast(Table, RefreshRow.__table__)
_ROOT = _TOKENS.alias("root")
_GRANTS = cast(Table, GrantRow.__table__)
_USERS = cast(Table, UserRow.__table__)

# The refresh grant's common case in one statement (built once: no per-request construction or cache-key
# work). It spends a rotating token by its hash when it is this client's, unused, unrevoked, unexpired and
# its grant is not revoked; the FOR UPDATE subquery takes the family lock (the first token's row, see
# RefreshTokens.lock_family) in the same round trip on PostgreSQL (SQLite renders no FOR UPDATE: its
# BEGIN IMMEDIATE already serialises writers). If another transaction changed the row meanwhile, PostgreSQL
# re-checks these conditions on the committed row before updating it (READ COMMITTED).
_SPEND_LIVE = (
    update(_TOKENS)
    .where(
        _TOKENS.c.tenant_id == bindparam("tenant"),
        _TOKENS.c.token_hash == bindparam("hash"),
        _TOKENS.c.client_id == bindparam("client"),
        _TOKENS.c.rotating.is_(True),
        _TOKENS.c.used_at.is_(None),
        _TOKENS.c.revoked_at.is_(None),
        or_(_TOKENS.c.absolute_expires_at.is_(None), _TOKENS.c.absolute_expires_at > bindparam("now")),
        or_(_TOKENS.c.idle_expires_at.is_(None), _TOKENS.c.idle_expires_at > bindparam("now")),
        _TOKENS.c.family_id.in_(
            select(_ROOT.c.id)
            .where(_ROOT.c.tenant_id == _TOKENS.c.tenant_id, _ROOT.c.id == _TOKENS.c.family_id)
            .with_for_update()
        ),
        ~exists().where(
            _GRANTS.c.tenant_id == _TOKENS.c.tenant_id,
            _GRANTS.c.id == _TOKENS.c.grant_id,
            _GRANTS.c.revoked_at.is_not(None),
        ),
    )
    .values(used_at=bindparam("now"))
    .returning(*_TOKENS.c)
)
_REVOKE_SIBLINGS = (
    update(_TOKENS)
    .where(
        _TOKENS.c.tenant_id == bindparam("tenant"),
        _TOKENS.c.parent_id == bindparam("parent"),
        _TOKENS.c.id != bindparam("spent"),
        _TOKENS.c.used_at.is_(None),
        _TOKENS.c.revoked_at.is_(None),
    )
    .values(revoked_at=bindparam("now"))
)
_INSERT = insert(_TOKENS)


_REFRESH_COLUMNS = tuple(c.name for c in _TOKENS.c)
_INSERT_PG = PgStatement("{statement}", _INSERT)

# The one-step rotation's spend (rotate_live): _SPEND_LIVE, and only for a present, unblocked user.
_SPEND_LIVE_OF_ACTIVE_USER = _SPEND_LIVE.where(
    exists().where(
        _USERS.c.tenant_id == _TOKENS.c.tenant_id, _USERS.c.user_id == _TOKENS.c.user_id, _USERS.c.blocked.is_(False)
    )
)
# PostgreSQL: that spend, the revocation of the spent token's siblings (replace_spent) and the insert of its
# child (add_child) in one statement, which commits on its own; the user (with identities) comes back with the
# spent token. Data-modifying CTEs run exactly once, on one snapshot, and only when `spent` matched: no row back
# means nothing was written.
_ROTATE_LIVE_PG = PgStatement(
    f"""
WITH spent AS ({{statement}}), siblings AS (
    UPDATE refresh_tokens AS s SET revoked_at = :now FROM spent
    WHERE s.tenant_id = spent.tenant_id AND s.parent_id = spent.parent_id AND s.id <> spent.id
      AND s.used_at IS NULL AND s.revoked_at IS NULL
), child AS (
    INSERT INTO refresh_tokens ({", ".join(_REFRESH_COLUMNS)})
    SELECT {", ".join({
        "id": ":child_id", "token_hash": ":child_hash", "parent_id": "spent.id", "created_at": ":now",
        "used_at": "NULL", "revoked_at": "NULL", "idle_expires_at": ":child_idle",
    }.get(c, "spent." + c) for c in _REFRESH_COLUMNS)}
    FROM spent
)
SELECT spent.*, {PG_USER_SELECT_LIST}
FROM spent JOIN users AS u ON u.tenant_id = spent.tenant_id AND u.user_id = spent.user_id
""",  # noqa: S608 (names from the models; every value is a parameter)
    _SPEND_LIVE_OF_ACTIVE_USER,
)

_SPEND_LIVE_SQLITE = Compiled(_SPEND_LIVE_OF_ACTIVE_USER)
_REVOKE_SIBLINGS_SQLITE = Compiled(_REVOKE_SIBLINGS)
_INSERT_SQLITE = Compiled(_INSERT)


def _rotate_live_sqlite(
    connection: sqlite3.Connection, spend: dict[str, Any], child: dict[str, Any]
) -> tuple[RefreshRecord, entities.User]:
    """SQLite's _ROTATE_LIVE_PG, as the statements of spend_live and replace_spent in one RawSqlite
    transaction; raises Declined (rolled back) when the token is not live or its user is gone or blocked."""
    row = _SPEND_LIVE_SQLITE.run(connection, spend).fetchone()
    if row is None:
        raise Declined
    spent = _record(_Columns(row_values(_TOKENS, row)))
    user = user_in_sqlite_transaction(connection, spend["tenant"], spent.user_id)
    if user is None:  # not expected: the statement matched only a present, unblocked user
        raise Declined
    if spent.parent_id is not None:
        _REVOKE_SIBLINGS_SQLITE.run(
            connection, {"tenant": spend["tenant"], "parent": spent.parent_id, "spent": spent.id, "now": spend["now"]}
        )
    _INSERT_SQLITE.run(connection, {
        **{name: row[name] for name in _REFRESH_COLUMNS},
        "parent_id": spent.id, "used_at": None, "revoked_at": None, "created_at": spend["now"], **child,
    })
    return spent, user


class _Columns:
    """Attribute access to a raw record's columns, as _record reads SQLAlchemy rows."""

    __slots__ = ("_row",)

    def __init__(self, row: Any) -> None:
        self._row = row

    def __getattr__(self, name: str) -> Any:
        return self._row[name]


def _record(row: Any) -> RefreshRecord:
    return RefreshRecord(
        id=row.id,
        grant_id=row.grant_id,
        family_id=row.family_id,
        parent_id=row.parent_id,
        client_id=row.client_id,
        user_id=row.user_id,
        audience=row.audience,
        scope=row.scope,
        rotating=row.rotating,
        session_id=row.session_id,
        auth_time=row.auth_time,
        data=dict(row.data or {}),
        created_at=row.created_at,
        used_at=row.used_at,
        revoked_at=row.revoked_at,
        absolute_expires_at=row.absolute_expires_at,
        idle_expires_at=row.idle_expires_at,
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
        commit_now: bool = False,
    ) -> str:
        """Store a new refresh token (its hash). Returns the row id (the family id of a new family).

        A Core INSERT, executed now: the ORM unit of work's flush showed in the refresh grant's profile.
        commit_now (for a request that wrote nothing else before): committed at once through the raw pool or
        connection (store/raw_pg.py, store/raw_sqlite.py) instead of as a part of the session's transaction.
        """
        row_id = new_id()
        values = dict(
            id=row_id,
            tenant_id=self.tenant_id,
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
            used_at=None,
            revoked_at=None,
            absolute_expires_at=absolute_expires_at,
            idle_expires_at=idle_expires_at,
        )
        if commit_now and isinstance(self.raw, RawPool):
            await self.raw.execute(_INSERT_PG.sql, *_INSERT_PG.args(values))
        elif commit_now and isinstance(self.raw, RawSqlite):
            await self.raw.transaction(lambda connection: _INSERT_SQLITE.run(connection, values))
        else:
            await self.session.execute(_INSERT, values)
        return row_id

    async def find(self, token: str) -> RefreshRecord | None:
        """The stored token by its hash, in this tenant only. Used by: refresh_token grant, /oauth/revoke."""
        row = await self.session.scalar(self._select(RefreshRow).where(RefreshRow.token_hash == token_hash(token)))
        return _record(row) if row else None

    async def lock_family(self, record: RefreshRecord) -> RefreshRecord | None:
        """Lock the family's first token (SELECT ... FOR UPDATE) and re-read `record` after the lock.

        Every change to a family (rotation, leeway re-issue, reuse revocation, /oauth/revoke) takes this lock
        first, so they serialise per family on PostgreSQL (SQLite's BEGIN IMMEDIATE serialises all writers).
        Statements after the lock see what the previous holder committed (READ COMMITTED).
        """
        await self.session.execute(
            select(RefreshRow.id)
            .where(RefreshRow.tenant_id == self.tenant_id, RefreshRow.id == record.family_id)
            .with_for_update()
        )
        row = await self.session.scalar(
            self._select(RefreshRow).where(RefreshRow.id == record.id).execution_options(populate_existing=True)
        )
        return _record(row) if row else None

    async def spend(self, record: RefreshRecord) -> bool:
        """Mark a rotating token used, once: True for the one caller whose conditional UPDATE matched."""
        spent = await self.session.scalar(
            update(RefreshRow)
            .where(
                RefreshRow.tenant_id == self.tenant_id,
                RefreshRow.id == record.id,
                RefreshRow.used_at.is_(None),
                RefreshRow.revoked_at.is_(None),
            )
            .values(used_at=self.clock.now())
            .returning(RefreshRow.id)
        )
        return spent is not None

    async def spend_live(self, token: str, *, client_id: str) -> RefreshRecord | None:
        """The refresh grant's common case: spend this client's live rotating token in one statement, under
        the family lock (see _SPEND_LIVE). None when it is anything else (unknown, another client's, used,
        revoked, expired, non-rotating, grant revoked): the caller then takes the general path, which tells
        those cases apart. Nothing is written when it returns None."""
        row = (
            await self.session.execute(
                _SPEND_LIVE,
                {"tenant": self.tenant_id, "hash": token_hash(token), "client": client_id, "now": self.clock.now()},
            )
        ).first()
        return _record(row) if row is not None else None

    async def rotate_live(
        self, token: str, *, client_id: str, new_token: str, idle_expires_at: float | None
    ) -> tuple[RefreshRecord, entities.User] | None:
        """spend_live + replace_spent + the user, committed at once: one statement on PostgreSQL
        (_ROTATE_LIVE_PG), one RawSqlite transaction on SQLite. Returns the spent token and its (unblocked)
        user; None when the token is not this client's live rotating token or its user is gone or blocked:
        nothing was written, and the caller takes the general path, which tells those cases apart."""
        now = self.clock.now()
        if isinstance(self.raw, RawSqlite):
            spend = {"tenant": self.tenant_id, "hash": token_hash(token), "client": client_id, "now": now}
            child = {"id": new_id(), "token_hash": token_hash(new_token), "idle_expires_at": idle_expires_at}
            try:
                return await self.raw.transaction(lambda connection: _rotate_live_sqlite(connection, spend, child))
            except Declined:
                return None
        if not isinstance(self.raw, RawPool):
            return None
        row = await self.raw.fetchrow(_ROTATE_LIVE_PG.sql, *_ROTATE_LIVE_PG.args({
            "tenant": self.tenant_id, "hash": token_hash(token), "client": client_id, "now": now,
            "child_id": new_id(), "child_hash": token_hash(new_token), "child_idle": idle_expires_at,
        }))
        if row is None:
            return None
        user = user_from_pg_row(row)
        return _record(_Columns(row)), user

    async def rotate(
        self, record: RefreshRecord, new_token: str, *, idle_expires_at: float | None
    ) -> str | None:
        """Spend `record` and store its child; None when another request spent or revoked it first."""
        if not await self.spend(record):
            return None
        return await self.replace_spent(record, new_token, idle_expires_at=idle_expires_at)

    async def replace_spent(self, record: RefreshRecord, new_token: str, *, idle_expires_at: float | None) -> str:
        """Store the child of the just-spent `record`.

        Siblings of `record` (other children of its parent, issued inside the leeway window) are revoked:
        once the family moves on, only the newest branch stays alive.
        """
        if record.parent_id is not None:
            await self.session.execute(
                _REVOKE_SIBLINGS,
                {"tenant": self.tenant_id, "parent": record.parent_id, "spent": record.id, "now": self.clock.now()},
            )
        return await self.add_child(record, new_token, idle_expires_at=idle_expires_at)

    async def add_child(self, parent: RefreshRecord, new_token: str, *, idle_expires_at: float | None) -> str:
        """A new token in the parent's family; the absolute expiry is the family's, never extended."""
        return await self.create(
            new_token,
            grant_id=parent.grant_id,
            client_id=parent.client_id,
            user_id=parent.user_id,
            audience=parent.audience,
            scope=parent.scope,
            rotating=True,
            absolute_expires_at=parent.absolute_expires_at,
            idle_expires_at=idle_expires_at,
            family_id=parent.family_id,
            parent_id=parent.id,
            session_id=parent.session_id,
            auth_time=parent.auth_time,
            data=parent.data,
        )

    async def has_used_child(self, record: RefreshRecord) -> bool:
        """True when the family has moved past `record`: one of its children was exchanged already."""
        child = aliased(RefreshRow)
        found = await self.session.scalar(
            select(
                exists().where(
                    child.tenant_id == self.tenant_id, child.parent_id == record.id, child.used_at.is_not(None)
                )
            )
        )
        return bool(found)

    async def touch(self, record: RefreshRecord, *, idle_expires_at: float | None) -> bool:
        """Renew a non-rotating token's idle expiry, if it is still live (one conditional UPDATE)."""
        now = self.clock.now()
        touched = await self.session.scalar(
            update(RefreshRow)
            .where(
                RefreshRow.tenant_id == self.tenant_id,
                RefreshRow.id == record.id,
                RefreshRow.revoked_at.is_(None),
                or_(RefreshRow.absolute_expires_at.is_(None), RefreshRow.absolute_expires_at > now),
                or_(RefreshRow.idle_expires_at.is_(None), RefreshRow.idle_expires_at > now),
            )
            .values(idle_expires_at=idle_expires_at)
            .returning(RefreshRow.id)
        )
        return touched is not None

    async def revoke_family(self, family_id: str) -> None:
        """Revoke every token of one family (reuse detection, /oauth/revoke). Caller holds lock_family."""
        await self.session.execute(
            update(RefreshRow)
            .where(
                RefreshRow.tenant_id == self.tenant_id,
                RefreshRow.family_id == family_id,
                RefreshRow.revoked_at.is_(None),
            )
            .values(revoked_at=self.clock.now())
        )

    def _same_login(self, *, user_id: str, client_id: str, audience: str | None) -> Any:
        same_audience = RefreshRow.audience.is_(None) if audience is None else RefreshRow.audience == audience
        return and_(
            RefreshRow.tenant_id == self.tenant_id,
            RefreshRow.user_id == user_id,
            RefreshRow.client_id == client_id,
            same_audience,
        )

    async def revoke_all_of(self, *, user_id: str, client_id: str, audience: str | None) -> list[str]:
        """Revoke every token of this user+client+audience; returns their grant ids.

        Locks every family involved first, in id order (one order for everyone: no deadlock between two
        such revocations; rotation only ever holds one family lock). Used by: /oauth/revoke with the
        tenant flag revoke_refresh_token_grant.
        """
        same = self._same_login(user_id=user_id, client_id=client_id, audience=audience)
        await self.session.execute(
            select(RefreshRow.id).where(same, RefreshRow.id == RefreshRow.family_id).order_by(RefreshRow.id)
            .with_for_update()
        )
        grant_ids = (await self.session.scalars(select(RefreshRow.grant_id).where(same).distinct())).all()
        await self.session.execute(
            update(RefreshRow).where(same, RefreshRow.revoked_at.is_(None)).values(revoked_at=self.clock.now())
        )
        return sorted(grant_ids)

    async def revoke_other_non_rotating(self, record: RefreshRecord) -> None:
        """Revoke the non-rotating tokens of record's user+client+audience except `record` itself.

        Auth0, on enabling rotation: exchanging a non-rotating token "deletes all the non-rotating tokens
        issued for the same client_id, resource server, user and tenant". Tokens another request is using
        right now are skipped (SKIP LOCKED) rather than waited for, so two such switches cannot deadlock.
        """
        same = self._same_login(user_id=record.user_id, client_id=record.client_id, audience=record.audience)
        ids = select(RefreshRow.id).where(
            same, RefreshRow.rotating.is_(False), RefreshRow.revoked_at.is_(None), RefreshRow.id != record.id
        ).with_for_update(skip_locked=True)
        await self.session.execute(
            update(RefreshRow).where(RefreshRow.id.in_(ids)).values(revoked_at=self.clock.now())
        )

    async def family(self, family_id: str) -> list[RefreshRecord]:
        """Every token of a family, oldest first (tests and audits read stored state with it)."""
        rows = await self.session.scalars(
            self._select(RefreshRow).where(RefreshRow.family_id == family_id).order_by(RefreshRow.created_at)
        )
        return [_record(r) for r in rows.all()]


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
