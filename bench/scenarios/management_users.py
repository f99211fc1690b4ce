"""Management API user lookups by email among the stored users: `GET /api/v2/users?q=email:"..."` and
`GET /api/v2/users-by-email` (both on the (tenant_id, email) index): wrk GET."""

from __future__ import annotations

from urllib.parse import urlencode

from bench.load import run_wrk
from bench.scenarios import Outcome, Target, unavailable_reason

SCENARIOS = ("mgmt_users_q_email", "mgmt_users_by_email")


def path(which: str, email: str) -> str:
    if which == "mgmt_users_q_email":
        return "/api/v2/users?" + urlencode({"q": f'email:"{email}"', "search_engine": "v3"})
    return "/api/v2/users-by-email?" + urlencode({"email": email})


def run(target: Target, which: str, *, token: str, email: str) -> Outcome:
    outcome = Outcome(which, target.name, target.backend, signatures_per_request=0)
    url_path = path(which, email)
    headers = {"Authorization": f"Bearer {token}"}
    with target.http() as http:
        probe = http.get(url_path, headers=headers)
    if (reason := unavailable_reason(probe)) is not None or probe.status_code != 200 or len(probe.json()) != 1:
        outcome.unavailable = reason or f"probe failed: {probe.status_code} {probe.text[:200]}"
        return outcome
    outcome.result = run_wrk(target.url(url_path), headers={**headers, "Host": target.host_header},
                             duration=target.duration, connections=target.connections, warmup=target.warmup)
    return outcome
