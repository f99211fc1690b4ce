"""The only registry of grant types: grant_type → handler."""

from __future__ import annotations

from collections.abc import Mapping

from ostiary.oauth.grants import client_credentials, custom_token_exchange, password, refresh_token
from ostiary.oauth.grants.base import GrantHandler

_HANDLERS: dict[str, GrantHandler] = {
    client_credentials.GRANT_TYPE: client_credentials.handle,
    password.GRANT_TYPE: password.handle,
    password.REALM_GRANT_TYPE: password.handle_realm,
    refresh_token.GRANT_TYPE: refresh_token.handle,
}
# Until the native token-exchange dispatcher is merged (it calls custom_token_exchange.handle for
# subject_token_types it does not know), custom token exchange answers the token-exchange grant itself.
_HANDLERS.setdefault(custom_token_exchange.GRANT_TYPE, custom_token_exchange.handle)
GRANT_HANDLERS: Mapping[str, GrantHandler] = _HANDLERS

__all__ = ["GRANT_HANDLERS", "GrantHandler"]
