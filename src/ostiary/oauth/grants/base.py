"""The contract every grant module keeps: GRANT_TYPE and `async def handle(ctx, auth, params) -> Issued`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from ostiary.errors import MissingParameterError
from ostiary.oauth.client_auth import AuthenticatedClient
from ostiary.oauth.context import TenantContext
from ostiary.oauth.issuance import Issued

GrantHandler = Callable[[TenantContext, AuthenticatedClient, Mapping[str, str]], Awaitable[Issued]]


def require_param(params: Mapping[str, str], name: str) -> str:
    value = params.get(name)
    if not value:
        raise MissingParameterError(name)
    return value
