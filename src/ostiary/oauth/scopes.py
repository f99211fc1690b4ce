"""Audience → API and the scope rules shared by every grant."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping

from ostiary import entities
from ostiary.errors import AccessDeniedError, InvalidScopeError
from ostiary.oauth.context import TenantContext

OIDC_SCOPES = frozenset({"openid", "profile", "email", "address", "phone", "offline_access"})
# RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), tokens separated by spaces.
_SCOPE_CHARS = re.compile(r"[\x20\x21\x23-\x5B\x5D-\x7E]*")


def check_scope_syntax(scope: str | None) -> None:
    """Control characters, quotes, backslashes or non-ASCII in `scope` are invalid_scope (IN-14), not dropped."""
    if scope and not _SCOPE_CHARS.fullmatch(scope):
        raise InvalidScopeError("The scope contains characters outside the scope-token grammar (RFC 6749 §3.3)")


def requested_audience(params: Mapping[str, str], tenant: entities.Tenant) -> str | None:
    """`audience`, else `resource` (Auth0's compatibility profile), else the tenant's default audience."""
    return params.get("audience") or params.get("resource") or tenant.default_audience or None


async def require_api(ctx: TenantContext, audience: str) -> entities.Api:
    api = await ctx.api(audience)
    if api is None:
        # Auth0's /oauth/token wording; /authorize says "Service not found: {audience}".
        raise AccessDeniedError(f"Service not enabled within domain: {audience}")
    return api


def grantable(requested: Iterable[str], api: entities.Api | None) -> list[str]:
    """OIDC scopes pass; API scopes only when the API defines them; unknown scopes are dropped."""
    api_scopes = set(api.scopes) if api else set()
    return [s for s in dict.fromkeys(requested) if s in OIDC_SCOPES or s in api_scopes]


def with_all_api_scopes(requested: list[str], api: entities.Api | None) -> list[str]:
    """Auth0's implied trust (password, native social): no API scope asked means every scope of the API."""
    if api is None or any(s in api.scopes for s in requested):
        return requested
    return [*requested, *api.scopes]


def offline_access_allowed(scopes: Iterable[str], api: entities.Api | None, client: entities.Client) -> bool:
    """Whether a login may come with a refresh token (Auth0 "Get Refresh Tokens"; RT-12, RT-13).

    Needs `offline_access` granted, the client's refresh_token grant, and an API that allows offline access
    (no API: the userinfo-only case, where Auth0 issues one too). A missing condition is not an error: the
    response simply has no refresh_token.
    """
    if "offline_access" not in scopes or not client.allows_grant(entities.GRANT_REFRESH_TOKEN):
        return False
    if client.app_type == "spa" and not client.refresh_token.rotating:
        # Auth0: browser-based apps get a refresh token only when Refresh Token Rotation is enabled.
        return False
    return api is None or api.allow_offline_access


def enforces_rbac(api: entities.Api | None) -> bool:
    """Auth0's "Enable RBAC" on the API (enforce_policies)."""
    return api is not None and api.enforce_policies


async def held_permissions(ctx: TenantContext, user: entities.User, api: entities.Api | None) -> frozenset[str]:
    """The user's effective permissions for an RBAC API (one indexed read per request); none to read otherwise."""
    if not enforces_rbac(api):
        return frozenset()
    return (await ctx.user_authorization(user, api)).permissions


def permitted(scopes: Iterable[str], api: entities.Api | None, held: Collection[str]) -> list[str]:
    """RBAC, the one scope decision every user token goes through (Auth0's Authorization Core).

    With enforce_policies, an API scope is granted only when it is one of the user's effective permissions
    (`held`); OIDC scopes are not permissions and pass. Without it, nothing changes. Hooks' add_scope and
    remove_scope apply after this, and override it.
    """
    if not enforces_rbac(api):
        return list(scopes)
    return [s for s in scopes if s in OIDC_SCOPES or s in held]


def permissions_claim(api: entities.Api, held: Collection[str]) -> list[str] | None:
    """The `permissions` claim of the *_authz dialects: every permission held for the API, whatever was asked
    (users: their effective permissions; client_credentials: the client grant's scopes). None: no claim."""
    if not (api.enforce_policies and api.token_dialect.endswith("_authz")):
        return None
    return [s for s in api.scopes if s in held]
