"""Weibo, for /oauth/access_token: oauth2/get_token_info (uid, appkey) then 2/users/show.json.

Weibo API "OAuth2/get token info": POST with the access_token answers {uid, appkey, scope, create_at,
expire_in}; the appkey must be our app's (TX-10). Connection options: client_id (app key), api_base_url.
"""

from __future__ import annotations

from collections.abc import Mapping

from ostiary import entities
from ostiary.connections.base import ExternalProfile, clean_attributes, option
from ostiary.connections.upstream import call_json, require_object
from ostiary.errors import InvalidGrantError, ServerError
from ostiary.oauth.context import TenantContext

PROVIDER = "weibo"
API_BASE = "https://api.weibo.com"
REJECTED = "Invalid Weibo access token"


async def access_token_login(
    ctx: TenantContext, *, connection: entities.Connection, access_token: str, params: Mapping[str, str]
) -> ExternalProfile:
    app_key = connection.options.get("client_id")
    if not isinstance(app_key, str) or not app_key:
        raise ServerError("The weibo connection is not configured", debug="client_id option missing")
    base = option(connection, "api_base_url", API_BASE).rstrip("/")
    info = await call_json(ctx, "POST", f"{base}/oauth2/get_token_info", provider="Weibo",
                           data={"access_token": access_token})
    if not info.ok:
        raise InvalidGrantError(REJECTED, debug=str(info.body))
    token_info = require_object(info, provider="Weibo")
    uid = token_info.get("uid")
    if str(token_info.get("appkey")) != app_key or not isinstance(uid, int | str) or not str(uid):
        raise InvalidGrantError(REJECTED, debug=f"token info {token_info}")
    answer = await call_json(ctx, "GET", f"{base}/2/users/show.json", provider="Weibo",
                             params={"access_token": access_token, "uid": str(uid)})
    if not answer.ok:
        raise InvalidGrantError(REJECTED, debug=str(answer.body))
    user = require_object(answer, provider="Weibo")
    if str(user.get("id")) != str(uid):
        raise InvalidGrantError(REJECTED, debug="users/show id differs from the token's uid")
    attributes = clean_attributes(
        {"name": user.get("name"), "nickname": user.get("screen_name"),
         "picture": user.get("avatar_large") or user.get("profile_image_url")}
    )
    keep = ("idstr", "screen_name", "name", "location", "description", "profile_image_url", "avatar_large")
    return ExternalProfile(
        provider=PROVIDER, external_id=str(uid), attributes=attributes,
        profile_data={k: user[k] for k in keep if k in user},
    )
