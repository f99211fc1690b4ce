"""Issue 22: `ostiary serve` checks before it takes traffic (each failure one line, exit 2, never "startup
complete"), serves https itself (--tls-cert/--tls-key, or --tls with a local CA it makes and explains), and
--dev advertises the scheme it serves."""

from __future__ import annotations

import os
import secrets
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_MASTER_KEY
from tests.support import databases
from tests.support.live import ROOT, free_port, live_server

STRONG_KEY = secrets.token_urlsafe(32)


def _serve(env: dict[str, str], *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "ostiary", "serve", "--port", str(free_port()), *args],
        env={**os.environ, "OSTIARY_LOG_FORMAT": "json", **env}, capture_output=True, text=True, timeout=60, cwd=cwd,
    )


def _one_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert "startup complete" not in result.stderr + result.stdout


def test_a_short_master_key_is_refused(tmp_path: Path) -> None:
    url = databases.migrated(databases.sqlite_url(tmp_path))
    _one_error(_serve({"OSTIARY_DATABASE_URL": url, "OSTIARY_MASTER_KEY": "short"}),
               "OSTIARY_MASTER_KEY", "256 bits", "token_urlsafe(32)")


def test_an_unmigrated_database_is_refused(tmp_path: Path) -> None:
    url = databases.sqlite_url(tmp_path, "empty.db")
    _one_error(_serve({"OSTIARY_DATABASE_URL": url, "OSTIARY_MASTER_KEY": STRONG_KEY}),
               "not migrated", "ostiary db upgrade")


def test_an_unreachable_database_is_refused() -> None:
    url = f"postgresql+asyncpg://postgres:hunter2@127.0.0.1:{free_port()}/nothing"
    result = _serve({"OSTIARY_DATABASE_URL": url, "OSTIARY_MASTER_KEY": STRONG_KEY})
    _one_error(result, "unreachable", "OSTIARY_DATABASE_URL")
    assert "hunter2" not in result.stderr


def test_a_master_key_that_does_not_open_the_secrets_is_refused(tmp_path: Path) -> None:
    url = databases.migrated(databases.sqlite_url(tmp_path))
    env = {"OSTIARY_DATABASE_URL": url, "OSTIARY_MASTER_KEY": TEST_MASTER_KEY}
    created = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "ostiary", "tenants", "create", "acme", "--domain", "acme.test"],
        env={**os.environ, **env}, capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert created.returncode == 0, created.stderr
    _one_error(_serve({**env, "OSTIARY_MASTER_KEY": STRONG_KEY}), "does not decrypt")


def test_workers_below_one_are_refused(tmp_path: Path) -> None:
    url = databases.migrated(databases.sqlite_url(tmp_path))
    _one_error(_serve({"OSTIARY_DATABASE_URL": url, "OSTIARY_MASTER_KEY": STRONG_KEY}, "--workers", "0"), "--workers")


def test_half_a_tls_pair_is_refused(tmp_path: Path) -> None:
    url = databases.migrated(databases.sqlite_url(tmp_path))
    _one_error(_serve({"OSTIARY_DATABASE_URL": url, "OSTIARY_MASTER_KEY": STRONG_KEY}, "--tls-cert", "x.pem"),
               "--tls-key")


@pytest.mark.parametrize("url", ["postgresql+psycopg2://u@127.0.0.1/db", "nonsense", "mysql+nodriver://x/y"])
def test_a_database_url_without_an_async_driver_is_refused(url: str) -> None:
    _one_error(_serve({"OSTIARY_DATABASE_URL": url, "OSTIARY_MASTER_KEY": STRONG_KEY}, "--migrate"),
               "OSTIARY_DATABASE_URL", "postgresql://USER@HOST/DB")


def test_an_unreachable_database_is_refused_before_migrating() -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nothing"
    _one_error(_serve({"OSTIARY_DATABASE_URL": url, "OSTIARY_MASTER_KEY": STRONG_KEY}, "--migrate"), "unreachable")


def test_a_tls_pair_that_is_not_one_is_refused(tmp_path: Path) -> None:
    url = databases.migrated(databases.sqlite_url(tmp_path))
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    result = _serve({"OSTIARY_DATABASE_URL": url, "OSTIARY_MASTER_KEY": STRONG_KEY},
                    "--tls-cert", str(junk), "--tls-key", str(junk))
    _one_error(result, "--tls-cert/--tls-key", "not a PEM certificate")


def _https_context(ca: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(ca))


def test_local_ca_then_tls_cert_and_key_serve_https_with_two_workers(tmp_path: Path, test_output_dir: Path) -> None:
    url = databases.migrated(databases.sqlite_url(tmp_path))
    data = tmp_path / "data"
    env = {"XDG_DATA_HOME": str(data)}
    with live_server(database_url=url, master_key=TEST_MASTER_KEY, log_dir=test_output_dir, extra_env=env,
                     args=("--tls",), scheme="https", verify=False) as srv:  # the CA does not exist yet
        log = srv.log()
        ca = data / "ostiary" / "tls" / "ca.pem"
        for hint in ("NODE_EXTRA_CA_CERTS=", "SSL_CERT_FILE=", "update-ca-certificates", str(ca)):
            assert hint in log, log
        for host in ("127.0.0.1", "localhost"):
            response = httpx.get(f"https://{host}:{srv.port}/healthz", verify=_https_context(ca))
            assert response.status_code == 200
        with pytest.raises(httpx.ConnectError):  # not trusted without the CA
            httpx.get(f"{srv.base_url}/healthz")
    assert (ca.parent / "ca-key.pem").stat().st_mode & 0o077 == 0

    # The same files given explicitly, as a production certificate would be.
    cert, key = ca.parent / "server.pem", ca.parent / "server-key.pem"
    with live_server(database_url=url, master_key=TEST_MASTER_KEY, log_dir=test_output_dir, workers=2,
                     args=("--tls-cert", str(cert), "--tls-key", str(key)), scheme="https",
                     verify=_https_context(ca)) as srv:
        assert httpx.get(f"{srv.base_url}/healthz", verify=_https_context(ca)).status_code == 200
        with socket.create_connection(("127.0.0.1", srv.port)) as plain:  # no plaintext on the https port
            plain.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            assert not plain.recv(100).startswith(b"HTTP/1.1 200")


def test_dev_advertises_http_issuers_when_serving_http(tmp_path: Path, test_output_dir: Path) -> None:
    url = databases.sqlite_url(tmp_path, "dev.db")
    with live_server(database_url=url, master_key=TEST_MASTER_KEY, log_dir=test_output_dir, workers=1,
                     args=("--dev",), extra_env={"OSTIARY_PUBLIC_SCHEME": "https"}) as srv:
        issuer_line = next(line for line in srv.log().splitlines() if line.strip().startswith("issuer"))
        issuer = issuer_line.split()[-1]
        assert issuer.startswith("http://"), issuer
        host = issuer.split("//", 1)[1].rstrip("/")
        config = httpx.get(f"{srv.base_url}/.well-known/openid-configuration", headers={"Host": host}).json()
        assert config["issuer"] == issuer
        assert config["token_endpoint"].startswith("http://")
