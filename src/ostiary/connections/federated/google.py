"""google-oauth2 in the browser: OpenID Connect with PKCE; Auth0 options email, profile, scope, and the URLs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ostiary import entities
from ostiary.connections import google as native
from ostiary.connections.base import ExternalProfile
from ostiary.connections.federated.base import Endpoints, OidcStrategy, normalized


class Google(OidcStrategy):
    strategy = native.PROVIDER
    label = "Google"
    defaults = {
        "authorization_endpoint": "https://accounts.google.com/o/oauth2/v2/auth",
        "token_endpoint": "https://oauth2.googleapis.com/token",
        "userinfo_endpoint": native.USERINFO_ENDPOINT,
        "jwks_uri": native.JWKS_URI,
    }
    default_scopes = ("openid",)
    attribute_scopes = {"email": ("email",), "profile": ("profile",)}

    def scopes(self, connection: entities.Connection) -> list[str]:
        # Auth0 asks for email and profile unless the connection turns them off.
        scopes = super().scopes(connection)
        for attribute in ("email", "profile"):
            if connection.options.get(attribute) is not False and attribute not in scopes:
                scopes.append(attribute)
        return scopes

    def issuers(self, connection: entities.Connection, endpoints: Endpoints) -> list[str]:
        return [endpoints.issuer] if endpoints.issuer else list(native.ISSUERS)

    def identity(self, connection: entities.Connection, claims: Mapping[str, Any]) -> ExternalProfile:
        # The native exchange's profile, with Auth0's normalized nickname.
        return replace(native.profile_from_claims(claims, str(claims["sub"])), attributes=normalized(claims))
