"""The process that runs one tenant's JavaScript Actions in V8 (mini-racer): `python -m ostiary.actions.js.worker`.

It holds nothing of the server: no database, no keys, no settings beyond what each request carries (the action's
code, its event and cache, the fetch rules). The server talks to it over stdin/stdout, one request at a time,
each a 4-byte big-endian length and a JSON document, and kills it when an execution outlives its limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import struct
import sys
from collections import OrderedDict
from importlib import resources
from typing import Any, BinaryIO

import httpx
from py_mini_racer import MiniRacer
from py_mini_racer._types import JSFunction

from ostiary.actions.js.fetch import FetchRules, host_fetch

MAX_LOADED = 32
MEMORY_POLL_SECONDS = 0.02
_PRELUDE = "".join(
    resources.files("ostiary.actions.js").joinpath(name).read_text(encoding="utf-8")
    for name in ("node_globals.js", "runtime.js")
)


class LoadedAction:
    """One action in its own V8 isolate, with the host functions it may call (fetch, and the done signal)."""

    def __init__(self, mr: MiniRacer, stack: contextlib.AsyncExitStack, run: JSFunction) -> None:
        self.mr, self.stack, self.run = mr, stack, run
        self.pending: asyncio.Future[str] | None = None
        self.rules = FetchRules()

    async def close(self) -> None:
        await self.stack.aclose()
        self.mr.close()


class Worker:
    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.loaded: OrderedDict[str, LoadedAction] = OrderedDict()
        self.http = httpx.AsyncClient(follow_redirects=False, trust_env=False)

    async def load(self, code: str, modules: dict[str, str], memory_mb: int) -> tuple[LoadedAction, list[str]]:
        mr = MiniRacer()
        mr.set_hard_memory_limit(memory_mb * 1024 * 1024)
        stack = contextlib.AsyncExitStack()
        await mr.eval_cancelable(_PRELUDE)
        holder: list[LoadedAction] = []

        async def fetch(request: Any) -> str:
            return await host_fetch(self.http, str(request), holder[0].rules)

        async def done(result: Any) -> None:
            pending = holder[0].pending
            if pending is not None and not pending.done():
                pending.set_result(str(result))

        install = await mr.eval_cancelable(
            "(fetch, done, modules) => { globalThis.__ostiary_host_fetch = fetch; globalThis.__ostiary_done = done;"
            " globalThis.__ostiary_modules = JSON.parse(modules); }"
        )
        assert isinstance(install, JSFunction)
        fetch_fn = await stack.enter_async_context(mr.wrap_py_function(fetch))
        done_fn = await stack.enter_async_context(mr.wrap_py_function(done))
        await install.cancelable()(fetch_fn, done_fn, json.dumps(modules))
        exports = await mr.eval_cancelable(f"__ostiary_load_action({json.dumps(code)})")
        run = await mr.eval_cancelable("__ostiary_start")
        assert isinstance(run, JSFunction)
        action = LoadedAction(mr, stack, run)
        holder.append(action)
        return action, [e for e in str(exports).split(",") if e]

    async def handle(self, msg: dict[str, Any]) -> dict[str, Any]:
        if msg["op"] == "check":
            return await self.check(msg)
        key = str(msg["key"])
        action = self.loaded.get(key)
        if action is None:
            if "code" not in msg:
                return {"need_code": True}
            try:
                action, _ = await self.load(msg["code"], msg.get("modules") or {}, int(msg["memory_mb"]))
            except Exception as exc:  # the action's code failed at load: the execution fails, naming it
                return {"error": f"the action failed to load: {_js_error(exc)}"}
            self.loaded[key] = action
            while len(self.loaded) > MAX_LOADED:
                _, old = self.loaded.popitem(last=False)
                await old.close()
        self.loaded.move_to_end(key)
        action.rules = FetchRules.from_json(msg.get("fetch") or {})
        action.pending = asyncio.get_running_loop().create_future()
        try:
            await action.run.cancelable()(msg["payload"])
        except Exception as exc:
            return self._fatal(action, exc)
        while True:
            try:
                result = await asyncio.wait_for(asyncio.shield(action.pending), MEMORY_POLL_SECONDS)
                return {"result": result}
            except TimeoutError:
                if action.mr.was_hard_memory_limit_reached():
                    return {"fatal": "memory limit reached"}

    def _fatal(self, action: LoadedAction, exc: BaseException) -> dict[str, Any]:
        if action.mr.was_hard_memory_limit_reached():
            return {"fatal": "memory limit reached"}
        return {"fatal": _js_error(exc)}

    async def check(self, msg: dict[str, Any]) -> dict[str, Any]:
        """Deploy time: load the code and require every dependency in a throw-away isolate."""
        try:
            action, exports = await self.load(msg["code"], msg.get("modules") or {}, int(msg["memory_mb"]))
        except Exception as exc:
            return {"error": _js_error(exc)}
        try:
            await action.mr.eval_cancelable(f"__ostiary_require_each({json.dumps(msg.get('requires') or [])})")
        except Exception as exc:
            return {"error": _js_error(exc)}
        finally:
            await action.close()
        return {"exports": exports}

    def reply(self, data: dict[str, Any]) -> None:
        body = json.dumps(data).encode()
        self.out.write(struct.pack(">I", len(body)) + body)
        self.out.flush()


def _js_error(exc: BaseException) -> str:
    """The first line of a V8 error, without mini-racer's `<anonymous>:LINE: ` prefix."""
    text = str(exc).strip() or type(exc).__name__
    return re.sub(r"^<anonymous>:\d+: ", "", text.splitlines()[0])[:500]


async def main() -> None:
    # Replies go to a private copy of stdout; anything else printed lands on stderr.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=64 * 1024 * 1024)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin.buffer)
    worker = Worker(out)
    worker.reply({"ready": True})  # the server's time limits start after this
    while True:
        try:
            (size,) = struct.unpack(">I", await reader.readexactly(4))
            msg = json.loads(await reader.readexactly(size))
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        reply = await worker.handle(msg)
        worker.reply(reply)
        if "fatal" in reply:
            return  # an isolate that hit a limit is not reused: the server starts a fresh worker


if __name__ == "__main__":
    asyncio.run(main())
