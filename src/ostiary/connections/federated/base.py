"""The shared OAuth 2.0 / OpenID Connect client behind every "Continue with ..." connection.

A strategy module declares its provider's defaults (endpoints, scopes, whether it speaks OIDC, PKCE, form_post)
and how its profile maps onto Auth0's normalized profile; this base does the protocol work with authlib's
primitives (authorization URL, PKCE S256, client_secret_basic) over the process's one HTTP client, with every
failure mapped as upstream.py maps it (never a 500). Every endpoint URL is a connection option, defaulting to
the real provider, so tests point them at loopback fakes.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from authlib.oauth2.auth import encode_client_secret_basic
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from ostiary import entities
from ostiary.connections.base import ExternalProfile, clean_attributes
from ostiary.connections.id_tokens import verify_id_token
from ostiary.connections.upstream import call_json, require_object
from ostiary.errors import InvalidGrantError, ServerError
from ostiary.ids import new_opaque_token
from ostiary.oauth.context import TenantContext

# Parameters the protocol sets (and authlib's prepare_grant_uri's own argument names); upstream_params can
# never override them.
PROTOCOL_PARAMS = frozenset({
    "client_id", "redirect_uri", "response_type", "response_mode", "state", "nonce", "scope",
    "code_challenge", "code_challenge_method", "uri",
})


@dataclass(frozen=True, slots=True)
class Endpoints:
    authorization: str
    token: str | None
    userinfo: str | None = None
    jwks_uri: str | None = None
    issuer: str | None = None


@dataclass(frozen=True, slots=True)
class Departure:
    """What is remembered while the user is at the provider (in the login transaction), and where to send them."""

    url: str
    upstream_state: str
    nonce: str | None
    code_verifier: str | None


@dataclass(frozen=True, slots=True)
class Arrival:
    """A verified upstream login: the identity and the provider's tokens to keep (encrypted) on it."""

    profile: ExternalProfile
    tokens: dict[str, Any] = field(default_factory=dict)


def as_scopes(value: Any) -> list[str]:
    """Auth0's `scope` option: a space- (or comma-) separated string, or a list."""
    if isinstance(value, str):
        return value.replace(",", " ").split()
    if isinstance(value, list):
        return [s for s in value if isinstance(s, str) and s]
    return []


