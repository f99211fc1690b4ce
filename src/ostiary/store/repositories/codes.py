"""Authorization codes: stored as SHA-256, redeemed at most once with one conditional UPDATE."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import String, Table, and_, bindparam, exists, or_, select, update

from ostiary import entities
from ostiary.ids import new_opaque_token, token_hash
from ostiary.store.models import AuthorizationCode as CodeRow
from ostiary.store.models import Grant as GrantRow
from ostiary.store.models import User as UserRow
from ostiary.store.raw_pg import PgStatement, RawPool
from ostiary.store.raw_sqlite import Compiled, Declined, RawSqlite, row_values
from ostiary.store.repositories.base import TenantScoped
from ostiary.store.repositories.users import (
    PG_USER_SELECT_LIST,
    user_from_pg_row,
    user_in_sqlite_transaction,
)

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

_CONSUMED_COLUMNS = tuple(column.key for column in _RETURNED)

_CODES = cast(Table, CodeRow.__table__)
_GRANTS = cast(Table, GrantRow.__table__)
_USERS = cast(Table, UserRow.__table__)
# consume() for a redemption that matches everything /authorize bound (client, expiry, redirect_uri, the S256
# challenge or none; _check_binding's conditions in the authorization_code grant) of a present, unblocked
# user. Any mismatch matches no row and writes nothing: the caller then takes consume()'s path, which explains
# the refusal and leaves the code usable (catalogue AC-04).
_REDEEM_MATCHING = (
    update(_CODES)
    .where(
        _CODES.c.tenant_id == bindparam("tenant"),
        _CODES.c.code_hash == bindparam("hash"),
        _CODES.c.consumed_at.is_(None),
        _CODES.c.expires_at > bindparam("now"),
        _CODES.c.client_id == bindparam("client"),
        or_(_CODES.c.redirect_uri.is_(None), _CODES.c.redirect_uri == bindparam("redirect_uri")),
        or_(
            and_(bindparam("challenge", type_=String).is_(None), _CODES.c.code_challenge.is_(None)),
            and_(
                _CODES.c.code_challenge_method == bindparam("s256"),
                _CODES.c.code_challenge == bindparam("challenge", type_=String),
            ),
        ),
        ~exists().where(
            _GRANTS.c.tenant_id == _CODES.c.tenant_id,
            _GRANTS.c.id == _CODES.c.grant_id,
            _GRANTS.c.revoked_at.is_not(None),
        ),
        exists().where(
            _USERS.c.tenant_id == _CODES.c.tenant_id,
            _USERS.c.user_id == _CODES.c.user_id,
            _USERS.c.blocked.is_(False),
        ),
    )
    .values(consumed_at=bindparam("now"))
    .returning(_CODES.c.tenant_id, *(_CODES.c[name] for name in _CONSUMED_COLUMNS))
)
# PostgreSQL: with the user (and identities), in one statement that commits by itself.
_REDEEM_MATCHING_PG = PgStatement(
    f"""
WITH consumed AS ({{statement}})
SELECT {", ".join(f"consumed.{name}" for name in _CONSUMED_COLUMNS)}, {PG_USER_SELECT_LIST}
FROM consumed JOIN users AS u ON u.tenant_id = consumed.tenant_id AND u.user_id = consumed.user_id
""",  # noqa: S608 (names from the models; every value is a parameter)
    _REDEEM_MATCHING,
)
# SQLite: the user is read after it, in the same RawSqlite transaction.
_REDEEM_MATCHING_SQLITE = Compiled(_REDEEM_MATCHING)


def _redeem_matching_sqlite(
    connection: sqlite3.Connection, values: dict[str, Any]
) -> tuple[ConsumedCode, entities.User]:
    row = _REDEEM_MATCHING_SQLITE.run(connection, values).fetchone()
    if row is None:
        raise Declined
    code = row_values(_CODES, row)
    user = user_in_sqlite_transaction(connection, values["tenant"], code["user_id"])
    if user is None:  # not expected: the statement matched only a present, unblocked user
        raise Declined
    return ConsumedCode(**{name: code[name] for name in _CONSUMED_COLUMNS}), user


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

    async def redeem_matching(
        self, code: str, *, client_id: str, redirect_uri: str | None, code_challenge: str | None
    ) -> tuple[ConsumedCode, entities.User] | None:
        """Consume the code if everything matches (code_challenge: the S256 of the presented verifier, None when
        none was sent) and return it with its user, committed at once: one statement on PostgreSQL
        (_REDEEM_MATCHING_PG), one RawSqlite transaction on SQLite. None, having written nothing, for anything
        else: the caller takes consume()'s path."""
        values = {
            "tenant": self.tenant_id, "hash": token_hash(code), "now": self.clock.now(), "client": client_id,
            "redirect_uri": redirect_uri, "challenge": code_challenge, "s256": "S256",
        }
        if isinstance(self.raw, RawSqlite):
            try:
                return await self.raw.transaction(lambda connection: _redeem_matching_sqlite(connection, values))
            except Declined:
                return None
        if not isinstance(self.raw, RawPool):
            return None
        row = await self.raw.fetchrow(_REDEEM_MATCHING_PG.sql, *_REDEEM_MATCHING_PG.args(values))
        if row is None:
            return None
        user = user_from_pg_row(row)
        return ConsumedCode(**{name: row[name] for name in _CONSUMED_COLUMNS}), user

    async def grant_of_used_code(self, code: str) -> str | None:
        """The grant of a code that was redeemed before (reuse detection), else None."""
        return await self.session.scalar(
            select(CodeRow.grant_id).where(
                CodeRow.tenant_id == self.tenant_id,
                CodeRow.code_hash == token_hash(code),
                CodeRow.consumed_at.is_not(None),
            )
        )
