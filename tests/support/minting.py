"""Mint user tokens in-process through oauth/issuance (as every user grant does), committed like a request.

For tests of what consumes tokens (/userinfo, JWKS verification) before the user grants exist on this branch.
Tokens are still verified with PyJWT against the served JWKS, never with the server's helpers.
"""

from __future__ import annotations

from typing import Any

from ostiary import entities
from ostiary.actions.outcome import Outcome
from ostiary.oauth.context import TenantContext
from ostiary.oauth.issuance import Issued, issue_user_tokens
from tests.support.factories import TenantFixture


def context(t: TenantFixture, session: Any) -> TenantContext:
    return TenantContext(
        state=t.state,
        tenant=t.tenant,
        host=t.domain,
        scheme=t.state.settings.public_scheme,
        repos=t.state.repos(session, t.tenant.id),
        ip="127.0.0.1",
    )


async def user_tokens(
    t: TenantFixture,
    *,
    client: entities.Client,
    user: entities.User,
    api: entities.Api | None,
    scopes: list[str],
    outcome: Outcome | None = None,
    **kwargs: Any,
) -> Issued:
    async with t.state.sessionmaker() as session:
        ctx = context(t, session)
        issued = await issue_user_tokens(
            ctx, client=client, user=user, api=api, scopes=scopes, outcome=outcome or Outcome(), **kwargs
        )
        await session.commit()
    return issued
