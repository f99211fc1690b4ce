"""The background sender: every server process polls the outbox and sends what is due (emails over SMTP,
text messages of `sms` connections to the SMS provider).

Safe with several workers and processes: a row is claimed by one conditional UPDATE (claimed_at set only
where it is NULL or older than the lease), so exactly one sender holds it; a sender that dies mid-send
leaves a claim that expires after LEASE_SECONDS, and the row is sent again (at-least-once). A failure is
logged and retried with exponential backoff; after MAX_ATTEMPTS the row is marked failed.
This job is server-wide (it sends every tenant's mail); each row is sent with its own tenant's provider.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from email import message_from_string

from sqlalchemy import ColumnElement, or_, select, update

from ostiary.connections.sms import SMS_TEMPLATE, SmsError, send_sms, sms_parts
from ostiary.mail.transport import SMTP_TIMEOUT_SECONDS, SmtpServer, send, server_from_provider, server_from_url
from ostiary.runtime import AppState
from ostiary.store.models.email import OutboxEmail as OutboxRow

log = logging.getLogger("ostiary.mail")

LEASE_SECONDS = 3 * SMTP_TIMEOUT_SECONDS
MAX_ATTEMPTS = 8
BATCH = 20


def backoff_seconds(attempts: int) -> float:
    """30 s after the first failure, doubling, at most an hour."""
    return float(min(30 * 2 ** (attempts - 1), 3600))


def _claimable(now: float) -> tuple[ColumnElement[bool], ...]:
    return (
        OutboxRow.sent_at.is_(None),
        OutboxRow.failed_at.is_(None),
        or_(OutboxRow.claimed_at.is_(None), OutboxRow.claimed_at < now - LEASE_SECONDS),
    )


async def deliver_due(state: AppState) -> int:
    """Send the due emails (one batch); returns how many were sent."""
    now = state.clock.now()
    async with state.reader() as session:
        ids = (await session.scalars(
            select(OutboxRow.id).where(*_claimable(now), OutboxRow.next_attempt_at <= now)
            .order_by(OutboxRow.next_attempt_at).limit(BATCH)
        )).all()
    sent = 0
    for row_id in ids:
        sent += await _deliver(state, row_id)
    return sent


async def _claim(state: AppState, row_id: str) -> OutboxRow | None:
    now = state.clock.now()
    async with state.sessionmaker() as session:
        claimed = await session.scalar(
            update(OutboxRow).where(OutboxRow.id == row_id, *_claimable(now)).values(claimed_at=now)
            .returning(OutboxRow.id)
        )
        await session.commit()
        if claimed is None:
            return None  # another sender has it
        return await session.get(OutboxRow, row_id)


async def _server_for(state: AppState, tenant_id: str) -> SmtpServer | None:
    async with state.reader() as session:
        provider = await state.repos(session, tenant_id).email_settings.provider()
    if provider is not None and provider.enabled:
        return server_from_provider(provider)
    return server_from_url(state.settings.smtp_url) if state.settings.smtp_url else None


async def _deliver(state: AppState, row_id: str) -> int:
    row = await _claim(state, row_id)
    if row is None:
        return 0
    context = {"outbox_id": row.id, "tenant": row.tenant_id, "template": row.template, "attempt": row.attempts + 1}
    try:
        text = state.box.decrypt(row.message)
        if row.template == SMS_TEMPLATE:
            await _send_sms(state, row, text)
        else:
            await _send_email(state, row, text)
    except Exception as exc:  # noqa: BLE001 - every failure is logged and retried, never raised into a request
        await _failed(state, row, f"{type(exc).__name__}: {exc}", context)
        return 0
    await _finish(state, row.id, sent_at=state.clock.now(), message="")
    log.info("outbox message sent", extra=context)
    return 1


async def _send_email(state: AppState, row: OutboxRow, text: str) -> None:
    server = await _server_for(state, row.tenant_id)
    if server is None:
        raise smtplib.SMTPException("no emailProvider and no OSTIARY_SMTP_URL")
    sender = message_from_string(text).get("From", state.settings.mail_from)
    await asyncio.wait_for(
        asyncio.to_thread(send, server, sender=sender, recipient=row.recipient, message=text.encode()),
        timeout=LEASE_SECONDS / 2,
    )


async def _send_sms(state: AppState, row: OutboxRow, text: str) -> None:
    name, body = sms_parts(text)
    async with state.reader() as session:
        connection = await state.repos(session, row.tenant_id).connections.by_name(name)
    if connection is None:
        raise SmsError(f"the sms connection {name!r} no longer exists")
    await send_sms(state.http, state.settings.twilio_api_url, connection.options, to=row.recipient, body=body)


async def _failed(state: AppState, row: OutboxRow, error: str, context: dict[str, object]) -> None:
    attempts = row.attempts + 1
    now = state.clock.now()
    if attempts >= MAX_ATTEMPTS:
        log.error("outbox message given up after %d attempts: %s", attempts, error, extra={**context, "error": error})
        await _finish(state, row.id, attempts=attempts, failed_at=now, last_error=error, message="")
        return
    log.warning("outbox message not sent, will retry: %s", error, extra={**context, "error": error})
    await _finish(
        state, row.id, attempts=attempts, last_error=error, claimed_at=None,
        next_attempt_at=now + backoff_seconds(attempts),
    )


async def _finish(state: AppState, row_id: str, **values: object) -> None:
    async with state.sessionmaker() as session:
        await session.execute(update(OutboxRow).where(OutboxRow.id == row_id).values(**values))
        await session.commit()


async def run_sender(state: AppState, stop: asyncio.Event) -> None:
    """Poll until `stop` is set (the server's lifespan owns it)."""
    while not stop.is_set():
        try:
            while await deliver_due(state) == BATCH:
                pass
        except Exception:  # noqa: BLE001 - a database hiccup must not end the loop
            log.exception("outbox poll failed")
        try:
            await asyncio.wait_for(stop.wait(), timeout=state.settings.mail_poll_seconds)
        except TimeoutError:
            pass
