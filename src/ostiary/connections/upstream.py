"""Calls to upstream identity providers, with failures mapped to OAuth errors (never a 500).

Timeouts are the process-wide ones of ctx.http (settings.upstream_timeout_seconds). Mapping (README
"Native social" lists it): unreachable, timed out or 5xx → 503 temporarily_unavailable; an answer that is not
the JSON expected → 502 server_error; a 4xx is returned to the caller, which decides (usually invalid_grant).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx

from ostiary.errors import TemporarilyUnavailableError, UpstreamBadResponseError
from ostiary.oauth.context import TenantContext

log = logging.getLogger("ostiary.upstream")

MAX_UPSTREAM_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class UpstreamAnswer:
    status: int
    body: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def field(self, name: str) -> Any:
        return self.body.get(name) if isinstance(self.body, dict) else None


async def call_json(
    ctx: TenantContext,
    method: str,
    url: str,
    *,
    provider: str,
    data: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> UpstreamAnswer:
    """One request; the JSON answer of any 2xx/4xx status, or a 503/502 OAuth error for outages."""
    try:
        response = await ctx.http.request(method, url, data=data, params=params, headers=headers)
    except httpx.TimeoutException as exc:
        log.warning("upstream timeout", extra={"provider": provider, "url": url})
        raise TemporarilyUnavailableError(f"{provider} did not answer in time", debug=str(exc)) from exc
    except httpx.HTTPError as exc:
        log.warning("upstream unreachable", extra={"provider": provider, "url": url, "error": str(exc)})
        raise TemporarilyUnavailableError(f"{provider} is unreachable", debug=str(exc)) from exc
    if response.status_code >= 500:
        raise TemporarilyUnavailableError(
            f"{provider} is unavailable", debug=f"{url} answered {response.status_code}"
        )
    if len(response.content) > MAX_UPSTREAM_BYTES:
        raise UpstreamBadResponseError(f"Invalid response from {provider}", debug=f"{url}: body too large")
    try:
        body = response.json()
    except ValueError as exc:
        raise UpstreamBadResponseError(
            f"Invalid response from {provider}", debug=f"{url} answered {response.status_code}, not JSON"
        ) from exc
    return UpstreamAnswer(status=response.status_code, body=body)


def require_object(answer: UpstreamAnswer, *, provider: str) -> dict[str, Any]:
    """A 2xx answer must be a JSON object."""
    if not isinstance(answer.body, dict):
        raise UpstreamBadResponseError(f"Invalid response from {provider}", debug="answer is not a JSON object")
    return answer.body
