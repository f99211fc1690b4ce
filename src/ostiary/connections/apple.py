"""Sign in with Apple, native: exchange the app's authorization code at Apple, then verify Apple's ID token.

Apple "Generate and validate tokens" / "Creating a client secret": the client_secret is an ES256 JWT with
kid = the key id, iss = the Team ID, iat, exp (at most 6 months later), aud = https://appleid.apple.com and
sub = the client id. For a native app the client id is the app's bundle id (the code was issued to it).
Connection options (Auth0's Apple connection): team_id, kid, app_secret (the .p8 PEM), client_id, and the
overridable URLs token_endpoint, jwks_uri, issuer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jwt

from ostiary import entities
from ostiary.connections.base import ExternalProfile, clean_attributes, option
from ostiary.connections.id_tokens import verify_id_token
from ostiary.connections.upstream import call_json, require_object
from ostiary.errors import InvalidGrantError, InvalidRequestError, ServerError, UnauthorizedClientError
from ostiary.oauth.context import TenantContext

PROVIDER = "apple"
TOKEN_ENDPOINT = "https://appleid.apple.com/auth/token"
JWKS_URI = "https://appleid.apple.com/auth/keys"
ISSUER = "https://appleid.apple.com"
CLIENT_SECRET_LIFETIME = 300  # Apple allows up to 15777000 s (6 months); ours is used once, at once.
APPLE_ERROR = "Error from Apple connection."


def app_client_id(client: entities.Client, connection: entities.Connection) -> str:
    """The bundle id configured on the client (Auth0: mobile.ios.app_bundle_identifier), else the connection's."""
    ios = client.mobile.get("ios") if isinstance(client.mobile.get("ios"), dict) else {}
    bundle = ios.get("app_bundle_identifier") if ios else None
    value = bundle if isinstance(bundle, str) and bundle else connection.options.get("client_id")
    if not isinstance(value, str) or not value:
        raise UnauthorizedClientError("The client has no iOS app bundle identifier (mobile.ios.app_bundle_identifier)")
    return value


def client_secret(connection: entities.Connection, *, client_id: str, now: int) -> str:
    """The ES256 client-secret JWT Apple's token endpoint requires."""
    team_id, kid, pem = (connection.options.get(k) for k in ("team_id", "kid", "app_secret"))
    if not (isinstance(team_id, str) and isinstance(kid, str) and isinstance(pem, str) and team_id and kid and pem):
        raise ServerError("The apple connection is not configured", debug="team_id, kid and app_secret are required")
    claims = {
        "iss": team_id,
        "iat": now,
        "exp": now + CLIENT_SECRET_LIFETIME,
        "aud": option(connection, "issuer", ISSUER),
        "sub": client_id,
    }
    try:
        return jwt.encode(claims, pem, algorithm="ES256", headers={"kid": kid})
    except (ValueError, TypeError, jwt.PyJWTError) as exc:
        raise ServerError("The apple connection is not configured", debug=f"app_secret: {exc}") from exc


def first_login_name(user_profile: Mapping[str, Any] | None) -> dict[str, Any]:
    """Apple gives the app the name on the first sign-in only; the app forwards it in user_profile."""
    name = (user_profile or {}).get("name")
    if not isinstance(name, Mapping):
        return {}
    given, family = name.get("firstName"), name.get("lastName")
    out = clean_attributes({"given_name": given, "family_name": family})
    full = " ".join(v for v in (out.get("given_name"), out.get("family_name")) if v)
    if full:
        out["name"] = full
    return out


async def exchange(
    ctx: TenantContext,
    *,
    connection: entities.Connection,
    client: entities.Client,
    subject_token: str,
    user_profile: Mapping[str, Any] | None,
) -> ExternalProfile:
    """Code → Apple tokens → verified ID token → `apple|{sub}`."""
    client_id = app_client_id(client, connection)
    form = {
        "client_id": client_id,
        "client_secret": client_secret(connection, client_id=client_id, now=int(ctx.clock.now())),
        "code": subject_token,
        "grant_type": "authorization_code",
    }
    answer = await call_json(ctx, "POST", option(connection, "token_endpoint", TOKEN_ENDPOINT), provider="Apple",
                             data=form)
    if not answer.ok:
        if answer.field("error") == "invalid_grant":
            # Apple: "The code has expired or has been revoked." / "The code has already been used." (TX-04)
            raise InvalidGrantError("Invalid authorization code", debug=str(answer.body))
        raise InvalidRequestError(APPLE_ERROR, debug=f"Apple answered {answer.status}: {answer.body}")
    id_token = require_object(answer, provider="Apple").get("id_token")
    if not isinstance(id_token, str):
        raise InvalidRequestError(APPLE_ERROR, debug="Apple's token response has no id_token")
    claims = await verify_id_token(
        ctx,
        id_token,
        provider="Apple",
        jwks_uri=option(connection, "jwks_uri", JWKS_URI),
        issuers=[option(connection, "issuer", ISSUER)],
        audience=client_id,
    )
    if "nonce" in claims:
        # Auth0: a nonce cannot be checked in this flow, and makes the exchange fail with this error (TX-03).
        raise InvalidRequestError(APPLE_ERROR, debug="Apple ID token carries a nonce")
    kept = ("email", "email_verified", "is_private_email")
    profile_data: dict[str, Any] = {k: claims[k] for k in kept if k in claims}
    return ExternalProfile(
        provider=PROVIDER,
        external_id=claims["sub"],
        attributes=clean_attributes(claims),
        first_login_attributes=first_login_name(user_profile),
        profile_data=profile_data,
    )
