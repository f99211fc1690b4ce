"""Facebook: native session-info access tokens, and provider access tokens for /oauth/access_token.

Both are checked with Graph API `GET /debug_token?input_token=...&access_token={app_id}|{app_secret}`
(Facebook "Debugging and error handling": is_valid, app_id, user_id), so a token issued to another app is
refused (RFC 6749 §10.16, security catalogue TX-10). A session-info token grants no user data, so the
profile comes from the app's `user_profile` and its email is stored unverified (Auth0 does the same).
Connection options: client_id (app id), client_secret (app secret), api_base_url (Graph).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from ostiary import entities
from ostiary.connections.base import ExternalProfile, clean_attributes, option
from ostiary.connections.upstream import call_json, require_object
from ostiary.errors import InvalidGrantError, ServerError
from ostiary.oauth.context import TenantContext

PROVIDER = "facebook"
GRAPH = "https://graph.facebook.com"
PROFILE_FIELDS = "id,name,first_name,last_name,email,picture"


def _app_credentials(connection: entities.Connection) -> tuple[str, str]:
    app_id, secret = connection.options.get("client_id"), connection.options.get("client_secret")
    if not (isinstance(app_id, str) and isinstance(secret, str) and app_id and secret):
        raise ServerError("The facebook connection is not configured", debug="client_id/client_secret missing")
    return app_id, secret


async def debug_token(ctx: TenantContext, connection: entities.Connection, token: str, *, rejected: str) -> str:
    """The Facebook user id of a valid token issued to our app, else 403 invalid_grant `rejected`."""
    app_id, secret = _app_credentials(connection)
    answer = await call_json(
        ctx,
        "GET",
        f"{option(connection, 'api_base_url', GRAPH).rstrip('/')}/debug_token",
        provider="Facebook",
        params={"input_token": token, "access_token": f"{app_id}|{secret}"},
    )
    if not answer.ok:
        raise InvalidGrantError(rejected, debug=str(answer.body))
    data = require_object(answer, provider="Facebook").get("data")
    if not isinstance(data, dict) or data.get("is_valid") is not True:
        raise InvalidGrantError(rejected, debug=f"debug_token: {data}")
    if str(data.get("app_id")) != app_id:
        raise InvalidGrantError(rejected, debug=f"token issued to app {data.get('app_id')}")
    user_id = data.get("user_id")
    if not isinstance(user_id, str | int) or not str(user_id):
        raise InvalidGrantError(rejected, debug="debug_token has no user_id")
    return str(user_id)


async def exchange(
    ctx: TenantContext,
    *,
    connection: entities.Connection,
    client: entities.Client,
    subject_token: str,
    user_profile: Mapping[str, Any] | None,
) -> ExternalProfile:
    """Session info access token + the app's user_profile → `facebook|{id}`; email_verified is false."""
    user_id = await debug_token(ctx, connection, subject_token, rejected="Invalid Facebook session info access token")
    attributes = clean_attributes(user_profile or {})
    # Auth0: the profile is client-supplied, so the email cannot be trusted.
    attributes["email_verified"] = False
    if "email" not in attributes:
        attributes.pop("email_verified")
    return ExternalProfile(provider=PROVIDER, external_id=user_id, attributes=attributes, profile_data=attributes)


async def access_token_login(
    ctx: TenantContext, *, connection: entities.Connection, access_token: str, params: Mapping[str, str]
) -> ExternalProfile:
    """/oauth/access_token: the token must be ours (debug_token), then Graph /me gives the profile."""
    rejected = "Invalid Facebook access token"
    user_id = await debug_token(ctx, connection, access_token, rejected=rejected)
    _, secret = _app_credentials(connection)
    # Graph "Securing requests": appsecret_proof = HMAC-SHA256(app secret, access token).
    proof = hmac.new(secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()
    answer = await call_json(
        ctx,
        "GET",
        f"{option(connection, 'api_base_url', GRAPH).rstrip('/')}/me",
        provider="Facebook",
        params={"fields": PROFILE_FIELDS, "access_token": access_token, "appsecret_proof": proof},
    )
    if not answer.ok:
        raise InvalidGrantError(rejected, debug=str(answer.body))
    me = require_object(answer, provider="Facebook")
    if str(me.get("id")) != user_id:
        raise InvalidGrantError(rejected, debug="Graph /me id differs from debug_token user_id")
    picture = me.get("picture")
    url = picture.get("data", {}).get("url") if isinstance(picture, dict) else None
    attributes = clean_attributes(
        {"email": me.get("email"), "name": me.get("name"), "given_name": me.get("first_name"),
         "family_name": me.get("last_name"), "picture": url}
    )
    if "email" in attributes:
        attributes["email_verified"] = False
    data = {k: v for k, v in me.items() if k != "picture"}
    return ExternalProfile(provider=PROVIDER, external_id=user_id, attributes=attributes, profile_data=data)
