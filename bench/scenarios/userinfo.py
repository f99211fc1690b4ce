"""GET /userinfo with a Bearer access token (verify the JWT, load the user): wrk."""

from __future__ import annotations

from bench.load import run_wrk
from bench.scenarios import Outcome, Target, unavailable_reason
from bench.scenarios.password_realm import FORM, body


def run(target: Target) -> Outcome:
    outcome = Outcome("userinfo", target.name, target.backend, signatures_per_request=0)
    with target.http() as http:
        issued = http.post("/oauth/token", content=body(target, 0, scope="openid profile email"),
                           headers={"Content-Type": FORM})
        if issued.status_code != 200:
            outcome.unavailable = "not available (no token: password-realm " + (
                unavailable_reason(issued) or f"{issued.status_code}") + ")"
            return outcome
        bearer = {"Authorization": f"Bearer {issued.json()['access_token']}"}
        probe = http.get("/userinfo", headers=bearer)
    if (reason := unavailable_reason(probe)) is not None or probe.status_code != 200:
        outcome.unavailable = reason or f"probe failed: {probe.status_code} {probe.text[:200]}"
        return outcome
    outcome.result = run_wrk(target.url("/userinfo"), headers={**bearer, "Host": target.host_header},
                             duration=target.duration, connections=target.connections, warmup=target.warmup)
    return outcome
