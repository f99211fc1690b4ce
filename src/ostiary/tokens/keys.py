"""Signing key material: generation (RSA-2048, P-256), self-signed certificates and JWKS export."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import NameOID

from ostiary.ids import b64url

ASYMMETRIC_ALGS = ("RS256", "PS256", "ES256")


@dataclass(frozen=True, slots=True)
class GeneratedKey:
    kid: str
    alg: str
    private_pem: str
    public_jwk: dict[str, Any]
    certificate_b64: str


def _int_b64(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def public_jwk(private_key: PrivateKeyTypes, alg: str) -> dict[str, Any]:
    """The public half as a JWK, without kid/alg/use (added by the caller)."""
    if isinstance(private_key, rsa.RSAPrivateKey):
        numbers = private_key.public_key().public_numbers()
        return {"kty": "RSA", "n": _int_b64(numbers.n), "e": _int_b64(numbers.e)}
    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        pub = private_key.public_key().public_numbers()
        return {
            "kty": "EC",
            "crv": "P-256",
            "x": b64url(pub.x.to_bytes(32, "big")),
            "y": b64url(pub.y.to_bytes(32, "big")),
        }
    raise ValueError(f"unsupported key type for {alg}")


def jwk_thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 thumbprint (SHA-256), used as the kid."""
    required = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y")}[jwk["kty"]]
    canonical = json.dumps({k: jwk[k] for k in required}, separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(canonical.encode()).digest())


def _self_signed(private_key: PrivateKeyTypes, common_name: str) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=3650))
        .sign(private_key, hashes.SHA256())  # type: ignore[arg-type]
    )


def generate_key(alg: str = "RS256", *, common_name: str = "ostiary") -> GeneratedKey:
    if alg not in ASYMMETRIC_ALGS:
        raise ValueError(f"unsupported signing algorithm {alg}")
    private_key: PrivateKeyTypes
    if alg == "ES256":
        private_key = ec.generate_private_key(ec.SECP256R1())
    else:
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = public_jwk(private_key, alg)
    kid = jwk_thumbprint(jwk)
    cert = _self_signed(private_key, common_name)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return GeneratedKey(
        kid=kid,
        alg=alg,
        private_pem=pem,
        public_jwk=jwk,
        certificate_b64=base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode(),
    )


def load_private_key(pem: str) -> PrivateKeyTypes:
    """Parsing a PEM costs ~40 ms for RSA: callers cache the result per process (tokens/signer.py)."""
    return serialization.load_pem_private_key(pem.encode(), password=None)


def published_jwk(*, kid: str, alg: str, jwk: dict[str, Any], certificate_b64: str) -> dict[str, Any]:
    """A JWKS entry in Auth0's member order: alg, kty, use, n, e (or crv, x, y), kid, x5t, x5c."""
    der = base64.b64decode(certificate_b64)
    public = ("n", "e") if jwk["kty"] == "RSA" else ("crv", "x", "y")
    return {
        "alg": alg,
        "kty": jwk["kty"],
        "use": "sig",
        **{member: jwk[member] for member in public},
        "kid": kid,
        "x5t": b64url(hashlib.sha1(der).digest()),  # noqa: S324  (x5t is defined as SHA-1, RFC 7517 §4.8)
        "x5c": [certificate_b64],
    }
