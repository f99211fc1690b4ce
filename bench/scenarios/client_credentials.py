"""client_credentials with an RS256 API: one signature per request, no database write (wrk)."""

from __future__ import annotations

from bench.load import run_wrk
from bench.scenarios import Outcome, Target, unavailable_reason

FORM = "application/x-www-form-urlencoded"


def body(target: Target) -> str:
    if target.name == "oidc-provider":
        return target.form(grant_type="client_credentials", client_id="bench-m2m",
                           client_secret="bench-m2m-secret-0123456789abcdef",
                           resource="https://api.bench.test", scope="read:things write:things")
    return target.form(grant_type="client_credentials", client_id=target.client_ids["bench-m2m"],
                       client_secret=target.secrets["bench-m2m"], audience="https://api.bench.test",
                       scope="read:things write:things")


def run(target: Target) -> Outcome:
    outcome = Outcome("client_credentials", target.name, target.backend)
    form = body(target)
    with target.http() as http:
        probe = http.post("/oauth/token", content=form, headers={"Content-Type": FORM})
    if (reason := unavailable_reason(probe)) is not None:
        outcome.unavailable = reason
        return outcome
    if probe.status_code != 200:
        outcome.unavailable = f"probe failed: {probe.status_code} {probe.text[:200]}"
        return outcome
    outcome.result = run_wrk(
        target.url("/oauth/token"), method="POST", body=form,
        headers={"Content-Type": FORM, "Host": target.host_header},
        duration=target.duration, connections=target.connections, warmup=target.warmup,
    )
    return outcome
