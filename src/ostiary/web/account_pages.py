"""The hosted account pages: forgot password, choose a new password, email verified, account unblocked."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import HTMLResponse

from ostiary import entities
from ostiary.web.login_pages import tenant_name
from ostiary.web.pages import e, html_page

LINK_EXPIRED = "This link has expired or was already used."


def _notice(message: str | None) -> str:
    return f'<div class="notice" role="status">{e(message)}</div>' if message else ""


def _error(message: str | None) -> str:
    return f'<div class="error" role="alert">{e(message)}</div>' if message else ""


def _page(tenant: entities.Tenant, title: str, body: str, *, status: int = 200) -> HTMLResponse:
    return html_page(f"{title} | {tenant_name(tenant)}", body, status=status, brand=tenant_name(tenant))


def forgot_password_page(
    *, tenant: entities.Tenant, state: str, csrf: str, email: str = "", sent: bool = False, status: int = 200
) -> HTMLResponse:
    back = f'<p class="alt"><a href="/u/login?state={e(quote(state))}">Back to log in</a></p>'
    if sent:
        body = (
            "<h1>Check your email</h1>"
            f"{_notice('If an account exists for this address, we have sent it a link to reset the password.')}"
            f"{back}"
        )
        return _page(tenant, "Check your email", body)
    body = (
        "<h1>Forgot your password?</h1>"
        f'<p class="lead">Enter your email address and we will send you a link to reset your password.</p>'
        '<form method="post" action="/u/reset-password/request">'
        f'<input type="hidden" name="state" value="{e(state)}"><input type="hidden" name="_csrf" value="{e(csrf)}">'
        '<label for="email">Email address</label>'
        f'<input id="email" type="email" name="email" value="{e(email)}" autocomplete="email" required autofocus>'
        '<button type="submit" name="action" value="default">Continue</button>'
        f"</form>{back}"
    )
    return _page(tenant, "Reset your password", body, status=status)


def new_password_page(
    *, tenant: entities.Tenant, ticket: str, email: str | None, error: str | None = None, status: int = 200
) -> HTMLResponse:
    who = f" for <b>{e(email)}</b>" if email else ""
    body = (
        "<h1>Change your password</h1>"
        f'<p class="lead">Enter a new password{who}.</p>'
        f"{_error(error)}"
        '<form method="post" action="/u/reset-password">'
        f'<input type="hidden" name="ticket" value="{e(ticket)}">'
        '<label for="password">New password</label>'
        '<input id="password" type="password" name="password" autocomplete="new-password" required autofocus>'
        '<label for="password-confirm">Confirm new password</label>'
        '<input id="password-confirm" type="password" name="password_confirm" autocomplete="new-password" required>'
        '<button type="submit" name="action" value="reset">Reset password</button>'
        "</form>"
    )
    return _page(tenant, "Change your password", body, status=status)


def done_page(tenant: entities.Tenant, title: str, message: str, *, next_url: str | None = None,
              next_label: str = "Back to log in") -> HTMLResponse:
    link = f'<p class="alt"><a id="continue" href="{e(next_url)}">{e(next_label)}</a></p>' if next_url else ""
    return _page(tenant, title, f"<h1>{e(title)}</h1>{_notice(message)}{link}")


def expired_page(tenant: entities.Tenant) -> HTMLResponse:
    body = f"<h1>Link expired</h1>{_error(LINK_EXPIRED)}<p class=\"lead\">Ask for a new one and try again.</p>"
    return _page(tenant, "Link expired", body, status=400)
