"""A real `ostiary serve --workers N` process on a free loopback port, for tests that must cross processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    port: int
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def live_server(
    *,
    database_url: str,
    master_key: str,
    workers: int = 2,
    extra_env: dict[str, str] | None = None,
    log_dir: Path,
) -> Iterator[LiveServer]:
    """Start the server, wait until every worker answers /healthz, stop it afterwards (SIGTERM, then kill)."""
    port = free_port()
    env = {
        **os.environ,
        "OSTIARY_DATABASE_URL": database_url,
        "OSTIARY_MASTER_KEY": master_key,
        "OSTIARY_PUBLIC_SCHEME": "http",
        "OSTIARY_LOG_FORMAT": "json",
        "OSTIARY_CACHE_TTL_SECONDS": "0",
        **(extra_env or {}),
    }
    log_path = log_dir / f"live-{port}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "ostiary", "serve", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(workers)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(base_url=f"http://127.0.0.1:{port}", port=port, log_path=log_path)
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"ostiary serve exited with {proc.returncode}:\n{server.log()}")
            try:
                if httpx.get(f"{server.base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"ostiary serve did not become ready:\n{server.log()}")
            time.sleep(0.2)
        # uvicorn answers as soon as one worker is up; wait for the others' start-up too.
        while server.log().count("Application startup complete") < workers:
            if time.monotonic() > deadline:
                raise RuntimeError(f"not every ostiary worker started:\n{server.log()}")
            time.sleep(0.2)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
