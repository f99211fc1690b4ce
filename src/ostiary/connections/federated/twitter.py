"""twitter with OAuth 2.0 (X's "OAuth 2.0 Authorization Code Flow with PKCE"): PKCE is mandatory, a
confidential client authenticates with HTTP Basic; the profile is GET /2/users/me.

Auth0's options: client_id, client_secret, scope, and the URLs authorization_endpoint, token_endpoint,
api_base_url. (The native /oauth/access_token path keeps OAuth 1.0a: connections/twitter.py.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ostiary import entities
from ostiary.connections import twitter as native
from ostiary.connections.base import ExternalProfile
from ostiary.connections.federated.base import Endpoints, Strategy, normalized
from ostiary.errors import InvalidGrantError
from ostiary.oauth.context import TenantContext


class Twitter(Strategy):
    strategy = native.PROVIDER
    label = "Twitter"
    defaults = {
        "authorization_endpoint": "https://twitter.com/i/oauth2/authorize",
        "token_endpoint": f"{native.API_BASE}/2/oauth2/token",
        "api_base_url": native.API_BASE,
    }
    default_scopes = ("users.read", "tweet.read")
    attribute_scopes = {"offline_access": ("offline.access",)}
    client_auth = "client_secret_basic"

    async def profile(
        self, ctx: TenantContext, connection: entities.Connection, endpoints: Endpoints, tokens: dict[str, Any],
        *, nonce: str | None, callback: Mapping[str, str],
    ) -> ExternalProfile:
        base = self.required(connection, "api_base_url").rstrip("/")
        answer = await self.get_json(ctx, f"{base}/2/users/me", tokens["access_token"],
                                     **{"user.fields": "profile_image_url,name,username"})
        me = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(me, dict) or not isinstance(me.get("id"), str) or not me["id"]:
            raise InvalidGrantError("Twitter sent no user id", debug=str(answer)[:200])
        attributes = normalized({"name": me.get("name"), "nickname": me.get("username"),
                                 "picture": me.get("profile_image_url")})
        return ExternalProfile(provider=self.strategy, external_id=me["id"], attributes=attributes,
                               profile_data=dict(me))
