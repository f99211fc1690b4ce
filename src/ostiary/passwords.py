"""Password hashing with argon2id; a verify against a dummy hash keeps unknown users as slow as known ones."""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ostiary.password_hashes import stored

# OWASP's argon2id recommendation (19 MiB, 2 passes, 1 lane): ~40 ms a verify on one core, near Auth0's bcrypt
# cost 10. argon2-cffi's default (64 MiB, 3 passes, 4 lanes) took ~280 ms here, capping a 2-core server at ~7
# password logins/s. Hashes made with other parameters still verify and are rehashed at the next login.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


@functools.cache
def _dummy_hash() -> str:
    """Made on first use, not at import: every CLI start would otherwise pay one argon2 hash."""
    return _hasher.hash("ostiary-dummy-password-for-timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches. With no hash (unknown user), still spends one argon2 verify.
    An imported hash (bcrypt, Auth0's custom_password_hash) is verified by its own algorithm."""
    if password_hash is not None and stored.is_foreign(password_hash):
        return stored.verify_foreign(password_hash, password)
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Other argon2 parameters, and every imported hash: replaced by Ostiary's hash at the next good login."""
    return stored.is_foreign(password_hash) or _hasher.check_needs_rehash(password_hash)
