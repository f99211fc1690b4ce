"""Raw request-body parsing for OAuth endpoints: form or JSON, duplicates rejected, never a 422.

FastAPI's Form() keeps one of several values silently and costs more than parsing the body ourselves
(RFC 6749 §3.1: "Request and response parameters MUST NOT be included more than once").
"""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from ostiary import jsontext
from ostiary.errors import InvalidRequestError, UnsupportedMediaTypeError


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidRequestError("The request body is not valid UTF-8") from exc


def _no_nul(key: str, value: str) -> None:
    # PostgreSQL text cannot hold NUL (psycopg/asyncpg raise; old drivers truncated): refuse it at the door (IN-07).
    if "\x00" in key or "\x00" in value:
        raise InvalidRequestError(f"Parameter {key.replace(chr(0), '')} contains a NUL character")


def parse_urlencoded(text: str) -> dict[str, str]:
    params: dict[str, str] = {}
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False, max_num_fields=200)
    except ValueError as exc:
        raise InvalidRequestError("Too many parameters") from exc
    for key, value in pairs:
        _no_nul(key, value)
        if key in params:
            raise InvalidRequestError(f"Parameter {key} is included more than once")
        params[key] = value
    return params


def _json_value(key: str, value: Any) -> str | None:
    """Scalars as strings; an object (user_profile, user_metadata) as its JSON text; never a list (IN-13)."""
    if value is None:
        return None
    if isinstance(value, list):
        raise InvalidRequestError(f"Parameter {key} must not be an array")
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        text = str(value)
    else:
        text = json.dumps(value)
    _no_nul(key, text)
    return text


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise InvalidRequestError("The request body contains a number out of range")
    return number


def _no_constants(name: str) -> Any:
    raise InvalidRequestError(f"The request body is not valid JSON ({name})")


def parse_json_object(text: str) -> dict[str, str]:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise InvalidRequestError(f"Parameter {key} is included more than once")
            out[key] = value
        return out

    try:
        data = jsontext.loads(
            text, object_pairs_hook=no_duplicates, parse_float=_finite, parse_constant=_no_constants
        ) if text.strip() else {}
    except jsontext.NotUnicodeError as exc:
        raise InvalidRequestError("The request body contains a string that is not valid Unicode") from exc
    except (ValueError, RecursionError) as exc:
        # Nested thousands deep, or an integer too long to convert (IN-06): the client's error, never a 500.
        raise InvalidRequestError("The request body is not valid JSON") from exc
    if not isinstance(data, dict):
        raise InvalidRequestError("The request body must be a JSON object")
    return {k: v for k, v in ((k, _json_value(k, v)) for k, v in data.items()) if v is not None}


async def parse_body(request: Request, *, allow_json: bool = True) -> dict[str, str]:
    """Parameters of a POST body: application/x-www-form-urlencoded, or application/json where allowed."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if content_type == "application/x-www-form-urlencoded" or (not content_type and not body):
        return parse_urlencoded(_decode(body))
    if content_type == "application/json" and allow_json:
        return parse_json_object(_decode(body))
    raise UnsupportedMediaTypeError(f"Unsupported content type: {content_type or 'none'}")


def parse_query(request: Request) -> dict[str, str]:
    return parse_urlencoded(request.scope.get("query_string", b"").decode("latin-1"))


def reject_query_parameters(request: Request) -> None:
    # Secrets and codes in a URL end up in logs; RFC 6749 §2.3.1 forbids client credentials there.
    if request.scope.get("query_string"):
        raise InvalidRequestError("Parameters must be sent in the request body, not the query string")