def normalized(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """Auth0's normalized profile: the known attributes, with nickname defaulting to the email's local part."""
    out = clean_attributes(attributes)
    if "nickname" not in out and "email" in out:
        out["nickname"] = out["email"].split("@", 1)[0]
    if "name" not in out:
        name = " ".join(v for v in (out.get("given_name"), out.get("family_name")) if v)
        if name or "email" in out:
            out["name"] = name or out["email"]
    return out


class Strategy:
    """An OAuth 2.0 authorization-code login (RFC 6749 §4.1) with PKCE (RFC 7636) where the provider has it."""

    strategy: ClassVar[str]
    label: ClassVar[str]
    # option name → the real provider's URL
    defaults: ClassVar[Mapping[str, str]] = {}
    default_scopes: ClassVar[tuple[str, ...]] = ()
    # Auth0's attribute options (e.g. `email: true`) → the scopes they need
    attribute_scopes: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    pkce: ClassVar[bool] = True
    response_mode: ClassVar[str | None] = None
    client_auth: ClassVar[str] = "client_secret_post"

    # -- configuration -----------------------------------------------------------------------------------

    def option(self, connection: entities.Connection, name: str) -> str | None:
        value = connection.options.get(name)
        if isinstance(value, str) and value:
            return value
        return self.defaults.get(name)

    def required(self, connection: entities.Connection, name: str) -> str:
        value = self.option(connection, name)
        if not value:
            raise ServerError(f"The {connection.name} connection is not configured", debug=f"{name} option missing")
        return value

    def button_label(self, connection: entities.Connection) -> str:
        display = connection.options.get("display_name")
        return display if isinstance(display, str) and display else self.label

    def scopes(self, connection: entities.Connection) -> list[str]:
        """Auth0: the strategy's base scopes, those of attribute options set to true, then `scope` (extra)."""
        scopes = list(self.default_scopes)
        for attribute, needed in self.attribute_scopes.items():
            if connection.options.get(attribute) is True:
                scopes.extend(needed)
        scopes.extend(as_scopes(connection.options.get("scope")))
        return list(dict.fromkeys(scopes))

    async def endpoints(self, ctx: TenantContext, connection: entities.Connection) -> Endpoints:
        return Endpoints(
            authorization=self.required(connection, "authorization_endpoint"),
            token=self.required(connection, "token_endpoint"),
            userinfo=self.option(connection, "userinfo_endpoint"),
            jwks_uri=self.option(connection, "jwks_uri"),
            issuer=self.option(connection, "issuer"),
        )

    def client_id(self, connection: entities.Connection) -> str:
        return self.required(connection, "client_id")

    def client_secret(self, ctx: TenantContext, connection: entities.Connection) -> str:
        return self.required(connection, "client_secret")

    @property
    def uses_nonce(self) -> bool:
        return False

    # -- leaving for the provider ------------------------------------------------------------------------

    def upstream_params(self, connection: entities.Connection, request: Mapping[str, str]) -> dict[str, str]:
        """Auth0's `upstream_params`: {"name": {"value": "static"}} or {"name": {"alias": "authorize_param"}}."""
        configured = connection.options.get("upstream_params")
        out: dict[str, str] = {}
        if not isinstance(configured, dict):
            return out
        for name, spec in configured.items():
            if name in PROTOCOL_PARAMS or not isinstance(spec, dict):
                continue
            value = spec.get("value") if "value" in spec else request.get(str(spec.get("alias", "")))
            if isinstance(value, str) and value:
                out[name] = value
        return out

    def response_type(self, connection: entities.Connection) -> str:
        return "code"

    def mode(self, connection: entities.Connection) -> str | None:
        return self.response_mode

    async def depart(
        self, ctx: TenantContext, connection: entities.Connection, *, redirect_uri: str, request: Mapping[str, str]
    ) -> Departure:
        """The provider's authorization URL, with a fresh state, nonce (OIDC) and PKCE verifier."""
        endpoints = await self.endpoints(ctx, connection)
        upstream_state = new_opaque_token()
        nonce = new_opaque_token() if self.uses_nonce else None
        verifier = new_opaque_token() + new_opaque_token() if self.pkce and self.response_type(connection) == "code" \
            else None
        extra: dict[str, str] = self.upstream_params(connection, request)
        if nonce:
            extra["nonce"] = nonce
        if verifier:
            extra.update(code_challenge=create_s256_code_challenge(verifier), code_challenge_method="S256")
        if mode := self.mode(connection):
            extra["response_mode"] = mode
        url = prepare_grant_uri(
            endpoints.authorization,
            self.client_id(connection),
            self.response_type(connection),
            redirect_uri=redirect_uri,
            scope=" ".join(self.scopes(connection)) or None,
            state=upstream_state,
            **extra,
        )
        return Departure(url=str(url), upstream_state=upstream_state, nonce=nonce, code_verifier=verifier)

    # -- back from the provider --------------------------------------------------------------------------

    async def redeem(
        self, ctx: TenantContext, connection: entities.Connection, endpoints: Endpoints, *, code: str,
        redirect_uri: str, code_verifier: str | None,
    ) -> dict[str, Any]:
        """The token response for `code` (RFC 6749 §4.1.3); a 4xx is the provider refusing the code."""
        assert endpoints.token is not None
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        if code_verifier:
            form["code_verifier"] = code_verifier
        headers = {"Accept": "application/json"}
        client_id, secret = self.client_id(connection), self.client_secret(ctx, connection)
        if self.client_auth == "client_secret_basic":
            headers["Authorization"] = encode_client_secret_basic_header(client_id, secret)
        else:
            form.update(client_id=client_id, client_secret=secret)
        answer = await call_json(ctx, "POST", endpoints.token, provider=self.label, data=form, headers=headers)
        body = require_object(answer, provider=self.label)
        if not answer.ok or "error" in body:
            raise InvalidGrantError(f"{self.label} refused the authorization code", debug=str(body))
        if not isinstance(body.get("access_token"), str):
            raise InvalidGrantError(f"{self.label} refused the authorization code", debug="no access_token")
        return body

    async def get_json(self, ctx: TenantContext, url: str, access_token: str, **params: str) -> Any:
        """An API call with the provider's access token (userinfo, profile)."""
        answer = await call_json(ctx, "GET", url, provider=self.label, params=params or None,
                                 headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"})
        if not answer.ok:
            raise InvalidGrantError(f"{self.label} refused its own access token", debug=str(answer.body))
        return answer.body

    async def profile(
        self, ctx: TenantContext, connection: entities.Connection, endpoints: Endpoints, tokens: dict[str, Any],
        *, nonce: str | None, callback: Mapping[str, str],
    ) -> ExternalProfile:
        raise NotImplementedError

    async def arrive(
        self, ctx: TenantContext, connection: entities.Connection, callback: Mapping[str, str], *,
        redirect_uri: str, nonce: str | None, code_verifier: str | None,
    ) -> Arrival:
        """The provider's answer at /login/callback → a verified identity."""
        endpoints = await self.endpoints(ctx, connection)
        code = callback.get("code")
        if not code:
            raise InvalidGrantError(f"{self.label} sent no authorization code")
        tokens = await self.redeem(ctx, connection, endpoints, code=code, redirect_uri=redirect_uri,
                                   code_verifier=code_verifier)
        profile = await self.profile(ctx, connection, endpoints, tokens, nonce=nonce, callback=callback)
        kept: dict[str, Any] = {k: tokens[k] for k in ("access_token", "refresh_token", "expires_in") if k in tokens}
        return Arrival(profile=profile, tokens=kept)


def encode_client_secret_basic_header(client_id: str, secret: str) -> str:
    """RFC 6749 §2.3.1 HTTP Basic client authentication, as authlib's client encodes it."""
    headers: dict[str, str] = {}
    encode_client_secret_basic(_BasicClient(client_id, secret), "POST", "", headers, b"")
    return headers["Authorization"]


@dataclass(frozen=True, slots=True)
class _BasicClient:
    client_id: str
    client_secret: str


class OidcStrategy(Strategy):
    """OpenID Connect on top: a nonce, and the ID token verified against the provider's JWKS (iss, aud, exp,
    nonce) before any claim is believed (OIDC Core §3.1.3.7)."""

    # The ID-token claim that identifies the user at the provider.
    subject_claim: ClassVar[str] = "sub"

    @property
    def uses_nonce(self) -> bool:
        return True

    def issuers(self, connection: entities.Connection, endpoints: Endpoints) -> list[str]:
        if not endpoints.issuer:
            raise ServerError(f"The {connection.name} connection is not configured", debug="issuer missing")
        return [endpoints.issuer]

    async def verified_claims(
        self, ctx: TenantContext, connection: entities.Connection, endpoints: Endpoints, id_token: Any,
        *, nonce: str | None,
    ) -> dict[str, Any]:
        if not isinstance(id_token, str) or not id_token:
            raise InvalidGrantError(f"{self.label} sent no ID token")
        if not endpoints.jwks_uri:
            raise ServerError(f"The {connection.name} connection is not configured", debug="jwks_uri missing")
        claims = await verify_id_token(
            ctx, id_token, provider=self.label, jwks_uri=endpoints.jwks_uri,
            issuers=self.issuers(connection, endpoints), audience=self.client_id(connection),
        )
        sent = claims.get("nonce")
        if not nonce or not isinstance(sent, str) or not hmac.compare_digest(sent, nonce):
            raise InvalidGrantError(f"Invalid {self.label} ID token: nonce")
        if not isinstance(claims.get(self.subject_claim), str) or not claims[self.subject_claim]:
            raise InvalidGrantError(f"Invalid {self.label} ID token: no {self.subject_claim}")
        return claims

    def external_id(self, connection: entities.Connection, claims: Mapping[str, Any]) -> str:
        return str(claims[self.subject_claim])

    def identity(self, connection: entities.Connection, claims: Mapping[str, Any]) -> ExternalProfile:
        kept = {k: v for k, v in claims.items() if k not in ("nonce", "at_hash", "c_hash", "aud", "exp", "iat",
                                                                 "nbf", "auth_time", "azp", "sid")}
        return ExternalProfile(
            provider=self.strategy, external_id=self.external_id(connection, claims),
            attributes=normalized(claims), profile_data=kept,
        )

    async def profile(
        self, ctx: TenantContext, connection: entities.Connection, endpoints: Endpoints, tokens: dict[str, Any],
        *, nonce: str | None, callback: Mapping[str, str],
    ) -> ExternalProfile:
        claims = await self.verified_claims(ctx, connection, endpoints, tokens.get("id_token"), nonce=nonce)
        return self.identity(connection, claims)
