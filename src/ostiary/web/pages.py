"""HTML for the hosted pages: one layout (inline CSS, no third-party resources), escaping, security headers.

Every page carries X-Frame-Options: DENY and CSP frame-ancestors 'none' (catalogue UI-04), no-referrer (UI-06),
nosniff and no-store; inline script and style are allowed only with the page's nonce. The web_message page
is the one exception to anti-framing (it must run in the SPA's iframe) and passes its own frame-ancestors.
"""

from __future__ import annotations

import secrets
from html import escape

from starlette.responses import HTMLResponse, RedirectResponse

CSS = """
*{box-sizing:border-box}body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
background:linear-gradient(135deg,#eef2f7,#dfe6f0);color:#1e2330}
main{width:100%;max-width:400px;margin:24px;padding:40px 36px;background:#fff;border-radius:8px;
box-shadow:0 12px 40px rgba(30,35,48,.12)}
.brand{width:52px;height:52px;margin:0 auto 16px;border-radius:50%;background:#3b5bdb;color:#fff;
display:flex;align-items:center;justify-content:center;font-size:24px;font-weight:600}
h1{font-size:24px;font-weight:500;text-align:center;margin:0 0 8px}
p.lead{text-align:center;color:#5b6272;font-size:14px;margin:0 0 24px}
label{display:block;font-size:14px;margin:16px 0 6px;color:#2d3340}
input[type=text],input[type=email],input[type=password]{width:100%;padding:12px 14px;font-size:16px;
border:1px solid #c9ced8;border-radius:4px;outline:none}
input:focus{border-color:#3b5bdb;box-shadow:0 0 0 3px rgba(59,91,219,.2)}
button{width:100%;margin-top:24px;padding:13px;font-size:16px;border:0;border-radius:4px;background:#3b5bdb;
color:#fff;cursor:pointer}button:hover{background:#2f4ac0}button.secondary{background:#eef0f4;color:#2d3340;margin-top:10px}
.error{background:#fdecec;color:#b3261e;border-radius:4px;padding:10px 12px;font-size:14px;margin-bottom:8px}
p.forgot{margin:10px 0 0;font-size:14px}.notice{background:#e8f5ee;color:#1e6b43;border-radius:4px;
padding:10px 12px;font-size:14px;margin-bottom:8px}
.alt{text-align:center;font-size:14px;margin-top:20px;color:#5b6272}a{color:#3b5bdb}
ul.scopes{padding:0;list-style:none;margin:0}ul.scopes li{padding:10px 0;border-bottom:1px solid #eceef2;font-size:14px}
ul.scopes li b{display:block;font-weight:600}code{font-size:13px;word-break:break-all}
"""


def e(value: object) -> str:
    """HTML-escape for text and attribute values (quotes included)."""
    return escape(str(value), quote=True)


def security_headers(nonce: str | None = None, *, frame_ancestors: str = "'none'") -> dict[str, str]:
    script = f"'nonce-{nonce}'" if nonce else "'none'"
    style = f"'nonce-{nonce}'" if nonce else "'none'"
    headers = {
        "Content-Security-Policy": (
            f"default-src 'none'; script-src {script}; style-src {style}; img-src data:; "
            f"base-uri 'none'; frame-ancestors {frame_ancestors}"
        ),
        "Referrer-Policy": "no-referrer",
        # Ignored by browsers on plain http (development); on https it pins the tenant's host to TLS (UI-12).
        "Strict-Transport-Security": "max-age=31536000",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
        "Pragma": "no-cache",
    }
    if frame_ancestors == "'none'":
        headers["X-Frame-Options"] = "DENY"
    return headers


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def layout(title: str, body: str, *, nonce: str, brand: str = "") -> str:
    initial = e((brand or title or "?")[:1].upper())
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        f"<title>{e(title)}</title><style nonce=\"{nonce}\">{CSS}</style></head>"
        f"<body><main><div class=\"brand\" aria-hidden=\"true\">{initial}</div>{body}</main></body></html>"
    )


def html_page(title: str, body: str, *, status: int = 200, brand: str = "") -> HTMLResponse:
    nonce = new_nonce()
    return HTMLResponse(
        layout(title, body, nonce=nonce, brand=brand), status_code=status, headers=security_headers(nonce)
    )


def error_page(error: str, description: str, *, status: int = 400) -> HTMLResponse:
    """The fatal-error page (unknown client, redirect_uri mismatch, bad logout URL): shown, never redirected."""
    body = (
        "<h1>Something went wrong</h1>"
        f"<p class=\"lead\">{e(description)}</p>"
        f"<div class=\"error\"><b>{e(error)}</b></div>"
    )
    return html_page("Error", body, status=status)


def redirect(location: str, *, status: int = 302) -> RedirectResponse:
    """302 (never 307/308, which would re-send a password to the app; catalogue UI-07)."""
    return RedirectResponse(location, status_code=status, headers=security_headers())
