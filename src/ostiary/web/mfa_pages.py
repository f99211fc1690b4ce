"""The hosted login's second-factor screen: a code from the authenticator app, and, for a user not yet
enrolled, the secret to add to the app first (as text and an otpauth:// link; no QR image yet)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import HTMLResponse

from ostiary import entities
from ostiary.web.login_pages import tenant_name
from ostiary.web.pages import e, html_page


@dataclass(frozen=True)
class Enrollment:
    secret: str
    barcode_uri: str
    recovery_code: str | None


def mfa_page(
    *,
    tenant: entities.Tenant,
    client: entities.Client,
    state: str,
    csrf: str,
    ticket: str,
    enrollment: Enrollment | None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    enroll = ""
    if enrollment is not None:
        recovery = (f'<p>Save this recovery code to log in if you lose the app: <code id="recovery-code">'
                    f"{e(enrollment.recovery_code)}</code></p>") if enrollment.recovery_code else ""
        enroll = (
            "<p>Add this account to your authenticator app with the key below "
            f'(or <a id="otpauth" href="{e(enrollment.barcode_uri)}">open it in the app</a>):</p>'
            f'<p><code id="otp-secret">{e(enrollment.secret)}</code></p>{recovery}'
        )
    error_html = f'<div class="error" role="alert">{e(error)}</div>' if error else ""
    body = (
        f"<h1>{'Secure your account' if enrollment else 'Verify your identity'}</h1>"
        f'<p class="lead">Enter the 6-digit code from your authenticator app to continue to {e(client.name)}.</p>'
        f"{enroll}{error_html}"
        '<form method="post" action="/u/mfa-otp-challenge" autocomplete="off">'
        f'<input type="hidden" name="state" value="{e(state)}"><input type="hidden" name="_csrf" value="{e(csrf)}">'
        f'<input type="hidden" name="ticket" value="{e(ticket)}">'
        '<label for="code">Enter your one-time code</label>'
        '<input id="code" type="text" name="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" '
        'autocomplete="one-time-code" required autofocus>'
        '<button type="submit" name="action" value="default">Continue</button>'
        "</form>"
    )
    return html_page(f"Verify | {tenant_name(tenant)}", body, status=status, brand=tenant_name(tenant))
