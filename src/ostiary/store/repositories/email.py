"""The tenant's email provider and template overrides, the outbox (enqueue side) and one-time tickets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update

from ostiary.ids import new_opaque_token, token_hash
from ostiary.mail.templates import TemplateOverride
from ostiary.store.models.email import EmailProvider as ProviderRow
from ostiary.store.models.email import EmailTemplate as TemplateRow
from ostiary.store.models.email import OneTimeTicket as TicketRow
from ostiary.store.models.email import OutboxEmail as OutboxRow
from ostiary.store.repositories.base import TenantScoped


@dataclass(frozen=True)
class EmailProviderInfo:
    """Auth0's emailProvider (name smtp): credentials smtp_host, smtp_port, smtp_user, smtp_pass."""

    name: str
    enabled: bool
    default_from_address: str | None
    credentials: dict[str, Any]


@dataclass(frozen=True)
class Ticket:
    id: str
    purpose: str
    subject: str
    client_id: str | None
    data: dict[str, Any]
    expires_at: float


def _ticket(row: TicketRow) -> Ticket:
    return Ticket(row.id, row.purpose, row.subject, row.client_id, dict(row.data or {}), row.expires_at)


class EmailSettings(TenantScoped):
    async def provider(self) -> EmailProviderInfo | None:
        row = await self.session.scalar(self._select(ProviderRow))
        if row is None:
            return None
        credentials = self.box.decrypt_options(dict(row.credentials or {}))
        return EmailProviderInfo(row.name, row.enabled, row.default_from_address, credentials)

    async def set_provider(self, info: EmailProviderInfo | None) -> None:
        """Replace the provider (None removes it). smtp_pass is encrypted at rest."""
        await self.session.execute(delete(ProviderRow).where(ProviderRow.tenant_id == self.tenant_id))
        if info is not None:
            credentials = {
                k: {"$enc": self.box.encrypt(v)} if k == "smtp_pass" and isinstance(v, str) else v
                for k, v in info.credentials.items()
            }
            self._new(
                ProviderRow, name=info.name, enabled=info.enabled, default_from_address=info.default_from_address,
                credentials=credentials, updated_at=self.clock.now(),
            )
        await self.session.flush()

    async def template(self, name: str) -> TemplateOverride | None:
        row = await self.session.scalar(self._select(TemplateRow).where(TemplateRow.template == name))
        return _override(row) if row else None

    async def templates(self) -> list[TemplateOverride]:
        rows = await self.session.scalars(self._select(TemplateRow).order_by(TemplateRow.template))
        return [_override(r) for r in rows.all()]

    async def set_template(self, override: TemplateOverride) -> None:
        row = await self.session.scalar(self._select(TemplateRow).where(TemplateRow.template == override.template))
        values = {
            "enabled": override.enabled, "body": override.body, "subject": override.subject,
            "from_address": override.from_address, "result_url": override.result_url,
            "url_lifetime_seconds": override.url_lifetime_seconds, "updated_at": self.clock.now(),
        }
        if row is None:
            self._new(TemplateRow, template=override.template, **values)
        else:
            for key, value in values.items():
                setattr(row, key, value)
        await self.session.flush()


def _override(row: TemplateRow) -> TemplateOverride:
    return TemplateOverride(
        template=row.template, body=row.body, enabled=row.enabled, subject=row.subject,
        from_address=row.from_address, result_url=row.result_url, url_lifetime_seconds=row.url_lifetime_seconds,
    )


class Outbox(TenantScoped):
    async def enqueue(self, *, template: str, recipient: str, message: str) -> str:
        """Queue one email (`message` is the encoded RFC 5322 message; stored encrypted). Sent after commit."""
        now = self.clock.now()
        row = self._new(
            OutboxRow, template=template, recipient=recipient, message=self.box.encrypt(message),
            next_attempt_at=now, created_at=now,
        )
        await self.session.flush()
        return row.id


