"""The Universal Login passwordless screens: ask for the address, then for the code."""

from __future__ import annotations

from starlette.responses import HTMLResponse

from ostiary import entities
from ostiary.web.login_pages import tenant_name
from ostiary.web.pages import e, html_page


def _hidden(state: str, csrf: str) -> str:
    return f'<input type="hidden" name="state" value="{e(state)}"><input type="hidden" name="_csrf" value="{e(csrf)}">'


def passwordless_page(
    *, tenant: entities.Tenant, client: entities.Client, connection: entities.Connection, state: str, csrf: str,
    address: str = "", code_sent: bool = False, error: str | None = None, status: int = 200,
) -> HTMLResponse:
    is_email = connection.strategy == "email"
    noun = "email address" if is_email else "phone number"
    error_html = f'<div class="error" role="alert">{e(error)}</div>' if error else ""
    if not code_sent:
        field = (
            f'<input id="address" type="{"email" if is_email else "tel"}" name="address" value="{e(address)}" '
            f'autocomplete="{"email" if is_email else "tel"}" required autofocus>'
        )
        body = (
            "<h1>Welcome</h1>"
            f'<p class="lead">Enter your {noun} to log in to {e(tenant_name(tenant))} and continue to '
            f"{e(client.name)}. We will send you a code.</p>{error_html}"
            f'<form method="post" action="/u/passwordless">{_hidden(state, csrf)}'
            f'<label for="address">{noun.capitalize()}</label>{field}'
            '<button type="submit" name="action" value="send">Continue</button></form>'
        )
    else:
        body = (
            "<h1>Enter the code</h1>"
            f'<p class="lead">We sent a code to <b>{e(address)}</b>. It expires in a few minutes.</p>{error_html}'
            f'<form method="post" action="/u/passwordless">{_hidden(state, csrf)}'
            f'<input type="hidden" name="address" value="{e(address)}">'
            '<label for="code">Code</label>'
            '<input id="code" type="text" name="code" inputmode="numeric" autocomplete="one-time-code" '
            'pattern="[0-9]*" required autofocus>'
            '<button type="submit" name="action" value="verify">Continue</button></form>'
        )
    return html_page(f"Log in | {tenant_name(tenant)}", body, status=status, brand=tenant_name(tenant))
