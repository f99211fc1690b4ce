"""The one place OAuth errors become HTTP responses.

Anything else that escapes a route is turned into a generic 500 by web/middleware.py, with the request id.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ostiary.errors import (
    AdminError,
    InvalidRequestError,
    ManagementApiError,
    OAuthError,
    ServerError,
    management_body,
)

log = logging.getLogger("ostiary.errors")

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


MANAGEMENT_PREFIX = "/api/v2/"


def is_management(path: str) -> bool:
    return path.startswith(MANAGEMENT_PREFIX) or path == MANAGEMENT_PREFIX.rstrip("/")


def management_response(
    status: int, message: str, error_code: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """Auth0 Management API v2's error body, for every error under /api/v2."""
    return JSONResponse(
        management_body(status, message, error_code), status_code=status, headers={**NO_STORE, **(headers or {})}
    )


async def _management_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ManagementApiError)
    return management_response(exc.status_code, exc.message, exc.error_code, exc.headers)


async def _admin_error(request: Request, exc: Exception) -> Response:
    """Bad input to an admin use case: the same one-line wording the CLI prints, in Auth0's body. Outside the
    Management API an admin error is a bug of the route that let it escape: the generic 500, as before."""
    assert isinstance(exc, AdminError)
    if not is_management(request.url.path):
        log.error("admin error outside /api/v2", extra={"path": request.url.path, "error": str(exc)})
        return oauth_error_response(ServerError())
    return management_response(exc.status_code, str(exc), exc.code)


def oauth_error_response(exc: OAuthError) -> JSONResponse:
    headers = {**NO_STORE, **exc.headers}
    return JSONResponse(exc.body(), status_code=exc.status_code, headers=headers)


async def oauth_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, OAuthError)
    if exc.debug:
        log.info("oauth error", extra={"error": exc.error, "debug": exc.debug, "path": request.url.path})
    if is_management(request.url.path):
        return management_response(exc.status_code, exc.description, exc.error, exc.headers)
    return oauth_error_response(exc)


async def _validation_error(request: Request, exc: Exception) -> Response:
    if is_management(request.url.path):
        return management_response(400, "Invalid request parameters", "invalid_query_string")
    return oauth_error_response(InvalidRequestError("Invalid request parameters"))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    codes = {404: "not_found", 405: "method_not_allowed"}
    error = codes.get(exc.status_code, "invalid_request")
    if is_management(request.url.path):
        return management_response(exc.status_code, str(exc.detail), error, dict(exc.headers or {}))
    return JSONResponse(
        {"error": error, "error_description": str(exc.detail)},
        status_code=exc.status_code,
        headers={**NO_STORE, **(exc.headers or {})},
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(OAuthError, oauth_error_handler)
    app.add_exception_handler(ManagementApiError, _management_error)
    app.add_exception_handler(AdminError, _admin_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
