"""Multi-factor authentication at the token endpoint (Auth0's MFA API): when it is required, the mfa_token
that carries a password login to its second factor, and the checks of a TOTP or recovery code.

The mfa_token is a one-time ticket (store: one_time_tickets, only its hash kept): bound to the tenant (the
repository is tenant-scoped), the client and the user; it lives MFA_TOKEN_LIFETIME seconds (Auth0: 10
minutes) and is spent by the grant that issues tokens. Wrong codes count toward brute-force protection
under their own key (`mfa:{user_id}`), so a correct password never resets the count of wrong codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyotp

from ostiary import entities
from ostiary.errors import ExpiredTokenError, InvalidGrantError, MfaRequiredError, TooManyAttemptsError
from ostiary.ids import constant_time_equals
from ostiary.oauth.context import TenantContext
from ostiary.protection import brute_force
from ostiary.store.repositories.email import Ticket

MFA_TOKEN_PURPOSE = "mfa_token"
MFA_TOKEN_LIFETIME = 600.0
TOTP_STEP = 30
AMR = ("mfa",)


@dataclass(frozen=True)
class MfaTransaction:
    """A password login waiting for its second factor."""

    token: str
    ticket: Ticket
    user: entities.User

    @property
    def data(self) -> dict[str, Any]:
        return self.ticket.data


async def required(ctx: TenantContext) -> bool:
    """The tenant's policy requires MFA (confidence-score counts as all-applications) and a factor Ostiary
    serves (otp) is enabled: as on Auth0, a policy with no factor enabled challenges no one."""
    settings = await ctx.repos.mfa.settings()
    return settings.required and "otp" in settings.factors


async def start(ctx: TenantContext, *, client: entities.Client, user: entities.User,
                data: dict[str, Any]) -> MfaRequiredError:
    """Issue the mfa_token (committed now: the 403 that carries it rolls the request back)."""
    token = await ctx.repos.tickets.issue(
        purpose=MFA_TOKEN_PURPOSE, subject=user.user_id, client_id=client.client_id, data=data,
        lifetime=MFA_TOKEN_LIFETIME,
    )
    enrolled = await ctx.repos.mfa.has_active(user.user_id)
    await ctx.repos.commit()
    # Auth0's mfa_requirements: what the app should do next (challenge an enrolled factor, or enroll one).
    return MfaRequiredError(token, requirements={"challenge" if enrolled else "enroll": [{"type": "otp"}]})


async def transaction(ctx: TenantContext, mfa_token: str, *, client_id: str | None) -> MfaTransaction:
    """The live login the mfa_token stands for; Auth0's errors for an unknown or expired one. With a
    client_id, the token must have been issued to that client."""
    ticket = await ctx.repos.tickets.peek(MFA_TOKEN_PURPOSE, mfa_token)
    if ticket is None:
        if await ctx.repos.tickets.expired(MFA_TOKEN_PURPOSE, mfa_token):
            raise ExpiredTokenError()
        raise InvalidGrantError("Malformed mfa_token")
    if client_id is not None and ticket.client_id != client_id:
        raise InvalidGrantError("Malformed mfa_token")
    user = await ctx.repos.users.by_user_id(ticket.subject)
    if user is None:
        raise InvalidGrantError("Malformed mfa_token")
    return MfaTransaction(mfa_token, ticket, user)


async def spend(ctx: TenantContext, mfa: MfaTransaction) -> None:
    """The mfa_token works once: two grants racing with it, one wins."""
    if await ctx.repos.tickets.consume(MFA_TOKEN_PURPOSE, mfa.token, subject=mfa.user.user_id) is None:
        raise InvalidGrantError("Malformed mfa_token")


def _key(user: entities.User) -> str:
    return brute_force.mfa_failure_key(user.user_id)


async def guard(ctx: TenantContext, user: entities.User, ip: str) -> None:
    await brute_force.ensure_not_blocked(ctx, key=_key(user), ip=ip)


async def wrong_code(ctx: TenantContext, user: entities.User, ip: str, description: str) -> InvalidGrantError:
    """Count the wrong code; the one that reaches the limit is answered too_many_attempts."""
    if await brute_force.record_failure(ctx, key=_key(user), ip=ip):
        raise TooManyAttemptsError()
    return InvalidGrantError(description)


async def right_code(ctx: TenantContext, user: entities.User, ip: str) -> None:
    await brute_force.record_success(ctx, key=_key(user), ip=ip)


def matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step (RFC 6238, ±1 step for clock drift) whose code this is, or None."""
    code = code.strip()
    if not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int(now) // TOTP_STEP
    for step in (current, current - 1, current + 1):
        if constant_time_equals(totp.at(step * TOTP_STEP), code):
            return step
    return None


async def check_otp(ctx: TenantContext, user: entities.User, code: str) -> bool:
    """The code of one of the user's TOTP authenticators, in a step not used before (the step is spent)."""
    now = ctx.clock.now()
    for public_id, secret, _active in await ctx.repos.mfa.otp_secrets(user.user_id):
        step = matching_step(secret, code, now)
        if step is not None:
            return await ctx.repos.mfa.use_step(public_id, step)
    return False


def new_secret() -> str:
    return pyotp.random_base32()


def barcode_uri(secret: str, *, user: entities.User, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email or user.user_id, issuer_name=issuer)
