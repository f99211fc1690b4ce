"""Repos: one session and one tenant, the unit of work a request (or a CLI command) runs in."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from sqlalchemy.ext.asyncio import AsyncSession

from ostiary.clock import Clock
from ostiary.store.raw_pg import RawPool
from ostiary.store.raw_sqlite import RawSqlite
from ostiary.store.repositories.actions import Actions, TokenExchangeProfiles
from ostiary.store.repositories.clients import ClientGrants, Clients
from ostiary.store.repositories.codes import AuthorizationCodes
from ostiary.store.repositories.connections import Connections
from ostiary.store.repositories.consents import Consents
from ostiary.store.repositories.email import EmailSettings, Outbox, Tickets
from ostiary.store.repositories.mfa import Mfa
from ostiary.store.repositories.resource_servers import ResourceServers
from ostiary.store.repositories.roles import Roles
from ostiary.store.repositories.sessions import LoginSessions, LoginTransactions
from ostiary.store.repositories.signing_keys import SigningKeys
from ostiary.store.repositories.tokens import Grants, OpaqueAccessTokens, RefreshTokens
from ostiary.store.repositories.user_import import UserImport
from ostiary.store.repositories.users import Users
from ostiary.store.secrets import SecretBox


class Repos:
    """`session` is an AsyncSession, or a factory of one: then the session is opened when first used (a
    client_credentials request served from the caches never opens one) and closed by close()."""

    def __init__(
        self,
        session: AsyncSession | Callable[[], AsyncSession],
        tenant_id: str,
        *,
        box: SecretBox,
        clock: Clock,
        raw: RawPool | RawSqlite | None = None,
    ) -> None:
        self._session = session if isinstance(session, AsyncSession) else None
        self._open_session = None if isinstance(session, AsyncSession) else session
        self.tenant_id = tenant_id
        self.box = box
        self.clock = clock
        self.raw = raw

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            assert self._open_session is not None
            self._session = self._open_session()
        return self._session

    def in_transaction(self) -> bool:
        return self._session is not None and self._session.in_transaction()

    async def close(self) -> None:
        """Close a session this Repos opened itself (see the class docstring)."""
        if self._open_session is not None and self._session is not None:
            await self._session.close()

    @cached_property
    def clients(self) -> Clients:
        return Clients(self.session, self.tenant_id, box=self.box, clock=self.clock)

    @cached_property
    def client_grants(self) -> ClientGrants:
        return ClientGrants(self.session, self.tenant_id, box=self.box, clock=self.clock)

    @cached_property
    def resource_servers(self) -> ResourceServers:
        return ResourceServers(self.session, self.tenant_id, box=self.box, clock=self.clock)

    @cached_property
    def roles(self) -> Roles:
        return Roles(self.session, self.tenant_id, box=self.box, clock=self.clock)

    @cached_property
    def connections(self) -> Connections:
        return Connections(self.session, self.tenant_id, box=self.box, clock=self.clock)

    @cached_property
    def email_settings(self) -> EmailSettings:
        return EmailSettings(self.session, self.tenant_id, box=self.box, clock=self.clock)

    @cached_property
    def outbox(self) -> Outbox:
        return Outbox(self.session, self.tenant_id, box=self.box, clock=self.clock)

    @cached_property
    def tickets(self) -> Tickets:
        return Tickets(self.session, self.tenant_id, box=self.box, clock=self.clock)

    @cached_property
    def mfa(self) -> Mfa:
        return Mfa(self.session, self.tenant_id, box=self.box, clock=self.clock)

    @cached_property
    def users(self) -> Users:
        return Users(self.session, self.tenant_id, box=self.box, clock=self.clock)

    @cached_property
    def user_import(self) -> UserImport:
        return UserImport(self.session, self.tenant_id, box=self.box, clock=self.clock)

    @cached_property
    def signing_keys(self) -> SigningKeys:
        return SigningKeys(self.session, self.tenant_id, box=self.box, clock=self.clock)

    @cached_property
    def grants(self) -> Grants:
        return Grants(self.session, self.tenant_id, box=self.box, clock=self.clock)

    @cached_property
    def refresh_tokens(self) -> RefreshTokens:
        return RefreshTokens(self.session, self.tenant_id, box=self.box, clock=self.clock, raw=self.raw)

    @cached_property
    def opaque_access_tokens(self) -> OpaqueAccessTokens:
        return OpaqueAccessTokens(self.session, self.tenant_id, box=self.box, clock=self.clock)

    @cached_property
    def actions(self) -> Actions:
        return Actions(self.session, self.tenant_id, box=self.box, clock=self.clock)

    @cached_property
    def token_exchange_profiles(self) -> TokenExchangeProfiles:
        return TokenExchangeProfiles(self.session, self.tenant_id, box=self.box, clock=self.clock)

    @cached_property
    def codes(self) -> AuthorizationCodes:
        return AuthorizationCodes(self.session, self.tenant_id, box=self.box, clock=self.clock, raw=self.raw)

    @cached_property
    def sessions(self) -> LoginSessions:
        return LoginSessions(self.session, self.tenant_id, box=self.box, clock=self.clock)

    @cached_property
    def transactions(self) -> LoginTransactions:
        return LoginTransactions(self.session, self.tenant_id, box=self.box, clock=self.clock)

    @cached_property
    def consents(self) -> Consents:
        return Consents(self.session, self.tenant_id, box=self.box, clock=self.clock)

    async def commit(self) -> None:
        # Nothing read or written (client_credentials served from the caches): no transaction to end.
        session = self._session
        if session is not None and (session.in_transaction() or session.new or session.dirty or session.deleted):
            await session.commit()

    async def rollback(self) -> None:
        if self._session is not None:
            await self._session.rollback()
