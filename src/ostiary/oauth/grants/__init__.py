"""The only registry of grant types: grant_type → handler."""

from __future__ import annotations

from collections.abc import Mapping

from ostiary.oauth.grants import client_credentials, token_exchange
from ostiary.oauth.grants.base import GrantHandler

GRANT_HANDLERS: Mapping[str, GrantHandler] = {
    client_credentials.GRANT_TYPE: client_credentials.handle,
    token_exchange.GRANT_TYPE: token_exchange.handle,
}

__all__ = ["GRANT_HANDLERS", "GrantHandler"]
