"""Load generators: wrk (Debian's package, Lua for POST bodies) for single requests, and an async Python
driver over raw keep-alive HTTP/1.1 sockets, spread over processes, for multi-step flows."""

from __future__ import annotations

import asyncio
import multiprocessing
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import orjson


@dataclass
class LoadResult:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    errors_5xx: int
    socket_errors: int
    # Every 2xx, warm-up and stragglers included (what the token tables must show).
    total_2xx: int = 0
    note: str = ""

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, capture_output=True)
        path = shutil.which("wrk")
    if path is None:
        raise RuntimeError("wrk is not installed and `apt-get install -y wrk` failed")
    return path


def _lua(method: str, body: str | None, headers: dict[str, str]) -> str:
    lines = [f"wrk.method = {_lua_str(method)}"]
    if body is not None:
        lines.append(f"wrk.body = {_lua_str(body)}")
    for name, value in headers.items():
        lines.append(f"wrk.headers[{_lua_str(name)}] = {_lua_str(value)}")
    lines.append(
        "done = function(summary, latency, requests)\n"
        '  io.write(string.format("BENCH %d %d %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,\n'
        "    summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.write,\n"
        "    summary.errors.timeout, latency:percentile(50), latency:percentile(99)))\n"
        "end"
    )
    return "\n".join(lines) + "\n"


def _lua_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


_BENCH_LINE = re.compile(r"^BENCH ([\d ]+)$", re.M)


def run_wrk(
    url: str,
    *,
    method: str = "GET",
    body: str | None = None,
    headers: dict[str, str] | None = None,
    duration: float,
    connections: int,
    threads: int = 2,
    warmup: float = 2.0,
) -> LoadResult:
    """Warm up, then one measured wrk run. non_2xx is wrk's status>399 count (no 3xx is expected)."""
    wrk = ensure_wrk()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_lua(method, body, headers or {}))
    try:
        base = [wrk, "-t", str(threads), "-c", str(connections), "--timeout", "10s", "-s", script.name]
        if warmup > 0:
            subprocess.run([*base, "-d", f"{max(1, round(warmup))}s", url], capture_output=True, check=False)
        out = subprocess.run(
            [*base, "-d", f"{max(1, round(duration))}s", url], capture_output=True, text=True, check=False
        )
    finally:
        Path(script.name).unlink(missing_ok=True)
    match = _BENCH_LINE.search(out.stdout)
    if match is None:
        raise RuntimeError(f"wrk failed: {out.stdout}\n{out.stderr}")
    requests, duration_us, status, connect, read, write, timeout, p50, p99 = map(int, match.group(1).split())
    return LoadResult(
        requests_per_s=requests / (duration_us / 1e6),
        p50_ms=p50 / 1000,
        p99_ms=p99 / 1000,
        requests=requests,
        non_2xx=status,
        errors_5xx=0,
        socket_errors=connect + read + write + timeout,
        total_2xx=-1,
    )


# ---------------------------------------------------------------- async Python driver (multi-step flows)


@dataclass
class VuPlan:
    """What one virtual user sends, on its own keep-alive connection.

    bodies: sent in order, the VU stops when they run out (single-use codes), or over and over with cycle.
    refresh_template: a form body with `{rt}`; each 200 carries the next refresh token of the VU's chain.
    numbered_template: a form body with `{n}`, numbered 0, 1, 2, ... (a fresh single-use value each time).
    """

    bodies: list[bytes] = field(default_factory=list)
    cycle: bool = False
    refresh_template: str | None = None
    refresh_token: str | None = None
    numbered_template: str | None = None
    port: int | None = None


@dataclass
class DriverJob:
    host: str
    port: int
    path: str
    host_header: str
    duration: float
    warmup: float
    plans: list[VuPlan]
    method: str = "POST"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Tally:
    latencies: list[float] = field(default_factory=list)
    measured: int = 0
    non_2xx: int = 0
    errors_5xx: int = 0
    socket_errors: int = 0
    total_2xx: int = 0
    first_error: str = ""
    # Seconds from the window's start to the last measured completion (plans can run out early).
    active: float = 0.0


