"""One module per scenario; each exposes `run(target) -> Outcome`. Target says where and how to send."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import httpx

from bench.load import LoadResult
from bench.seed import RowCounts


@dataclass
class Target:
    """A server under test and the load settings of this run."""

    name: str  # "ostiary" or "oidc-provider"
    backend: str  # "postgres", "sqlite" or "memory"
    port: int
    host_header: str
    duration: float
    warmup: float
    connections: int
    driver_processes: int = 2
    client_ids: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    worker_ports: list[int] = field(default_factory=list)
    extra: dict[str, object] = field(default_factory=dict)
    # Row counts of the token tables (Ostiary only): checked around every write-heavy scenario.
    snapshot: Callable[[], RowCounts] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, headers={"Host": self.host_header}, timeout=30)

    def form(self, **params: str) -> str:
        return urlencode(params)


@dataclass
class Outcome:
    scenario: str
    target: str
    backend: str
    result: LoadResult | None = None
    unavailable: str = ""
    signatures_per_request: int = 1
    rows_expected: int | None = None
    rows_delta: RowCounts | None = None
    rows_ok: bool | None = None
    label: str = ""

    @property
    def key(self) -> str:
        return self.label or self.scenario

    def check_rows(self, before: RowCounts | None, after: RowCounts | None, *, refresh: int, codes: int) -> None:
        """Each 2xx must have written `refresh` refresh-token rows and consumed `codes` codes, no more, no less."""
        if before is None or after is None or self.result is None:
            return
        self.rows_delta = after.minus(before)
        ok = self.result.total_2xx
        self.rows_ok = self.rows_delta == RowCounts(ok * refresh, ok * codes)


def unavailable_reason(response: httpx.Response) -> str | None:
    """'not available' when the endpoint or grant is not on this build (404, unsupported_grant_type)."""
    if response.status_code == 404:
        return f"not available (404 {response.request.method} {response.request.url.path})"
    if response.status_code == 405:
        return f"not available (405 {response.request.method} {response.request.url.path})"
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict) and body.get("error") == "unsupported_grant_type":
        return "not available (unsupported_grant_type)"
    return None
