"""JWKS and discovery: cached JSON documents (wrk GET)."""

from __future__ import annotations

from bench.load import run_wrk
from bench.scenarios import Outcome, Target, unavailable_reason

PATHS = {"jwks": "/.well-known/jwks.json", "discovery": "/.well-known/openid-configuration"}


def run(target: Target, which: str) -> Outcome:
    outcome = Outcome(which, target.name, target.backend, signatures_per_request=0)
    path = PATHS[which]
    with target.http() as http:
        probe = http.get(path)
    if (reason := unavailable_reason(probe)) is not None or probe.status_code != 200:
        outcome.unavailable = reason or f"probe failed: {probe.status_code}"
        return outcome
    outcome.result = run_wrk(target.url(path), headers={"Host": target.host_header}, duration=target.duration,
                             connections=target.connections, warmup=target.warmup)
    return outcome
