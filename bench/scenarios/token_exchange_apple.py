"""Native Sign in with Apple token exchange against the loopback fake Apple (bench/fake_apple.py): each
request is a fresh Apple authorization code; Ostiary calls the fake's token endpoint, verifies its ID token
against the fake's JWKS, finds the returning user, and mints two tokens and a refresh token."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx

from bench.load import DriverJob, VuPlan, run_driver
from bench.scenarios import Outcome, Target, unavailable_reason
from bench.seed import API, TOKEN_EXCHANGE

FORM = "application/x-www-form-urlencoded"
APPLE_CODE = "http://auth0.com/oauth/token-type/apple-authz-code"


def body(target: Target, code: str) -> bytes:
    return urlencode({
        "grant_type": TOKEN_EXCHANGE, "subject_token": code, "subject_token_type": APPLE_CODE,
        "client_id": target.client_ids["bench-ios"], "audience": API, "scope": "openid offline_access",
    }).encode()


def run(target: Target) -> Outcome:
    outcome = Outcome("token_exchange_apple", target.name, target.backend, signatures_per_request=2)
    probe = httpx.post(target.url("/oauth/token"), content=body(target, "probe.000000.apple-user-probe"),
                       headers={"Host": target.host_header, "Content-Type": FORM}, timeout=30)
    if (reason := unavailable_reason(probe)) is not None or probe.status_code != 200:
        outcome.unavailable = reason or f"probe failed: {probe.status_code} {probe.text[:200]}"
        return outcome
    plans = [
        VuPlan(numbered_template=body(target, f"c{vu}x{{n}}.000000.apple-user-{vu}").decode().replace("%7Bn%7D", "{n}"))
        for vu in range(target.connections)
    ]
    before = target.snapshot() if target.snapshot else None
    job = DriverJob(
        host="127.0.0.1", port=target.port, path="/oauth/token", host_header=target.host_header,
        duration=target.duration, warmup=target.warmup, headers={"Content-Type": FORM}, plans=plans,
    )
    outcome.result = run_driver(job, processes=target.driver_processes)
    after = target.snapshot() if target.snapshot else None
    outcome.check_rows(before, after, refresh=1, codes=0)
    return outcome
