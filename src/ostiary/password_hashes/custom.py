"""Auth0's `custom_password_hash`: check one at import (a reason when it cannot be verified later) and verify a
password against it at login. Pure: no I/O, no clock; the stored form is the checked spec itself.

Sources: Auth0's "Bulk User Import Database Schema and Examples" (algorithms, encodings, salt positions, PHC
strings for argon2/pbkdf2, RFC 2307 for ldap, pbkdf2 defaults i=100000 l=64, scrypt keylen/cost/blockSize/
parallelization).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

import bcrypt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.exceptions import VerifyMismatchError as _Mismatch

from ostiary.password_hashes import digests
from ostiary.password_hashes.encodings import (
    BINARY_ENCODINGS,
    PASSWORD_ENCODINGS,
    EncodingError,
    decode,
    encode_password,
)

ALGORITHMS = ("argon2", "bcrypt", "hmac", "ldap", "md4", "md5", "sha1", "sha256", "sha512", "pbkdf2", "scrypt")
PLAIN_DIGESTS = ("md4", "md5", "sha1", "sha256", "sha512")
HMAC_DIGESTS = ("md4", "md5", "ripemd160", "sha1", "sha224", "sha256", "sha384", "sha512", "whirlpool")
LDAP_SCHEMES = {
    "MD5": "md5", "SMD5": "md5", "SHA": "sha1", "SSHA": "sha1", "SHA256": "sha256", "SSHA256": "sha256",
    "SHA384": "sha384", "SSHA384": "sha384", "SHA512": "sha512", "SSHA512": "sha512",
}
# Work-factor ceilings: an imported hash is verified at login, so its cost is a cost per login attempt.
MAX_BCRYPT_COST = 16
MAX_PBKDF2_ITERATIONS = 2_000_000
MAX_SCRYPT_MEMORY = 256 * 1024 * 1024
MAX_ARGON2_MEMORY_KIB = 262_144
MAX_ARGON2_TIME = 16
_KEYS = {"algorithm", "hash", "salt", "password", "keylen", "cost", "blockSize", "parallelization"}
_PBKDF2 = re.compile(
    r"\$pbkdf2-([A-Za-z0-9-]+)(?:\$([a-z]=\d+(?:,[a-z]=\d+)*))?\$([A-Za-z0-9+/.]+)\$([A-Za-z0-9+/.]+)"
)
_ARGON2 = re.compile(r"\$argon2(id|i|d)\$(?:v=\d+\$)?m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+")
_BCRYPT = re.compile(r"\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}")
_argon2 = PasswordHasher()


class HashSpecError(ValueError):
    """Why a hash cannot be imported; the message names the field."""


def bcrypt_hash(value: Any, field: str = "password_hash") -> str:
    """A bcrypt hash Auth0 accepts ($2a$, $2b$; PHP's $2y$ is the same algorithm), stored as $2b$."""
    if not isinstance(value, str) or not _BCRYPT.fullmatch(value):
        raise HashSpecError(f"{field}: not a bcrypt hash ($2a$, $2b$ or $2y$, cost, 53 characters)")
    if int(value[4:6]) > MAX_BCRYPT_COST:
        raise HashSpecError(f"{field}: bcrypt cost {int(value[4:6])} is above {MAX_BCRYPT_COST}")
    return "$2b$" + value[4:]


def _str(spec: dict[str, Any], path: str) -> str:
    value: Any = spec
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if not isinstance(value, str) or not value:
        raise HashSpecError(f"custom_password_hash.{path}: required (a string)")
    return value


def _enum(value: Any, allowed: tuple[str, ...], path: str) -> str:
    if value not in allowed:
        raise HashSpecError(f"custom_password_hash.{path}: {value!r} is not one of {', '.join(allowed)}")
    return str(value)


def _positive_int(spec: dict[str, Any], key: str, default: int | None) -> int:
    value = spec.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise HashSpecError(f"custom_password_hash.{key}: required (a positive integer)")
    return value


def _decoded(value: str, encoding: str, path: str) -> bytes:
    try:
        return decode(value, encoding)
    except EncodingError as exc:
        raise HashSpecError(f"custom_password_hash.{path}: {exc}") from exc


def check(spec: Any) -> dict[str, Any]:
    """The spec with its defaults filled in, or HashSpecError saying why it could never verify."""
    if not isinstance(spec, dict):
        raise HashSpecError("custom_password_hash: expected an object")
    unknown = sorted(set(spec) - _KEYS)
    if unknown:
        raise HashSpecError(f"custom_password_hash.{unknown[0]}: unknown property")
    algorithm = _enum(spec.get("algorithm"), ALGORITHMS, "algorithm")
    if not isinstance(spec.get("hash"), dict):
        raise HashSpecError("custom_password_hash.hash: required (an object)")
    out: dict[str, Any] = {"algorithm": algorithm, "hash": dict(spec["hash"])}
    value = _str(spec, "hash.value")
    text_only = algorithm in ("argon2", "bcrypt", "ldap", "pbkdf2")
    encoding = spec["hash"].get("encoding", "utf8" if text_only else None)
    _enum(encoding, ("utf8",) if text_only else ("hex", "base64"), "hash.encoding")
    out["hash"]["encoding"] = encoding
    if not text_only:
        _decoded(value, encoding, "hash.value")
    if "salt" in spec:
        if algorithm in ("argon2", "ldap", "pbkdf2"):
            raise HashSpecError(f"custom_password_hash.salt: not allowed with {algorithm}")
        salt = spec["salt"]
        if not isinstance(salt, dict):
            raise HashSpecError("custom_password_hash.salt: expected an object")
        salt_encoding = _enum(salt.get("encoding", "utf8"), BINARY_ENCODINGS, "salt.encoding")
        _decoded(_str(spec, "salt.value"), salt_encoding, "salt.value")
        out["salt"] = {"value": salt["value"], "encoding": salt_encoding}
        if algorithm != "scrypt":
            out["salt"]["position"] = _enum(salt.get("position"), ("prefix", "suffix"), "salt.position")
    if "password" in spec:
        password = spec["password"] if isinstance(spec["password"], dict) else {}
        out["password"] = {"encoding": _enum(password.get("encoding", "utf8"), PASSWORD_ENCODINGS,
                                             "password.encoding")}
    _check_algorithm(algorithm, value, spec, out)
    return out


def _check_algorithm(algorithm: str, value: str, spec: dict[str, Any], out: dict[str, Any]) -> None:
    if algorithm == "bcrypt":
        out["hash"]["value"] = bcrypt_hash(value, "custom_password_hash.hash.value")
    elif algorithm == "argon2":
        match = _ARGON2.fullmatch(value)
        if not match:
            raise HashSpecError("custom_password_hash.hash.value: not an argon2 PHC string ($argon2id$v=19$m,t,p$...)")
        if int(match[2]) > MAX_ARGON2_MEMORY_KIB or int(match[3]) > MAX_ARGON2_TIME:
            raise HashSpecError("custom_password_hash.hash.value: argon2 cost above this server's ceiling")
    elif algorithm == "pbkdf2":
        _pbkdf2_parts(value)
    elif algorithm == "ldap":
        _ldap_parts(value)
    elif algorithm == "hmac":
        digest = _enum(spec["hash"].get("digest"), HMAC_DIGESTS, "hash.digest")
        if not digests.available(digest):
            raise HashSpecError(f"custom_password_hash.hash.digest: {digest} is not available on this server")
        key = spec["hash"].get("key")
        if not isinstance(key, dict):
            raise HashSpecError("custom_password_hash.hash.key.value: required (a string)")
        key_encoding = _enum(key.get("encoding", "utf8"), BINARY_ENCODINGS, "hash.key.encoding")
        _decoded(_str(spec, "hash.key.value"), key_encoding, "hash.key.value")
        out["hash"]["key"] = {"value": key["value"], "encoding": key_encoding}
    elif algorithm == "scrypt":
        out["keylen"] = _positive_int(spec, "keylen", None)
        out["cost"] = _positive_int(spec, "cost", 16384)
        out["blockSize"] = _positive_int(spec, "blockSize", 8)
        out["parallelization"] = _positive_int(spec, "parallelization", 1)
        if out["cost"] & (out["cost"] - 1) or 128 * out["cost"] * out["blockSize"] > MAX_SCRYPT_MEMORY:
            raise HashSpecError("custom_password_hash.cost: a power of two within this server's memory ceiling")


def _pbkdf2_parts(value: str) -> tuple[str, int, int, bytes, bytes]:
    match = _PBKDF2.fullmatch(value)
    if not match:
        raise HashSpecError("custom_password_hash.hash.value: not a PHC string $pbkdf2-<digest>$i=,l=$salt$hash")
    digest, params, salt, derived = match.groups()
    if not digests.pbkdf2_available(digest):
        raise HashSpecError(f"custom_password_hash.hash.value: pbkdf2 over {digest} is not supported here")
    values = dict(p.split("=") for p in params.split(",")) if params else {}
    iterations, length = int(values.get("i", 100_000)), int(values.get("l", 64))
    if not 1 <= iterations <= MAX_PBKDF2_ITERATIONS or not 1 <= length <= 1024:
        raise HashSpecError("custom_password_hash.hash.value: pbkdf2 i or l out of range")
    try:
        return digest, iterations, length, decode(salt, "base64"), decode(derived, "base64")
    except EncodingError as exc:
        raise HashSpecError(f"custom_password_hash.hash.value: salt or hash {exc}") from exc


def _ldap_parts(value: str) -> tuple[str, bool, bytes]:
    match = re.fullmatch(r"\{([A-Za-z0-9]+)\}(.+)", value)
    scheme = match[1].upper() if match else ""
    if scheme not in LDAP_SCHEMES:
        raise HashSpecError("custom_password_hash.hash.value: not an RFC 2307 {MD5|SMD5|SHA*|SSHA*} value")
    salted = scheme.startswith("S") and not scheme.startswith("SHA")
    try:
        return LDAP_SCHEMES[scheme], salted, decode(value[len(scheme) + 2 :], "base64")
    except EncodingError as exc:
        raise HashSpecError(f"custom_password_hash.hash.value: {exc}") from exc


def _salted(spec: dict[str, Any], password: bytes) -> bytes:
    salt = spec.get("salt")
    if not salt:
        return password
    raw = decode(salt["value"], salt["encoding"])
    return raw + password if salt["position"] == "prefix" else password + raw


def verify(spec: dict[str, Any], password: str) -> bool:
    """True when `password` reproduces the hash of a spec that check() accepted."""
    algorithm = spec["algorithm"]
    value = spec["hash"]["value"]
    raw = encode_password(password, spec.get("password", {}).get("encoding", "utf8"))
    if algorithm == "bcrypt":
        return bool(bcrypt.checkpw(_salted(spec, raw), value.encode()))
    if algorithm == "argon2":
        try:
            return _argon2.verify(value, raw)
        except (_Mismatch, VerificationError, InvalidHashError):
            return False
    if algorithm == "pbkdf2":
        digest, iterations, length, salt, derived = _pbkdf2_parts(value)
        return hmac.compare_digest(digests.pbkdf2(digest, raw, salt, iterations, length), derived)
    if algorithm == "ldap":
        digest, salted, decoded = _ldap_parts(value)
        size = hashlib.new(digest).digest_size
        expected, salt = (decoded[:size], decoded[size:]) if salted else (decoded, b"")
        return hmac.compare_digest(digests.digest(digest, raw + salt), expected)
    expected = decode(value, spec["hash"]["encoding"])
    if algorithm == "hmac":
        key = spec["hash"]["key"]
        actual = digests.hmac_digest(spec["hash"]["digest"], decode(key["value"], key["encoding"]), _salted(spec, raw))
    elif algorithm == "scrypt":
        salt = decode(spec["salt"]["value"], spec["salt"]["encoding"]) if spec.get("salt") else b""
        actual = hashlib.scrypt(
            raw, salt=salt, n=spec["cost"], r=spec["blockSize"], p=spec["parallelization"],
            dklen=spec["keylen"], maxmem=MAX_SCRYPT_MEMORY * 2,
        )
    else:
        actual = digests.digest(algorithm, _salted(spec, raw))
    return hmac.compare_digest(actual, expected)
