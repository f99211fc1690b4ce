"""After the checks: decide between the hosted pages and an answer, then run the hooks and issue.

Used by: GET|POST /authorize and GET /authorize/resume (web/routes/authorize.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ostiary import entities
from ostiary.actions.pipeline import LoginFacts, run_post_login, settle, settle_login
from ostiary.errors import ConsentRequiredError, InvalidRequestError, LoginRequiredError, UserBlockedError
from ostiary.ids import new_opaque_token
from ostiary.oauth.authorize import prompts, response_types
from ostiary.oauth.authorize.request import AuthorizeRequest
from ostiary.oauth.context import TenantContext
from ostiary.oauth.federated_login import strategy_of
from ostiary.oauth.scopes import held_permissions, permitted
from ostiary.store.repositories.sessions import SessionInfo, TransactionInfo
from ostiary.tokens.claims import split_scope

LOGIN = "login"
SIGNUP = "signup"
CONSENT = "consent"


@dataclass(frozen=True, slots=True)
class Interaction:
    """The user must see a hosted page (`login`, `signup` or `consent`) before the app gets an answer."""

    page: str


class ActionRedirect(Exception):  # noqa: N818 — a control-flow signal, not an error
    """A post-login action called api.redirect.sendUserTo: the login pauses in its transaction (`state`)."""

    def __init__(self, url: str, query: dict[str, str], state: str, pending: dict[str, Any], sid: str) -> None:
        super().__init__(url)
        self.state, self.pending, self.sid = state, pending, sid
        parts = urlsplit(url)
        merged = [*parse_qsl(parts.query, keep_blank_values=True), *query.items(), ("state", state)]
        self.location = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(merged), parts.fragment))


@dataclass(frozen=True, slots=True)
class Answer:
    """The authorization response parameters (without state and iss) and the session they came from."""

    params: dict[str, str]
    session: SessionInfo


async def decide(
    ctx: TenantContext,
    req: AuthorizeRequest,
    *,
    session: SessionInfo | None,
    transaction: TransactionInfo | None = None,
    state: str | None = None,
    continue_query: dict[str, str] | None = None,
) -> Interaction | Answer:
    """Interaction needed, or the answer. prompt=none turns a needed interaction into an error (ST-09)."""
    assert req.client is not None
    logged_in_here = bool(transaction and session and transaction.sid == session.sid)
    user = await ctx.repos.users.by_user_id(session.user_id) if session else None
    if user is None or prompts.login_reason(req, session, now=ctx.clock.now(), logged_in_here=logged_in_here):
        if "none" in req.prompts:
            raise LoginRequiredError()
        return Interaction(SIGNUP if req.params.get("screen_hint") == "signup" else LOGIN)
    assert session is not None
    if user.blocked:
        raise UserBlockedError()
    if await _needs_consent(ctx, req, user=user, consented_here=bool(transaction and transaction.consented)):
        if "none" in req.prompts:
            raise ConsentRequiredError()
        return Interaction(CONSENT)
    paused = transaction.progress.get(ACTION_CONTINUE) if transaction else None
    if paused is not None and continue_query is None:
        raise InvalidRequestError("This login is waiting for an action's redirect to come back to /continue")
    if continue_query is not None and paused is None:
        raise InvalidRequestError("This login has nothing to continue")
    resume = {**paused, "query": continue_query} if paused is not None else None
    params = await finish(ctx, req, user=user, session=session, state=state, resume=resume)
    return Answer(params=params, session=session)


ACTION_CONTINUE = "action_continue"


async def _needs_consent(
    ctx: TenantContext, req: AuthorizeRequest, *, user: entities.User, consented_here: bool
) -> bool:
    assert req.client is not None
    if prompts.skips_consent(req.client, req.api) or consented_here:
        return False
    granted = await ctx.repos.consents.granted(
        user_id=user.user_id, client_id=req.client.client_id, audience=req.audience
    )
    return prompts.consent_needed(req, grantable=await grantable_scopes(ctx, req, user), granted=granted)


async def grantable_scopes(ctx: TenantContext, req: AuthorizeRequest, user: entities.User) -> list[str]:
    """The requested scopes this user can be granted (RBAC): what consent asks for and records.
    Used by: the consent decision here and the /u/consent page."""
    return permitted(req.scopes, req.api, await held_permissions(ctx, user, req.api))


async def finish(
    ctx: TenantContext, req: AuthorizeRequest, *, user: entities.User, session: SessionInfo,
    state: str | None = None, resume: dict[str, Any] | None = None,
) -> dict[str, str]:
    """Post-login hooks before anything is issued (a deny reaches the app as access_denied), then issue.

    An action may redirect the user away (ActionRedirect, handled by the route); /continue comes back here with
    `resume`, and the login goes on from the action that redirected."""
    assert req.client is not None
    continue_state = state or new_opaque_token()
    connection = await ctx.repos.connections.by_name(session.connection) if session.connection else None
    facts = LoginFacts(
        protocol=req.protocol,
        client=req.client,
        user=user,
        connection=connection,
        api=req.api,
        scopes=list(req.scopes),
        requested_scopes=split_scope(req.params.get("scope")),
        transaction={
            "redirect_uri": req.redirect_uri,
            "response_mode": req.response_mode,
            "response_type": sorted(req.response_types),
            "state": req.state,
            "prompt": sorted(req.prompts),
        },
        # The authorization request's parameters; the app's browser sent them (resume is a GET too).
        request_params=req.params,
        request_method="GET",
        interactive=True,
        continue_state=continue_state,
        resume=resume,
        session_sid=session.sid,
    )
    outcome = await run_post_login(ctx, facts)
    if outcome.redirect_url is not None and not outcome.denied:
        pending = {"hook": outcome.redirect_hook, "outcome": outcome.to_resume()}
        raise ActionRedirect(outcome.redirect_url, outcome.redirect_query, continue_state, pending, session.sid)
    if connection is not None and strategy_of(connection) is not None:
        # A login through an identity provider: a hook may link it into a primary user (set_primary_user),
        # who is then the session's user and the tokens' subject (as for native social sign-ins).
        linked = await settle_login(ctx, user, outcome)
        if linked.user_id != user.user_id:
            await ctx.repos.sessions.switch_user(session.id, linked.user_id)
            session, user = replace(session, user_id=linked.user_id), linked
    else:
        await settle(ctx, user, outcome)
    await ctx.repos.users.record_login(user.user_id, ip=ctx.ip or None)
    await ctx.repos.sessions.touch(
        session.id, idle_lifetime=ctx.tenant.idle_session_lifetime_hours * 3600, client_id=req.client.client_id
    )
    return await response_types.issue(ctx, req, user=user, session=session, outcome=outcome)
