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

from ostiary.errors import InvalidRequestError, OAuthError

log = logging.getLogger("ostiary.errors")

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def oauth_error_response(exc: OAuthError) -> JSONResponse:
    headers = {**NO_STORE, **exc.headers}
    return JSONResponse(exc.body(), status_code=exc.status_code, headers=headers)


async def oauth_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, OAuthError)
    if exc.debug:
        log.info("oauth error", extra={"error": exc.error, "debug": exc.debug, "path": request.url.path})
    return oauth_error_response(exc)


async def _validation_error(request: Request, exc: Exception) -> Response:
    return oauth_error_response(InvalidRequestError("Invalid request parameters"))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    codes = {404: "not_found", 405: "method_not_allowed"}
    error = codes.get(exc.status_code, "invalid_request")
    return JSONResponse(
        {"error": error, "error_description": str(exc.detail)},
        status_code=exc.status_code,
        headers={**NO_STORE, **(exc.headers or {})},
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(OAuthError, oauth_error_handler)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
