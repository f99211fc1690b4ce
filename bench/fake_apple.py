"""A loopback stand-in for Sign in with Apple: POST /auth/token answers any code with an ID token signed
RS256 by a key generated at start, GET /auth/keys serves its JWKS. Run: python -m bench.fake_apple PORT.

The ID token's `sub` comes from the code (`<anything>.<sub>`), so a virtual user signs in as the same
Apple user every time (a returning user, the common case); tokens are cached a few seconds so the fake
spends its CPU on HTTP, not on signatures the server under test is meant to be paying for.
"""

from __future__ import annotations

import sys
import time
from typing import Any
from urllib.parse import parse_qsl

import jwt
import orjson
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa

from ostiary.tokens.keys import public_jwk

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
KID = "fake-apple-1"
JWKS = orjson.dumps({"keys": [{**public_jwk(KEY, "RS256"), "kid": KID, "use": "sig", "alg": "RS256"}]})
ISSUER = ""
_cache: dict[tuple[str, str], tuple[float, bytes]] = {}


def _token_response(client_id: str, sub: str) -> bytes:
    cached = _cache.get((client_id, sub))
    now = time.time()
    if cached and cached[0] > now:
        return cached[1]
    claims = {
        "iss": ISSUER, "aud": client_id, "sub": sub, "iat": int(now), "exp": int(now) + 600,
        "email": f"{sub}@privaterelay.appleid.com", "email_verified": "true", "is_private_email": "true",
        "auth_time": int(now),
    }
    id_token = jwt.encode(claims, KEY, algorithm="RS256", headers={"kid": KID})
    body = orjson.dumps({"access_token": "fake-apple-at", "token_type": "Bearer", "expires_in": 3600,
                         "refresh_token": "fake-apple-rt", "id_token": id_token})
    _cache[(client_id, sub)] = (now + 5, body)
    return body


async def _read(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    status, body = 404, b'{"error":"not_found"}'
    if scope["path"] == "/auth/keys":
        status, body = 200, JWKS
    elif scope["path"] == "/auth/token" and scope["method"] == "POST":
        form = dict(parse_qsl((await _read(receive)).decode()))
        if form.get("grant_type") != "authorization_code" or not form.get("client_secret") or not form.get("code"):
            status, body = 400, b'{"error":"invalid_request"}'
        else:
            status, body = 200, _token_response(form.get("client_id", ""), form["code"].rsplit(".", 1)[-1])
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


if __name__ == "__main__":
    port = int(sys.argv[1])
    ISSUER = f"http://127.0.0.1:{port}"
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
