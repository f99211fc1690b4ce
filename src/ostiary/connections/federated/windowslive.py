"""windowslive (Microsoft personal accounts): the Microsoft identity platform's OAuth 2.0 code flow with PKCE,
the profile from Microsoft Graph GET /me.

Auth0's options: client_id, client_secret, scope, the attribute flags (signin → User.Read, ...), and the URLs
authorization_endpoint, token_endpoint, api_base_url (Graph).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ostiary import entities
from ostiary.connections.base import ExternalProfile
from ostiary.connections.federated.base import Endpoints, Strategy, normalized
from ostiary.errors import InvalidGrantError
from ostiary.oauth.context import TenantContext

AUTHORITY = "https://login.microsoftonline.com/consumers/oauth2/v2.0"


class WindowsLive(Strategy):
    strategy = "windowslive"
    label = "Microsoft"
    defaults = {
        "authorization_endpoint": f"{AUTHORITY}/authorize",
        "token_endpoint": f"{AUTHORITY}/token",
        "api_base_url": "https://graph.microsoft.com/v1.0",
    }
    default_scopes = ("User.Read",)
    attribute_scopes = {"offline_access": ("offline_access",), "graph_calendars": ("Calendars.Read",)}

    async def profile(
        self, ctx: TenantContext, connection: entities.Connection, endpoints: Endpoints, tokens: dict[str, Any],
        *, nonce: str | None, callback: Mapping[str, str],
    ) -> ExternalProfile:
        base = self.required(connection, "api_base_url").rstrip("/")
        me = await self.get_json(ctx, f"{base}/me", tokens["access_token"])
        if not isinstance(me, dict) or not isinstance(me.get("id"), str) or not me["id"]:
            raise InvalidGrantError("Microsoft sent no user id", debug=str(me)[:200])
        attributes = normalized({
            "name": me.get("displayName"), "given_name": me.get("givenName"), "family_name": me.get("surname"),
            "email": me.get("mail") or me.get("userPrincipalName"),
        })
        keep = ("id", "displayName", "givenName", "surname", "mail", "userPrincipalName", "preferredLanguage")
        return ExternalProfile(provider=self.strategy, external_id=me["id"], attributes=attributes,
                               profile_data={k: me[k] for k in keep if k in me})
