"""What a hook costs: client_credentials throughput with one trivial credentials-exchange hook vs none, the
post-login pipeline per call with 0 / 1 / 3 trivial hooks, and with one warm JavaScript Action that sets two
claims (run in the tenant's V8 worker process). `python -m bench.hooks [--requests N]`.

Runs the real app in-process (httpx ASGITransport) on a temporary SQLite database, with the production cache
TTL, so numbers show the hook's own cost on top of the full token endpoint (parse, client auth, grant, sign).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.seed import JS_TWO_CLAIMS
from ostiary.actions.pipeline import LoginFacts, run_post_login
from ostiary.admin.session import AdminSession
from ostiary.app import create_app
from ostiary.entities import User
from ostiary.oauth.context import TenantContext
from ostiary.runtime import AppState, close_state, open_state
from ostiary.settings import Settings
from ostiary.store import migrate

API = "https://api.bench.example"


async def trivial_credentials_hook(event: Any, api: Any) -> None:
    api.access_token.set_custom_claim("https://bench/tier", "gold")


async def trivial_post_login_hook(event: Any, api: Any) -> None:
    api.access_token.set_custom_claim("https://bench/email", event.user.email)


async def bind_javascript(state: AppState, tenant: Any) -> None:
    from ostiary.admin.actions import ActionSource, deploy_action

    async with state.sessionmaker() as session:
        repos = state.repos(session, tenant.id)
        await deploy_action(repos, state.settings, "js-two-claims", supported_triggers=["post-login"],
                            source=ActionSource(code=JS_TWO_CLAIMS, runtime="node22"))
        await repos.actions.bind("post-login", ["js-two-claims"])
        await session.commit()
    state.caches.clear()


async def seed(state: AppState, name: str) -> tuple[Any, dict[str, str], User]:
    from ostiary.admin.provision import provision_tenant

    async with state.sessionmaker() as session:
        admin = AdminSession(session=session, box=state.box, clock=state.clock)
        tenant = await provision_tenant(admin, name=name, domains=[f"{name}.bench"])
        repos = admin.repos(tenant)
        await repos.resource_servers.create(identifier=API, name="bench", scopes=["read"])
        client = await repos.clients.create(name="m2m", app_type="non_interactive")
        await repos.client_grants.upsert(client_id=client.client_id, audience=API, scope=["read"])
        user = await repos.users.create(connection="Username-Password-Authentication", email="b@example.com")
        await session.commit()
    form = {"grant_type": "client_credentials", "client_id": client.client_id,
            "client_secret": client.client_secret or "", "audience": API}
    return tenant, form, user


async def bind(state: AppState, tenant: Any, trigger: str, count: int, fn: str) -> None:
    async with state.sessionmaker() as session:
        repos = state.repos(session, tenant.id)
        names = []
        for i in range(count):
            await repos.actions.upsert(f"{trigger}-{i}", supported_triggers=[trigger], module_path=f"bench.hooks:{fn}")
            names.append(f"{trigger}-{i}")
        await repos.actions.bind(trigger, names)
        await session.commit()
    state.caches.clear()


async def token_rate(http: httpx.AsyncClient, form: dict[str, str], requests: int, concurrency: int) -> float:
    async def worker(n: int) -> None:
        for _ in range(n):
            response = await http.post("/oauth/token", data=form)
            assert response.status_code == 200, response.text

    await worker(5)  # warm caches and the hook import
    start = time.perf_counter()
    await asyncio.gather(*(worker(requests // concurrency) for _ in range(concurrency)))
    return (requests // concurrency * concurrency) / (time.perf_counter() - start)


async def post_login_cost(state: AppState, tenant: Any, client_id: str, user: User, calls: int) -> float:
    """Median microseconds per run_post_login call (event build + hooks), caches warm."""
    async with state.sessionmaker() as session:
        ctx = TenantContext(state=state, tenant=tenant, host=tenant.domains[0], scheme="https",
                            repos=state.repos(session, tenant.id), ip="127.0.0.1")
        client = await ctx.client(client_id)
        assert client is not None
        facts = LoginFacts(protocol="oauth2-password", client=client, user=user, connection=None,
                           api=await ctx.api(API), scopes=["openid", "read"])
        samples = []
        for _ in range(calls):
            start = time.perf_counter()
            await run_post_login(ctx, facts)
            samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1e6


async def main(url: str, requests: int, concurrency: int, calls: int) -> None:
    settings = Settings(database_url=url, master_key="bench", log_level="WARNING",
                        _env_file=None)  # type: ignore[call-arg]
    state = await open_state(settings)
    try:
        app = create_app(state=state)
        tenant, form, user = await seed(state, "bench")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://bench.bench") as http:
            rates: dict[int, list[float]] = {0: [], 1: []}
            for _ in range(3):  # interleaved rounds: the machine's noise hits both sides alike
                for count in (0, 1):
                    await bind(state, tenant, "credentials-exchange", count, "trivial_credentials_hook")
                    rates[count].append(await token_rate(http, form, requests, concurrency))
            none, one = statistics.median(rates[0]), statistics.median(rates[1])
        costs: dict[int, float] = {}
        for count in (0, 1, 3):
            await bind(state, tenant, "post-login", count, "trivial_post_login_hook")
            await post_login_cost(state, tenant, form["client_id"], user, 20)  # warm
            costs[count] = await post_login_cost(state, tenant, form["client_id"], user, calls)
        await bind_javascript(state, tenant)
        await post_login_cost(state, tenant, form["client_id"], user, 20)  # starts and warms the worker
        js_cost = await post_login_cost(state, tenant, form["client_id"], user, calls)
    finally:
        await close_state(state)
    print(f"client_credentials, median of 3 rounds x {requests} requests, concurrency {concurrency} "
          "(in-process ASGI, SQLite)")
    print(f"  {'no hook':<22}{none:>10.0f} tokens/s")
    print(f"  {'1 trivial hook':<22}{one:>10.0f} tokens/s   ({(one / none - 1) * 100:+.1f}%)")
    print(f"post-login pipeline (run_post_login), median of {calls} calls")
    for count, micros in costs.items():
        print(f"  {f'{count} trivial hook(s)':<22}{micros:>10.1f} µs/call")
    print(f"  {'1 JS Action, 2 claims':<22}{js_cost:>10.1f} µs/call   (+{js_cost - costs[0]:.1f} µs over none)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--calls", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database_url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        migrate.upgrade(database_url)  # runs its own event loop: before ours
        asyncio.run(main(database_url, args.requests, args.concurrency, args.calls))
