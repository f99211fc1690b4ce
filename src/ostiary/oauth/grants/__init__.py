"""The only registry of grant types: grant_type → handler."""

from __future__ import annotations

from collections.abc import Mapping

from ostiary.oauth.grants import (
    authorization_code,
    client_credentials,
    mfa,
    password,
    passwordless,
    refresh_token,
    token_exchange,
)
from ostiary.oauth.grants.base import GrantHandler

# token_exchange dispatches native social subject_token_types itself and hands every other type to
# custom_token_exchange (tenant-defined profiles run by hooks).
GRANT_HANDLERS: Mapping[str, GrantHandler] = {
    client_credentials.GRANT_TYPE: client_credentials.handle,
    authorization_code.GRANT_TYPE: authorization_code.handle,
    password.GRANT_TYPE: password.handle,
    password.REALM_GRANT_TYPE: password.handle_realm,
    passwordless.GRANT_TYPE: passwordless.handle,
    mfa.OTP_GRANT_TYPE: mfa.handle_otp,
    mfa.RECOVERY_CODE_GRANT_TYPE: mfa.handle_recovery_code,
    refresh_token.GRANT_TYPE: refresh_token.handle,
    token_exchange.GRANT_TYPE: token_exchange.handle,
}

__all__ = ["GRANT_HANDLERS", "GrantHandler"]
