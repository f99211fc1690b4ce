"""Fake Apple, Google, Facebook, Twitter and Weibo: one small real HTTP server on loopback (uvicorn thread).

Keys are generated here; tokens are really signed (RS256) and the OAuth 1.0a signature Twitter receives is
really checked (RFC 5849 §3.4, computed independently of authlib). Every request is recorded per endpoint,
and `faults[endpoint]` makes one endpoint slow, fail with 500, or answer something that is not JSON.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import socket
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from tests.support.loopback import LoopbackServer

APPLE_ISSUER = "https://appleid.apple.com"
GOOGLE_ISSUER = "https://accounts.google.com"
SLOW_SECONDS = 3.0


def _pct(value: str) -> str:
    return quote(value, safe="~")


def public_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}


@dataclass
class SigningKey:
    kid: str
    key: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(public_exponent=65537,
                                                                                   key_size=2048))

    def sign(self, claims: dict[str, Any], *, kid: str | None = None, alg: str = "RS256") -> str:
        return jwt.encode(claims, self.key, algorithm=alg, headers={"kid": kid or self.kid})


@dataclass
class FakeProviders:
    base_url: str = ""
    apple_key: SigningKey = field(default_factory=lambda: SigningKey("apple-kid-1"))
    google_key: SigningKey = field(default_factory=lambda: SigningKey("google-kid-1"))
    # Apple: code → ID-token claims; a code works once (then Apple's invalid_grant).
    apple_codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    apple_used: set[str] = field(default_factory=set)
    # Google access tokens (tokeninfo + userinfo), Facebook tokens (debug_token data + /me), Twitter, Weibo.
    google_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    facebook_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    facebook_app: tuple[str, str] = ("fb-app-id", "fb-app-secret")
    twitter_consumer: tuple[str, str] = ("tw-consumer-key", "tw-consumer-secret")
    twitter_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    weibo_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: dict[str, str] = field(default_factory=dict)
    received: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def reset(self) -> None:
        for store in (self.apple_codes, self.google_tokens, self.facebook_tokens, self.twitter_tokens,
                      self.weibo_tokens, self.faults, self.received):
            store.clear()
        self.apple_used.clear()

    # -- helpers for tests -------------------------------------------------------------------------------

    def apple_code(self, code: str, claims: dict[str, Any]) -> str:
        self.apple_codes[code] = claims
        return code

    def google_id_token(self, claims: dict[str, Any], *, key: SigningKey | None = None, kid: str | None = None,
                        alg: str = "RS256") -> str:
        return (key or self.google_key).sign(claims, kid=kid, alg=alg)

    # -- plumbing ----------------------------------------------------------------------------------------

    async def _record(self, name: str, request: Request) -> Response | None:
        form = dict(parse_qsl((await request.body()).decode())) if request.method == "POST" else {}
        self.received.setdefault(name, []).append(
            {"query": dict(request.query_params), "form": form, "headers": dict(request.headers),
             "url": str(request.url)}
        )
        fault = self.faults.get(name)
        if fault == "slow":
            await asyncio.sleep(SLOW_SECONDS)
        elif fault == "500":
            return PlainTextResponse("upstream exploded", status_code=500)
        elif fault == "malformed":
            return PlainTextResponse("<html>not json</html>", status_code=200)
        return None

    # -- Apple -------------------------------------------------------------------------------------------

    async def apple_token(self, request: Request) -> Response:
        if (fault := await self._record("apple_token", request)) is not None:
            return fault
        form = self.received["apple_token"][-1]["form"]
        code = form.get("code", "")
        if code in self.apple_used or code not in self.apple_codes:
            return JSONResponse({"error": "invalid_grant", "error_description": "The code has already been used."},
                                status_code=400)
        self.apple_used.add(code)
        claims = self.apple_codes[code]
        signer: SigningKey = claims.pop("_key", None) or self.apple_key
        return JSONResponse({"access_token": "apple-at", "token_type": "Bearer", "expires_in": 3600,
                             "refresh_token": "apple-rt", "id_token": signer.sign(claims)})

    async def apple_keys(self, request: Request) -> Response:
        if (fault := await self._record("apple_keys", request)) is not None:
            return fault
        return JSONResponse({"keys": [public_jwk(self.apple_key.key, self.apple_key.kid)]})

    # -- Google ------------------------------------------------------------------------------------------

    async def google_certs(self, request: Request) -> Response:
        if (fault := await self._record("google_certs", request)) is not None:
            return fault
        return JSONResponse({"keys": [public_jwk(self.google_key.key, self.google_key.kid)]})

    async def google_tokeninfo(self, request: Request) -> Response:
        if (fault := await self._record("google_tokeninfo", request)) is not None:
            return fault
        token = self.google_tokens.get(request.query_params.get("access_token", ""))
        if token is None:
            return JSONResponse({"error": "invalid_token", "error_description": "Invalid Value"}, status_code=400)
        return JSONResponse(token["tokeninfo"])

    async def google_userinfo(self, request: Request) -> Response:
        if (fault := await self._record("google_userinfo", request)) is not None:
            return fault
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        token = self.google_tokens.get(bearer)
        if token is None:
            return JSONResponse({"error": "invalid_request"}, status_code=401)
        return JSONResponse(token["userinfo"])

    # -- Facebook ----------------------------------------------------------------------------------------

    async def facebook_debug_token(self, request: Request) -> Response:
        if (fault := await self._record("facebook_debug_token", request)) is not None:
            return fault
        if request.query_params.get("access_token") != "|".join(self.facebook_app):
            return JSONResponse({"error": {"message": "Invalid OAuth access token.", "type": "OAuthException",
                                           "code": 190}}, status_code=400)
        token = self.facebook_tokens.get(request.query_params.get("input_token", ""))
        if token is None:
            return JSONResponse({"data": {"is_valid": False, "error": {"code": 190, "message": "Invalid token"}}})
        return JSONResponse({"data": token["debug"]})

    async def facebook_me(self, request: Request) -> Response:
        if (fault := await self._record("facebook_me", request)) is not None:
            return fault
        access_token = request.query_params.get("access_token", "")
        token = self.facebook_tokens.get(access_token)
        expected_proof = hmac.new(self.facebook_app[1].encode(), access_token.encode(), hashlib.sha256).hexdigest()
        if token is None or "me" not in token or request.query_params.get("appsecret_proof") != expected_proof:
            return JSONResponse({"error": {"message": "Invalid OAuth access token.", "type": "OAuthException",
                                           "code": 190}}, status_code=400)
        return JSONResponse(token["me"])

    # -- Twitter -----------------------------------------------------------------------------------------

    def _twitter_signature_ok(self, request: Request) -> dict[str, Any] | None:
        header = request.headers.get("authorization", "")
        if not header.startswith("OAuth "):
            return None
        oauth: dict[str, str] = {}
        for part in header[len("OAuth "):].split(","):
            key, _, value = part.strip().partition("=")
            oauth[unquote(key)] = unquote(value.strip('"'))
        token = self.twitter_tokens.get(oauth.get("oauth_token", ""))
        if token is None or oauth.get("oauth_consumer_key") != self.twitter_consumer[0]:
            return None
        params = [(k, v) for k, v in request.query_params.multi_items()]
        params += [(k, v) for k, v in oauth.items() if k not in ("oauth_signature", "realm")]
        # RFC 5849 §3.4.1.3.2: encode, sort by name then value, join.
        normalized = "&".join(f"{k}={v}" for k, v in sorted((_pct(k), _pct(v)) for k, v in params))
        base_uri = f"{request.url.scheme}://{request.url.netloc}{request.url.path}"
        base = "&".join([request.method.upper(), _pct(base_uri), _pct(normalized)])
        key = f"{_pct(self.twitter_consumer[1])}&{_pct(token['secret'])}"
        expected = base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()).decode()
        if oauth.get("oauth_signature_method") != "HMAC-SHA1" or not hmac.compare_digest(
            expected, oauth.get("oauth_signature", "")
        ):
            return None
        return token

    async def twitter_verify(self, request: Request) -> Response:
        if (fault := await self._record("twitter_verify", request)) is not None:
            return fault
        token = self._twitter_signature_ok(request)
        if token is None:
            return JSONResponse({"errors": [{"code": 89, "message": "Invalid or expired token."}]}, status_code=401)
        return JSONResponse(token["profile"])

    # -- Weibo -------------------------------------------------------------------------------------------

    async def weibo_token_info(self, request: Request) -> Response:
        if (fault := await self._record("weibo_token_info", request)) is not None:
            return fault
        token = self.weibo_tokens.get(self.received["weibo_token_info"][-1]["form"].get("access_token", ""))
        if token is None:
            return JSONResponse({"error": "invalid_access_token", "error_code": 21332}, status_code=400)
        return JSONResponse(token["info"])

    async def weibo_users_show(self, request: Request) -> Response:
        if (fault := await self._record("weibo_users_show", request)) is not None:
            return fault
        token = self.weibo_tokens.get(request.query_params.get("access_token", ""))
        if token is None or str(token["info"]["uid"]) != request.query_params.get("uid"):
            return JSONResponse({"error": "invalid_access_token", "error_code": 21332}, status_code=400)
        return JSONResponse(token["user"])

    def asgi(self) -> Starlette:
        return Starlette(routes=[
            Route("/apple/auth/token", self.apple_token, methods=["POST"]),
            Route("/apple/auth/keys", self.apple_keys),
            Route("/google/oauth2/v3/certs", self.google_certs),
            Route("/google/tokeninfo", self.google_tokeninfo),
            Route("/google/userinfo", self.google_userinfo),
            Route("/facebook/debug_token", self.facebook_debug_token),
            Route("/facebook/me", self.facebook_me),
            Route("/twitter/1.1/account/verify_credentials.json", self.twitter_verify),
            Route("/weibo/oauth2/get_token_info", self.weibo_token_info, methods=["POST"]),
            Route("/weibo/2/users/show.json", self.weibo_users_show),
        ])


class FakeProviderServer:
    """Runs FakeProviders on 127.0.0.1:<free port> in a background thread until stop()."""

    def __init__(self) -> None:
        self.fakes = FakeProviders()
        self._server = LoopbackServer(self.fakes.asgi())
        self.fakes.base_url = self._server.base_url

    def start(self) -> FakeProviders:
        self._server.start()
        return self.fakes

    def stop(self) -> None:
        self._server.stop()


def closed_port_url() -> str:
    """A loopback URL where nothing listens (connection refused): a provider that is down."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
