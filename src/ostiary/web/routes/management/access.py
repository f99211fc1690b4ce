"""What every Management API route shares: the scope check (a dependency), the rate limit, the JSON body,
and answers that carry the x-ratelimit-* headers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ostiary.errors import AdminError, ManagementRateLimitError, TooManyRequestsError
from ostiary.oauth.context import TenantContext
from ostiary.oauth.management_token import ManagementCaller, management_caller
from ostiary.protection.limits import check_rate_limit
from ostiary.protection.rate_limit import RateDecision
from ostiary.web.deps import tenant_context
from ostiary.web.errors import NO_STORE


@dataclass
class Call:
    """One authorised Management API request: the tenant context, the caller and its rate-limit decision."""

    ctx: TenantContext
    caller: ManagementCaller
    rate: RateDecision | None

    def headers(self) -> dict[str, str]:
        return {**NO_STORE, **(self.rate.headers() if self.rate else {})}

    def json(self, body: Any, status: int = 200) -> Response:
        return JSONResponse(body, status_code=status, headers=self.headers())

    def empty(self, status: int = 204) -> Response:
        return Response(status_code=status, headers=self.headers())

    async def commit(self) -> None:
        """End the request's transaction; cached clients, APIs, grants and keys of this process are dropped so
        the change applies at once here (other processes see it within cache_ttl_seconds, as for the CLI)."""
        await self.ctx.repos.commit()
        self.ctx.state.caches.clear()


def scoped(*scopes: str) -> Callable[[Request], AsyncIterator[Call]]:
    """A dependency: the request's Call once the token holds any of `scopes` (Auth0's "expected any of").
    GET requests read in a read-only session (no write lock on SQLite)."""

    async def dependency(request: Request) -> AsyncIterator[Call]:
        async with tenant_context(request, read_only=request.method == "GET") as ctx:
            caller = await management_caller(ctx, request.headers.get("authorization"), scopes)
            try:
                rate = await check_rate_limit(ctx.state, bucket="management", tenant_id=ctx.tenant.id, ip=ctx.ip)
            except TooManyRequestsError as exc:
                raise ManagementRateLimitError("Too Many Requests", headers=exc.headers) from exc
            yield Call(ctx=ctx, caller=caller, rate=rate)

    return dependency


async def json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, or Auth0's 400 invalid_body."""
    value = await json_body(request)
    if not isinstance(value, dict):
        raise AdminError("Payload validation error: expected a JSON object")
    return value


async def json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw) if raw.strip() else {}
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise AdminError("Payload validation error: the body is not valid JSON") from exc
