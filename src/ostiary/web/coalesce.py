"""uvicorn's httptools protocol with one send() per response instead of two.

uvicorn writes a response's head at `http.response.start` and its body at `http.response.body`: two
system calls per response. On the 2-core bench machine a loopback send() is the single largest cost of a
client_credentials request after the RS256 signature (py-spy: ~40% of a worker's samples in
RequestResponseCycle.send, most of it in the kernel). Writes made during one event-loop turn are joined
and sent together at the end of that turn, so a head and a body sent back to back leave in one segment.
Node's http server (the oidc-provider peer) does the same when a response is ended with its body.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class _CoalescingTransport:
    """Delegates to the real transport; write() is deferred to the end of the current loop turn."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] | None = None

    def write(self, data: bytes) -> None:
        if self._pending is None:
            self._pending = [data]
            self._loop.call_soon(self._flush)
        else:
            self._pending.append(data)

    def _flush(self) -> None:
        pending, self._pending = self._pending, None
        if pending and not self._transport.is_closing():
            self._transport.write(pending[0] if len(pending) == 1 else b"".join(pending))

    def close(self) -> None:
        self._flush()  # close() sends what is buffered, as asyncio transports do
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(_CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]
