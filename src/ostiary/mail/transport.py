"""Sending one message over SMTP (smtplib, in a worker thread) to the tenant's provider or the server's."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from ostiary.errors import AdminError
from ostiary.store.repositories.email import EmailProviderInfo

SMTP_TIMEOUT_SECONDS = 20.0
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    user: str | None = None
    password: str | None = None
    # True: TLS from the first byte (smtps, port 465); False: STARTTLS when the server offers it.
    implicit_tls: bool = False

    def __repr__(self) -> str:  # never log the password
        return f"SmtpServer({self.host}:{self.port}, user={self.user!r}, implicit_tls={self.implicit_tls})"


def server_from_url(url: str) -> SmtpServer:
    """OSTIARY_SMTP_URL: smtp://[user:pass@]host[:port] or smtps://..."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise AdminError("OSTIARY_SMTP_URL: expected smtp://[user:pass@]host[:port] or smtps://...")
    implicit = parts.scheme == "smtps"
    return SmtpServer(
        host=parts.hostname,
        port=parts.port or (465 if implicit else 25),
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        implicit_tls=implicit,
    )


def server_from_provider(provider: EmailProviderInfo) -> SmtpServer:
    creds = provider.credentials
    port = int(creds.get("smtp_port") or 25)
    return SmtpServer(
        host=str(creds.get("smtp_host") or ""),
        port=port,
        user=creds.get("smtp_user") or None,
        password=creds.get("smtp_pass") or None,
        implicit_tls=port == 465,
    )


def send(server: SmtpServer, *, sender: str, recipient: str, message: bytes) -> None:
    """Blocking: call in a thread. Raises smtplib.SMTPException or OSError on failure."""
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if server.implicit_tls:
        smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=SMTP_TIMEOUT_SECONDS, context=context)
    else:
        smtp = smtplib.SMTP(server.host, server.port, timeout=SMTP_TIMEOUT_SECONDS)
    with smtp:
        smtp.ehlo()
        if not server.implicit_tls and smtp.has_extn("starttls"):
            smtp.starttls(context=context)
            smtp.ehlo()
        if server.user:
            if not server.implicit_tls and not smtp.has_extn("starttls") and server.host not in _LOOPBACK:
                raise smtplib.SMTPNotSupportedError("the server offers no STARTTLS: credentials not sent in clear")
            smtp.login(server.user, server.password or "")
        smtp.sendmail(sender, [recipient], message)
