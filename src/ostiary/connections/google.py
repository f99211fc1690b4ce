"""Google (strategy google-oauth2): native ID tokens and, for /oauth/access_token, provider access tokens.

Connection options: client_id (the web client id Google ID tokens are issued to), allowed_audiences (other
client ids, e.g. Android/iOS, whose access tokens /oauth/access_token accepts), and the URLs jwks_uri, issuer,
tokeninfo_endpoint, userinfo_endpoint.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ostiary import entities
from ostiary.connections.base import ExternalProfile, clean_attributes, option
from ostiary.connections.id_tokens import verify_id_token
from ostiary.connections.upstream import call_json, require_object
from ostiary.errors import InvalidGrantError, ServerError
from ostiary.oauth.context import TenantContext

PROVIDER = "google-oauth2"
JWKS_URI = "https://www.googleapis.com/oauth2/v3/certs"
# Google "Verify the Google ID token": iss is accounts.google.com or https://accounts.google.com.
ISSUERS = ("https://accounts.google.com", "accounts.google.com")
TOKENINFO_ENDPOINT = "https://oauth2.googleapis.com/tokeninfo"
USERINFO_ENDPOINT = "https://openidconnect.googleapis.com/v1/userinfo"
INVALID_ACCESS_TOKEN = "Invalid Google access token"


def _client_id(connection: entities.Connection) -> str:
    value = connection.options.get("client_id")
    if not isinstance(value, str) or not value:
        raise ServerError("The google-oauth2 connection is not configured", debug="client_id option missing")
    return value


def profile_from_claims(claims: Mapping[str, Any], sub: str) -> ExternalProfile:
    keep = ("email", "email_verified", "name", "given_name", "family_name", "picture", "locale", "hd")
    return ExternalProfile(
        provider=PROVIDER,
        external_id=sub,
        attributes=clean_attributes(claims),
        profile_data={k: claims[k] for k in keep if k in claims},
    )


async def exchange(
    ctx: TenantContext,
    *,
    connection: entities.Connection,
    client: entities.Client,
    subject_token: str,
    user_profile: Mapping[str, Any] | None,
) -> ExternalProfile:
    """A Google ID token whose aud is the connection's client_id → `google-oauth2|{sub}`."""
    issuer = connection.options.get("issuer")
    claims = await verify_id_token(
        ctx,
        subject_token,
        provider="Google",
        jwks_uri=option(connection, "jwks_uri", JWKS_URI),
        issuers=[issuer] if isinstance(issuer, str) and issuer else ISSUERS,
        audience=_client_id(connection),
    )
    return profile_from_claims(claims, claims["sub"])


async def access_token_login(
    ctx: TenantContext, *, connection: entities.Connection, access_token: str, params: Mapping[str, str]
) -> ExternalProfile:
    """Check the token was issued to our Google client (tokeninfo, TX-10), then read userinfo."""
    allowed = {_client_id(connection)}
    extra = connection.options.get("allowed_audiences")
    if isinstance(extra, list):
        allowed.update(a for a in extra if isinstance(a, str))
    info = await call_json(ctx, "GET", option(connection, "tokeninfo_endpoint", TOKENINFO_ENDPOINT),
                           provider="Google", params={"access_token": access_token})
    if not info.ok:
        raise InvalidGrantError(INVALID_ACCESS_TOKEN, debug=str(info.body))
    token_info = require_object(info, provider="Google")
    # RFC 6749 §10.16: a token issued to another app must not log the user in here.
    if token_info.get("aud") not in allowed and token_info.get("azp") not in allowed:
        raise InvalidGrantError(INVALID_ACCESS_TOKEN, debug=f"token audience {token_info.get('aud')!r}")
    answer = await call_json(ctx, "GET", option(connection, "userinfo_endpoint", USERINFO_ENDPOINT),
                             provider="Google", headers={"Authorization": f"Bearer {access_token}"})
    if not answer.ok:
        raise InvalidGrantError(INVALID_ACCESS_TOKEN, debug=str(answer.body))
    userinfo = require_object(answer, provider="Google")
    sub = userinfo.get("sub")
    if not isinstance(sub, str) or not sub or (token_info.get("sub") not in (None, sub)):
        raise InvalidGrantError(INVALID_ACCESS_TOKEN, debug="userinfo has no matching sub")
    return profile_from_claims(userinfo, sub)
