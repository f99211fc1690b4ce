"""Fake upstream identity providers for browser logins: Google, Apple, GitHub and a generic OpenID Provider,
each a real OAuth 2.0 / OIDC server on loopback (one Starlette app, one path prefix per provider).

They check what a real provider checks: client_id and redirect_uri at /authorize; at the token endpoint the
client's authentication (secret, or Apple's ES256 client-secret JWT against its public key), the code (once),
its redirect_uri and the PKCE verifier (S256). ID tokens are really signed (RS256) with the nonce sent. The
authorize step consents at once (302, or an auto-submitting form_post page a browser runs); `deny` makes it
answer error=access_denied (the user cancelled), `faults[endpoint] = "500"` breaks one endpoint, and
`tamper` spoils the next ID token (nonce, audience, issuer, expiry, signature).
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route

from tests.support.fake_providers import SigningKey, public_jwk
from tests.support.loopback import LoopbackServer


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@dataclass
class FakeIdp:
    """One provider. kind: "google" | "apple" | "github" | "oidc" | "plain" (OAuth 2.0 whose profile API answers
    `profiles[path]` to a request carrying an access token it issued, as a bearer or a query parameter)."""

    kind: str
    client_id: str
    client_secret: str = ""
    base_url: str = ""
    key: SigningKey = field(default_factory=lambda: SigningKey(f"kid-{secrets.token_hex(4)}"))
    # Apple: the app's .p8 public key, and the team id its client-secret JWT must name.
    apple_public_key: ec.EllipticCurvePublicKey | None = None
    apple_team_id: str = ""
    # Who logs in next (claims; GitHub: the /user body plus "emails").
    user: dict[str, Any] = field(default_factory=dict)
    deny: bool = False
    tamper: str = ""
    faults: dict[str, str] = field(default_factory=dict)
    received: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    profiles: dict[str, Any] = field(default_factory=dict)

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/{self.kind}"

    def url(self, path: str) -> str:
        return f"{self.issuer}{path}"

    def reset(self) -> None:
        self.deny, self.tamper = False, ""
        for store in (self.faults, self.received, self.codes, self.tokens, self.profiles):
            store.clear()

    def last(self, endpoint: str) -> dict[str, Any]:
        return self.received[endpoint][-1]

    # -- options a connection needs to point at this fake -------------------------------------------------

    def options(self) -> dict[str, Any]:
        base = {"client_id": self.client_id, "client_secret": self.client_secret}
        if self.kind == "github":
            return {**base, "authorization_endpoint": self.url("/login/oauth/authorize"),
                    "token_endpoint": self.url("/login/oauth/access_token"), "api_base_url": self.issuer}
        if self.kind == "oidc":
            return {**base, "discovery_url": self.url("/.well-known/openid-configuration")}
        if self.kind == "plain":
            return {**base, "authorization_endpoint": self.url("/authorize"), "token_endpoint": self.url("/token"),
                    "api_base_url": self.issuer, "userinfo_endpoint": self.url("/userinfo")}
        common = {"authorization_endpoint": self.url("/authorize"), "token_endpoint": self.url("/token"),
                  "jwks_uri": self.url("/jwks"), "issuer": self.issuer}
        if self.kind == "apple":
            base.pop("client_secret")
            base.update(team_id=self.apple_team_id, kid=APPLE_KID, app_secret=APPLE_P8)
        return {**base, **common, "userinfo_endpoint": self.url("/userinfo")} if self.kind == "google" \
            else {**base, **common}

    # -- plumbing -----------------------------------------------------------------------------------------

    async def _record(self, name: str, request: Request) -> tuple[dict[str, str], Response | None]:
        form = dict(parse_qsl((await request.body()).decode())) if request.method == "POST" else {}
        self.received.setdefault(name, []).append(
            {"query": dict(request.query_params), "form": form, "headers": dict(request.headers)})
        if self.faults.get(name) == "500":
            return form, PlainTextResponse("upstream exploded", status_code=500)
        return form, None

    def _id_token(self, claims: dict[str, Any], nonce: str | None) -> str:
        now = int(time.time())
        body = {"iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 600, **claims}
        if nonce:
            body["nonce"] = nonce
        tamper, self.tamper = self.tamper, ""
        if tamper == "nonce":
            body["nonce"] = "not-the-nonce"
        elif tamper == "audience":
            body["aud"] = "someone-else"
        elif tamper == "issuer":
            body["iss"] = "https://evil.example"
        elif tamper == "expired":
            body["exp"] = now - 3600
        elif tamper == "signature":
            return replace(IMPOSTOR, kid=self.key.kid).sign(body)
        return self.key.sign(body)

    # -- endpoints ----------------------------------------------------------------------------------------

    async def authorize(self, request: Request) -> Response:
        _, fault = await self._record("authorize", request)
        if fault is not None:
            return fault
        q = request.query_params
        redirect_uri = q.get("redirect_uri", "")
        if q.get("client_id") != self.client_id or not redirect_uri:
            return PlainTextResponse("unknown client or no redirect_uri", status_code=400)
        answer: dict[str, str] = {"state": q.get("state", "")}
        if self.deny:
            answer.update(error="access_denied", error_description="The user cancelled the login")
        elif q.get("response_type") == "id_token":
            answer["id_token"] = self._id_token(dict(self.user), q.get("nonce"))
        else:
            code = secrets.token_urlsafe(16)
            self.codes[code] = {"redirect_uri": redirect_uri, "challenge": q.get("code_challenge"),
                                "nonce": q.get("nonce"), "user": dict(self.user), "scope": q.get("scope", "")}
            answer["code"] = code
        if self.kind == "apple" and "user" in self.user and "code" in answer:
            answer["user"] = self.user["user"]
        if q.get("response_mode") == "form_post":
            fields = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                             for k, v in answer.items())
            return HTMLResponse(f'<html><body><form id="f" method="post" action="{html.escape(redirect_uri)}">'
                                f'{fields}</form><script>document.getElementById("f").submit()</script></body></html>')
        return RedirectResponse(f"{redirect_uri}?{urlencode(answer)}", status_code=302)

    def _client_ok(self, request: Request, form: dict[str, str]) -> bool:
        if self.kind == "apple":
            try:
                assert self.apple_public_key is not None
                claims = jwt.decode(form.get("client_secret", ""), self.apple_public_key, algorithms=["ES256"],
                                    audience=self.issuer)
            except jwt.PyJWTError:
                return False
            return claims.get("iss") == self.apple_team_id and claims.get("sub") == self.client_id \
                and form.get("client_id") == self.client_id
        header = request.headers.get("authorization", "")
        if header.startswith("Basic "):
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            return (user, password) == (self.client_id, self.client_secret)
        return (form.get("client_id"), form.get("client_secret")) == (self.client_id, self.client_secret)

    async def token(self, request: Request) -> Response:
        form, fault = await self._record("token", request)
        if fault is not None:
            return fault
        if not self._client_ok(request, form):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        if grant["challenge"] and _s256(form.get("code_verifier", "")) != grant["challenge"]:
            return JSONResponse({"error": "invalid_grant", "error_description": "PKCE"}, status_code=400)
        access_token = f"{self.kind}-at-{secrets.token_urlsafe(8)}"
        self.tokens[access_token] = grant["user"]
        body: dict[str, Any] = {"access_token": access_token, "token_type": "bearer", "expires_in": 3600}
        if self.kind not in ("github", "plain"):
            body["id_token"] = self._id_token({k: v for k, v in grant["user"].items() if k != "user"},
                                              grant["nonce"])
        return JSONResponse(body)

    def _bearer(self, request: Request) -> dict[str, Any] | None:
        header = request.headers.get("authorization", "")
        return self.tokens.get(header[7:]) if header.startswith("Bearer ") else None

    async def userinfo(self, request: Request) -> Response:
        _, fault = await self._record("userinfo", request)
        if fault is not None:
            return fault
        user = self._bearer(request)
        return JSONResponse(user) if user is not None else JSONResponse({"error": "invalid_token"}, status_code=401)

    async def github_user(self, request: Request) -> Response:
        _, fault = await self._record("user", request)
        if fault is not None:
            return fault
        user = self._bearer(request)
        if user is None:
            return JSONResponse({"message": "Bad credentials"}, status_code=401)
        return JSONResponse({k: v for k, v in user.items() if k != "emails"})

    async def github_emails(self, request: Request) -> Response:
        user = self._bearer(request)
        if user is None:
            return JSONResponse({"message": "Bad credentials"}, status_code=401)
        return JSONResponse(user.get("emails", []))

    async def profile_api(self, request: Request) -> Response:
        _, fault = await self._record(request.url.path.removeprefix(f"/{self.kind}/"), request)
        if fault is not None:
            return fault
        header = request.headers.get("authorization", "")
        presented = {header[7:], *request.query_params.values()}
        body = self.profiles.get(request.url.path.removeprefix(f"/{self.kind}/"))
        if not presented & set(self.tokens) or body is None:
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        return JSONResponse(body)

    async def jwks(self, request: Request) -> Response:
        _, fault = await self._record("jwks", request)
        return fault or JSONResponse({"keys": [public_jwk(self.key.key, self.key.kid)]})

    async def discovery(self, request: Request) -> Response:
        _, fault = await self._record("discovery", request)
        return fault or JSONResponse({
            "issuer": self.issuer, "authorization_endpoint": self.url("/authorize"),
            "token_endpoint": self.url("/token"), "userinfo_endpoint": self.url("/userinfo"),
            "jwks_uri": self.url("/jwks"), "response_types_supported": ["code", "id_token"],
            "id_token_signing_alg_values_supported": ["RS256"],
        })

    def routes(self) -> Mount:
        if self.kind == "github":
            routes = [Route("/login/oauth/authorize", self.authorize),
                      Route("/login/oauth/access_token", self.token, methods=["POST"]),
                      Route("/user", self.github_user), Route("/user/emails", self.github_emails)]
        elif self.kind == "plain":
            routes = [Route("/authorize", self.authorize), Route("/token", self.token, methods=["POST"]),
                      Route("/{path:path}", self.profile_api)]
        else:
            routes = [Route("/authorize", self.authorize), Route("/token", self.token, methods=["POST"]),
                      Route("/userinfo", self.userinfo), Route("/jwks", self.jwks),
                      Route("/.well-known/openid-configuration", self.discovery)]
        return Mount(f"/{self.kind}", routes=routes)


@dataclass
class FakeIdps:
    google: FakeIdp
    apple: FakeIdp
    github: FakeIdp
    oidc: FakeIdp
    plain: FakeIdp

    def __iter__(self) -> Iterator[FakeIdp]:
        return iter((self.google, self.apple, self.github, self.oidc, self.plain))

    def reset(self) -> None:
        for idp in self:
            idp.reset()


# Signs with a key the provider never published (under the provider's kid): a forged ID token.
IMPOSTOR = SigningKey("impostor")
APPLE_TEAM_ID = "TEAMWEB123"
APPLE_KID = "WEBKEY1234"
APPLE_KEY = ec.generate_private_key(ec.SECP256R1())
APPLE_P8 = APPLE_KEY.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
).decode()


def start_fake_idps() -> tuple[FakeIdps, LoopbackServer]:
    idps = FakeIdps(
        google=FakeIdp("google", "google-web-client", "google-secret"),
        apple=FakeIdp("apple", "com.example.web", apple_public_key=APPLE_KEY.public_key(),
                      apple_team_id=APPLE_TEAM_ID),
        github=FakeIdp("github", "github-client", "github-secret"),
        oidc=FakeIdp("oidc", "oidc-client", "oidc-secret"),
        plain=FakeIdp("plain", "plain-client", "plain-secret"),
    )
    server = LoopbackServer(Starlette(routes=[idp.routes() for idp in idps]))
    for idp in idps:
        idp.base_url = server.base_url
    server.start()
    return idps, server
