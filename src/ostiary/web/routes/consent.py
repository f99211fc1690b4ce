"""GET|POST /u/consent: a third-party client asks the user for the requested scopes."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ostiary import entities
from ostiary.errors import AccessDeniedError
from ostiary.oauth.authorize import prompts
from ostiary.oauth.authorize.interaction import grantable_scopes
from ostiary.oauth.authorize.request import AuthorizeRequest
from ostiary.oauth.context import TenantContext
from ostiary.store.repositories.sessions import TransactionInfo
from ostiary.web.deps import Context
from ostiary.web.login_pages import consent_page
from ostiary.web.pages import error_page, redirect
from ostiary.web.transactions import EXPIRED, check_post, end_with_error, open_page, original_request

router = APIRouter()

OIDC_SCOPE_DESCRIPTIONS = {
    "profile": "Your profile: name, nickname and picture",
    "email": "Your email address",
    "address": "Your address",
    "phone": "Your phone number",
    "offline_access": "Stay signed in (offline access)",
}


async def _request_and_user(
    ctx: TenantContext, transaction: TransactionInfo
) -> tuple[AuthorizeRequest, entities.User] | Response:
    req = await original_request(ctx, transaction)
    if isinstance(req, Response):
        return req
    user = await ctx.repos.users.by_user_id(transaction.user_id) if transaction.user_id else None
    if user is None:
        return error_page("invalid_request", EXPIRED)
    return req, user


def _described(req: AuthorizeRequest, grantable: list[str]) -> list[tuple[str, str]]:
    described = dict(OIDC_SCOPE_DESCRIPTIONS)
    if req.api is not None:
        described.update(req.api.scope_descriptions)
    return [(scope, described.get(scope, "")) for scope in prompts.consent_scopes(grantable)]


@router.get("/u/consent")
async def consent_form(request: Request, ctx: Context) -> Response:
    opened = await open_page(request, ctx)
    if isinstance(opened, Response):
        return opened
    loaded = await _request_and_user(ctx, opened.transaction)
    if isinstance(loaded, Response):
        return loaded
    req, user = loaded
    page = consent_page(
        tenant=ctx.tenant,
        client=opened.client,
        user=user,
        scopes=_described(req, await grantable_scopes(ctx, req, user)),
        state=opened.state,
        csrf=opened.csrf,
    )
    return opened.send(page, ctx)


@router.post("/u/consent")
async def consent_submit(request: Request, ctx: Context) -> Response:
    checked = await check_post(request, ctx)
    if isinstance(checked, Response):
        return checked
    form, transaction, _client = checked
    state = form["state"]
    loaded = await _request_and_user(ctx, transaction)
    if isinstance(loaded, Response):
        return loaded
    req, user = loaded
    assert req.client is not None
    if form.get("action") != "accept":
        return await end_with_error(ctx, state, req, AccessDeniedError("User did not authorize the request"))
    # What the page listed: a scope the user could not be granted is not agreed to (RBAC).
    await ctx.repos.consents.grant(
        user_id=user.user_id, client_id=req.client.client_id, audience=req.audience,
        scopes=await grantable_scopes(ctx, req, user),
    )
    await ctx.repos.transactions.record(state, consented=True)
    await ctx.repos.commit()
    return redirect(f"/authorize/resume?state={quote(state)}")
