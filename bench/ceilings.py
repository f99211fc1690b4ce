"""The machine's ceilings, measured in the same run: JWT signatures/s and password hashes/s over N processes.

Keys are generated and parsed once per process (what the server does): the figure is the cost of
the signature itself plus PyJWT's encoding, the floor of any request that mints one token.
"""

from __future__ import annotations

import multiprocessing
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

CLAIMS: dict[str, Any] = {
    "iss": "http://bench.ostiary.test/",
    "sub": "bench-m2m@clients",
    "aud": "https://api.bench.test",
    "iat": 1_790_000_000,
    "exp": 1_790_086_400,
    "scope": "read:things write:things",
    "gty": "client-credentials",
    "azp": "bench-m2m",
    "jti": "0123456789abcdef0123456789abcdef",
}


def _sign_loop(alg: str, seconds: float, _: int) -> int:
    key: Any = (
        ec.generate_private_key(ec.SECP256R1())
        if alg == "ES256"
        else rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    headers = {"kid": "bench", "typ": "JWT"}
    count = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for _ in range(20):
            jwt.encode(CLAIMS, key, algorithm=alg, headers=headers)
        count += 20
    return count


def _hash_loop(seconds: float, _: int) -> int:
    from ostiary.passwords import hash_password, verify_password

    stored = hash_password("correct horse battery staple")
    count = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        verify_password(stored, "correct horse battery staple")
        count += 1
    return count


def _parallel(func: Any, args: tuple[Any, ...], processes: int, seconds: float) -> float:
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        counts = pool.starmap(func, [(*args, i) for i in range(processes)])
    return sum(counts) / seconds


def signatures_per_second(alg: str, *, processes: int, seconds: float = 3.0) -> float:
    return _parallel(_sign_loop, (alg, seconds), processes, seconds)


def password_verifications_per_second(*, processes: int, seconds: float = 3.0) -> float:
    """argon2id verifications/s: the bound of password-realm and of the login page."""
    return _parallel(_hash_loop, (seconds,), processes, seconds)
