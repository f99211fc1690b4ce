"""Independent token verification: PyJWT against the JWKS fetched over HTTP, never the server's helpers."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import httpx
import jwt


async def fetch_jwks(http: httpx.AsyncClient) -> jwt.PyJWKSet:
    response = await http.get("/.well-known/jwks.json")
    assert response.status_code == 200, response.text
    return jwt.PyJWKSet.from_dict(response.json())


async def verify(
    http: httpx.AsyncClient, token: str, *, audience: str | list[str] | None, issuer: str, **options: Any
) -> dict[str, Any]:
    header = jwt.get_unverified_header(token)
    jwks = await fetch_jwks(http)
    key = next((k for k in jwks.keys if k.key_id == header["kid"]), None)
    assert key is not None, f"kid {header.get('kid')} not in the published JWKS"
    return jwt.decode(
        token,
        key.key,
        algorithms=[header["alg"]],
        audience=audience,
        issuer=issuer,
        options={"verify_aud": audience is not None, **options},
    )


def oidc_half_hash(value: str) -> str:
    """at_hash / c_hash computed here, independently of the server (OIDC Core §3.1.3.6, SHA-256)."""
    digest = hashlib.sha256(value.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()
