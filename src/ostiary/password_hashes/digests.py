"""Digest functions by the names Auth0's import accepts (Node/OpenSSL names), including MD4 without OpenSSL."""

from __future__ import annotations

import hashlib
import hmac

from ostiary.password_hashes.md4 import md4

# OpenSSL's aliases (the pbkdf2 ids Auth0 lists) onto one canonical name.
_ALIASES = {
    "rsa-md4": "md4", "md4withrsaencryption": "md4",
    "rsa-md5": "md5", "md5withrsaencryption": "md5", "ssl3-md5": "md5",
    "rsa-mdc2": "mdc2", "mdc2withrsa": "mdc2",
    "rsa-ripemd160": "ripemd160", "ripemd": "ripemd160", "rmd160": "ripemd160", "ripemd160withrsa": "ripemd160",
    "rsa-sha1": "sha1", "rsa-sha1-2": "sha1", "sha1withrsaencryption": "sha1", "ssl3-sha1": "sha1",
    "rsa-sha224": "sha224", "sha224withrsaencryption": "sha224",
    "rsa-sha256": "sha256", "sha256withrsaencryption": "sha256",
    "rsa-sha384": "sha384", "sha384withrsaencryption": "sha384",
    "rsa-sha512": "sha512", "sha512withrsaencryption": "sha512",
}
_BLOCK_SIZE_MD4 = 64


def canonical(name: str) -> str:
    lowered = name.lower()
    return _ALIASES.get(lowered, lowered)


def available(name: str) -> bool:
    name = canonical(name)
    return name == "md4" or name in hashlib.algorithms_available


def digest(name: str, data: bytes) -> bytes:
    name = canonical(name)
    if name == "md4":
        return md4(data)
    return hashlib.new(name, data).digest()


def _md4_hmac(key: bytes, message: bytes) -> bytes:
    """RFC 2104 over MD4 (hmac cannot take a function that is not a hashlib constructor)."""
    if len(key) > _BLOCK_SIZE_MD4:
        key = md4(key)
    key = key.ljust(_BLOCK_SIZE_MD4, b"\x00")
    inner = md4(bytes(b ^ 0x36 for b in key) + message)
    return md4(bytes(b ^ 0x5C for b in key) + inner)


def hmac_digest(name: str, key: bytes, message: bytes) -> bytes:
    name = canonical(name)
    if name == "md4":
        return _md4_hmac(key, message)
    return hmac.digest(key, message, name)


def pbkdf2_available(name: str) -> bool:
    """PBKDF2 runs in OpenSSL only: 100,000 rounds of a pure-Python MD4 take minutes, a denial of service."""
    name = canonical(name)
    return name != "md4" and name in hashlib.algorithms_available


def pbkdf2(name: str, password: bytes, salt: bytes, iterations: int, length: int) -> bytes:
    return hashlib.pbkdf2_hmac(canonical(name), password, salt, iterations, length)
