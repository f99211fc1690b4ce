"""A certificate authority of this machine's own, for serving https locally (`ostiary serve --tls`).

Auth0's Node SDK, Deploy CLI and Terraform provider only speak https://{domain}. The CA is made once (kept in
the data directory, key readable only by its owner); the server certificate it signs is made again at each
start, for localhost, *.localhost, 127.0.0.1, ::1 and the address served. Trust the CA once (trust_hint()).
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def default_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "ostiary" / "tls"


@dataclass(frozen=True)
class LocalTls:
    ca_cert: Path
    cert: Path
    key: Path
    created_ca: bool


def _write(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    pkcs8 = serialization.PrivateFormat.PKCS8
    return key.private_bytes(serialization.Encoding.PEM, pkcs8, serialization.NoEncryption())


def _names(hosts: list[str]) -> list[x509.GeneralName]:
    out: list[x509.GeneralName] = []
    for host in dict.fromkeys(["localhost", "*.localhost", "127.0.0.1", "::1", *hosts]):
        if host in ("", "0.0.0.0", "::"):  # noqa: S104 (a wildcard bind address is no name)
            continue
        try:
            out.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            out.append(x509.DNSName(host))
    return out


def _ca(directory: Path, now: datetime.datetime) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey, bool]:
    cert_path, key_path = directory / "ca.pem", directory / "ca-key.pem"
    if cert_path.exists() and key_path.exists():
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return x509.load_pem_x509_certificate(cert_path.read_bytes()), key, False
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Ostiary local CA ({os.uname().nodename})")])
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write(key_path, _pem_key(key), 0o600)
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    return cert, key, True


def ensure_local_tls(hosts: list[str], directory: Path | None = None) -> LocalTls:
    directory = directory or default_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    now = datetime.datetime.now(datetime.UTC)
    ca_cert, ca_key, created = _ca(directory, now)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_cert.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=397))
        .add_extension(x509.SubjectAlternativeName(_names(hosts)), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    cert_path, key_path = directory / "server.pem", directory / "server-key.pem"
    _write(key_path, _pem_key(key), 0o600)
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    return LocalTls(ca_cert=directory / "ca.pem", cert=cert_path, key=key_path, created_ca=created)


def trust_hint(ca: Path) -> str:
    return "\n".join([
        f"Serving https with a certificate from Ostiary's local CA: {ca}",
        "Trust that CA once, in the tools that call this server:",
        f"  Node (Auth0 SDKs, Deploy CLI)   export NODE_EXTRA_CA_CERTS={ca}",
        f"  Python (httpx, requests), Go    export SSL_CERT_FILE={ca}   (replaces the default bundle)",
        f"  curl                            curl --cacert {ca} ...",
        f"  the system store (Debian)       sudo cp {ca} /usr/local/share/ca-certificates/ostiary-local-ca.crt"
        " && sudo update-ca-certificates",
        f"  the system store (macOS)        sudo security add-trusted-cert -d -r trustRoot"
        f" -k /Library/Keychains/System.keychain {ca}",
    ])
