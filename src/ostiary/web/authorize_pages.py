"""Delivering an authorization response (or error) in its mode: 302 (query, fragment), form_post, web_message."""

from __future__ import annotations

import json

from starlette.responses import HTMLResponse, Response

from ostiary.errors import OAuthError, wire_description
from ostiary.oauth import response_modes
from ostiary.oauth.authorize.request import AuthorizeRequest
from ostiary.oauth.context import TenantContext
from ostiary.oauth.redirect_uri import match_redirect_uri, origin_of
from ostiary.web.pages import e, error_page, layout, new_nonce, redirect, security_headers


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


_TOKEN_WORDS = frozenset({"code", "token", "id_token"})


def fatal_page(exc: OAuthError) -> Response:
    return error_page(exc.error, exc.description)


def deliver_error(ctx: TenantContext, req: AuthorizeRequest, exc: OAuthError) -> Response:
    """A redirectable error to the verified redirect_uri, in the response mode, with state and iss (RFC 9207)."""
    # Ad acta: re-check the redirect_uri before sending anything to it (RFC 9700 §4.11.2; catalogue RU-12).
    if req.client is None or req.redirect_uri is None or not match_redirect_uri(req.client.callbacks, req.redirect_uri):
        return fatal_page(exc)
    words = req.response_types or frozenset((req.params.get("response_type") or "").split()) & _TOKEN_WORDS
    mode = response_modes.safe_mode(req.params.get("response_mode"), words)
    params = {"error": exc.error, "error_description": wire_description(exc.description, strict=True)}
    return deliver(req.redirect_uri, mode, with_state_and_iss(ctx, req, params))


def with_state_and_iss(ctx: TenantContext, req: AuthorizeRequest, params: dict[str, str]) -> dict[str, str]:
    out = dict(params)
    if req.state is not None:
        out["state"] = req.state
    out["iss"] = ctx.issuer
    return out
