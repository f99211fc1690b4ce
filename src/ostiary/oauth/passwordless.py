"""Passwordless login with the `email` and `sms` connections (Auth0's strategies of those names).

start(): POST /passwordless/start and the Universal Login passwordless page: a 6-digit one-time code (stored
hashed, expiring, single-use; a new code replaces the previous one) sent by email (passwordless_email, or
the connection's own `email` template option) or SMS; with send=link the email also carries a link to
/passwordless/verify_redirect. Sends are limited per address and per IP.
verify(): the grant http://auth0.com/oauth/grant-type/passwordless/otp, the page and the link: a wrong code
counts toward brute-force protection like a wrong password (per address and IP), and a code is spent after
MAX_WRONG_CODES wrong guesses from anywhere; the user is created on
first success unless the connection has disable_signup.
"""

from __future__ import annotations

import re
import secrets
from typing import Any
from urllib.parse import urlencode

from ostiary import entities
from ostiary.connections.sms import queue_sms
from ostiary.errors import (
    InvalidGrantError,
    PasswordlessError,
    TooManyRequestsError,
    UnauthorizedClientError,
    UserBlockedError,
)
from ostiary.ids import token_hash
from ostiary.mail.outbox import queue_email
from ostiary.mail.templates import TemplateOverride
from ostiary.oauth.context import TenantContext
from ostiary.protection import brute_force

PURPOSE = "passwordless"
STRATEGIES = ("email", "sms")
CODE_LIFETIME_SECONDS = 300
CODE_DIGITS = 6
# Wrong guesses a code survives, from any IP (brute-force protection counts per IP; this bounds them all).
MAX_WRONG_CODES = 5
# Sends per hour: per address (a mailbox or phone cannot be flooded) and per IP (nor many of them).
SENDS_PER_ADDRESS_PER_HOUR = 10
SENDS_PER_IP_PER_HOUR = 50
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+[1-9][0-9]{6,14}")
WRONG_CODE = {"email": "Wrong email or verification code.", "sms": "Wrong phone number or verification code."}


def normalize_address(strategy: str, raw: str) -> str:
    address = raw.strip()
    if strategy == "email":
        if not _EMAIL.fullmatch(address) or len(address) > 320:
            raise PasswordlessError("bad.email", "email is not valid")
        return address.lower()
    phone = re.sub(r"[\s().-]", "", address)
    if not _PHONE.fullmatch(phone):
        raise PasswordlessError("bad.phone_number", "phone_number must be in E.164 format (+ and digits)")
    return phone


async def passwordless_connection(
    ctx: TenantContext, name: str | None, client: entities.Client
) -> entities.Connection:
    connection = await ctx.repos.connections.by_name(name) if name else None
    if connection is None or connection.strategy not in STRATEGIES:
        raise PasswordlessError("bad.connection", "Connection does not exist")
    if not connection.is_enabled_for(client.client_id):
        raise PasswordlessError("bad.connection", "Connection is disabled")
    return connection


async def grant_connection(ctx: TenantContext, realm: str, client: entities.Client) -> entities.Connection:
    """The grant's realm: the token endpoint's error shape (unauthorized_client), not /passwordless/start's."""
    try:
        return await passwordless_connection(ctx, realm, client)
    except PasswordlessError as exc:
        raise UnauthorizedClientError(f"{exc.description}: {realm}") from exc


def _subject(connection: entities.Connection, address: str) -> str:
    return f"{connection.name}:{address}"


async def _check_send_limits(ctx: TenantContext, subject: str) -> None:
    since = ctx.clock.now() - 3600
    tickets = ctx.repos.tickets
    if (await tickets.count_since(PURPOSE, since, subject=subject) >= SENDS_PER_ADDRESS_PER_HOUR
            or await tickets.count_since(PURPOSE, since, ip=ctx.ip) >= SENDS_PER_IP_PER_HOUR):
        raise TooManyRequestsError("Too many requests. Try again later.", headers={"Retry-After": "3600"})


def _email_override(connection: entities.Connection) -> TemplateOverride | None:
    """Auth0 keeps the passwordless email in the connection: options.email {from, subject, body}."""
    email = connection.options.get("email")
    if isinstance(email, dict) and isinstance(email.get("body"), str) and email["body"].strip():
        return TemplateOverride(
            template="passwordless_email", body=email["body"], subject=email.get("subject") or None,
            from_address=email.get("from") or None,
        )
    return None


