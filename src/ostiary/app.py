"""create_app(settings) -> FastAPI: routers, error handlers, middleware, and the lifespan-owned state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.responses import JSONResponse

from ostiary import __version__
from ostiary.clock import Clock
from ostiary.logs import configure_logging
from ostiary.runtime import AppState, close_state, open_state
from ostiary.settings import Settings, load_settings
from ostiary.web.errors import install_error_handlers
from ostiary.web.middleware import EdgeMiddleware
from ostiary.web.routes import (
    access_token,
    authorize,
    consent,
    dbconnections,
    login,
    logout,
    revoke,
    token,
    userinfo,
    well_known,
)


def create_app(
    settings: Settings | None = None, *, state: AppState | None = None, clock: Clock | None = None
) -> FastAPI:
    """With `state`, the caller owns engine and HTTP client (tests); otherwise the lifespan does."""
    settings = settings or (state.settings if state else load_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if state is not None:
            yield
            return
        own = await open_state(settings, clock=clock)
        app.state.ostiary = own
        try:
            yield
        finally:
            await close_state(own)

    app = FastAPI(
        title="Ostiary",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    if state is not None:
        app.state.ostiary = state
    install_error_handlers(app)
    routers = (
        token.router, well_known.router, userinfo.router, revoke.router, access_token.router,
        authorize.router, login.router, consent.router, logout.router, dbconnections.router,
    )
    for router in routers:
        app.include_router(router)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    app.add_middleware(EdgeMiddleware, max_body_bytes=settings.max_body_bytes)
    return app


def create_app_from_env() -> FastAPI:
    """uvicorn factory for `ostiary serve` (each worker process reads the environment itself)."""
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    return create_app(settings)
