"""create_app(settings) -> FastAPI: routers, error handlers, middleware, and the lifespan-owned state."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from ostiary import __version__
from ostiary.clock import Clock
from ostiary.logs import configure_logging
from ostiary.mail.sender import run_sender
from ostiary.metrics import build_metrics
from ostiary.runtime import AppState, close_state, open_state
from ostiary.settings import Settings, load_settings
from ostiary.web.errors import install_error_handlers
from ostiary.web.middleware import EdgeMiddleware
from ostiary.web.routes import (
    access_token,
    account,
    authorize,
    consent,
    dbconnections,
    federated,
    health,
    login,
    logout,
    management,
    mfa,
    mfa_login,
    passwordless,
    revoke,
    token,
    userinfo,
    well_known,
)


class OstiaryApp(FastAPI):
    """FastAPI, except that POST /oauth/token skips Starlette's middleware stack and router: the token
    endpoint is the hot path, and those layers cost about as much CPU as the request's own work apart from
    the signature (issue 9's profiles). It still goes through EdgeMiddleware (request id, body cap, 500s)."""

    token_lane: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        lane = self.token_lane
        is_token_post = scope["type"] == "http" and scope["path"] == "/oauth/token" and scope["method"] == "POST"
        if lane is not None and is_token_post:
            scope["app"] = self
            await lane(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(
    settings: Settings | None = None, *, state: AppState | None = None, clock: Clock | None = None
) -> FastAPI:
    """With `state`, the caller owns engine and HTTP client (tests); otherwise the lifespan does."""
    settings = settings or (state.settings if state else load_settings())
    metrics = state.metrics if state is not None else build_metrics(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if state is not None:
            yield
            return
        own = await open_state(settings, clock=clock, metrics=metrics)
        app.state.ostiary = own
        stop = asyncio.Event()
        sender = asyncio.create_task(run_sender(own, stop), name="ostiary-mail-sender")
        try:
            yield
        finally:
            stop.set()
            await sender
            await close_state(own)

    app = OstiaryApp(
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
        authorize.router, login.router, consent.router, logout.router, dbconnections.router, health.router,
        management.router, federated.router, account.router, passwordless.router, mfa.router,
        mfa_login.router,
    )
    for router in routers:
        app.include_router(router)

    routes = frozenset(
        path for router in routers for route in router.routes if isinstance(path := getattr(route, "path", None), str)
    )
    app.add_middleware(EdgeMiddleware, max_body_bytes=settings.max_body_bytes, metrics=metrics, routes=routes)
    app.token_lane = EdgeMiddleware(token.asgi, max_body_bytes=settings.max_body_bytes, metrics=metrics, routes=routes)
    return app


def create_app_from_env() -> FastAPI:
    """uvicorn factory for `ostiary serve` (each worker process reads the environment itself)."""
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    return create_app(settings)
