"""One structured log line per authentication event, typed with Auth0's log event type codes.

Fields: type (the code), tenant, client_id, user_id, connection, ip and a description made of Ostiary's own
words (an error code or text) — never a secret, a password, a code or a token. The same events feed the
`ostiary_auth_events` and `ostiary_logins` metrics when metrics are on.
"""

from __future__ import annotations

import logging

from ostiary.oauth.context import TenantContext

log = logging.getLogger("ostiary.auth")

# Auth0's codes (https://auth0.com/docs/deploy-monitor/logs/log-event-type-codes) and their names.
EVENTS = {
    "s": "Success Login",
    "f": "Failed Login",
    "fp": "Failed Login (Incorrect Password)",
    "fu": "Failed Login (Invalid Email/Username)",
    "limit_wc": "Blocked Account",
    "ss": "Success Signup",
    "fs": "Failed Signup",
    "slo": "Success Logout",
    "seacft": "Success Exchange (Authorization Code for Access Token)",
    "feacft": "Failed Exchange (Authorization Code for Access Token)",
    "sertft": "Success Exchange (Refresh Token for Access Token)",
    "fertft": "Failed Exchange (Refresh Token for Access Token)",
    "seccft": "Success Exchange (Client Credentials for Access Token)",
    "feccft": "Failed Exchange (Client Credentials for Access Token)",
    "sepft": "Success Exchange (Password for Access Token)",
    "fepft": "Failed Exchange (Password for Access Token)",
    "secte": "Success Token Exchange",
    "fecte": "Failed Token Exchange",
    "seotpft": "Success Exchange (Password and OTP for Access Token)",
    "feotpft": "Failed Exchange (Password and OTP for Access Token)",
    "sercft": "Success Exchange (Password and MFA Recovery code for Access Token)",
    "fercft": "Failed Exchange (Password and MFA Recovery code for Access Token)",
}

# grant_type -> (success code, failure code) for POST /oauth/token.
GRANT_EVENTS = {
    "authorization_code": ("seacft", "feacft"),
    "refresh_token": ("sertft", "fertft"),
    "client_credentials": ("seccft", "feccft"),
    "password": ("sepft", "fepft"),
    "http://auth0.com/oauth/grant-type/password-realm": ("sepft", "fepft"),
    "urn:ietf:params:oauth:grant-type:token-exchange": ("secte", "fecte"),
    "http://auth0.com/oauth/grant-type/mfa-otp": ("seotpft", "feotpft"),
    "http://auth0.com/oauth/grant-type/mfa-recovery-code": ("sercft", "fercft"),
}


def auth_event(
    ctx: TenantContext,
    code: str,
    *,
    client_id: str | None = None,
    user_id: str | None = None,
    connection: str | None = None,
    description: str | None = None,
    ip: str | None = None,
) -> None:
    log.info(
        EVENTS[code],
        extra={
            "type": code,
            "tenant": ctx.tenant.name,
            "client_id": client_id,
            "user_id": user_id,
            "connection": connection,
            "ip": ip or ctx.ip,
            "description": description,
        },
    )
    if ctx.state.metrics is not None:
        ctx.state.metrics.auth_event(code)
