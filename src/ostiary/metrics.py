"""Prometheus metrics (prometheus-client), off unless OSTIARY_METRICS_PORT is set.

`ostiary serve` points PROMETHEUS_MULTIPROC_DIR at a fresh directory before any worker starts, so every worker
writes its samples there and the one metrics listener (serve_metrics, on its own port, never on a tenant's
domain) sums them: the figures are right with `--workers N`. Without that directory (tests, one process)
the samples live in this object's own registry.
"""

from __future__ import annotations

import os
import time
from typing import Any

from ostiary.settings import Settings

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
LOGIN_SUCCESS = frozenset({"s"})
LOGIN_FAILURE = frozenset({"f", "fp", "fu", "limit_wc"})


class Metrics:
    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "ostiary_http_requests", "HTTP requests by route, method and status", ["route", "method", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "ostiary_http_request_duration_seconds", "Time from request head to the end of the response",
            ["route"], registry=r,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
        )
        self.tokens = Counter(
            "ostiary_tokens", "POST /oauth/token by grant type and outcome (success or the error code)",
            ["grant_type", "outcome"], registry=r,
        )
        self.logins = Counter("ostiary_logins", "Logins by outcome (success or failure)", ["outcome"], registry=r)
        self.auth_events = Counter(
            "ostiary_auth_events", "Authentication events by Auth0 log event type code", ["type"], registry=r
        )
        self.pool_in_use = Gauge(
            "ostiary_db_pool_connections_in_use", "Database connections checked out of the pools",
            multiprocess_mode="livesum", registry=r,
        )

    def request(self, route: str, method: str, status: int, began: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route).observe(time.perf_counter() - began)

    def token(self, grant_type: str, outcome: str) -> None:
        self.tokens.labels(grant_type, outcome).inc()

    def auth_event(self, code: str) -> None:
        self.auth_events.labels(code).inc()
        if code in LOGIN_SUCCESS:
            self.logins.labels("success").inc()
        elif code in LOGIN_FAILURE:
            self.logins.labels("failure").inc()

    def watch_pool(self, engine: Any) -> None:
        """Count the connections a SQLAlchemy engine's pool has handed out."""
        from sqlalchemy import event

        event.listen(engine.sync_engine, "checkout", lambda *_: self.pool_in_use.inc())
        event.listen(engine.sync_engine, "checkin", lambda *_: self.pool_in_use.dec())

    def render(self) -> bytes:
        """The exposition text: every process's samples when multiprocess, else this registry's."""
        from prometheus_client import CollectorRegistry, generate_latest, multiprocess

        if os.environ.get(MULTIPROC_ENV):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)


def build_metrics(settings: Settings) -> Metrics | None:
    return Metrics() if settings.metrics_port else None


def serve_metrics(host: str, port: int) -> None:
    """The metrics listener (a thread of the `ostiary serve` process), summing every worker's samples."""
    from prometheus_client import CollectorRegistry, multiprocess, start_http_server

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    start_http_server(port, addr=host, registry=registry)
