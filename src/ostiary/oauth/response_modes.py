"""Authorization response encodings (OAuth 2.0 Multiple Response Type Encoding Practices, Form Post, web_message).

Pure: which mode applies, and the URL of a query/fragment response. The HTML of form_post and web_message is
rendered by web/authorize_pages.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from ostiary.errors import InvalidRequestError

QUERY = "query"
FRAGMENT = "fragment"
FORM_POST = "form_post"
WEB_MESSAGE = "web_message"
RESPONSE_MODES = (QUERY, FRAGMENT, FORM_POST, WEB_MESSAGE)


def default_mode(response_types: frozenset[str]) -> str:
    """`query` for `code` alone, `fragment` as soon as a token comes from the authorization endpoint."""
    return QUERY if response_types <= {"code"} else FRAGMENT


def check_mode(requested: str | None, response_types: frozenset[str]) -> str:
    """The response mode to use, or InvalidRequestError."""
    if not requested:
        return default_mode(response_types)
    if requested not in RESPONSE_MODES:
        raise InvalidRequestError(f"Unsupported response_mode: {requested}")
    if requested == QUERY and response_types - {"code"}:
        # Multiple Response Type Encoding Practices §5: tokens must never travel in the query string.
        raise InvalidRequestError("response_mode=query is not allowed when a token is returned from /authorize")
    return requested


def safe_mode(requested: str | None, response_types: frozenset[str]) -> str:
    """The mode an error is delivered in: the requested one when valid, else the default (never query for tokens)."""
    try:
        return check_mode(requested, response_types)
    except InvalidRequestError:
        return default_mode(response_types)


def redirect_url(redirect_uri: str, mode: str, params: Mapping[str, str]) -> str:
    """The Location of a query or fragment response; an existing registered query is kept (RU-07/RU-08)."""
    encoded = urlencode(list(params.items()))
    if mode == FRAGMENT:
        return f"{redirect_uri}#{encoded}"
    separator = "&" if "?" in redirect_uri else "?"
    return f"{redirect_uri}{separator}{encoded}"
