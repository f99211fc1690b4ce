"""Delivering an authorization response in its mode: 302 (query, fragment), form_post page, web_message page."""

from __future__ import annotations

import json

from starlette.responses import HTMLResponse, Response

from ostiary.oauth import response_modes
from ostiary.oauth.redirect_uri import origin_of
from ostiary.web.pages import e, layout, new_nonce, redirect, security_headers


def _script_json(value: object) -> str:
    """JSON safe to place inside <script>: no `</script>`, no HTML comment or entity tricks."""
    text = json.dumps(value, ensure_ascii=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def form_post(redirect_uri: str, params: dict[str, str]) -> HTMLResponse:
    """OAuth 2.0 Form Post Response Mode: an auto-submitting form; every value HTML-escaped (ST-01)."""
    nonce = new_nonce()
    fields = "".join(f'<input type="hidden" name="{e(k)}" value="{e(v)}">' for k, v in params.items())
    body = (
        f'<form method="post" action="{e(redirect_uri)}" id="response">{fields}'
        "<h1>Continue</h1><p class=\"lead\">Press the button if you are not redirected.</p>"
        '<button type="submit">Continue</button></form>'
        f'<script nonce="{nonce}">document.getElementById("response").submit();</script>'
    )
    return HTMLResponse(layout("Submit this form", body, nonce=nonce), headers=security_headers(nonce))


def web_message(redirect_uri: str, params: dict[str, str]) -> HTMLResponse:
    """The page auth0-spa-js listens for in its silent-auth iframe: postMessage to the app's origin only.

    The origin was checked against the client's web_origins in check_redirect_uri; the page may be framed by
    that origin only.
    """
    nonce = new_nonce()
    origin = origin_of(redirect_uri)
    message = f'{{type: "authorization_response", response: {_script_json(params)}}}'
    target = _script_json(origin)
    script = (
        f"if (window.opener && window.opener !== window) {{ window.opener.postMessage({message}, {target}); }}"
        f"window.parent.postMessage({message}, {target});"
    )
    body = f'<script nonce="{nonce}">{script}</script>'
    return HTMLResponse(
        layout("Authorization response", body, nonce=nonce),
        headers=security_headers(nonce, frame_ancestors=origin),
    )


def deliver(redirect_uri: str, mode: str, params: dict[str, str]) -> Response:
    if mode == response_modes.FORM_POST:
        return form_post(redirect_uri, params)
    if mode == response_modes.WEB_MESSAGE:
        return web_message(redirect_uri, params)
    return redirect(response_modes.redirect_url(redirect_uri, mode, params))
