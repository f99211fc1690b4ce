"""Identifiers and opaque secrets: secrets + hashlib only."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid


def new_id() -> str:
    return uuid.uuid4().hex


def new_opaque_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def new_refresh_token() -> str:
    # Auth0's documented examples start with "v1."; nothing may rely on the rest.
    return "v1." + secrets.token_urlsafe(48)


def new_client_id() -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(32))


def new_client_secret() -> str:
    return secrets.token_urlsafe(48)


def new_auth0_user_id() -> str:
    """Database users get 24 hex digits, like auth0|6553da60a54af58e29493993."""
    return secrets.token_hex(12)


def token_hash(value: str) -> str:
    """What is stored for codes, refresh tokens, sessions: hex SHA-256 of the opaque value."""
    return hashlib.sha256(value.encode()).hexdigest()


def constant_time_equals(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def new_role_id() -> str:
    """Auth0's role id shape: rol_ and 16 letters or digits."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "rol_" + "".join(secrets.choice(alphabet) for _ in range(16))
