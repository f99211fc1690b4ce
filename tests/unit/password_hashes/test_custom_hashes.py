"""Every algorithm of Auth0's custom_password_hash, verified against vectors made here by independent
libraries (hashlib, hmac, bcrypt, argon2-cffi, passlib), with every encoding and salt position."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import bcrypt
import pytest
from argon2 import PasswordHasher
from passlib import hash as passlib_hash
from passlib.crypto.digest import lookup_hash

from ostiary.password_hashes import custom

PASSWORD = "correct horse"
B = PASSWORD.encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _check_and_verify(spec: dict[str, Any]) -> None:
    checked = custom.check(spec)
    assert custom.verify(checked, PASSWORD) is True
    assert custom.verify(checked, PASSWORD + "x") is False
    assert custom.verify(checked, "") is False


@pytest.mark.parametrize("algorithm", ["md5", "sha1", "sha256", "sha512"])
@pytest.mark.parametrize("encoding", ["hex", "base64"])
def test_plain_digests_in_both_encodings(algorithm: str, encoding: str) -> None:
    digest = hashlib.new(algorithm, B).digest()
    value = digest.hex().upper() if encoding == "hex" else _b64(digest)  # upper-case hex is accepted too
    _check_and_verify({"algorithm": algorithm, "hash": {"value": value, "encoding": encoding}})


def test_md4_matches_passlibs_independent_md4() -> None:
    digest = lookup_hash("md4").const(B).digest()
    _check_and_verify({"algorithm": "md4", "hash": {"value": _b64(digest), "encoding": "base64"}})


@pytest.mark.parametrize(("position", "salt_encoding"), [("prefix", "utf8"), ("suffix", "hex"), ("prefix", "base64")])
def test_salt_position_and_encoding(position: str, salt_encoding: str) -> None:
    salt = b"s\x00lt\xff"
    text = {"utf8": "na-cl", "hex": salt.hex(), "base64": _b64(salt)}[salt_encoding]
    raw = text.encode() if salt_encoding == "utf8" else salt
    material = raw + B if position == "prefix" else B + raw
    spec = {
        "algorithm": "sha256",
        "hash": {"value": hashlib.sha256(material).hexdigest(), "encoding": "hex"},
        "salt": {"value": text, "encoding": salt_encoding, "position": position},
    }
    _check_and_verify(spec)
    other = {**spec, "salt": {**spec["salt"], "position": "suffix" if position == "prefix" else "prefix"}}
    assert custom.verify(custom.check(other), PASSWORD) is False


def test_auth0_doc_example_salt_prefix_md5() -> None:
    # Auth0's schema: MD5('salt' + 'password') = '67A1E09BB1F83F5007DC119C14D663AA' is position prefix.
    spec = custom.check({"algorithm": "md5", "hash": {"value": "67A1E09BB1F83F5007DC119C14D663AA", "encoding": "hex"},
                         "salt": {"value": "salt", "position": "prefix"}})
    assert custom.verify(spec, "password") is True


@pytest.mark.parametrize(("encoding", "python_codec"), [
    ("utf16le", "utf-16-le"), ("ucs2", "utf-16-le"), ("latin1", "latin-1"), ("binary", "latin-1"),
    ("ascii", "latin-1"), ("utf8", "utf-8"),
])
def test_password_encodings(encoding: str, python_codec: str) -> None:
    password = "pässwörd"
    digest = hashlib.sha1(password.encode(python_codec)).hexdigest()
    spec = custom.check({
        "algorithm": "sha1", "hash": {"value": digest, "encoding": "hex"}, "password": {"encoding": encoding},
    })
    assert custom.verify(spec, password) is True
    assert custom.verify(spec, "passwörd") is False


@pytest.mark.parametrize("digest", ["md5", "sha1", "sha224", "sha256", "sha384", "sha512", "ripemd160", "md4"])
def test_hmac_digests_and_key_encodings(digest: str) -> None:
    key = b"k3y\x01"
    if digest == "md4":
        mac = hmac.new(key, B, lambda: lookup_hash("md4").const()).digest()
    else:
        mac = hmac.new(key, B, digest).digest()
    _check_and_verify({"algorithm": "hmac",
                       "hash": {"value": _b64(mac), "encoding": "base64", "digest": digest,
                                "key": {"value": key.hex(), "encoding": "hex"}}})


def test_auth0_doc_example_hmac() -> None:
    # Auth0's documentation example (peter@contoso.com): HMAC-SHA1 with the hex key 736868 of "test".
    key = {"value": "736868", "encoding": "hex"}
    spec = custom.check({"algorithm": "hmac", "hash": {"value": "cg7f42jH39/2EaAU4wNd4s2lKIk=", "encoding": "base64",
                                                       "digest": "sha1", "key": key}})
    assert custom.verify(spec, "test") is True


@pytest.mark.parametrize("prefix", ["$2a$", "$2b$", "$2y$"])
def test_bcrypt_prefixes(prefix: str) -> None:
    made = bcrypt.hashpw(B, bcrypt.gensalt(rounds=4)).decode()
    _check_and_verify({"algorithm": "bcrypt", "hash": {"value": prefix + made[4:]}})


def test_bcrypt_auth0_documented_hash_of_hello() -> None:
    spec = custom.check({"algorithm": "bcrypt",
                         "hash": {"value": "$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K"}})
    assert custom.verify(spec, "hello") is True


@pytest.mark.parametrize("variant", ["argon2id", "argon2i"])
def test_argon2_phc_strings(variant: str) -> None:
    from argon2 import Type

    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1,
                            type=Type.ID if variant == "argon2id" else Type.I)
    _check_and_verify({"algorithm": "argon2", "hash": {"value": hasher.hash(PASSWORD), "encoding": "utf8"}})


@pytest.mark.parametrize("digest", ["sha256", "sha512", "sha1", "RSA-SHA256", "sha256WithRSAEncryption", "md5"])
def test_pbkdf2_phc_with_openssl_digest_names(digest: str) -> None:
    salt = b"0123456789ab"
    plain = {"RSA-SHA256": "sha256", "sha256WithRSAEncryption": "sha256"}.get(digest, digest)
    derived = hashlib.pbkdf2_hmac(plain, B, salt, 1000, 32)
    b64 = lambda data: _b64(data).rstrip("=")  # noqa: E731 (PHC's B64: no padding)
    _check_and_verify({"algorithm": "pbkdf2",
                       "hash": {"value": f"$pbkdf2-{digest}$i=1000,l=32${b64(salt)}${b64(derived)}"}})


def test_pbkdf2_defaults_are_100000_iterations_and_64_bytes() -> None:
    salt = b"salt-salt"
    derived = passlib_hash.pbkdf2_sha512.using(rounds=100_000, salt=salt).hash(PASSWORD)  # passlib: its own encoder
    checksum = derived.rsplit("$", 1)[1]
    raw = passlib_hash.pbkdf2_sha512.from_string(derived).checksum  # 64 bytes
    assert len(raw) == 64 and checksum
    value = f"$pbkdf2-sha512${_b64(salt).rstrip('=')}${_b64(raw).rstrip('=')}"
    _check_and_verify({"algorithm": "pbkdf2", "hash": {"value": value}})


@pytest.mark.parametrize("scheme", ["ldap_md5", "ldap_salted_md5", "ldap_sha1", "ldap_salted_sha1",
                                    "ldap_salted_sha256", "ldap_salted_sha512"])
def test_ldap_rfc2307_values_made_by_passlib(scheme: str) -> None:
    value = getattr(passlib_hash, scheme).hash(PASSWORD)
    _check_and_verify({"algorithm": "ldap", "hash": {"value": value, "encoding": "utf8"}})


def test_ldap_sha384_variants() -> None:
    salt = b"12345678"
    salted = "{SSHA384}" + _b64(hashlib.sha384(B + salt).digest() + salt)
    _check_and_verify({"algorithm": "ldap", "hash": {"value": salted}})
    _check_and_verify({"algorithm": "ldap", "hash": {"value": "{SHA256}" + _b64(hashlib.sha256(B).digest())}})


def test_scrypt_with_salt_and_parameters() -> None:
    salt = b"scrypt-salt"
    derived = hashlib.scrypt(B, salt=salt, n=1024, r=8, p=2, dklen=32)
    _check_and_verify({"algorithm": "scrypt", "hash": {"value": derived.hex(), "encoding": "hex"},
                       "salt": {"value": _b64(salt), "encoding": "base64"},
                       "keylen": 32, "cost": 1024, "blockSize": 8, "parallelization": 2})


@pytest.mark.parametrize(("spec", "reason"), [
    ({"algorithm": "rot13", "hash": {"value": "x"}}, "algorithm"),
    ({"algorithm": "sha256", "hash": {"value": "zz", "encoding": "hex"}}, "not valid hex"),
    ({"algorithm": "sha256", "hash": {"value": "00", "encoding": "utf8"}}, "hash.encoding"),
    ({"algorithm": "md5", "hash": {"value": "00", "encoding": "hex"}, "salt": {"value": "s"}}, "salt.position"),
    ({"algorithm": "bcrypt", "hash": {"value": "$2x$10$" + "a" * 53}}, "not a bcrypt hash"),
    ({"algorithm": "bcrypt", "hash": {"value": "$2b$31$" + "a" * 53}}, "cost 31"),
    ({"algorithm": "argon2", "hash": {"value": "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA"},
      "salt": {"value": "s", "position": "prefix"}}, "salt: not allowed"),
    ({"algorithm": "pbkdf2", "hash": {"value": "$pbkdf2-md4$i=1,l=16$c2FsdA$aGFzaA"}}, "md4 is not supported"),
    ({"algorithm": "pbkdf2", "hash": {"value": "$pbkdf2-sha256$i=99999999,l=32$c2FsdA$aGFzaA"}}, "out of range"),
    ({"algorithm": "ldap", "hash": {"value": "{CRYPT}abc"}}, "RFC 2307"),
    ({"algorithm": "hmac", "hash": {"value": "00", "encoding": "hex", "digest": "sha1"}}, "key.value"),
    ({"algorithm": "hmac", "hash": {"value": "00", "encoding": "hex", "digest": "whirlpool",
                                    "key": {"value": "k"}}}, "whirlpool"),
    ({"algorithm": "scrypt", "hash": {"value": "00", "encoding": "hex"}}, "keylen"),
    ({"algorithm": "scrypt", "hash": {"value": "00", "encoding": "hex"}, "keylen": 1, "cost": 1000}, "power of two"),
    ({"algorithm": "md5", "hash": {"value": "00", "encoding": "hex"}, "rounds": 3}, "rounds: unknown"),
])
def test_bad_specs_are_rejected_with_the_field(spec: dict[str, Any], reason: str) -> None:
    with pytest.raises(custom.HashSpecError, match=reason.replace("$", r"\$")):
        custom.check(spec)
