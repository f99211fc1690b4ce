"""The Universal Login screens: login, signup and consent forms (HTML only; routes/login.py drives them)."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import HTMLResponse

from ostiary import entities
from ostiary.web.pages import e, html_page


def _hidden(state: str, csrf: str) -> str:
    return f'<input type="hidden" name="state" value="{e(state)}"><input type="hidden" name="_csrf" value="{e(csrf)}">'


def _error(message: str | None) -> str:
    return f'<div class="error" role="alert">{e(message)}</div>' if message else ""


def tenant_name(tenant: entities.Tenant) -> str:
    return tenant.friendly_name or tenant.name


def login_page(
    *,
    tenant: entities.Tenant,
    client: entities.Client,
    state: str,
    csrf: str,
    username: str = "",
    error: str | None = None,
    status: int = 200,
    buttons: str = "",
) -> HTMLResponse:
    """`buttons`: the "Continue with ..." block under the form (web/federated_pages.py)."""
    body = (
        "<h1>Welcome</h1>"
        f'<p class="lead">Log in to {e(tenant_name(tenant))} to continue to {e(client.name)}.</p>'
        f"{_error(error)}"
        '<form method="post" action="/u/login" autocomplete="on">'
        f"{_hidden(state, csrf)}"
        '<label for="username">Email address</label>'
        f'<input id="username" type="text" name="username" value="{e(username)}" autocomplete="username" '
        'autocapitalize="none" spellcheck="false" required autofocus>'
        '<label for="password">Password</label>'
        '<input id="password" type="password" name="password" autocomplete="current-password" required>'
        f'<p class="forgot"><a id="forgot-password" href="/u/reset-password/request?state={e(quote(state))}">'
        "Forgot password?</a></p>"
        '<button type="submit" name="action" value="default">Continue</button>'
        "</form>"
        f'<p class="alt">Don\'t have an account? <a href="/u/signup?state={e(quote(state))}">Sign up</a></p>'
        f"{buttons}"
    )
    return html_page(f"Log in | {tenant_name(tenant)}", body, status=status, brand=tenant_name(tenant))


def signup_page(
    *,
    tenant: entities.Tenant,
    client: entities.Client,
    state: str,
    csrf: str,
    email: str = "",
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    body = (
        "<h1>Create your account</h1>"
        f'<p class="lead">Sign up to {e(tenant_name(tenant))} to continue to {e(client.name)}.</p>'
        f"{_error(error)}"
        '<form method="post" action="/u/signup">'
        f"{_hidden(state, csrf)}"
        '<label for="email">Email address</label>'
        f'<input id="email" type="email" name="email" value="{e(email)}" autocomplete="email" required autofocus>'
        '<label for="password">Password</label>'
        '<input id="password" type="password" name="password" autocomplete="new-password" minlength="8" required>'
        '<button type="submit" name="action" value="default">Continue</button>'
        "</form>"
        f'<p class="alt">Already have an account? <a href="/u/login?state={e(quote(state))}">Log in</a></p>'
    )
    return html_page(f"Sign up | {tenant_name(tenant)}", body, status=status, brand=tenant_name(tenant))


def consent_page(
    *,
    tenant: entities.Tenant,
    client: entities.Client,
    user: entities.User,
    scopes: list[tuple[str, str]],
    state: str,
    csrf: str,
) -> HTMLResponse:
    items = "".join(f"<li><b>{e(desc or value)}</b><code>{e(value)}</code></li>" for value, desc in scopes)
    body = (
        "<h1>Authorize App</h1>"
        f'<p class="lead">Hi {e(user.name or user.email or user.user_id)}, <b>{e(client.name)}</b> is requesting '
        f"access to your {e(tenant_name(tenant))} account.</p>"
        f'<ul class="scopes">{items}</ul>'
        '<form method="post" action="/u/consent">'
        f"{_hidden(state, csrf)}"
        '<button type="submit" name="action" value="accept">Accept</button>'
        '<button type="submit" name="action" value="deny" class="secondary">Decline</button>'
        "</form>"
    )
    return html_page(f"Authorize | {tenant_name(tenant)}", body, brand=tenant_name(tenant))


def connection_buttons(*, state: str, csrf: str, choices: list[tuple[str, str]], after_form: bool) -> str:
    """One "Continue with ..." button per federated connection (name, label), posting to /u/login/federated."""
    if not choices:
        return ""
    items = "".join(
        f'<button type="submit" name="connection" value="{e(name)}" class="secondary">Continue with {e(label)}</button>'
        for name, label in choices
    )
    separator = '<p class="alt">or</p>' if after_form else ""
    hidden = _hidden(state, csrf)
    return f'{separator}<form method="post" action="/u/login/federated" class="connections">{hidden}{items}</form>'


def federated_login_page(
    *, tenant: entities.Tenant, client: entities.Client, buttons: str, error: str | None = None
) -> HTMLResponse:
    """The login page of a client with no database connection: the buttons alone."""
    body = (
        "<h1>Welcome</h1>"
        f'<p class="lead">Log in to {e(tenant_name(tenant))} to continue to {e(client.name)}.</p>'
        f"{_error(error)}{buttons}"
    )
    return html_page(f"Log in | {tenant_name(tenant)}", body, brand=tenant_name(tenant))
