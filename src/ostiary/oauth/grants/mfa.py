"""http://auth0.com/oauth/grant-type/mfa-otp and mfa-recovery-code: the second step of a password login
that answered mfa_required (see oauth/mfa.py), ending as the password grant ends, with `amr: ["mfa"]`."""

from __future__ import annotations

from collections.abc import Mapping

from ostiary.connections.database import database_connection
from ostiary.errors import UserBlockedError
from ostiary.oauth import mfa
from ostiary.oauth.client_auth import AuthenticatedClient
from ostiary.oauth.context import TenantContext
from ostiary.oauth.end_user_ip import end_user_ip
from ostiary.oauth.grants import password
from ostiary.oauth.grants.base import require_param
from ostiary.oauth.issuance import Issued
from ostiary.oauth.scopes import require_api

OTP_GRANT_TYPE = "http://auth0.com/oauth/grant-type/mfa-otp"
RECOVERY_CODE_GRANT_TYPE = "http://auth0.com/oauth/grant-type/mfa-recovery-code"


async def handle_otp(ctx: TenantContext, auth: AuthenticatedClient, params: Mapping[str, str]) -> Issued:
    login = await mfa.transaction(ctx, require_param(params, "mfa_token"), client_id=auth.client.client_id)
    otp = require_param(params, "otp")
    ip = end_user_ip(ctx, auth)
    await mfa.guard(ctx, login.user, ip)
    if not await mfa.check_otp(ctx, login.user, otp):
        raise await mfa.wrong_code(ctx, login.user, ip, "Invalid otp_code.")
    return await _finish(ctx, auth, login, ip)


async def handle_recovery_code(ctx: TenantContext, auth: AuthenticatedClient, params: Mapping[str, str]) -> Issued:
    """Auth0 spends the recovery code and answers with the new one (`recovery_code`) beside the tokens."""
    login = await mfa.transaction(ctx, require_param(params, "mfa_token"), client_id=auth.client.client_id)
    code = require_param(params, "recovery_code")
    ip = end_user_ip(ctx, auth)
    await mfa.guard(ctx, login.user, ip)
    new_code = await ctx.repos.mfa.use_recovery_code(login.user.user_id, code)
    if new_code is None:
        raise await mfa.wrong_code(ctx, login.user, ip, "Invalid recovery_code.")
    issued = await _finish(ctx, auth, login, ip)
    issued.extra["recovery_code"] = new_code
    return issued


async def _finish(ctx: TenantContext, auth: AuthenticatedClient, login: mfa.MfaTransaction, ip: str) -> Issued:
    await mfa.spend(ctx, login)
    await mfa.right_code(ctx, login.user, ip)
    if login.user.blocked:
        raise UserBlockedError()
    data = login.data
    audience = data.get("audience")
    api = await require_api(ctx, audience) if audience else None
    connection = await database_connection(ctx, name=data.get("connection"), client=auth.client)
    params = {"scope": data["scope"]} if data.get("scope") else {}
    return await password.finish_login(ctx, auth, params, user=login.user, connection=connection, api=api,
                                       protocol=str(data.get("protocol") or password.PROTOCOL), ip=ip,
                                       amr=mfa.AMR)
