"""The server's side of JavaScript Actions: worker processes, each serving one tenant, a bounded number per tenant.

No tenant code runs in the server's process. A worker runs one execution at a time; a tenant has at most
`actions_workers_per_tenant` of them, so a tenant whose Actions spin only waits on itself. An execution that
outlives its limit gets its worker killed (SIGKILL) and replaced; idle workers beyond `actions_idle_workers`
are stopped, least recently used first.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import struct
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ostiary.actions.js.cache import ActionCache
from ostiary.settings import Settings

log = logging.getLogger("ostiary.hooks")
SPAWN_TIMEOUT_SECONDS = 30.0
_SRC = str(Path(__file__).resolve().parents[3])


class ActionFailed(Exception):
    """The execution did not complete: the login fails as for any failed hook; the message says why."""


@dataclass(eq=False)
class _Worker:
    tenant_id: str
    proc: asyncio.subprocess.Process
    loaded: set[str] = field(default_factory=set)
    last_used: float = field(default_factory=time.monotonic)

    async def request(self, msg: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None
        body = json.dumps(msg).encode()
        self.proc.stdin.write(struct.pack(">I", len(body)) + body)
        await self.proc.stdin.drain()
        return await self.read()

    async def read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        (size,) = struct.unpack(">I", await self.proc.stdout.readexactly(4))
        reply: dict[str, Any] = json.loads(await self.proc.stdout.readexactly(size))
        return reply

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()


async def _spawn(tenant_id: str) -> _Worker:
    """A new worker, once it has loaded V8 and said it is ready (boot time does not count against a limit)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ostiary.actions.js.worker",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        # Nothing of the server's environment (database URL, master key, ...) reaches the worker.
        env={"PYTHONPATH": _SRC, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        cwd="/", start_new_session=True, limit=64 * 1024 * 1024,
    )
    worker = _Worker(tenant_id, proc)
    try:
        ready = await asyncio.wait_for(worker.read(), SPAWN_TIMEOUT_SECONDS)
    except (TimeoutError, asyncio.IncompleteReadError, struct.error) as exc:
        worker.kill()
        raise ActionFailed(f"the Actions worker did not start ({type(exc).__name__})") from None
    if not ready.get("ready"):
        worker.kill()
        raise ActionFailed("the Actions worker did not start")
    return worker


class JsPool:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._idle: dict[str, list[_Worker]] = defaultdict(list)
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._all: set[_Worker] = set()
        # Killed workers not yet reaped (close() waits for them).
        self._reaping: set[asyncio.Task[int]] = set()
        self.cache = ActionCache()

    def _slot(self, tenant_id: str) -> asyncio.Semaphore:
        if tenant_id not in self._slots:
            self._slots[tenant_id] = asyncio.Semaphore(max(1, self.settings.actions_workers_per_tenant))
        return self._slots[tenant_id]

    def _fetch_rules(self) -> dict[str, Any]:
        s = self.settings
        return {
            "timeout_seconds": s.actions_fetch_timeout_seconds, "max_response_bytes": s.actions_fetch_max_bytes,
            "allow_private": s.actions_fetch_allow_private,
        }

    async def run(
        self, tenant_id: str, key: str, code: str, modules: dict[str, str], payload: dict[str, Any],
        time_limit: float,
    ) -> dict[str, Any]:
        """One execution: waiting for the tenant's free worker is bounded by time_limit, and so is the execution
        (from when the worker has it; starting a new worker process is not counted)."""
        slot = self._slot(tenant_id)
        try:
            await asyncio.wait_for(slot.acquire(), time_limit)
        except TimeoutError:
            raise ActionFailed(f"no free worker for this tenant within {time_limit}s") from None
        try:
            worker = await self._take(tenant_id)
            deadline = time.monotonic() + time_limit
            msg: dict[str, Any] = {
                "op": "run", "key": key, "payload": json.dumps(payload, default=str),
                "memory_mb": self.settings.actions_memory_mb, "fetch": self._fetch_rules(),
            }
            if key not in worker.loaded:
                msg.update(code=code, modules=modules)
            reply = await self._ask(worker, msg, deadline, time_limit)
            if reply.get("need_code"):
                msg.update(code=code, modules=modules)
                reply = await self._ask(worker, msg, deadline, time_limit)
            worker.loaded.add(key)
            if "fatal" in reply:
                self._drop(worker)
                raise ActionFailed(str(reply["fatal"]))
            self._give_back(worker)
            if "error" in reply:
                raise ActionFailed(str(reply["error"]))
            result: dict[str, Any] = json.loads(reply["result"])
            return result
        finally:
            slot.release()

    async def _ask(self, worker: _Worker, msg: dict[str, Any], deadline: float, limit: float) -> dict[str, Any]:
        try:
            return await asyncio.wait_for(worker.request(msg), max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            self._drop(worker)
            raise ActionFailed(f"timed out after {limit}s") from None
        except asyncio.CancelledError:  # the caller's own time limit: the worker is mid-execution, end it
            self._drop(worker)
            raise
        except (asyncio.IncompleteReadError, ConnectionError, struct.error) as exc:
            self._drop(worker)
            raise ActionFailed(f"the worker process ended ({type(exc).__name__})") from None

    async def _take(self, tenant_id: str) -> _Worker:
        idle = self._idle[tenant_id]
        while idle:
            worker = idle.pop()
            if worker.proc.returncode is None:
                return worker
            self._all.discard(worker)
        worker = await _spawn(tenant_id)
        self._all.add(worker)
        return worker

    def _give_back(self, worker: _Worker) -> None:
        worker.last_used = time.monotonic()
        self._idle[worker.tenant_id].append(worker)
        idle = [w for ws in self._idle.values() for w in ws]
        for old in sorted(idle, key=lambda w: w.last_used)[: max(0, len(idle) - self.settings.actions_idle_workers)]:
            self._idle[old.tenant_id].remove(old)
            self._drop(old)

    def _drop(self, worker: _Worker) -> None:
        worker.kill()
        self._all.discard(worker)
        task = asyncio.get_running_loop().create_task(worker.proc.wait())
        self._reaping.add(task)
        task.add_done_callback(self._reaping.discard)

    async def check(self, code: str, modules: dict[str, str], requires: list[str]) -> dict[str, Any]:
        """Deploy time: load the code and its dependencies in a throw-away worker."""
        try:
            worker = await _spawn("(deploy)")
        except ActionFailed as exc:
            return {"error": str(exc)}
        try:
            msg = {"op": "check", "code": code, "modules": modules, "requires": requires,
                   "memory_mb": self.settings.actions_memory_mb}
            return await asyncio.wait_for(worker.request(msg), self.settings.hook_timeout_seconds)
        except TimeoutError:
            return {"error": f"loading the code took more than {self.settings.hook_timeout_seconds}s"}
        finally:
            worker.kill()
            await worker.proc.wait()

    async def close(self) -> None:
        workers = list(self._all)
        self._all.clear()
        self._idle.clear()
        for worker in workers:
            worker.kill()
        for worker in workers:
            with contextlib.suppress(Exception):
                await worker.proc.wait()
        if self._reaping:
            await asyncio.gather(*self._reaping, return_exceptions=True)

