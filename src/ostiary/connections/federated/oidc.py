"""oidc (enterprise): any OpenID Provider, by discovery URL or explicit endpoints.

Auth0's options: client_id, client_secret, discovery_url, issuer, authorization_endpoint, token_endpoint,
userinfo_endpoint, jwks_uri, scope (default "openid profile email"), upstream_params, and `type`:
`front_channel` (Auth0's default: response_type=id_token with form_post, no secret needed) or `back_channel`
(authorization code with PKCE, redeemed with the client secret; userinfo claims merged when the provider has
the endpoint). Explicit options win over discovered ones. User ids are Auth0's enterprise form
`oidc|{connection}|{sub}`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from ostiary import entities
from ostiary.connections.base import ExternalProfile
from ostiary.connections.federated.base import Arrival, Endpoints, OidcStrategy, as_scopes, normalized
from ostiary.connections.upstream import call_json, require_object
from ostiary.errors import InvalidGrantError, ServerError, UpstreamBadResponseError
from ostiary.oauth.context import TenantContext

FRONT_CHANNEL = "front_channel"
BACK_CHANNEL = "back_channel"
DISCOVERY_TTL_SECONDS = 3600.0
ENDPOINT_OPTIONS = ("issuer", "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")


class DiscoveryCache:
    """Per-process discovery documents by URL: (fetched_at monotonic, document)."""

    def __init__(self) -> None:
        self._docs: dict[str, tuple[float, dict[str, Any]]] = {}

    def clear(self) -> None:
        self._docs.clear()

    async def get(self, ctx: TenantContext, url: str, provider: str) -> dict[str, Any]:
        cached = self._docs.get(url)
        if cached is not None and time.monotonic() - cached[0] < DISCOVERY_TTL_SECONDS:
            return cached[1]
        answer = await call_json(ctx, "GET", url, provider=provider)
        if not answer.ok:
            raise UpstreamBadResponseError(f"Invalid response from {provider}",
                                           debug=f"discovery {url} answered {answer.status}")
        doc = require_object(answer, provider=provider)
        self._docs[url] = (time.monotonic(), doc)
        return doc


DISCOVERY = DiscoveryCache()


class Oidc(OidcStrategy):
    strategy = "oidc"
    label = "OpenID Connect"
    default_scopes = ("openid", "profile", "email")

    def button_label(self, connection: entities.Connection) -> str:
        display = connection.options.get("display_name")
        return display if isinstance(display, str) and display else connection.name

    def scopes(self, connection: entities.Connection) -> list[str]:
        """The `scope` option as given (default "openid profile email"), openid always first."""
        scopes = as_scopes(connection.options.get("scope")) or list(self.default_scopes)
        return ["openid", *dict.fromkeys(s for s in scopes if s != "openid")]

    def discovery_url(self, connection: entities.Connection) -> str | None:
        return self.option(connection, "discovery_url")

    def channel(self, connection: entities.Connection) -> str:
        value = connection.options.get("type")
        return BACK_CHANNEL if value == BACK_CHANNEL else FRONT_CHANNEL

    async def endpoints(self, ctx: TenantContext, connection: entities.Connection) -> Endpoints:
        found: dict[str, Any] = {}
        if url := self.discovery_url(connection):
            found = await DISCOVERY.get(ctx, url, self.button_label(connection))
        values = {k: self.option(connection, k) or found.get(k) for k in ENDPOINT_OPTIONS}
        for name in ("issuer", "authorization_endpoint", "jwks_uri"):
            if not isinstance(values[name], str) or not values[name]:
                raise ServerError(f"The {connection.name} connection is not configured", debug=f"{name} missing")
        if self.channel(connection) == BACK_CHANNEL and not values["token_endpoint"]:
            raise ServerError(f"The {connection.name} connection is not configured", debug="token_endpoint missing")
        text = {k: v if isinstance(v, str) and v else None for k, v in values.items()}
        return Endpoints(authorization=str(text["authorization_endpoint"]), token=text["token_endpoint"],
                         userinfo=text["userinfo_endpoint"], jwks_uri=text["jwks_uri"], issuer=text["issuer"])

    def response_type(self, connection: entities.Connection) -> str:
        return "code" if self.channel(connection) == BACK_CHANNEL else "id_token"

    def mode(self, connection: entities.Connection) -> str | None:
        return None if self.channel(connection) == BACK_CHANNEL else "form_post"

    def external_id(self, connection: entities.Connection, claims: Mapping[str, Any]) -> str:
        return f"{connection.name}|{claims[self.subject_claim]}"

    async def arrive(
        self, ctx: TenantContext, connection: entities.Connection, callback: Mapping[str, str], *,
        redirect_uri: str, nonce: str | None, code_verifier: str | None,
    ) -> Arrival:
        if self.channel(connection) == BACK_CHANNEL:
            return await super().arrive(ctx, connection, callback, redirect_uri=redirect_uri, nonce=nonce,
                                        code_verifier=code_verifier)
        endpoints = await self.endpoints(ctx, connection)
        claims = await self.verified_claims(ctx, connection, endpoints, callback.get("id_token"), nonce=nonce)
        return Arrival(profile=self.identity(connection, claims))

    async def profile(
        self, ctx: TenantContext, connection: entities.Connection, endpoints: Endpoints, tokens: dict[str, Any],
        *, nonce: str | None, callback: Mapping[str, str],
    ) -> ExternalProfile:
        claims = await self.verified_claims(ctx, connection, endpoints, tokens.get("id_token"), nonce=nonce)
        if endpoints.userinfo:
            info = await self.get_json(ctx, endpoints.userinfo, tokens["access_token"])
            # OIDC Core §5.3.2: userinfo's sub MUST match the ID token's, else its claims are not used.
            if not isinstance(info, dict) or info.get("sub") != claims.get("sub"):
                raise InvalidGrantError(f"{self.button_label(connection)} userinfo does not match the ID token")
            claims = {**info, **claims}
        identity = self.identity(connection, claims)
        return ExternalProfile(provider=identity.provider, external_id=identity.external_id,
                               attributes=normalized(claims), profile_data=identity.profile_data)
