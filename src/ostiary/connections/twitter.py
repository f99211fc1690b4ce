"""Twitter (X), for /oauth/access_token: GET account/verify_credentials.json signed with OAuth 1.0a.

RFC 5849 §3.1 HMAC-SHA1 signature over the connection's consumer_key/consumer_secret and the user's token
and `access_token_secret` (authlib's signer). The signature binds the token to our consumer key, so a token
issued to another app fails upstream. Connection options: consumer_key, consumer_secret, api_base_url.
"""

from __future__ import annotations

from collections.abc import Mapping

from authlib.oauth1 import ClientAuth

from ostiary import entities
from ostiary.connections.base import ExternalProfile, clean_attributes, option
from ostiary.connections.upstream import call_json, require_object
from ostiary.errors import InvalidGrantError, MissingParameterError, ServerError
from ostiary.oauth.context import TenantContext

PROVIDER = "twitter"
API_BASE = "https://api.twitter.com"
VERIFY_PATH = "/1.1/account/verify_credentials.json"


def signed_headers(connection: entities.Connection, url: str, *, token: str, token_secret: str) -> dict[str, str]:
    key = connection.options.get("consumer_key") or connection.options.get("client_id")
    secret = connection.options.get("consumer_secret") or connection.options.get("client_secret")
    if not (isinstance(key, str) and isinstance(secret, str) and key and secret):
        raise ServerError("The twitter connection is not configured", debug="consumer_key/consumer_secret missing")
    auth = ClientAuth(key, secret, token=token, token_secret=token_secret)
    _, headers, _ = auth.prepare("GET", url, {}, b"")
    return {"Authorization": str(headers["Authorization"])}


async def access_token_login(
    ctx: TenantContext, *, connection: entities.Connection, access_token: str, params: Mapping[str, str]
) -> ExternalProfile:
    token_secret = params.get("access_token_secret")
    if not token_secret:
        raise MissingParameterError("access_token_secret")
    url = f"{option(connection, 'api_base_url', API_BASE).rstrip('/')}{VERIFY_PATH}?include_email=true"
    headers = signed_headers(connection, url, token=access_token, token_secret=token_secret)
    answer = await call_json(ctx, "GET", url, provider="Twitter", headers=headers)
    if not answer.ok:
        raise InvalidGrantError("Invalid Twitter access token", debug=str(answer.body))
    me = require_object(answer, provider="Twitter")
    user_id = me.get("id_str") or (str(me["id"]) if isinstance(me.get("id"), int) else None)
    if not isinstance(user_id, str) or not user_id:
        raise InvalidGrantError("Invalid Twitter access token", debug="verify_credentials has no id")
    attributes = clean_attributes(
        {"name": me.get("name"), "nickname": me.get("screen_name"), "picture": me.get("profile_image_url_https"),
         "email": me.get("email")}
    )
    if "email" in attributes:
        attributes["email_verified"] = False
    keep = ("id_str", "name", "screen_name", "location", "description", "profile_image_url_https", "email")
    return ExternalProfile(
        provider=PROVIDER, external_id=user_id, attributes=attributes,
        profile_data={k: me[k] for k in keep if k in me},
    )
