"""Processes the bench starts and stops: `ostiary serve` on SQLite or on a fresh PostgreSQL database, the
constant-response ASGI app, the loopback fake Apple, and the oidc-provider peer."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PEER_DIR = ROOT / "bench" / "peer"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def free_port(count: int = 1) -> int:
    """A free port P such that P..P+count-1 were free when asked."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port + count < 65000 and all(_is_free(port + i) for i in range(1, count)):
            return port


def _is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@dataclass
class Running:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def pids(self) -> list[int]:
        """The process and its direct children (uvicorn's / node cluster's workers)."""
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.proc.pid)], capture_output=True, text=True)
        return [self.proc.pid, *(int(p) for p in out.stdout.split())]


@contextmanager
def running(
    name: str, argv: list[str], *, port: int, env: dict[str, str], log_dir: Path, ready_path: str,
    host_header: str | None = None, cwd: Path = ROOT,
) -> Iterator[Running]:
    log_path = log_dir / f"{name}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(argv, cwd=cwd, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    server = Running(name, port, proc, log_path)
    try:
        _wait_ready(server, ready_path, host_header)
        yield server
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_ready(server: Running, path: str, host_header: str | None) -> None:
    deadline = time.monotonic() + 60
    headers = {"Host": host_header} if host_header else {}
    while True:
        if server.proc.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.proc.returncode}:\n{server.log()[-3000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{server.port}{path}", headers=headers, timeout=2).status_code < 500:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{server.name} did not become ready:\n{server.log()[-3000:]}")
        time.sleep(0.2)
    time.sleep(1.5)  # the first worker answers; give the others their start-up too


# ---------------------------------------------------------------- databases


@contextmanager
def database(backend: str, workdir: Path) -> Iterator[str]:
    """A SQLAlchemy URL to an empty database the bench owns; a PostgreSQL one is created and dropped here."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
        return
    name = f"ostiary_bench_{secrets.token_hex(4)}"
    _psql(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    finally:
        _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _psql(sql: str) -> None:
    subprocess.run(["psql", PG_ADMIN_URL, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True, capture_output=True)


def ostiary_env(database_url: str, master_key: str) -> dict[str, str]:
    return {
        "OSTIARY_DATABASE_URL": database_url,
        "OSTIARY_MASTER_KEY": master_key,
        "OSTIARY_PUBLIC_SCHEME": "http",
        "OSTIARY_LOG_FORMAT": "json",
        "OSTIARY_LOG_LEVEL": "WARNING",
        # Every bench request comes from 127.0.0.1: the per-IP budget would turn the run into 429s.
        "OSTIARY_RATE_LIMIT_PER_MINUTE": "0",
    }


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "ostiary", "db", "upgrade"], cwd=ROOT, env={**os.environ, **env}, check=True,
        capture_output=True,
    )


@contextmanager
def ostiary(env: dict[str, str], *, workers: int, log_dir: Path, host_header: str) -> Iterator[Running]:
    port = free_port()
    argv = [sys.executable, "-m", "ostiary", "serve", "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers)]
    with running("ostiary", argv, port=port, env=env, log_dir=log_dir, ready_path="/healthz",
                 host_header=host_header) as server:
        yield server


@contextmanager
def constant_app(*, workers: int, log_dir: Path) -> Iterator[Running]:
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "bench.constant_app:app", "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers), "--no-access-log", "--log-level", "warning"]
    with running("constant", argv, port=port, env={}, log_dir=log_dir, ready_path="/") as server:
        yield server


# ---------------------------------------------------------------- the peer


def install_peer() -> str | None:
    """npm install oidc-provider into bench/peer/ (once). Returns why it is unavailable, or None."""
    if (PEER_DIR / "node_modules" / "oidc-provider").is_dir():
        return None
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        return "node/npm not installed"
    out = subprocess.run([npm, "install", "--no-audit", "--no-fund"], cwd=PEER_DIR, capture_output=True, text=True,
                         timeout=600)
    if out.returncode != 0:
        return f"npm install failed: {out.stderr.strip()[-300:]}"
    return None


@contextmanager
def peer(*, workers: int, log_dir: Path) -> Iterator[Running]:
    """oidc-provider on PORT (cluster-balanced) and each worker also on PORT+1+i (see server.mjs)."""
    port = free_port(workers + 1)
    env = {"PORT": str(port), "WORKERS": str(workers), "NODE_ENV": "production"}
    with running("peer", ["node", "server.mjs"], port=port, env=env, log_dir=log_dir,
                 ready_path="/.well-known/openid-configuration", cwd=PEER_DIR) as server:
        yield server


def workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="ostiary-bench-"))
