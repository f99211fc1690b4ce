"""Client authentication at the token, revocation and legacy endpoints (RFC 6749 §2.3, Auth0's rules)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote_plus

from ostiary import entities
from ostiary.errors import ClientAuthenticationError, InvalidRequestError, MissingParameterError
from ostiary.ids import constant_time_equals
from ostiary.oauth.context import TenantContext


@dataclass(frozen=True, slots=True)
class AuthenticatedClient:
    client: entities.Client
    # client_secret_basic, client_secret_post or none
    method: str

    @property
    def confidential(self) -> bool:
        """The client proved it holds its secret (what makes auth0-forwarded-for trustworthy)."""
        return self.method != "none"


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    scheme, _, value = (header or "").strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    # RFC 7617 §2 / security catalogue CA-07: a malformed header is a bad request, never a 500.
    malformed = InvalidRequestError(
        "Malformed Authorization header", headers={"WWW-Authenticate": 'Basic realm="ostiary"'}
    )
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise malformed from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise malformed
    # RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
    return unquote_plus(client_id), unquote_plus(secret)


async def authenticate_client(
    ctx: TenantContext, params: Mapping[str, str], authorization: str | None
) -> AuthenticatedClient:
    """Find the client and check its credentials with the method it is registered for."""
    basic = _basic_credentials(authorization)
    body_secret = params.get("client_secret")
    if basic and body_secret is not None:
        # RFC 6749 §2.3: a client MUST NOT use more than one authentication method per request.
        raise InvalidRequestError("Client credentials were sent in both the body and the Authorization header")
    secret: str | None
    if basic:
        client_id, secret, method = basic[0], basic[1], "client_secret_basic"
        if params.get("client_id") not in (None, client_id):
            raise InvalidRequestError("client_id does not match the Authorization header")
    else:
        client_id = params.get("client_id") or ""
        secret = body_secret
        method = "client_secret_post" if body_secret is not None else "none"
    if not client_id:
        raise MissingParameterError("client_id")
    challenge = {"WWW-Authenticate": 'Basic realm="ostiary"'} if basic else None
    client = await ctx.client(client_id)
    if client is None:
        raise ClientAuthenticationError(headers=challenge, debug=f"unknown client {client_id}")
    if client.token_endpoint_auth_method != method:
        raise ClientAuthenticationError(
            headers=challenge,
            debug=f"client uses {client.token_endpoint_auth_method}, request used {method}",
        )
    if method != "none":
        expected = client.client_secret or ""
        if not expected or not constant_time_equals(secret or "", expected):
            raise ClientAuthenticationError(headers=challenge, debug="bad client secret")
    return AuthenticatedClient(client=client, method=method)
