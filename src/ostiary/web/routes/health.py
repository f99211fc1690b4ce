"""GET /healthz (liveness: the process answers) and GET /readyz (readiness: its dependencies answer)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse

from ostiary.readiness import readiness
from ostiary.web.deps import get_state
from ostiary.web.errors import NO_STORE

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    state = get_state(request)
    checks = await readiness(state.engine, state.protection.redis)
    failing = {name: status for name, status in checks.items() if status != "ok"}
    if not failing:
        return JSONResponse({"status": "ok", "checks": checks}, headers=NO_STORE)
    body = {
        "status": "unavailable",
        "error": "temporarily_unavailable",
        "error_description": "; ".join(f"{name}: {status}" for name, status in failing.items()),
        "checks": checks,
    }
    return JSONResponse(body, status_code=503, headers={**NO_STORE, "Retry-After": "5"})
