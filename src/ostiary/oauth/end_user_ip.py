"""The end user's IP for attack protection: the client's address, or auth0-forwarded-for when Auth0 trusts it."""

from __future__ import annotations

import ipaddress

from ostiary.oauth.client_auth import AuthenticatedClient
from ostiary.oauth.context import TenantContext

MAX_HEADER_LENGTH = 64


def end_user_ip(ctx: TenantContext, auth: AuthenticatedClient) -> str:
    """auth0-forwarded-for counts only from a client that proved its secret and has
    is_token_endpoint_ip_header_trusted (Auth0 "Trust Token Endpoint IP Header"); never from a public client.
    A value that is not exactly one IP address is ignored (BF-06), as is everything from anyone else.
    """
    raw = ctx.forwarded_for
    if not raw or not auth.confidential or not auth.client.is_token_endpoint_ip_header_trusted:
        return ctx.ip
    if len(raw) > MAX_HEADER_LENGTH:
        return ctx.ip
    try:
        return str(ipaddress.ip_address(raw.strip()))
    except ValueError:
        return ctx.ip
