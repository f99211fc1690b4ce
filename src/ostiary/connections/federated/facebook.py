"""facebook in the browser: OAuth 2.0 code flow; the access token is then checked and read exactly as
/oauth/access_token does (debug_token: issued to our app; Graph /me with appsecret_proof).

Auth0's options: client_id (app id), client_secret, scope, the attribute flags (email, public_profile, ...),
and the URLs authorization_endpoint, token_endpoint, api_base_url (Graph).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ostiary import entities
from ostiary.connections import facebook as native
from ostiary.connections.base import ExternalProfile
from ostiary.connections.federated.base import Endpoints, Strategy, normalized
from ostiary.oauth.context import TenantContext


class Facebook(Strategy):
    strategy = native.PROVIDER
    label = "Facebook"
    defaults = {
        "authorization_endpoint": "https://www.facebook.com/v19.0/dialog/oauth",
        "token_endpoint": f"{native.GRAPH}/v19.0/oauth/access_token",
        "api_base_url": native.GRAPH,
    }
    default_scopes = ("public_profile",)
    attribute_scopes = {"email": ("email",), "user_birthday": ("user_birthday",), "user_link": ("user_link",)}

    def scopes(self, connection: entities.Connection) -> list[str]:
        scopes = super().scopes(connection)
        if connection.options.get("email") is not False and "email" not in scopes:
            scopes.append("email")
        return scopes

    async def profile(
        self, ctx: TenantContext, connection: entities.Connection, endpoints: Endpoints, tokens: dict[str, Any],
        *, nonce: str | None, callback: Mapping[str, str],
    ) -> ExternalProfile:
        found = await native.access_token_login(ctx, connection=connection, access_token=tokens["access_token"],
                                                params={})
        return replace(found, attributes={**normalized(found.attributes), **found.attributes})
