"""linkedin: "Sign In with LinkedIn using OpenID Connect" (scopes openid profile email), the profile from the
userinfo endpoint with the access token.

Auth0's options: client_id, client_secret, scope, and the URLs authorization_endpoint, token_endpoint,
userinfo_endpoint.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ostiary import entities
from ostiary.connections.base import ExternalProfile
from ostiary.connections.federated.base import Endpoints, Strategy, normalized
from ostiary.errors import InvalidGrantError
from ostiary.oauth.context import TenantContext


class LinkedIn(Strategy):
    strategy = "linkedin"
    label = "LinkedIn"
    defaults = {
        "authorization_endpoint": "https://www.linkedin.com/oauth/v2/authorization",
        "token_endpoint": "https://www.linkedin.com/oauth/v2/accessToken",
        "userinfo_endpoint": "https://api.linkedin.com/v2/userinfo",
    }
    default_scopes = ("openid", "profile", "email")
    # LinkedIn's token endpoint does not take a PKCE verifier for web apps.
    pkce = False

    async def profile(
        self, ctx: TenantContext, connection: entities.Connection, endpoints: Endpoints, tokens: dict[str, Any],
        *, nonce: str | None, callback: Mapping[str, str],
    ) -> ExternalProfile:
        me = await self.get_json(ctx, self.required(connection, "userinfo_endpoint"), tokens["access_token"])
        if not isinstance(me, dict) or not isinstance(me.get("sub"), str) or not me["sub"]:
            raise InvalidGrantError("LinkedIn sent no user id", debug=str(me)[:200])
        return ExternalProfile(provider=self.strategy, external_id=me["sub"], attributes=normalized(me),
                               profile_data=dict(me))
