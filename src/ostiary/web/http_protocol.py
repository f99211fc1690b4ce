"""The HTTP/1.1 protocol `ostiary serve` runs: uvicorn's httptools protocol (with coalesced writes) plus limits
on what a client may make a worker hold.

- The request head (request line and headers) is capped at OSTIARY_MAX_HEADER_BYTES: above it, 431 and the
  connection closes. httptools buffers a header until it is complete, so the cap counts raw bytes as they
  arrive, not only finished headers: a half-sent 16 MB header never reaches 16 MB in memory.
- A request must arrive whole (head and body) within OSTIARY_REQUEST_TIMEOUT_SECONDS of its first byte, and a
  new connection must start one within the same time: slower senders get 408 (when no response has started)
  and are disconnected.
"""

from __future__ import annotations

import asyncio
import functools
import json

import httptools

from ostiary.settings import load_settings
from ostiary.web.coalesce import CoalescingHttpToolsProtocol


@functools.cache
def _limits() -> tuple[int, float]:
    """Read once per worker process from the same environment the app reads."""
    settings = load_settings()
    return settings.max_header_bytes, settings.request_timeout_seconds


class _HeadTooLarge(Exception):
    pass


def _raw_response(status: int, reason: str, description: str) -> bytes:
    body = json.dumps({"error": "invalid_request", "error_description": description}).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n"
        "cache-control: no-store\r\nx-content-type-options: nosniff\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + body


TOO_LARGE = _raw_response(431, "Request Header Fields Too Large", "Request header fields too large")
TOO_SLOW = _raw_response(408, "Request Timeout", "The request was not received in time")


class GuardedHttpToolsProtocol(CoalescingHttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._max_head, self._timeout = _limits()
        self._in_head = True
        self._head_raw = 0  # bytes received since the current head began (an upper bound of its size)
        self._head_exact = 0  # request line and headers parsed so far
        self._deadline: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(self._timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _refuse(self, response: bytes) -> None:
        self._disarm()
        if not self.transport.is_closing():
            self.transport.write(response)
            self.transport.close()

    def _too_slow(self) -> None:
        self._deadline = None
        if self._in_head or self.cycle is None or not self.cycle.response_started:
            self._refuse(TOO_SLOW)
        else:  # the app already answered (a 413, say) while the body still trickles in
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        self._unset_keepalive_if_required()
        if self._in_head:
            self._arm()  # after an idle keep-alive, the next request's clock starts with its first byte
            self._head_raw += len(data)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:  # on_headers_complete's _HeadTooLarge arrives as a callback error
            if self._head_exact > self._max_head:
                self._refuse(TOO_LARGE)
                return
            msg = "Invalid HTTP request received."
            self.logger.warning(msg)
            self.send_400_response(msg)
            return
        except httptools.HttpParserUpgrade:  # as uvicorn does
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
        if self._in_head and self._head_raw > self._max_head:
            self._refuse(TOO_LARGE)

    def on_message_begin(self) -> None:
        self._head_exact = 0
        super().on_message_begin()

    def on_url(self, url: bytes) -> None:
        self._head_exact += len(url)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_exact += len(name) + len(value) + 4
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        if self._head_exact > self._max_head:
            raise _HeadTooLarge
        self._in_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        self._in_head = True
        self._head_raw = 0
        super().on_message_complete()
