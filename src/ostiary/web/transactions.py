"""The login transaction as the /u/* pages see it: open it on GET (binding it to this browser), check it on POST.

Used by: routes/login.py (login, signup) and routes/consent.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from ostiary import entities
from ostiary.errors import InvalidRequestError, OAuthError, TooManyRequestsError
from ostiary.ids import new_opaque_token, token_hash
from ostiary.oauth.authorize import pipeline
from ostiary.oauth.authorize.request import AuthorizeRequest
from ostiary.oauth.context import TenantContext
from ostiary.protection.limits import check_rate_limit
from ostiary.store.repositories.sessions import TransactionInfo
from ostiary.web import cookies
from ostiary.web.authorize_pages import deliver_error
from ostiary.web.csrf import bound_to_browser, csrf_ok, csrf_token
from ostiary.web.forms import parse_body, parse_query
from ostiary.web.pages import error_page

BAD_CSRF = "Invalid or missing CSRF token. Reload the page and try again."
EXPIRED = "This login link has expired or was already used. Go back to the application and try again."


async def over_rate_limit(ctx: TenantContext) -> Response | None:
    """The per-IP rate limit shared with /oauth/token (its own bucket, BF-08): a 429 page with Retry-After, or None."""
    try:
        await check_rate_limit(ctx.state, bucket="login", tenant_id=ctx.tenant.id, ip=ctx.ip)
    except TooManyRequestsError as exc:
        page = error_page(exc.error, exc.description, status=exc.status_code)
        page.headers.update(exc.headers)
        return page
    return None


@dataclass(frozen=True, slots=True)
class OpenedPage:
    """A /u/* page's GET: its transaction and client, the form's CSRF value, and a cookie to set on first visit."""

    state: str
    transaction: TransactionInfo
    client: entities.Client
    csrf: str
    new_cookie: str | None

    def send(self, page: Response, ctx: TenantContext) -> Response:
        if self.new_cookie is not None:
            cookies.set_transaction_cookie(page, self.new_cookie, scheme=ctx.scheme)
        return page


async def open_page(request: Request, ctx: TenantContext) -> OpenedPage | Response:
    """GET side: the open transaction named by ?state=, bound to this browser on the first visit."""
    if limited := await over_rate_limit(ctx):
        return limited
    try:
        query = parse_query(request)
        if "password" in query:
            raise InvalidRequestError("Credentials must never be sent in the URL.")  # UI-11: refused, never read
    except OAuthError as exc:
        return error_page(exc.error, exc.description)
    state = query.get("state", "")
    transaction = await ctx.repos.transactions.open(state)
    client = await ctx.client(transaction.params.get("client_id", "")) if transaction else None
    if transaction is None or client is None:
        return error_page("invalid_request", EXPIRED)
    browser = cookies.read_transaction_cookie(request, ctx.scheme)
    if transaction.browser_hash is None:
        # First visit: bind the transaction to this browser (reusing its secret across tabs).
        browser = browser or new_opaque_token()
        await ctx.repos.transactions.record(state, browser_hash=token_hash(browser))
        await ctx.repos.commit()
        transaction = await ctx.repos.transactions.open(state)
        assert transaction is not None
        return OpenedPage(state, transaction, client, csrf_token(transaction, browser), browser)
    if not bound_to_browser(transaction, browser):
        return error_page("invalid_request", "This login page was opened in another browser.", status=403)
    assert browser is not None
    return OpenedPage(state, transaction, client, csrf_token(transaction, browser), None)


async def check_post(
    request: Request, ctx: TenantContext
) -> tuple[dict[str, str], TransactionInfo, entities.Client] | Response:
    """POST side: per-IP rate limit (BF-08), form body only (never credentials from the URL, UI-11), live
    transaction, CSRF (UI-01)."""
    if limited := await over_rate_limit(ctx):
        return limited
    if request.scope.get("query_string"):
        return error_page("invalid_request", "Parameters must be sent in the form body.")
    try:
        form = await parse_body(request, allow_json=False)
    except OAuthError as exc:
        return error_page(exc.error, exc.description)
    state = form.get("state", "")
    transaction = await ctx.repos.transactions.open(state)
    client = await ctx.client(transaction.params.get("client_id", "")) if transaction else None
    if transaction is None or client is None:
        return error_page("invalid_request", EXPIRED)
    if not csrf_ok(transaction, cookies.read_transaction_cookie(request, ctx.scheme), form.get("_csrf")):
        return error_page("invalid_request", BAD_CSRF, status=403)
    return form, transaction, client


async def original_request(ctx: TenantContext, transaction: TransactionInfo) -> AuthorizeRequest | Response:
    """The parked /authorize request, checked again; an error response when it no longer passes."""
    try:
        return await pipeline.run(ctx, transaction.params)
    except pipeline.RedirectableError as exc:
        return deliver_error(ctx, exc.request, exc.error)
    except OAuthError as exc:
        return error_page(exc.error, exc.description)


async def end_with_error(ctx: TenantContext, state: str, req: AuthorizeRequest, exc: OAuthError) -> Response:
    """Finish the transaction once and send `exc` to the app's redirect_uri (the user refused, or is blocked)."""
    if not await ctx.repos.transactions.complete(state):
        return error_page("invalid_request", EXPIRED)
    await ctx.repos.commit()
    return deliver_error(ctx, req, exc)
