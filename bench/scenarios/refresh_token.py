"""refresh_token rotation: one chain per virtual user, each request presents the token the previous response
returned (two signatures: access token and ID token; one refresh token consumed and one stored).

`rbac=True` (scenario refresh_token_rbac): the same against the RBAC API, whose every refresh re-evaluates the
user's three roles (one more indexed read) and lists their permissions in the token."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import httpx

from bench.load import DriverJob, VuPlan, run_driver
from bench.scenarios import Outcome, Target, unavailable_reason

FORM = "application/x-www-form-urlencoded"
SCOPE = "openid offline_access read:things"


def _peer_tokens(target: Target, count: int) -> list[tuple[str, int]]:
    """Mint the peer's refresh tokens through its own models, on the worker that will serve each VU."""
    out: list[tuple[str, int]] = []
    per_worker = -(-count // len(target.worker_ports))
    for port in target.worker_ports:
        response = httpx.post(f"http://127.0.0.1:{port}/__bench/refresh-tokens?n={per_worker}", timeout=60)
        response.raise_for_status()
        out += [(token, port) for token in response.json()["refresh_tokens"]]
    return out[:count]


def run(target: Target, *, label: str = "", rbac: bool = False) -> Outcome:
    scenario = "refresh_token_rbac" if rbac else "refresh_token"
    outcome = Outcome(scenario, target.name, target.backend, signatures_per_request=2, label=label)
    vus = target.connections
    if target.name == "oidc-provider":
        tokens = _peer_tokens(target, vus + 1)
        template = "grant_type=refresh_token&client_id=bench-web&client_secret=bench-web-secret-0123456789abcdef" \
                   "&refresh_token={rt}"
    else:
        mint = cast(Callable[[int], list[str]],
                    target.extra["mint_rbac_refresh_tokens" if rbac else "mint_refresh_tokens"])
        tokens = [(t, target.port) for t in mint(vus + 1)]
        template = target.form(grant_type="refresh_token", client_id=target.client_ids["bench-web"],
                               client_secret=target.secrets["bench-web"]) + "&refresh_token={rt}"
    probe_token, probe_port = tokens.pop()
    probe = httpx.post(f"http://127.0.0.1:{probe_port}/oauth/token", content=template.replace("{rt}", probe_token),
                       headers={"Content-Type": FORM, "Host": target.host_header}, timeout=30)
    if (reason := unavailable_reason(probe)) is not None or probe.status_code != 200:
        outcome.unavailable = reason or f"probe failed: {probe.status_code} {probe.text[:200]}"
        return outcome
    before = target.snapshot() if target.snapshot else None
    job = DriverJob(
        host="127.0.0.1", port=target.port, path="/oauth/token", host_header=target.host_header,
        duration=target.duration, warmup=target.warmup, headers={"Content-Type": FORM},
        plans=[VuPlan(refresh_template=template, refresh_token=token, port=port) for token, port in tokens],
    )
    outcome.result = run_driver(job, processes=target.driver_processes)
    after = target.snapshot() if target.snapshot else None
    outcome.check_rows(before, after, refresh=1, codes=0)
    return outcome
