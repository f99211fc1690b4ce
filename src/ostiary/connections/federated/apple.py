"""apple in the browser (Sign in with Apple for the web): OIDC with response_mode=form_post, the client secret
the ES256 JWT the native exchange already builds, and the name Apple posts once (the `user` form field).

Auth0's options: client_id (the Services ID), team_id, kid, app_secret (.p8 PEM), scope ("name email"), and
the URLs authorization_endpoint, token_endpoint, jwks_uri, issuer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ostiary import entities
from ostiary.connections import apple as native
from ostiary.connections.base import ExternalProfile
from ostiary.connections.federated.base import Endpoints, OidcStrategy
from ostiary.oauth.context import TenantContext


class Apple(OidcStrategy):
    strategy = native.PROVIDER
    label = "Apple"
    defaults = {
        "authorization_endpoint": "https://appleid.apple.com/auth/authorize",
        "token_endpoint": native.TOKEN_ENDPOINT,
        "jwks_uri": native.JWKS_URI,
        "issuer": native.ISSUER,
    }
    attribute_scopes = {"name": ("name",), "email": ("email",)}
    # Apple requires form_post whenever name or email is requested.
    response_mode = "form_post"
    # Apple's token endpoint documents no code_verifier; the nonce binds the ID token to this browser's login.
    pkce = False

    def scopes(self, connection: entities.Connection) -> list[str]:
        # No "openid" (Apple rejects it on the web flow's scope list); name and email unless turned off.
        scopes = [s for s in super().scopes(connection) if s != "openid"]
        for attribute in ("name", "email"):
            if connection.options.get(attribute) is not False and attribute not in scopes:
                scopes.append(attribute)
        return scopes

    def client_secret(self, ctx: TenantContext, connection: entities.Connection) -> str:
        return native.client_secret(connection, client_id=self.client_id(connection), now=int(ctx.clock.now()))

    async def profile(
        self, ctx: TenantContext, connection: entities.Connection, endpoints: Endpoints, tokens: dict[str, Any],
        *, nonce: str | None, callback: Mapping[str, str],
    ) -> ExternalProfile:
        claims = await self.verified_claims(ctx, connection, endpoints, tokens.get("id_token"), nonce=nonce)
        identity = self.identity(connection, claims)
        if identity.attributes.get("name") == identity.attributes.get("email"):
            # Apple never sends a name in the ID token: the email stand-in must not overwrite the one it posts
            # on the first login (or that login's name on later ones).
            identity = replace(identity, attributes={k: v for k, v in identity.attributes.items() if k != "name"})
        try:
            user = json.loads(callback.get("user") or "null")
        except ValueError:
            user = None
        return replace(identity, first_login_attributes=native.first_login_name(user if isinstance(user, dict)
                                                                               else None))
