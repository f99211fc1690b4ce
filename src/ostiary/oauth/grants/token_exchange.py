"""urn:ietf:params:oauth:grant-type:token-exchange (RFC 8693) as Auth0's "Token Exchange for Native Social".

Dispatches on subject_token_type: Apple authorization codes, Facebook session-info access tokens and Google
ID tokens go to connections/*; any other type is a tenant-defined custom token exchange (hooks). The `DPoP`
header is accepted and ignored (no DPoP support yet); `auth0-forwarded-for` is brute-force protection's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ostiary import entities, jsontext
from ostiary.connections import apple, facebook, google
from ostiary.connections.base import NativeExchange
from ostiary.errors import InvalidRequestError, MissingParameterError, UnauthorizedClientError
from ostiary.oauth.client_auth import AuthenticatedClient
from ostiary.oauth.context import TenantContext
from ostiary.oauth.grants import custom_token_exchange
from ostiary.oauth.grants.base import require_param
from ostiary.oauth.issuance import Issued
from ostiary.oauth.scopes import grantable, requested_audience, require_api, with_all_api_scopes
from ostiary.oauth.social_login import complete_social_login, enabled_connection
from ostiary.tokens.claims import split_scope

GRANT_TYPE = entities.GRANT_TOKEN_EXCHANGE
PROTOCOL = "oauth2-token-exchange"
MAX_USER_PROFILE_CHARS = 4096


@dataclass(frozen=True, slots=True)
class NativeSocial:
    """One native subject_token_type: the client flag (native_social_login.<flag>), strategy, verifier."""

    flag: str
    strategy: str
    exchange: NativeExchange
    user_profile_required: bool = False


NATIVE_TYPES: Mapping[str, NativeSocial] = {
    "http://auth0.com/oauth/token-type/apple-authz-code": NativeSocial("apple", "apple", apple.exchange),
    "http://auth0.com/oauth/token-type/facebook-info-session-access-token": NativeSocial(
        "facebook", "facebook", facebook.exchange, user_profile_required=True
    ),
    "http://auth0.com/oauth/token-type/google-id-token": NativeSocial("google", "google-oauth2", google.exchange),
}


def parse_user_profile(raw: str | None) -> dict[str, Any] | None:
    """`user_profile`: a JSON object (sent as a string in forms), small and flat enough (catalogue TX-07)."""
    if raw is None or raw == "":
        return None
    if len(raw) > MAX_USER_PROFILE_CHARS:
        raise InvalidRequestError("user_profile is too large")
    try:
        value = jsontext.loads(raw)
    except ValueError as exc:
        raise InvalidRequestError("user_profile must be a JSON object") from exc
    if not isinstance(value, dict):
        raise InvalidRequestError("user_profile must be a JSON object")
    for key, item in value.items():
        nested = item.values() if isinstance(item, dict) else [item]
        if not all(v is None or isinstance(v, str | bool) for v in nested):
            raise InvalidRequestError(f"user_profile.{key} must be a string or an object of strings")
    return value


async def handle(ctx: TenantContext, auth: AuthenticatedClient, params: Mapping[str, str]) -> Issued:
    subject_token_type = require_param(params, "subject_token_type")
    if params.get("actor_token") or params.get("actor_token_type"):
        # Delegation (RFC 8693 §2.1) is not supported: refused, never silently dropped, so a token meant to
        # act for someone is not issued (with a refresh token) as the subject's own (catalogue TX-09).
        raise InvalidRequestError("actor_token is not supported")
    native = NATIVE_TYPES.get(subject_token_type)
    if native is None:
        return await custom_token_exchange.handle(ctx, auth, params)
    client = auth.client
    subject_token = require_param(params, "subject_token")
    if not client.native_social_enabled(native.flag):
        # The client must enable native social login for this provider (native_social_login.<flag>.enabled).
        raise UnauthorizedClientError(
            f"Grant type '{GRANT_TYPE}' with subject_token_type '{subject_token_type}' not allowed for the client."
        )
    user_profile = parse_user_profile(params.get("user_profile"))
    if native.user_profile_required and user_profile is None:
        raise MissingParameterError("user_profile")
    connection = await enabled_connection(ctx, strategy=native.strategy, client=client)
    audience = requested_audience(params, ctx.tenant)
    api = await require_api(ctx, audience) if audience else None
    # Auth0 "implied trust": no API scope asked means every scope of the audience.
    scopes = grantable(with_all_api_scopes(split_scope(params.get("scope")), api), api)
    # Upstream verification first: nothing is written unless the provider vouched for the subject token.
    profile = await native.exchange(
        ctx, connection=connection, client=client, subject_token=subject_token, user_profile=user_profile
    )
    return await complete_social_login(
        ctx, client=client, connection=connection, profile=profile, api=api, scopes=scopes, protocol=PROTOCOL,
        params=params,
    )
