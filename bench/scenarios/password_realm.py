"""password-realm: bound by argon2id verification; reported against the hash rate measured in this run."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx

from bench.load import DriverJob, VuPlan, run_driver
from bench.scenarios import Outcome, Target, unavailable_reason
from bench.seed import API, DB_CONNECTION, PASSWORD, PASSWORD_REALM

FORM = "application/x-www-form-urlencoded"


def body(target: Target, user: int, scope: str = "openid offline_access") -> str:
    return urlencode({
        "grant_type": PASSWORD_REALM, "username": f"user{user}@bench.test", "password": PASSWORD,
        "realm": DB_CONNECTION, "client_id": target.client_ids["bench-web"],
        "client_secret": target.secrets["bench-web"], "audience": API, "scope": scope,
    })


def run(target: Target, *, users: int) -> Outcome:
    outcome = Outcome("password_realm", target.name, target.backend, signatures_per_request=2)
    probe = httpx.post(target.url("/oauth/token"), content=body(target, 0),
                       headers={"Host": target.host_header, "Content-Type": FORM}, timeout=30)
    if (reason := unavailable_reason(probe)) is not None or probe.status_code != 200:
        outcome.unavailable = reason or f"probe failed: {probe.status_code} {probe.text[:200]}"
        return outcome
    before = target.snapshot() if target.snapshot else None
    job = DriverJob(
        host="127.0.0.1", port=target.port, path="/oauth/token", host_header=target.host_header,
        duration=target.duration, warmup=target.warmup, headers={"Content-Type": FORM},
        plans=[VuPlan(bodies=[body(target, i % users).encode()], cycle=True) for i in range(target.connections)],
    )
    outcome.result = run_driver(job, processes=target.driver_processes)
    after = target.snapshot() if target.snapshot else None
    outcome.check_rows(before, after, refresh=1, codes=0)
    return outcome
