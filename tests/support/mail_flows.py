"""Running the outbox sender once in-process and reading what the loopback SMTP server received.

The sender is server-wide: it also sends what earlier tests on the same database left queued. A test reads
only its own tenant's mail (the Message-ID names the tenant's host).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import update

from ostiary.mail.sender import deliver_due
from ostiary.runtime import AppState
from ostiary.store.models.email import OutboxEmail
from tests.support.factories import TenantFixture
from tests.support.mailbox import Mailbox, Received, smtp_server


async def delivered(
    tenant: TenantFixture, mailbox: Mailbox, count: int | None = None, *, state: AppState | None = None
) -> list[Received]:
    """Send what is due and return what arrived for this tenant (exactly `count` emails when given)."""
    await deliver_due(state or tenant.state)
    host = tenant.domain.split(":")[0]
    received = [r for r in mailbox.take() if str(r.message["Message-ID"]).rstrip(">").endswith(f"@{host}")]
    if count is not None:
        assert len(received) == count, [r.template for r in received]
    return received


async def quiet_outbox(state: AppState) -> None:
    """Give up whatever earlier tests left queued in this (per-worker) database, so a test's SMTP faults and
    counts concern its own mail only."""
    async with state.sessionmaker() as session:
        await session.execute(
            update(OutboxEmail).where(OutboxEmail.sent_at.is_(None), OutboxEmail.failed_at.is_(None))
            .values(failed_at=0.0)
        )
        await session.commit()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


@pytest.fixture
async def quiet(state: AppState) -> None:
    await quiet_outbox(state)
