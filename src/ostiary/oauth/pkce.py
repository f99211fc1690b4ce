"""PKCE (RFC 7636) with S256 only: pure checks for /authorize and the token endpoint."""

from __future__ import annotations

import hashlib
import hmac
import re

from ostiary.ids import b64url

S256 = "S256"
# RFC 7636 §4.1: code_verifier = 43*128unreserved; an S256 challenge is the 43-character base64url digest.
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
_CHALLENGE = re.compile(r"[A-Za-z0-9\-_]{43}")


def valid_verifier(verifier: str) -> bool:
    return bool(_VERIFIER.fullmatch(verifier))


def valid_challenge(challenge: str) -> bool:
    return bool(_CHALLENGE.fullmatch(challenge))


def s256(verifier: str) -> str:
    """BASE64URL-ENCODE(SHA256(ASCII(code_verifier))) (RFC 7636 §4.2)."""
    return b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def verify_pkce(verifier: str, challenge: str, method: str) -> bool:
    """True when the verifier matches the challenge. Compared in constant time (RFC 7636 §4.6)."""
    if method != S256 or not valid_verifier(verifier):
        return False
    return hmac.compare_digest(s256(verifier).encode(), challenge.encode())
