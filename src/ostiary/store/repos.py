"""Repos: one session and one tenant, the unit of work a request (or a CLI command) runs in."""

from __future__ import annotations

from functools import cached_property

from sqlalchemy.ext.asyncio import AsyncSession

from ostiary.clock import Clock
from ostiary.store.raw_pg import RawPool
from ostiary.store.repositories.actions import Actions, TokenExchangeProfiles
from ostiary.store.repositories.clients import ClientGrants, Clients
from ostiary.store.repositories.codes import AuthorizationCodes
from ostiary.store.repositories.connections import Connections
from ostiary.store.repositories.consents import Consents
from ostiary.store.repositories.resource_servers import ResourceServers
from ostiary.store.repositories.sessions import LoginSessions, LoginTransactions
from ostiary.store.repositories.signing_keys import SigningKeys
from ostiary.store.repositories.tokens import Grants, OpaqueAccessTokens, RefreshTokens
from ostiary.store.repositories.users import Users
from ostiary.store.secrets import SecretBox


class Repos:
    def __init__(
        self, session: AsyncSession, tenant_id: str, *, box: SecretBox, clock: Clock, raw: RawPool | None = None
    ) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.box = box
        self.clock = clock
        self.raw = raw

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
    def connections(self) -> Connections:
        return Connections(self.session, self.tenant_id, box=self.box, clock=self.clock)

    @cached_property
    def users(self) -> Users:
        return Users(self.session, self.tenant_id, box=self.box, clock=self.clock)

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
        if self.session.in_transaction() or self.session.new or self.session.dirty or self.session.deleted:
            await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()
