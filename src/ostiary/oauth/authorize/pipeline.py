"""The /authorize pipeline: STEPS is the one ordered table of checks (read it to understand /authorize)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ostiary.errors import OAuthError
from ostiary.oauth.authorize import steps
from ostiary.oauth.authorize.request import AuthorizeRequest
from ostiary.oauth.context import TenantContext

Step = Callable[[TenantContext, AuthorizeRequest], Awaitable[AuthorizeRequest]]

STEPS: tuple[Step, ...] = (
    # fatal phase: rendered as an error page, never redirected
    steps.check_client,
    steps.check_redirect_uri,
    # redirectable phase: errors go to the verified redirect_uri in the response mode, with state and iss
    steps.check_response_type,
    steps.check_response_mode,
    steps.check_audience_and_scope,
    steps.check_pkce,
    steps.check_nonce,
    steps.check_prompt,
)


class RedirectableError(Exception):
    """An OAuth error raised after client and redirect_uri were verified, with what is needed to deliver it."""

    def __init__(self, error: OAuthError, request: AuthorizeRequest) -> None:
        super().__init__(str(error))
        self.error = error
        self.request = request


async def run(ctx: TenantContext, params: dict[str, str], steps_: tuple[Step, ...] = STEPS) -> AuthorizeRequest:
    """Run every step in order. Fatal errors propagate as they are; later ones come wrapped with the request."""
    req = AuthorizeRequest(params=params)
    for step in steps_:
        try:
            req = await step(ctx, req)
        except OAuthError as exc:
            if not exc.redirectable or req.redirect_uri is None:
                raise
            raise RedirectableError(exc, req) from exc
    return req
