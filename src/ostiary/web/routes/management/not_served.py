"""Every /api/v2 path Ostiary does not serve answers as a feature the token may not use:

    403 {"statusCode":403,"error":"Forbidden","message":"Insufficient scope, expected any of: read:rules",
         "errorCode":"insufficient_scope"}

naming Auth0's scope for the resource and method. Why this answer: every a0deploy handler loads its resource
through DefaultAPIHandler.load(), which wraps getType() in detectInsufficientScopeError (auth0-deploy-cli
src/tools/auth0/handlers/default.ts, src/tools/utils.ts): a 403 whose message contains "Insufficient scope"
makes it log "Cannot retrieve <type> due to missing scopes" and skip that type, for export and import alike.
A 404 or 501 is tolerated only by some handlers (actions, hooks, roles, triggers, guardian, ...), and a
`feature_not_enabled` 403 only by actions and triggers; the insufficient_scope 403 is the one every handler
skips. The token is still verified first: no token or a bad one is a 401 as everywhere else.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request

from ostiary.errors import ManagementScopeError
from ostiary.oauth.management_token import management_caller
from ostiary.web.deps import tenant_context

router = APIRouter()

VERBS = {"GET": "read", "HEAD": "read", "POST": "create", "PUT": "update", "PATCH": "update", "DELETE": "delete"}
# The first path segment → Auth0's scope resource name, where it is not simply the segment with _ for -.
RESOURCES = {
    "tenants": "tenant_settings", "emails": "email_provider", "guardian": "guardian_factors",
    "tickets": "user_tickets", "jobs": "users", "anomaly": "anomaly_blocks", "keys": "custom_signing_keys",
}


def needed_scope(method: str, path: str) -> str:
    """Auth0's scope name for a request to `path` (relative to /api/v2/)."""
    segments = [s for s in path.split("/") if s]
    if len(segments) >= 3 and segments[0] == "users" and segments[2] in ("roles", "permissions"):
        resource = "roles"
    elif segments:
        resource = RESOURCES.get(segments[0], segments[0].replace("-", "_"))
    else:
        resource = "tenant_settings"
    return f"{VERBS.get(method, 'read')}:{resource}"


@router.api_route("/{path:path}", methods=list(VERBS), include_in_schema=False)
async def not_served(path: str, request: Request) -> None:
    async with tenant_context(request, read_only=True) as ctx:
        await management_caller(ctx, request.headers.get("authorization"), ())
    raise ManagementScopeError((needed_scope(request.method, path),))
