"""The two browser cookies: the SSO session and the login-transaction binding.

SameSite: the session cookie must reach /authorize when it is loaded in the SPA's hidden iframe (silent auth,
web_message) and when an app starts login with a cross-site POST form; both are cross-site requests in which
browsers only send SameSite=None cookies, and SameSite=None requires Secure. So: https → SameSite=None; Secure
(with the __Host- prefix: host-only, path /, no Domain, keeping tenants on sibling hosts apart). Over plain
http (development) a None cookie would be refused, so Lax: top-level navigations to /authorize still carry it.
The form_post answer is a cross-site POST to the *app*, which needs none of our cookies.
The transaction cookie only travels between our own pages (top-level, same site): Lax is enough.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "ostiary_session"
TRANSACTION_COOKIE = "ostiary_tx"


def _name(base: str, scheme: str) -> str:
    return f"__Host-{base}" if scheme == "https" else base


def read_session_cookie(request: Request, scheme: str) -> str | None:
    return request.cookies.get(_name(SESSION_COOKIE, scheme))


def read_transaction_cookie(request: Request, scheme: str) -> str | None:
    return request.cookies.get(_name(TRANSACTION_COOKIE, scheme))


def set_session_cookie(response: Response, value: str, *, scheme: str, max_age: int) -> None:
    secure = scheme == "https"
    response.set_cookie(
        _name(SESSION_COOKIE, scheme),
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        secure=secure,
        samesite="none" if secure else "lax",
    )


def clear_session_cookie(response: Response, *, scheme: str) -> None:
    secure = scheme == "https"
    response.delete_cookie(
        _name(SESSION_COOKIE, scheme), path="/", httponly=True, secure=secure, samesite="none" if secure else "lax"
    )


def set_transaction_cookie(response: Response, value: str, *, scheme: str) -> None:
    response.set_cookie(
        _name(TRANSACTION_COOKIE, scheme),
        value,
        max_age=3600,
        path="/",
        httponly=True,
        secure=scheme == "https",
        samesite="lax",
    )
