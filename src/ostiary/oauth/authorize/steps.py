"""The /authorize checks, one function each, in the order pipeline.STEPS runs them.

A step takes the request so far and returns it completed with what it checked, or raises one error. The first
two are fatal (an error page, never a redirect); after them the redirect_uri is verified and errors go back to it.
"""

from __future__ import annotations

from dataclasses import replace

from ostiary import entities
from ostiary.errors import (
    AccessDeniedError,
    InvalidClientIdError,
    InvalidRedirectUriError,
    InvalidRequestError,
    MissingParameterError,
    UnauthorizedClientError,
    UnsupportedResponseTypeError,
)
from ostiary.oauth import pkce, response_modes
from ostiary.oauth.authorize.request import AuthorizeRequest
from ostiary.oauth.context import TenantContext
from ostiary.oauth.redirect_uri import match_redirect_uri, origin_of
from ostiary.oauth.scopes import check_scope_syntax, grantable, requested_audience
from ostiary.tokens.claims import split_scope

RESPONSE_TYPES = frozenset(
    frozenset(words.split())
    for words in ("code", "token", "id_token", "id_token token", "code id_token", "code token", "code id_token token")
)
PROMPTS = frozenset({"none", "login", "consent", "select_account"})


async def check_client(ctx: TenantContext, req: AuthorizeRequest) -> AuthorizeRequest:
    """client_id names a client of this tenant (fatal: no redirect_uri can be trusted without it)."""
    client_id = req.params.get("client_id")
    if not client_id:
        raise InvalidClientIdError("Missing required parameter: client_id")
    client = await ctx.client(client_id)
    if client is None:
        raise InvalidClientIdError(f"Unknown client: {client_id}")
    return replace(req, client=client)


async def check_redirect_uri(ctx: TenantContext, req: AuthorizeRequest) -> AuthorizeRequest:
    """redirect_uri is exactly one of the client's callbacks (RFC 6749 §3.1.2.4: never redirect otherwise)."""
    assert req.client is not None
    requested = req.params.get("redirect_uri")
    if not requested:
        # OIDC Core §3.1.2.1: REQUIRED; no "first registered" default (catalogue RU-11).
        raise InvalidRedirectUriError("Missing required parameter: redirect_uri")
    matched = match_redirect_uri(req.client.callbacks, requested)
    if matched is None:
        raise InvalidRedirectUriError(
            f"Callback URL mismatch. {requested} is not in the list of allowed callback URLs"
        )
    if req.params.get("response_mode") == response_modes.WEB_MESSAGE:
        # web_message posts the response to an origin: it must be one of the client's Allowed Web Origins.
        if origin_of(matched) not in req.client.web_origins:
            raise InvalidRedirectUriError(f"The origin {origin_of(matched)} is not an allowed web origin")
    return replace(req, redirect_uri=matched)


async def check_response_type(ctx: TenantContext, req: AuthorizeRequest) -> AuthorizeRequest:
    """A supported response_type (word order insignificant) the client holds the grant for."""
    assert req.client is not None
    raw = req.params.get("response_type")
    if not raw:
        raise MissingParameterError("response_type")
    words = frozenset(raw.split())
    if words not in RESPONSE_TYPES or len(raw.split()) != len(words):
        raise UnsupportedResponseTypeError(f"Unsupported response type: {raw}")
    if "code" in words and not req.client.allows_grant(entities.GRANT_AUTHORIZATION_CODE):
        raise UnauthorizedClientError("Grant type 'authorization_code' not allowed for the client.")
    if words & {"token", "id_token"} and not req.client.allows_grant(entities.GRANT_IMPLICIT):
        raise UnauthorizedClientError("Grant type 'implicit' not allowed for the client.")
    return replace(req, response_types=words)


async def check_response_mode(ctx: TenantContext, req: AuthorizeRequest) -> AuthorizeRequest:
    """query, fragment, form_post or web_message; never query when tokens come from here."""
    mode = response_modes.check_mode(req.params.get("response_mode"), req.response_types)
    return replace(req, response_mode=mode)


async def check_audience_and_scope(ctx: TenantContext, req: AuthorizeRequest) -> AuthorizeRequest:
    """audience (or resource) names an API of the tenant; scopes it does not define are dropped."""
    audience = requested_audience(req.params, ctx.tenant)
    api = None
    if audience:
        api = await ctx.api(audience)
        if api is None:
            # Auth0's /authorize wording (the token endpoint says "Service not enabled within domain").
            raise AccessDeniedError(f"Service not found: {audience}")
    check_scope_syntax(req.params.get("scope"))
    scopes = grantable(split_scope(req.params.get("scope")), api)
    if "id_token" in req.response_types and "openid" not in scopes:
        # OIDC Core §3.2.2.1: an ID token is only issued for an OpenID request.
        raise InvalidRequestError("The openid scope is required when response_type includes id_token")
    return replace(req, audience=audience, api=api, scopes=tuple(scopes))


async def check_pkce(ctx: TenantContext, req: AuthorizeRequest) -> AuthorizeRequest:
    """S256 only; a public client using a code MUST send a challenge (RFC 9700 §2.1.1)."""
    assert req.client is not None
    challenge = req.params.get("code_challenge")
    method = req.params.get("code_challenge_method")
    if not challenge:
        if method:
            raise InvalidRequestError("code_challenge_method requires a code_challenge")
        if "code" in req.response_types and req.client.is_public:
            raise InvalidRequestError("code_challenge is required for public clients")
        return req
    if method != pkce.S256:
        # RFC 7636 §4.3: a missing method means plain, which is not supported here.
        raise InvalidRequestError("code_challenge_method must be S256")
    if not pkce.valid_challenge(challenge):
        raise InvalidRequestError("code_challenge must be 43 characters of base64url (S256)")
    return replace(req, code_challenge=challenge, code_challenge_method=method)


async def check_nonce(ctx: TenantContext, req: AuthorizeRequest) -> AuthorizeRequest:
    """nonce is required whenever an ID token comes from the authorization endpoint (OIDC Core §3.2.2.1)."""
    if "id_token" in req.response_types and not req.nonce:
        raise MissingParameterError("nonce")
    return req


MAX_SAFE_INTEGER = 2**53 - 1


async def check_prompt(ctx: TenantContext, req: AuthorizeRequest) -> AuthorizeRequest:
    """prompt values are known and `none` stands alone; max_age is a non-negative integer."""
    prompts = frozenset((req.params.get("prompt") or "").split())
    if prompts - PROMPTS:
        raise InvalidRequestError(f"Unsupported prompt: {' '.join(sorted(prompts - PROMPTS))}")
    if "none" in prompts and len(prompts) > 1:
        # OIDC Core §3.1.2.1: none with any other value is an error.
        raise InvalidRequestError("prompt=none cannot be combined with other values")
    max_age = None
    raw = req.params.get("max_age")
    if raw is not None and raw != "":
        # Digits only (not "-1", "+1", "١"), at most JavaScript's MAX_SAFE_INTEGER as node-oidc-provider (IN-15).
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 16 or int(raw) > MAX_SAFE_INTEGER:
            raise InvalidRequestError("max_age must be a non-negative integer")
        max_age = int(raw)
    return replace(req, prompts=prompts, max_age=max_age)
