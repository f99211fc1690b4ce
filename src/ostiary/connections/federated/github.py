"""github: OAuth 2.0 (no OIDC). The profile is GET /user; the email the primary verified one of /user/emails.

Auth0's options: client_id, client_secret, scope, the attribute flags (email → user:email, read_user → read:user,
...), and the URLs authorization_endpoint, token_endpoint, api_base_url.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ostiary import entities
from ostiary.connections.base import ExternalProfile
from ostiary.connections.federated.base import Endpoints, Strategy, normalized
from ostiary.errors import InvalidGrantError
from ostiary.oauth.context import TenantContext


class GitHub(Strategy):
    strategy = "github"
    label = "GitHub"
    defaults = {
        "authorization_endpoint": "https://github.com/login/oauth/authorize",
        "token_endpoint": "https://github.com/login/oauth/access_token",
        "api_base_url": "https://api.github.com",
    }
    attribute_scopes = {
        "email": ("user:email",), "read_user": ("read:user",), "read_org": ("read:org",),
        "public_repo": ("public_repo",), "repo": ("repo",), "gist": ("gist",),
    }

    def scopes(self, connection: entities.Connection) -> list[str]:
        scopes = super().scopes(connection)
        if connection.options.get("email") is not False and "user:email" not in scopes:
            scopes.append("user:email")
        return scopes

    async def profile(
        self, ctx: TenantContext, connection: entities.Connection, endpoints: Endpoints, tokens: dict[str, Any],
        *, nonce: str | None, callback: Mapping[str, str],
    ) -> ExternalProfile:
        base = self.required(connection, "api_base_url").rstrip("/")
        me = await self.get_json(ctx, f"{base}/user", tokens["access_token"])
        if not isinstance(me, dict) or not isinstance(me.get("id"), int | str):
            raise InvalidGrantError("GitHub sent no user id", debug=str(me)[:200])
        email, verified = me.get("email"), False
        emails = await self.get_json(ctx, f"{base}/user/emails", tokens["access_token"]) \
            if "user:email" in self.scopes(connection) else []
        for entry in emails if isinstance(emails, list) else []:
            if isinstance(entry, dict) and entry.get("primary"):
                email, verified = entry.get("email"), entry.get("verified") is True
        attributes = normalized({"name": me.get("name") or me.get("login"), "nickname": me.get("login"),
                                 "picture": me.get("avatar_url"), "email": email})
        if "email" in attributes:
            attributes["email_verified"] = verified
        keep = ("login", "id", "node_id", "avatar_url", "html_url", "name", "company", "blog", "location", "email")
        return ExternalProfile(provider=self.strategy, external_id=str(me["id"]), attributes=attributes,
                               profile_data={k: me[k] for k in keep if k in me})
