"""Passwordless: POST /passwordless/start, GET /passwordless/verify_redirect (the emailed link), and the
Universal Login screens GET|POST /u/passwordless (reached from /u/login when the app names an email or sms
connection)."""

from __future__ import annotations

import json

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ostiary.errors import InvalidRequestError, OAuthError, PasswordlessError, TooManyAttemptsError
from ostiary.ids import new_opaque_token, token_hash
from ostiary.oauth import passwordless
from ostiary.oauth.authorize import pipeline
from ostiary.oauth.client_auth import authenticate_client
from ostiary.protection.limits import check_rate_limit
from ostiary.web import cookies, cors
from ostiary.web.csrf import csrf_token
from ostiary.web.deps import Context
from ostiary.web.errors import NO_STORE
from ostiary.web.forms import parse_body, parse_query
from ostiary.web.pages import error_page
from ostiary.web.passwordless_pages import passwordless_page
from ostiary.web.routes.login import logged_in
from ostiary.web.transactions import check_post, open_page, over_rate_limit

router = APIRouter()
LINK_PARAMS = ("email", "verification_code")


def _auth_params(raw: str | None) -> dict[str, str]:
    """authParams (the /authorize parameters the link resumes with): an object of strings."""
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise PasswordlessError("bad.authParams", "authParams must be an object") from exc
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise PasswordlessError("bad.authParams", "authParams must be an object of strings")
    return {str(k): v for k, v in value.items() if k not in LINK_PARAMS}


@router.post("/passwordless/start")
async def start(request: Request, ctx: Context) -> Response:
    origin = request.headers.get("origin")
    params: dict[str, str] = {}
    try:
        await check_rate_limit(ctx.state, bucket="passwordless", tenant_id=ctx.tenant.id, ip=ctx.ip)
        params = await parse_body(request)
        auth = await authenticate_client(ctx, params, request.headers.get("authorization"))
        if origin and not cors.origin_allowed(auth.client, origin):
            return cors.forbidden_origin(origin)
        connection = await passwordless.passwordless_connection(ctx, params.get("connection"), auth.client)
        field = "email" if connection.strategy == "email" else "phone_number"
        if not params.get(field):
            raise PasswordlessError(f"bad.{field}", f"Missing required parameter: {field}")
        body = await passwordless.start(
            ctx, client=auth.client, connection=connection, address=params[field],
            send=params.get("send") or "code", auth_params=_auth_params(params.get("authParams")),
        )
        await ctx.repos.commit()
    except OAuthError as exc:
        await ctx.repos.rollback()
        cors_headers = await cors.error_cors_headers(ctx, params, origin)
        return JSONResponse(exc.body(), status_code=exc.status_code,
                            headers={**NO_STORE, **exc.headers, **cors_headers})
    return JSONResponse(body, headers={**NO_STORE, **cors.allow_origin_headers(origin)})


@router.options("/passwordless/start")
async def preflight(request: Request, ctx: Context) -> Response:
    return cors.preflight(request.headers.get("origin"), await ctx.repos.clients.all())


@router.get("/passwordless/verify_redirect")
async def verify_redirect(request: Request, ctx: Context) -> Response:
    """The magic link: check the /authorize parameters, verify the code, start a session in this browser and
    resume the authorization (302 to the app, as Auth0's link does)."""
    if limited := await over_rate_limit(ctx):
        return limited
    try:
        query = parse_query(request)
        params = {k: v for k, v in query.items() if k not in LINK_PARAMS}
        authorize = await pipeline.run(ctx, params)
        assert authorize.client is not None
        connection = await passwordless.passwordless_connection(ctx, params.get("connection"), authorize.client)
        user = await passwordless.verify(
            ctx, connection=connection, address=query.get("email", ""), code=query.get("verification_code", "")
        )
    except pipeline.RedirectableError as exc:
        return error_page(exc.error.error, exc.error.description)
    except OAuthError as exc:
        await ctx.repos.commit()  # what brute-force protection recorded stays recorded
        return error_page(exc.error, exc.description, status=429 if isinstance(exc, TooManyAttemptsError) else 400)
    state = await ctx.repos.transactions.create(params)
    browser = new_opaque_token()
    await ctx.repos.transactions.record(state, browser_hash=token_hash(browser))
    response = await logged_in(request, ctx, state=state, user=user, connection=connection.name, browser=browser)
    cookies.set_transaction_cookie(response, browser, scheme=ctx.scheme)
    return response


@router.get("/u/passwordless")
async def passwordless_form(request: Request, ctx: Context) -> Response:
    opened = await open_page(request, ctx)
    if isinstance(opened, Response):
        return opened
    try:
        connection = await passwordless.passwordless_connection(
            ctx, opened.transaction.params.get("connection"), opened.client)
    except OAuthError as exc:
        return error_page("invalid_request", exc.description)
    page = passwordless_page(
        tenant=ctx.tenant, client=opened.client, connection=connection, state=opened.state, csrf=opened.csrf,
        address=opened.transaction.params.get("login_hint", ""),
    )
    return opened.send(page, ctx)


@router.post("/u/passwordless")
async def passwordless_submit(request: Request, ctx: Context) -> Response:
    checked = await check_post(request, ctx)
    if isinstance(checked, Response):
        return checked
    form, transaction, client = checked
    state, address = form["state"], form.get("address", "").strip()
    csrf = csrf_token(transaction, cookies.read_transaction_cookie(request, ctx.scheme) or "")
    verifying = form.get("action") == "verify"
    try:
        connection = await passwordless.passwordless_connection(ctx, transaction.params.get("connection"), client)
    except OAuthError as exc:
        return error_page("invalid_request", exc.description)

    def page(error: str | None = None, *, code_sent: bool, status: int = 200) -> Response:
        return passwordless_page(tenant=ctx.tenant, client=client, connection=connection, state=state, csrf=csrf,
                                 address=address, code_sent=code_sent, error=error, status=status)

    try:
        if not address:
            raise InvalidRequestError("Enter your " + ("email address." if connection.strategy == "email"
                                                        else "phone number."))
        if not verifying:
            await passwordless.start(ctx, client=client, connection=connection, address=address)
            await ctx.repos.commit()
            return page(code_sent=True)
        user = await passwordless.verify(ctx, connection=connection, address=address, code=form.get("code", ""))
    except OAuthError as exc:
        await ctx.repos.commit() if verifying else await ctx.repos.rollback()
        status = exc.status_code if exc.status_code == 429 else 400
        return page(exc.description, code_sent=verifying, status=status)
    return await logged_in(request, ctx, state=state, user=user, connection=connection.name)
