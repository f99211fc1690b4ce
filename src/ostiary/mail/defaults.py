"""The built-in email templates (Liquid, as Auth0's), used when a tenant has no override of its own.

Every body is the same card layout; what differs is the subject, the heading, the text and the button.
"""

from __future__ import annotations

_LAYOUT = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{subject}</title></head>
<body style="margin:0;padding:0;background:#eef2f7;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1e2330">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#eef2f7;padding:32px 12px">
<tr><td align="center">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:520px;background:#ffffff;border-radius:8px;box-shadow:0 12px 40px rgba(30,35,48,.12)">
<tr><td style="padding:36px 40px 8px;text-align:center">
<div style="display:inline-block;width:52px;height:52px;line-height:52px;border-radius:50%;background:#3b5bdb;color:#fff;font-size:24px;font-weight:600">{{{{ tenant.friendly_name | default: tenant.name | slice: 0 | upcase }}}}</div>
<h1 style="font-size:22px;font-weight:500;margin:20px 0 0">{heading}</h1>
</td></tr>
<tr><td style="padding:16px 40px 8px;font-size:15px;line-height:1.6;color:#2d3340">
<p style="margin:0 0 12px">Hello{{% if user.name %}} {{{{ user.name }}}}{{% endif %}},</p>
{text}
</td></tr>
{action}
<tr><td style="padding:8px 40px 32px;font-size:13px;line-height:1.5;color:#5b6272">
{footnote}
<p style="margin:16px 0 0">Thanks,<br>{{{{ tenant.friendly_name | default: tenant.name }}}}</p>
</td></tr>
</table>
<p style="font-size:12px;color:#8a90a0;margin:16px 0 0">You received this email because of an account at {{{{ tenant.friendly_name | default: tenant.name }}}}.</p>
</td></tr></table></body></html>
"""

_BUTTON = """<tr><td align="center" style="padding:16px 40px 24px">
<a href="{{{{ url }}}}" style="display:inline-block;padding:13px 28px;background:#3b5bdb;color:#ffffff;text-decoration:none;border-radius:4px;font-size:16px">{label}</a>
</td></tr>"""

_CODE = """<tr><td align="center" style="padding:16px 40px 24px">
<div style="display:inline-block;padding:14px 28px;background:#f3f5f9;border-radius:6px;font-size:30px;letter-spacing:8px;font-weight:600;font-family:Menlo,Consolas,monospace">{{ code }}</div>
</td></tr>"""

_LINK_FOOTNOTE = (
    '<p style="margin:0">If the button does not work, copy this link into your browser:<br>'
    '<a href="{{ url }}" style="color:#3b5bdb;word-break:break-all">{{ url }}</a></p>'
)
_IGNORE = "<p style=\"margin:8px 0 0\">If you did not ask for this, you can ignore this email.</p>"


def _page(subject: str, heading: str, text: str, *, button: str | None = None, code: bool = False,
          footnote: str = _IGNORE) -> tuple[str, str]:
    if button:
        action, footnote = _BUTTON.format(label=button), _LINK_FOOTNOTE + footnote
    else:
        action = _CODE if code else ""
    body = _LAYOUT.format(subject=subject, heading=heading, text=text, action=action, footnote=footnote)
    return subject, body


_APP = "{% if application.name %} for {{ application.name }}{% endif %}"

DEFAULTS: dict[str, tuple[str, str]] = {
    "verify_email": _page(
        "Verify your email", "Verify your email address",
        f"<p style=\"margin:0\">Please confirm that this is your email address{_APP} by clicking the button "
        "below. The link works once.</p>",
        button="Verify my email",
    ),
    "verify_email_by_code": _page(
        "Your verification code", "Verify your email address",
        f"<p style=\"margin:0\">Enter this code to confirm your email address{_APP}:</p>", code=True,
    ),
    "reset_email": _page(
        "Reset your password", "Reset your password",
        f"<p style=\"margin:0\">Someone asked to reset the password of your account{_APP}. "
        "Click the button to choose a new one. The link works once.</p>",
        button="Reset password",
    ),
    "reset_email_by_code": _page(
        "Your password reset code", "Reset your password",
        "<p style=\"margin:0\">Enter this code to reset your password:</p>", code=True,
    ),
    "welcome_email": _page(
        "Welcome!", "Welcome aboard",
        f"<p style=\"margin:0\">Your account{_APP} is ready. We are glad to have you.</p>", footnote="",
    ),
    "blocked_account": _page(
        "Your account has been blocked", "Unusual sign-in activity",
        "<p style=\"margin:0\">We blocked sign-ins to your account from the address "
        "<b>{{ source_ip | default: 'unknown' }}</b> after several failed attempts. If that was you, click the "
        "button to unblock it. If not, consider changing your password.</p>",
        button="Unblock my account",
    ),
    "change_password": _page(
        "Change your password", "Change your password",
        "<p style=\"margin:0\">Click the button to choose a new password.</p>", button="Change password",
    ),
    "password_reset": _page(
        "Your password was changed", "Your password was changed",
        "<p style=\"margin:0\">The password of your account was just changed. If this was not you, contact "
        "us right away.</p>", footnote="",
    ),
    "user_invitation": _page(
        "You are invited", "You have been invited",
        f"<p style=\"margin:0\">You have been invited to join{_APP}. Click the button to accept and set "
        "your password.</p>",
        button="Accept invitation",
    ),
    "mfa_oob_code": _page(
        "Your verification code", "Your verification code",
        "<p style=\"margin:0\">Use this code to finish signing in:</p>", code=True,
    ),
    "enrollment_email": _page(
        "Set up multi-factor authentication", "Secure your account",
        "<p style=\"margin:0\">Click the button to enroll a second factor for your account.</p>",
        button="Enroll",
    ),
    "passwordless_email": _page(
        "Your sign-in code", "Sign in",
        f"<p style=\"margin:0\">Use this code to sign in{_APP}:</p>"
        "{% if url %}<p style=\"margin:12px 0 0\">Or sign in with one click: "
        "<a href=\"{{ url }}\" style=\"color:#3b5bdb\">sign in</a>.</p>{% endif %}",
        code=True,
    ),
}

# The Deploy CLI's emailTemplates names (passwordless_email is Ostiary's own: Auth0 keeps that one in the
# email connection's options).
AUTH0_TEMPLATE_NAMES = frozenset(DEFAULTS) - {"passwordless_email"}
