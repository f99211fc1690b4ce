"""Users and their identities."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError

from ostiary import entities
from ostiary.errors import AdminConflictError, AdminError, AdminNotFoundError
from ostiary.ids import new_auth0_user_id
from ostiary.logins import normalize_login, normalize_username
from ostiary.passwords import hash_password
from ostiary.store.models import Identity as IdentityRow
from ostiary.store.models import User as UserRow
from ostiary.store.raw_sqlite import Compiled, row_values
from ostiary.store.repositories import _validate as v
from ostiary.store.repositories.base import TenantScoped

PROFILE_FIELDS = (
    "email", "email_verified", "username", "name", "nickname", "picture", "given_name", "family_name",
    "user_metadata", "app_metadata", "blocked",
)
SOCIAL_STRATEGIES = frozenset(
    {"apple", "facebook", "github", "google-oauth2", "linkedin", "twitter", "weibo", "windowslive"}
)
BOOL_FIELDS = frozenset({"email_verified", "blocked"})
DICT_FIELDS = frozenset({"user_metadata", "app_metadata"})


def _check_profile(fields: dict[str, Any]) -> None:
    """Known fields of the right type: strings, booleans, metadata objects; raises naming the field."""
    v.reject_unknown("user", fields, PROFILE_FIELDS)
    for key, value in fields.items():
        if key in BOOL_FIELDS:
            if not isinstance(value, bool):
                raise AdminError(f"user.{key}: expected true or false, got {value!r}")
        elif key in DICT_FIELDS:
            v.mapping(f"user.{key}", value)
        elif value is not None and not isinstance(value, str):
            raise AdminError(f"user.{key}: expected a string, got {value!r}")


def _check_password(password: str | None) -> None:
    if password is not None and (not isinstance(password, str) or not password):
        raise AdminError("user.password: must be a non-empty string")


def _identity_infos(rows: Sequence[IdentityRow]) -> tuple[entities.IdentityInfo, ...]:
    return identity_infos([{name: getattr(r, name) for name in IDENTITY_COLUMNS} for r in rows])


IDENTITY_COLUMNS = ("connection", "provider", "external_id", "is_social", "profile_data")
USER_COLUMNS = (
    "id", "tenant_id", "user_id", "email", "email_verified", "username", "name", "nickname", "picture",
    "given_name", "family_name", "user_metadata", "app_metadata", "blocked", "logins_count", "last_login",
    "created_at", "updated_at", "password_hash", "last_password_reset",
)


def identity_infos(rows: Sequence[Mapping[str, Any]]) -> tuple[entities.IdentityInfo, ...]:
    """Identities from column values (IDENTITY_COLUMNS), oldest first."""
    return tuple(
        entities.IdentityInfo(
            connection=r["connection"],
            provider=r["provider"],
            user_id=r["external_id"],
            is_social=r["is_social"],
            profile_data=dict(r["profile_data"] or {}),
        )
        for r in rows
    )


def user_entity(values: Mapping[str, Any], identities: tuple[entities.IdentityInfo, ...]) -> entities.User:
    """A user from its column values (USER_COLUMNS): an ORM row's or a raw statement's (tokens.py)."""
    return entities.User(
        id=values["id"],
        tenant_id=values["tenant_id"],
        user_id=values["user_id"],
        email=values["email"],
        email_verified=values["email_verified"],
        username=values["username"],
        name=values["name"],
        nickname=values["nickname"],
        picture=values["picture"],
        given_name=values["given_name"],
        family_name=values["family_name"],
        user_metadata=dict(values["user_metadata"] or {}),
        app_metadata=dict(values["app_metadata"] or {}),
        blocked=values["blocked"],
        logins_count=values["logins_count"],
        last_login=values["last_login"],
        created_at=values["created_at"],
        updated_at=values["updated_at"],
        identities=identities,
        has_password=values["password_hash"] is not None,
        last_password_reset=values["last_password_reset"],
    )


# A raw PostgreSQL statement that joins `users AS u` selects the user with this (see user_from_pg_row).
PG_USER_SELECT_LIST = (
    ", ".join(f"u.{name} AS u_{name}" for name in USER_COLUMNS)  # noqa: S608 (names from the model)
    + ", (SELECT coalesce(json_agg(json_build_object("
    + ", ".join(f"'{name}', i.{name}" for name in IDENTITY_COLUMNS)
    + ") ORDER BY i.created_at), '[]'::json) FROM identities AS i WHERE i.user_pk = u.id) AS u_identities"
)


def user_from_pg_row(row: Mapping[str, Any]) -> entities.User:
    """The user a raw PostgreSQL statement selected with PG_USER_SELECT_LIST."""
    return user_entity({name: row["u_" + name] for name in USER_COLUMNS}, identity_infos(row["u_identities"]))


_USERS = cast(Table, UserRow.__table__)
_IDENTITIES = cast(Table, IdentityRow.__table__)
_USER_BY_ID = Compiled(
    select(_USERS).where(_USERS.c.tenant_id == bindparam("tenant"), _USERS.c.user_id == bindparam("user_id"))
)
_IDENTITIES_OF = Compiled(
    select(_IDENTITIES).where(_IDENTITIES.c.user_pk == bindparam("user_pk")).order_by(_IDENTITIES.c.created_at)
)


def user_in_sqlite_transaction(connection: sqlite3.Connection, tenant_id: str, user_id: str) -> entities.User | None:
    """Users.by_user_id inside a RawSqlite transaction (store/raw_sqlite.py)."""
    row = _USER_BY_ID.run(connection, {"tenant": tenant_id, "user_id": user_id}).fetchone()
    if row is None:
        return None
    values = row_values(_USERS, row)
    identities = [row_values(_IDENTITIES, r) for r in _IDENTITIES_OF.run(connection, {"user_pk": values["id"]})]
    return user_entity(values, identity_infos(identities))


class Users(TenantScoped):
    async def by_user_id(self, user_id: str) -> entities.User | None:
        """The user with its identities in one round trip (the refresh grant reads it on every request)."""
        rows = (
            await self.session.execute(
                select(UserRow, IdentityRow)
                .outerjoin(IdentityRow, IdentityRow.user_pk == UserRow.id)
                .where(UserRow.tenant_id == self.tenant_id, UserRow.user_id == user_id)
                .order_by(IdentityRow.created_at)
            )
        ).all()
        if not rows:
            return None
        return await self._entity(rows[0][0], identities=[r[1] for r in rows if r[1] is not None])

    async def require(self, user_id: str) -> entities.User:
        user = await self.by_user_id(user_id)
        if user is None:
            raise AdminNotFoundError(f"user: no user {user_id!r}", kind="user")
        return user

    async def password_hash(self, user_id: str) -> str | None:
        return await self.session.scalar(
            select(UserRow.password_hash).where(UserRow.tenant_id == self.tenant_id, UserRow.user_id == user_id)
        )

    async def by_login(self, connection: str, username_or_email: str) -> entities.User | None:
        """A database-connection user by email (case-insensitive) or username. Used by: password login."""
        login = normalize_login(username_or_email)
        row = await self.session.scalar(
            self._select(UserRow)
            .join(IdentityRow, IdentityRow.user_pk == UserRow.id)
            .where(
                IdentityRow.connection == connection,
                (func.lower(UserRow.email) == login) | (func.lower(UserRow.username) == login),
            )
        )
        return await self._entity(row) if row else None

    async def by_verified_email(self, email: str, *, limit: int = 10) -> list[entities.User]:
        """Users whose email is verified and equals `email` (case-insensitive). Used by: hooks' api.users."""
        return await self._by_email(email.strip().lower(), verified_only=True, limit=limit)

    async def _by_email(self, email: str, *, verified_only: bool, limit: int) -> list[entities.User]:
        query = self._select(UserRow).where(func.lower(UserRow.email) == email)
        if verified_only:
            query = query.where(UserRow.email_verified.is_(True))
        rows = await self.session.scalars(query.order_by(UserRow.created_at).limit(limit))
        return [await self._entity(r) for r in rows.all()]

    async def by_identity(self, connection: str, external_id: str) -> entities.User | None:
        row = await self.session.scalar(
            self._select(UserRow)
            .join(IdentityRow, IdentityRow.user_pk == UserRow.id)
            .where(IdentityRow.connection == connection, IdentityRow.external_id == external_id)
        )
        return await self._entity(row) if row else None

    async def all(self, *, limit: int = 1000) -> list[entities.User]:
        rows = (await self.session.scalars(self._select(UserRow).order_by(UserRow.created_at).limit(limit))).all()
        return [await self._entity(r) for r in rows]

    async def _identities(self, user_pk: str) -> tuple[entities.IdentityInfo, ...]:
        rows = await self.session.scalars(
            select(IdentityRow).where(IdentityRow.user_pk == user_pk).order_by(IdentityRow.created_at)
        )
        return _identity_infos(rows.all())

    async def _entity(self, row: UserRow, *, identities: Sequence[IdentityRow] | None = None) -> entities.User:
        infos = _identity_infos(identities) if identities is not None else await self._identities(row.id)
        return user_entity({name: getattr(row, name) for name in USER_COLUMNS}, infos)

    async def _add_identity(
        self,
        row: UserRow,
        *,
        connection: str,
        provider: str,
        external_id: str,
        is_social: bool,
        profile_data: dict[str, Any] | None,
    ) -> None:
        self._new(
            IdentityRow,
            user_pk=row.id,
            connection=connection,
            provider=provider,
            external_id=external_id,
            is_social=is_social,
            profile_data=profile_data or {},
            created_at=self.clock.now(),
        )
        await self.session.flush()

    async def _row(self, user_id: str, *, lock: bool = False) -> UserRow:
        query = self._select(UserRow).where(UserRow.user_id == user_id)
        row = await self.session.scalar(
            query.with_for_update().execution_options(populate_existing=True) if lock else query
        )
        if row is None:
            raise AdminNotFoundError(f"user: no user {user_id!r}", kind="user")
        return row

    async def create(
        self,
        *,
        connection: str,
        strategy: str = "auth0",
        external_id: str | None = None,
        password: str | None = None,
        password_hash: str | None = None,
        profile_data: dict[str, Any] | None = None,
        **fields: Any,
    ) -> entities.User:
        """Create a user with its first identity: `{provider}|{external_id}`."""
        _check_profile(fields)
        _check_password(password)
        provider = strategy
        external_id = external_id or new_auth0_user_id()
        user_id = f"{provider}|{external_id}"
        if await self.by_user_id(user_id):
            raise AdminConflictError(f"user.user_id: {user_id!r} exists already")
        email = fields.get("email")
        if strategy == "auth0":
            if not email and not fields.get("username"):
                raise AdminError("user.email: required for a database user")
            if email and await self.by_login(connection, email):
                raise AdminConflictError(f"user.email: {email!r} exists already in {connection}")
        if password is not None:
            password_hash = hash_password(password)
        now = self.clock.now()
        for key in ("user_metadata", "app_metadata"):
            fields[key] = v.mapping(f"user.{key}", fields.get(key))
        if email:
            fields["email"] = normalize_login(email) if strategy == "auth0" else email.strip()
        if strategy == "auth0" and isinstance(fields.get("username"), str):
            fields["username"] = normalize_username(fields["username"])
        row = self._new(
            UserRow,
            user_id=user_id,
            password_hash=password_hash,
            created_at=now,
            updated_at=now,
            **fields,
        )
        await self.session.flush()
        await self._add_identity(
            row, connection=connection, provider=provider, external_id=external_id,
            is_social=strategy in SOCIAL_STRATEGIES, profile_data=profile_data,
        )
        return await self._entity(row)

    async def create_once(self, *, connection: str, external_id: str, **fields: Any) -> entities.User | None:
        """create() in a savepoint; when a concurrent request created the same identity (or took the email)
        first, the identity's user, or None. Used by: lazy migration's first login."""
        try:
            async with self.session.begin_nested():
                return await self.create(connection=connection, external_id=external_id, **fields)
        except (IntegrityError, AdminError):
            return await self.by_identity(connection, external_id)

    async def update(self, user_id: str, *, password: str | None = None, **fields: Any) -> entities.User:
        _check_profile(fields)
        _check_password(password)
        row = await self._row(user_id)
        for key, value in fields.items():
            setattr(row, key, value)
        if password is not None:
            row.password_hash = hash_password(password)
            row.last_password_reset = self.clock.now()
        row.updated_at = self.clock.now()
        await self.session.flush()
        return await self._entity(row)

    async def set_password_hash(self, user_id: str, password_hash: str) -> None:
        await self.session.execute(
            update(UserRow)
            .where(UserRow.tenant_id == self.tenant_id, UserRow.user_id == user_id)
            .values(password_hash=password_hash)
        )

    async def record_login(self, user_id: str, *, ip: str | None) -> None:
        """logins_count + 1 and last_login, in one statement (no lost updates under concurrency)."""
        now = self.clock.now()
        await self.session.execute(
            update(UserRow)
            .where(UserRow.tenant_id == self.tenant_id, UserRow.user_id == user_id)
            .values(logins_count=UserRow.logins_count + 1, last_login=now, last_ip=ip)
        )

    async def merge_metadata(
        self, user_id: str, *, app_metadata: dict[str, Any] | None = None, user_metadata: dict[str, Any] | None = None
    ) -> None:
        """Apply key-level metadata changes; a None value deletes the key (Auth0's Actions and Management API
        semantics). The row is locked first (PostgreSQL): two concurrent merges never lose each other's keys."""
        row = await self._row(user_id, lock=True)
        for attr, changes in (("app_metadata", app_metadata), ("user_metadata", user_metadata)):
            if not changes:
                continue
            merged = dict(getattr(row, attr) or {})
            for key, value in changes.items():
                if value is None:
                    merged.pop(key, None)
                else:
                    merged[key] = value
            setattr(row, attr, merged)
        row.updated_at = self.clock.now()
        await self.session.flush()

    async def add_identity(
        self,
        user_id: str,
        *,
        connection: str,
        provider: str,
        external_id: str,
        profile_data: dict[str, Any] | None = None,
    ) -> None:
        row = await self._row(user_id)
        if await self.by_identity(connection, external_id):
            raise AdminError(f"identity: {provider}|{external_id} belongs to a user already")
        await self._add_identity(
            row, connection=connection, provider=provider, external_id=external_id,
            is_social=provider in SOCIAL_STRATEGIES, profile_data=profile_data,
        )

    async def delete(self, user_id: str) -> None:
        row = await self._row(user_id)
        await self.session.delete(row)
        await self.session.flush()

    async def sign_in_external(
        self,
        *,
        connection: str,
        provider: str,
        external_id: str,
        attributes: dict[str, Any],
        first_login_attributes: dict[str, Any] | None = None,
        profile_data: dict[str, Any] | None = None,
    ) -> tuple[entities.User, bool]:
        """The user holding this upstream identity, created if new; returns (user, created).

        Used by: native social token exchange and /oauth/access_token. A matching email never links accounts
        (Auth0's default: linking is explicit, `ostiary users link` or a hook's set_primary_user). On later
        logins the normalized profile is refreshed from `attributes` only when this identity is the user's
        primary one (a linked secondary identity never rewrites the primary's profile); `first_login_attributes`
        apply at creation only.
        """
        user = await self.by_identity(connection, external_id)
        if user is None:
            fields = {**(first_login_attributes or {}), **attributes}
            try:
                # A savepoint: a concurrent first login of the same identity loses the insert race, not the request.
                async with self.session.begin_nested():
                    created = await self.create(
                        connection=connection, strategy=provider, external_id=external_id,
                        profile_data=profile_data, **fields,
                    )
                return created, True
            except IntegrityError:
                user = await self.by_identity(connection, external_id)
                if user is None:
                    raise
        await self.session.execute(
            update(IdentityRow)
            .where(IdentityRow.tenant_id == self.tenant_id, IdentityRow.connection == connection,
                   IdentityRow.external_id == external_id)
            .values(profile_data=profile_data or {})
        )
        if user.user_id == f"{provider}|{external_id}" and attributes:
            changed = {k: v for k, v in attributes.items() if getattr(user, k) != v}
            if changed:
                return await self.update(user.user_id, **changed), False
        return user, False

    async def store_idp_tokens(self, *, connection: str, external_id: str, tokens: Mapping[str, Any]) -> None:
        """Keep the provider's tokens of an identity (Auth0's identities[].access_token), encrypted at rest."""
        await self.session.execute(
            update(IdentityRow)
            .where(IdentityRow.tenant_id == self.tenant_id, IdentityRow.connection == connection,
                   IdentityRow.external_id == external_id)
            .values(idp_tokens=self.box.encrypt(json.dumps(dict(tokens))) if tokens else None)
        )

    async def idp_tokens(self, *, connection: str, external_id: str) -> dict[str, Any]:
        """The provider's tokens of an identity, decrypted ({} when none). For the Management API's identities."""
        stored = await self.session.scalar(
            select(IdentityRow.idp_tokens).where(
                IdentityRow.tenant_id == self.tenant_id, IdentityRow.connection == connection,
                IdentityRow.external_id == external_id,
            )
        )
        return dict(json.loads(self.box.decrypt(stored))) if stored else {}

    async def link(self, primary_user_id: str, secondary_user_id: str) -> entities.User:
        """Move every identity of the secondary user onto the primary, then delete the secondary user.

        Auth0 "Link user accounts": the primary keeps its user_id, profile and metadata; the secondary's root
        profile and metadata are discarded. Used by: `ostiary users link` and hooks' set_primary_user.
        """
        if primary_user_id == secondary_user_id:
            raise AdminError("users link: a user cannot be linked to itself")
        primary = await self._row(primary_user_id)
        secondary = await self._row(secondary_user_id)
        await self.session.execute(
            update(IdentityRow)
            .where(IdentityRow.tenant_id == self.tenant_id, IdentityRow.user_pk == secondary.id)
            .values(user_pk=primary.id)
        )
        await self.session.delete(secondary)
        primary.updated_at = self.clock.now()
        await self.session.flush()
        self.session.expire_all()
        return await self.require(primary_user_id)

    async def search(
        self, where: ColumnElement[bool] | None, *, order: list[Any], offset: int, limit: int, count: bool
    ) -> tuple[list[entities.User], int | None]:
        """A page of users matching `where` (store/repositories/user_search.py), and the total when `count`.
        Used by: GET /api/v2/users."""
        query = self._select(UserRow)
        if where is not None:
            query = query.where(where)
        rows = (await self.session.scalars(query.order_by(*order).offset(offset).limit(limit))).all()
        total = None
        if count:
            total = await self.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        return [await self._entity(r) for r in rows], total

    async def by_email(self, email: str) -> list[entities.User]:
        """Every user with this email, in any connection: the stored value or its lower case (database users'
        emails are stored in lower case), on the (tenant_id, email) index. Used by: GET /api/v2/users-by-email and
        the admin commands' lookup by email."""
        rows = await self.session.scalars(
            self._select(UserRow).where(UserRow.email.in_(sorted({email, email.lower()}))).order_by(UserRow.created_at)
        )
        return [await self._entity(r) for r in rows.all()]

    async def unlink(self, primary_user_id: str, *, provider: str, external_id: str) -> entities.User:
        """Detach one secondary identity into a user of its own (Auth0 "Unlink user accounts"); returns the new
        user. The primary identity (the one user_id names) cannot be unlinked."""
        primary = await self._row(primary_user_id)
        if primary_user_id == f"{provider}|{external_id}":
            raise AdminError(f"identity: {provider}|{external_id} is the primary identity of {primary_user_id!r}")
        identity = await self.session.scalar(
            select(IdentityRow).where(
                IdentityRow.tenant_id == self.tenant_id, IdentityRow.user_pk == primary.id,
                IdentityRow.provider == provider, IdentityRow.external_id == external_id,
            )
        )
        if identity is None:
            raise AdminNotFoundError(
                f"identity: {primary_user_id!r} has no identity {provider}|{external_id}", kind="identity"
            )
        profile = dict(identity.profile_data or {})
        now = self.clock.now()
        email = profile.get("email")
        row = self._new(
            UserRow, user_id=f"{provider}|{external_id}", email=email if isinstance(email, str) else None,
            user_metadata={}, app_metadata={}, created_at=now, updated_at=now,
        )
        await self.session.flush()
        identity.user_pk = row.id
        primary.updated_at = now
        await self.session.flush()
        return await self._entity(row)