class _Conn:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, head: bytes, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(head + body)
        status_and_headers = await self.reader.readuntil(b"\r\n\r\n")
        lines = status_and_headers.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip()
        if b"content-length" in headers:
            payload = await self.reader.readexactly(int(headers[b"content-length"]))
        elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            payload = await self._chunked()
        else:
            payload = b""
        if headers.get(b"connection", b"").lower() == b"close":
            self.close()
        return status, payload

    async def _chunked(self) -> bytes:
        assert self.reader is not None
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await self.reader.readexactly(size + 2)
            if size == 0:
                return b"".join(parts)
            parts.append(chunk[:-2])

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def _head(job: DriverJob, length: int) -> bytes:
    lines = [f"{job.method} {job.path} HTTP/1.1", f"Host: {job.host_header}", f"Content-Length: {length}"]
    lines += [f"{k}: {v}" for k, v in job.headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _vu(job: DriverJob, plan: VuPlan, tally: _Tally, start: float, end: float) -> None:
    conn = _Conn(job.host, plan.port or job.port)
    index = 0
    rt = plan.refresh_token
    try:
        while time.monotonic() < end:
            if plan.refresh_template is not None:
                body = plan.refresh_template.replace("{rt}", rt or "").encode()
            elif plan.numbered_template is not None:
                body = plan.numbered_template.replace("{n}", str(index)).encode()
                index += 1
            elif index < len(plan.bodies):
                body = plan.bodies[index]
                index += 1
            elif plan.cycle and plan.bodies:
                index = 0
                continue
            else:
                return
            sent = time.monotonic()
            try:
                status, payload = await conn.request(_head(job, len(body)), body)
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                tally.socket_errors += 1
                tally.first_error = tally.first_error or repr(exc)
                conn.close()
                continue
            done = time.monotonic()
            if 200 <= status < 300:
                tally.total_2xx += 1
                if plan.refresh_template is not None:
                    rt = orjson.loads(payload)["refresh_token"]
            if start <= sent and done <= end:
                tally.measured += 1
                tally.latencies.append(done - sent)
                tally.active = max(tally.active, done - start)
                if not 200 <= status < 300:
                    tally.non_2xx += 1
                    tally.first_error = tally.first_error or f"{status} {payload[:300]!r}"
                if status >= 500:
                    tally.errors_5xx += 1
    finally:
        conn.close()


def _process(job: DriverJob, start_at: float) -> _Tally:
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvloop ships with uvicorn[standard]
        pass
    tally = _Tally()

    async def main() -> None:
        await asyncio.sleep(max(0.0, start_at - time.time()))
        now = time.monotonic()
        start, end = now + job.warmup, now + job.warmup + job.duration
        await asyncio.gather(*(_vu(job, plan, tally, start, end) for plan in job.plans))

    asyncio.run(main())
    return tally


def run_driver(job: DriverJob, *, processes: int = 2) -> LoadResult:
    """Run the VUs split over `processes` processes; rate = responses completed inside the window / its length."""
    parts = [job.plans[i::processes] for i in range(processes)]
    jobs = [DriverJob(**{**job.__dict__, "plans": part}) for part in parts if part]
    start_at = time.time() + 0.5
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(len(jobs)) as pool:
        tallies = pool.starmap(_process, [(j, start_at) for j in jobs])
    latencies = sorted(x for t in tallies for x in t.latencies)
    measured = sum(t.measured for t in tallies)

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else 0.0

    window = job.duration
    if any(p.bodies and not p.cycle for p in job.plans):
        window = min(job.duration, max((t.active for t in tallies), default=job.duration)) or job.duration
    return LoadResult(
        requests_per_s=measured / window,
        p50_ms=pct(0.50),
        p99_ms=pct(0.99),
        requests=measured,
        non_2xx=sum(t.non_2xx for t in tallies),
        errors_5xx=sum(t.errors_5xx for t in tallies),
        socket_errors=sum(t.socket_errors for t in tallies),
        total_2xx=sum(t.total_2xx for t in tallies),
        note=next((t.first_error for t in tallies if t.first_error), ""),
    )
