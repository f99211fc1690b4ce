"""A real SMTP server on loopback (aiosmtpd) that keeps every message it receives, and helpers to read them.

Tests point OSTIARY_SMTP_URL (or a tenant's emailProvider) at it, let the outbox sender run, and assert what
arrived: recipient, template (the X-Ostiary-Template header), and the link or code in the body.
"""

from __future__ import annotations

import html
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any
from urllib.parse import urlsplit

from aiosmtpd.controller import Controller

from ostiary.mail.outbox import TEMPLATE_HEADER
from tests.support.live import free_port

LINK = re.compile(r'href="([^"]+\?ticket=[^"]+)"')
CODE = re.compile(r"Your code: (\S+)")


@dataclass
class Received:
    envelope_from: str
    recipients: list[str]
    message: Message

    @property
    def template(self) -> str:
        return str(self.message[TEMPLATE_HEADER])

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def html(self) -> str:
        for part in self.message.walk():
            if part.get_content_type() == "text/html":
                payload = part.get_payload(decode=True)
                assert isinstance(payload, bytes)
                return payload.decode(part.get_content_charset() or "utf-8")
        raise AssertionError("no HTML part")

    def text(self) -> str:
        for part in self.message.walk():
            if part.get_content_type() == "text/plain":
                payload = part.get_payload(decode=True)
                assert isinstance(payload, bytes)
                return payload.decode(part.get_content_charset() or "utf-8")
        raise AssertionError("no text part")

    def link(self) -> str:
        """The one-time link of the email's button, unescaped."""
        match = LINK.search(self.html())
        assert match, self.html()
        return html.unescape(match.group(1))

    def path_and_query(self) -> str:
        parts = urlsplit(self.link())
        return f"{parts.path}?{parts.query}"

    def code(self) -> str:
        match = CODE.search(self.text())
        assert match, self.text()
        return match.group(1)


@dataclass
class Mailbox:
    host: str
    port: int
    fail_next: int = 0
    messages: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        with self.lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return "451 Requested action aborted: try again later"
            self.messages.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), message_from_bytes(envelope.content))
            )
        return "250 OK"

    def take(self) -> list[Received]:
        with self.lock:
            taken, self.messages = self.messages, []
        return taken

    def wait_for(self, count: int = 1, *, timeout: float = 15.0) -> list[Received]:
        """For a separate server process: wait until `count` messages arrived, then take them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    break
            time.sleep(0.05)
        taken = self.take()
        assert len(taken) >= count, f"expected {count} emails, got {len(taken)}"
        return taken


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    port = free_port()
    mailbox = Mailbox("127.0.0.1", port)
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()