class Tickets(TenantScoped):
    async def issue(
        self, *, purpose: str, subject: str, lifetime: float, client_id: str | None = None,
        data: dict[str, Any] | None = None, secret: str | None = None, ip: str | None = None,
    ) -> str:
        """A new one-time ticket; returns the secret (only its hash is stored). `secret` is given for codes."""
        secret = secret or new_opaque_token()
        now = self.clock.now()
        self._new(
            TicketRow, purpose=purpose, token_hash=token_hash(secret), subject=subject, client_id=client_id,
            ip=ip[:64] if ip else None, data=data or {}, created_at=now, expires_at=now + lifetime,
        )
        await self.session.flush()
        return secret

    def _live(self, purpose: str, secret: str, subject: str | None) -> tuple[Any, ...]:
        conditions = (
            TicketRow.tenant_id == self.tenant_id,
            TicketRow.purpose == purpose,
            TicketRow.token_hash == token_hash(secret),
            TicketRow.used_at.is_(None),
            TicketRow.expires_at > self.clock.now(),
        )
        return (*conditions, TicketRow.subject == subject) if subject is not None else conditions

    async def peek(self, purpose: str, secret: str) -> Ticket | None:
        """The live ticket, not consumed (a page shows its form with it)."""
        if not secret:
            return None
        row = await self.session.scalar(self._select(TicketRow).where(*self._live(purpose, secret, None)))
        return _ticket(row) if row else None

    async def expired(self, purpose: str, secret: str) -> bool:
        """The ticket exists, unused, and its lifetime is over (an mfa_token answers expired_token then)."""
        if not secret:
            return False
        row_id = await self.session.scalar(select(TicketRow.id).where(
            TicketRow.tenant_id == self.tenant_id, TicketRow.purpose == purpose,
            TicketRow.token_hash == token_hash(secret), TicketRow.used_at.is_(None),
            TicketRow.expires_at <= self.clock.now()))
        return row_id is not None

    async def consume(self, purpose: str, secret: str, *, subject: str | None = None) -> Ticket | None:
        """Use the ticket exactly once: one conditional UPDATE; None when unknown, expired or used. A code
        (short, so not unique) is only ever looked up together with its subject."""
        if not secret:
            return None
        row_id = await self.session.scalar(
            update(TicketRow).where(*self._live(purpose, secret, subject)).values(used_at=self.clock.now())
            .returning(TicketRow.id)
        )
        if row_id is None:
            return None
        row = await self.session.get(TicketRow, row_id)
        assert row is not None
        return _ticket(row)

    async def record_miss(self, purpose: str, subject: str, *, max_misses: int) -> None:
        """One wrong guess at the subject's live code; the code is spent once it has had max_misses."""
        live = (TicketRow.tenant_id == self.tenant_id, TicketRow.purpose == purpose, TicketRow.subject == subject,
                TicketRow.used_at.is_(None))
        await self.session.execute(update(TicketRow).where(*live).values(attempts=TicketRow.attempts + 1))
        await self.session.execute(
            update(TicketRow).where(*live, TicketRow.attempts >= max_misses).values(used_at=self.clock.now())
        )

    async def count_since(self, purpose: str, since: float, *, subject: str | None = None,
                          ip: str | None = None) -> int:
        """How many tickets of this purpose were issued since `since` for the subject, or from the IP."""
        query = select(func.count()).select_from(TicketRow).where(
            TicketRow.tenant_id == self.tenant_id, TicketRow.purpose == purpose, TicketRow.created_at >= since)
        if subject is not None:
            query = query.where(TicketRow.subject == subject)
        if ip is not None:
            query = query.where(TicketRow.ip == ip[:64])
        return int(await self.session.scalar(query) or 0)

    async def revoke_for(self, purpose: str, subject: str) -> None:
        """Spend every live ticket of this purpose for this subject (a new code replaces the old one)."""
        await self.session.execute(
            update(TicketRow)
            .where(TicketRow.tenant_id == self.tenant_id, TicketRow.purpose == purpose,
                   TicketRow.subject == subject, TicketRow.used_at.is_(None))
            .values(used_at=self.clock.now())
        )
