"""Mail: the tenant's email provider and templates, the outbox the server sends from, one-time tickets."""

from __future__ import annotations

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ostiary.store.db import Base
from ostiary.store.models._columns import Epoch, JsonDict, OptEpoch, Pk, TenantFk


class EmailProvider(Base):
    """Auth0's emailProvider: one per tenant. `credentials` holds smtp_pass encrypted ({"$enc": ...})."""

    __tablename__ = "email_providers"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[Pk]
    tenant_id: Mapped[TenantFk]
    name: Mapped[str] = mapped_column(String(32), default="smtp")
    enabled: Mapped[bool] = mapped_column(default=True)
    default_from_address: Mapped[str | None] = mapped_column(String(320))
    credentials: Mapped[JsonDict]
    updated_at: Mapped[Epoch]


class EmailTemplate(Base):
    """A tenant's override of one of Auth0's email templates (Liquid body, subject, from, resultUrl)."""

    __tablename__ = "email_templates"
    __table_args__ = (UniqueConstraint("tenant_id", "template"),)

    id: Mapped[Pk]
    tenant_id: Mapped[TenantFk]
    template: Mapped[str] = mapped_column(String(64))
    enabled: Mapped[bool] = mapped_column(default=True)
    body: Mapped[str] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(String(998))
    from_address: Mapped[str | None] = mapped_column(String(320))
    result_url: Mapped[str | None] = mapped_column(String(2048))
    url_lifetime_seconds: Mapped[int | None]
    updated_at: Mapped[Epoch]


class OutboxEmail(Base):
    """One email waiting to be sent (or sent). The rendered message is encrypted (it carries one-time links)
    and wiped once sent. A sender claims a row by setting claimed_at in a conditional UPDATE; a claim older
    than the lease is taken to be a dead sender's and may be claimed again."""

    __tablename__ = "email_outbox"
    __table_args__ = (Index("ix_email_outbox_due", "sent_at", "next_attempt_at"),)

    id: Mapped[Pk]
    tenant_id: Mapped[TenantFk]
    template: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(320))
    message: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[Epoch]
    claimed_at: Mapped[OptEpoch]
    sent_at: Mapped[OptEpoch]
    failed_at: Mapped[OptEpoch]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[Epoch]


class OneTimeTicket(Base):
    """A one-time link or code (email verification, password reset, unblock, passwordless): only its hash
    is stored; it is consumed by one conditional UPDATE."""

    __tablename__ = "one_time_tickets"
    __table_args__ = (
        Index("ix_one_time_tickets_lookup", "tenant_id", "purpose", "token_hash"),
        Index("ix_one_time_tickets_recent", "tenant_id", "purpose", "created_at"),
    )

    id: Mapped[Pk]
    tenant_id: Mapped[TenantFk]
    purpose: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64))
    # The user, or for passwordless the address (email or phone number) the code was sent to.
    subject: Mapped[str] = mapped_column(String(320))
    client_id: Mapped[str | None] = mapped_column(String(128))
    # The requesting IP (passwordless sends are limited per address and per IP).
    ip: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[JsonDict]
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[Epoch]
    expires_at: Mapped[Epoch]
    used_at: Mapped[OptEpoch]
