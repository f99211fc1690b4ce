"""Running the outbox sender once in-process and reading what the loopback SMTP server received."""

from __future__ import annotations

from ostiary.mail.sender import deliver_due
from ostiary.runtime import AppState
from tests.support.mailbox import Mailbox, Received


async def delivered(state: AppState, mailbox: Mailbox, count: int | None = None) -> list[Received]:
    """Send what is due and return what arrived (exactly `count` emails when given)."""
    await deliver_due(state)
    received = mailbox.take()
    if count is not None:
        assert len(received) == count, [r.template for r in received]
    return received
