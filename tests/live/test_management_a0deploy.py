"""auth0-deploy-cli (`a0deploy`) against a running server over https: export a tenant seeded through the CLI
(everything, skipping with a warning what Ostiary does not serve), import that export into a second, empty
tenant (AUTH0_INCLUDED_ONLY: the types Ostiary serves), and both tenants then export identically.

SQLite only: a0deploy's import spends minutes of CPU on a loaded 2-core machine, and what it checks is the
HTTP surface, which tests/management runs on both backends.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import TEST_MASTER_KEY
from tests.support.cli import Cli
from tests.support.live import ROOT, free_port, live_server
from tests.support.tls import TlsFiles, make_tls

pytestmark = pytest.mark.live
NODE_DIR = ROOT / "tests" / "node"
A0DEPLOY = NODE_DIR / "node_modules" / ".bin" / "a0deploy"
SERVED = ["tenant", "clients", "resourceServers", "clientGrants", "connections", "roles", "actions", "triggers"]
ACTION = """exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('https://orders.example/tier', 'gold');
};
"""


@pytest.fixture
def a0deploy() -> Path:
    reason = None if shutil.which("node") else "node is not installed"
    if reason is None and not A0DEPLOY.exists():
        reason = "auth0-deploy-cli is not installed: npm install --prefix tests/node (.ci/run does it)"
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    return A0DEPLOY


def _seed(cli: Cli, name: str, domain: str) -> dict[str, str]:
    cli.ok("tenants", "create", name, "--domain", domain)
    return dict(json.loads(cli.ok("management", "token", "-t", name, "--client", "a0deploy", "--json")))


def _run(a0deploy: Path, tls: TlsFiles, work: Path, access: dict[str, str], domain: str, *args: str,
         only: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    config = {"AUTH0_DOMAIN": domain, "AUTH0_CLIENT_ID": access["client_id"],
              "AUTH0_CLIENT_SECRET": access["client_secret"], "AUTH0_ALLOW_DELETE": False}
    if only is not None:
        config["AUTH0_INCLUDED_ONLY"] = only
    path = work / f"config-{domain.replace(':', '-')}-{len(only or [])}.json"
    path.write_text(json.dumps(config))
    env = {**os.environ, "NODE_EXTRA_CA_CERTS": str(tls.ca)}
    return subprocess.run([str(a0deploy), *args, "-c", str(path)], cwd=work, env=env, capture_output=True, text=True,
                          timeout=600, check=False)


def _export(a0deploy: Path, tls: TlsFiles, work: Path, access: dict[str, str], domain: str, out: str,
            only: list[str] | None = None) -> dict[str, object]:
    done = _run(a0deploy, tls, work, access, domain, "export", "-f", "yaml", "-o", str(work / out), only=only)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return dict(yaml.safe_load((work / out / "tenant.yaml").read_text()))


def test_export_then_import_into_an_empty_tenant(database_url: str, test_output_dir: Path, tmp_path: Path,
                                                 a0deploy: Path) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("a0deploy runs once, on SQLite (see the module docstring)")
    cli = Cli(database_url)
    tls = make_tls(tmp_path)
    port = free_port()
    source, target = f"localhost:{port}", f"127.0.0.1:{port}"
    src = _seed(cli, f"a0-src-{port}", source)
    dst = _seed(cli, f"a0-dst-{port}", target)
    t = f"a0-src-{port}"
    cli.ok("apis", "create", "-t", t, "--identifier", "https://orders.example", "--scope", "read:orders=Read orders")
    cli.ok("clients", "create", "-t", t, "--name", "web", "--callback", "https://app.example/cb",
           "--web-origin", "https://app.example")
    cli.ok("clients", "create", "-t", t, "--name", "worker", "--app-type", "non_interactive")
    cli.ok("grants", "create", "-t", t, "--client", "worker", "--audience", "https://orders.example",
           "--scope", "read:orders")
    cli.ok("connections", "create", "google", "-t", t, "--strategy", "google-oauth2", "--option", "client_id=gid",
           "--option", "client_secret=gsecret", "--enabled-client", "web")
    cli.ok("roles", "create", "auditor", "-t", t, "--description", "Reads orders")
    cli.ok("roles", "permissions", "add", "auditor", "-t", t, "--api", "https://orders.example",
           "--permission", "read:orders")
    (tmp_path / "tier.js").write_text(ACTION)
    cli.ok("actions", "add", "-t", t, "--name", "tier", "--trigger", "post-login", "--code-file",
           str(tmp_path / "tier.js"))
    env = {"OSTIARY_PUBLIC_SCHEME": "https", "OSTIARY_CACHE_TTL_SECONDS": "0"}
    with live_server(database_url=database_url, master_key=TEST_MASTER_KEY, log_dir=test_output_dir, workers=1,
                     port=port, tls=tls, extra_env=env):
        everything = _export(a0deploy, tls, tmp_path, src, source, "full")
        assert {c["name"] for c in everything["clients"]} == {"a0deploy", "web", "worker"}  # type: ignore[attr-defined]
        assert [g["client_id"] for g in everything["clientGrants"]] == ["worker"]  # type: ignore[index]
        assert [r["name"] for r in everything["roles"]] == ["auditor"]  # type: ignore[index]
        assert [a["name"] for a in everything["actions"]] == ["tier"]  # type: ignore[index]
        assert everything["databases"], everything.keys()  # its handler reads GET /actions/actions

        served = _export(a0deploy, tls, tmp_path, src, source, "served", only=SERVED)
        done = _run(a0deploy, tls, tmp_path, dst, target, "import", "-i", str(tmp_path / "served" / "tenant.yaml"),
                    only=SERVED)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        imported = _export(a0deploy, tls, tmp_path, dst, target, "imported", only=SERVED)
    assert imported == served
    assert [c["name"] for c in imported["connections"]] == ["google"]  # type: ignore[index]
    assert imported["roles"] == [{"name": "auditor", "description": "Reads orders", "permissions": [
        {"permission_name": "read:orders", "resource_server_identifier": "https://orders.example"}]}]
    assert imported["triggers"]["post-login"] == [{"action_name": "tier", "display_name": "tier"}]  # type: ignore[index]
