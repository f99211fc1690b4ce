"""at_hash / c_hash (OIDC Core §3.1.3.6, §3.3.2.11): left half of the hash matching the JWS alg."""

from __future__ import annotations

import hashlib

from ostiary.ids import b64url

_HASHES = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}


def left_half_hash(value: str, alg: str = "RS256") -> str:
    digest = _HASHES[alg[-3:]](value.encode("ascii")).digest()
    return b64url(digest[: len(digest) // 2])
