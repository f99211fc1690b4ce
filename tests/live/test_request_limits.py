"""Issue 22, hostile clients against the real `ostiary serve --workers 2`: a request head over the cap is 431
(and an 8 MB header is cut off near the cap, not buffered), slow senders are answered 408 and disconnected,
two Host headers are 400."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TEST_MASTER_KEY, settings_for
from tests.support.live import LiveServer, live_server, seed_m2m_tenant

pytestmark = pytest.mark.live

TIMEOUT = 1.5


@pytest.fixture(scope="module")
def domain(sqlite_db: str) -> str:
    return asyncio.run(seed_m2m_tenant(settings_for(sqlite_db), "limits"))[0]


@pytest.fixture(scope="module")
def server(sqlite_db: str, domain: str, test_output_dir: Path) -> Iterator[LiveServer]:
    env = {"OSTIARY_REQUEST_TIMEOUT_SECONDS": str(TIMEOUT)}
    with live_server(database_url=sqlite_db, master_key=TEST_MASTER_KEY, log_dir=test_output_dir,
                     extra_env=env) as srv:
        yield srv


def _connect(server: LiveServer) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    return sock


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    try:
        while data := sock.recv(65536):
            chunks.append(data)
    except (ConnectionResetError, TimeoutError):
        pass
    return b"".join(chunks)


def _exchange(server: LiveServer, raw: bytes) -> bytes:
    with _connect(server) as sock:
        sock.sendall(raw)
        return _read_all(sock)


def test_a_head_under_the_cap_is_served(server: LiveServer) -> None:
    answer = _exchange(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 10_000
                       + b"\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]


def test_a_head_over_16_kib_is_431(server: LiveServer) -> None:
    answer = _exchange(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 17_000 + b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 431"), answer[:200]
    assert b"invalid_request" in answer


def test_many_small_headers_over_the_cap_are_431(server: LiveServer) -> None:
    headers = b"".join(b"X-H%d: %s\r\n" % (i, b"b" * 90) for i in range(300))
    answer = _exchange(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
    assert answer.startswith(b"HTTP/1.1 431"), answer[:200]


def test_an_8_mb_header_is_cut_off_near_the_cap_not_buffered(server: LiveServer) -> None:
    sent = 0
    with _connect(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ")
        try:
            while sent < 8 * 1024 * 1024:
                sock.sendall(b"c" * 16384)
                sent += 16384
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = _read_all(sock)
    assert sent < 8 * 1024 * 1024, "the server read the whole 8 MB header"
    assert answer.startswith(b"HTTP/1.1 431") or answer == b"", answer[:200]


def test_a_slow_head_is_408_and_disconnected(server: LiveServer) -> None:
    with _connect(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        began = time.monotonic()
        answer = _read_all(sock)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert TIMEOUT * 0.8 <= time.monotonic() - began < TIMEOUT + 8


def test_a_slow_body_is_408_and_disconnected(server: LiveServer, domain: str) -> None:
    with _connect(server) as sock:
        sock.sendall(b"POST /oauth/revoke HTTP/1.1\r\nHost: " + domain.encode()
                     + b"\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                     b"Content-Length: 100\r\n\r\ntoken=abc")
        answer = _read_all(sock)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]


def test_a_silent_connection_is_closed(server: LiveServer) -> None:
    with _connect(server) as sock:
        began = time.monotonic()
        _read_all(sock)
    assert time.monotonic() - began < TIMEOUT + 8


def test_two_host_headers_are_400(server: LiveServer) -> None:
    answer = _exchange(server, b"GET /.well-known/openid-configuration HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\n"
                       b"Connection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    assert b"More than one Host header" in answer


def test_keep_alive_requests_each_get_their_own_clock(server: LiveServer) -> None:
    with _connect(server) as sock:
        for _ in range(3):
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            assert sock.recv(65536).startswith(b"HTTP/1.1 200")
            time.sleep(TIMEOUT * 0.7)  # idle between requests is keep-alive's business, not the request clock
