"""The only registry of grant types: grant_type → handler."""

from __future__ import annotations

from collections.abc import Mapping

from ostiary.oauth.grants import authorization_code, client_credentials
from ostiary.oauth.grants.base import GrantHandler

GRANT_HANDLERS: Mapping[str, GrantHandler] = {
    client_credentials.GRANT_TYPE: client_credentials.handle,
    authorization_code.GRANT_TYPE: authorization_code.handle,
}

__all__ = ["GRANT_HANDLERS", "GrantHandler"]