def verify_link(ctx: TenantContext, *, client: entities.Client, connection: entities.Connection, address: str,
                code: str, auth_params: dict[str, str]) -> str:
    """Auth0's magic link: /passwordless/verify_redirect with the authorize parameters and the code."""
    params = {**auth_params, "client_id": client.client_id, "connection": connection.name,
              "email": address, "verification_code": code}
    return f"{ctx.scheme}://{ctx.host}/passwordless/verify_redirect?{urlencode(params)}"


async def start(
    ctx: TenantContext, *, client: entities.Client, connection: entities.Connection, address: str,
    send: str = "code", auth_params: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Issue and send a code; Auth0's answer body. The caller commits."""
    strategy = connection.strategy
    if send not in ("code", "link") or (strategy == "sms" and send != "code"):
        raise PasswordlessError("bad.send", "send must be 'code'" + (" or 'link'" if strategy == "email" else ""))
    address = normalize_address(strategy, address)
    subject = _subject(connection, address)
    await _check_send_limits(ctx, subject)
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    await ctx.repos.tickets.revoke_for(PURPOSE, subject)
    await ctx.repos.tickets.issue(
        purpose=PURPOSE, subject=subject, lifetime=CODE_LIFETIME_SECONDS, client_id=client.client_id,
        secret=code, ip=ctx.ip,
    )
    user = await _find_user(ctx, connection, address)
    if strategy == "email":
        url = verify_link(ctx, client=client, connection=connection, address=address, code=code,
                          auth_params=auth_params or {}) if send == "link" else None
        await queue_email(ctx, template="passwordless_email", to=address, user=user, client=client, url=url,
                          code=code, override=_email_override(connection))
        return {"_id": _external_id(ctx, address), "email": address, "email_verified": False}
    body = connection.options.get("template") or "Your verification code is: @@password@@"
    await queue_sms(ctx, connection, to=address, body=str(body).replace("@@password@@", code))
    return {"_id": _external_id(ctx, address), "phone_number": address, "phone_verified": False,
            "request_language": None}


def _external_id(ctx: TenantContext, address: str) -> str:
    """A stable id for the address that does not reveal it, nor lets anyone without the master key confirm a
    guessed address or phone number against it (the identity's user_id: 24 hex digits, as Auth0's)."""
    return ctx.state.box.keyed_hash(f"{ctx.tenant.id}:{address}")[:24]


async def _find_user(ctx: TenantContext, connection: entities.Connection, address: str) -> entities.User | None:
    return await ctx.repos.users.by_identity(connection.name, _external_id(ctx, address))


async def verify(
    ctx: TenantContext, *, connection: entities.Connection, address: str, code: str, ip: str | None = None
) -> entities.User:
    """The user who owns `address`, once `code` is the live code for it; InvalidGrantError otherwise."""
    ip = ip or ctx.ip
    try:
        address = normalize_address(connection.strategy, address)
    except PasswordlessError as exc:
        raise InvalidGrantError(WRONG_CODE[connection.strategy]) from exc
    subject = _subject(connection, address)
    user = await _find_user(ctx, connection, address)
    key = user.user_id if user else f"login:{connection.name}:{token_hash(address)}"
    await brute_force.ensure_not_blocked(ctx, key=key, ip=ip)
    used = await ctx.repos.tickets.consume(PURPOSE, code.strip(), subject=subject) if code.strip() else None
    if used is None:
        await ctx.repos.tickets.record_miss(PURPOSE, subject, max_misses=MAX_WRONG_CODES)
        await brute_force.record_failure(ctx, key=key, ip=ip)
        await ctx.repos.commit()  # the miss must outlive the failed request (the token endpoint rolls back)
        raise InvalidGrantError(WRONG_CODE[connection.strategy])
    await brute_force.record_success(ctx, key=key, ip=ip)
    if user is None:
        if connection.options.get("disable_signup") is True:
            raise UnauthorizedClientError("Signups are disabled for this connection.")
        user = await _create_user(ctx, connection, address)
    elif connection.strategy == "email" and not user.email_verified:
        user = await ctx.repos.users.update(user.user_id, email_verified=True)
    if user.blocked:
        raise UserBlockedError()
    return user


async def _create_user(ctx: TenantContext, connection: entities.Connection, address: str) -> entities.User:
    fields: dict[str, Any] = (
        {"email": address, "email_verified": True, "name": address, "nickname": address.split("@")[0]}
        if connection.strategy == "email"
        else {"name": address, "nickname": address}
    )
    profile = {"email": address} if connection.strategy == "email" else {"phone_number": address,
                                                                          "phone_verified": True}
    return await ctx.repos.users.create(
        connection=connection.name, strategy=connection.strategy, external_id=_external_id(ctx, address),
        profile_data=profile, **fields,
    )
