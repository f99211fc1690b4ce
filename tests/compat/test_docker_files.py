"""Docker cannot run here: check what can be checked without an engine. The compose file parses and wires
db → migrate → ostiary; the image's command works outside docker against a freshly migrated PostgreSQL."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.conftest import TEST_MASTER_KEY
from tests.support import databases
from tests.support.live import ROOT, free_port

SERVE = ["serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]


def _dockerfile() -> dict[str, str]:
    """The Dockerfile's instructions (continuation lines joined); later ones win."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    out: dict[str, str] = {}
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            word, _, rest = line.strip().partition(" ")
            out[word.upper()] = rest.strip()
    return out


def _compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "docker-compose.yml").read_text()))


def test_dockerfile_is_slim_non_root_and_runs_ostiary_serve() -> None:
    instructions = _dockerfile()
    assert instructions["FROM"] == "python:3.11-slim"
    assert instructions["USER"] not in ("root", "0")
    assert json.loads(instructions["ENTRYPOINT"]) == ["ostiary"]
    assert json.loads(instructions["CMD"]) == SERVE
    assert "/healthz" in instructions["HEALTHCHECK"]
    assert "pip install ." in instructions["RUN"]


def test_compose_runs_migrations_before_the_server_with_required_secrets() -> None:
    services = _compose()["services"]
    assert set(services) == {"db", "migrate", "ostiary", "mailpit"}
    db, migrate, server = services["db"], services["migrate"], services["ostiary"]
    assert db["image"] == "postgres:16"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert db["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    assert migrate["command"] == ["db", "upgrade"]
    assert migrate["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert server["command"] == SERVE
    assert server["depends_on"] == {"migrate": {"condition": "service_completed_successfully"},
                                    "mailpit": {"condition": "service_started"}}
    assert "/healthz" in " ".join(server["healthcheck"]["test"])
    assert migrate["image"] == server["image"] and migrate["build"] == server["build"] == "."
    for env in (migrate["environment"], server["environment"]):
        assert env["OSTIARY_MASTER_KEY"].startswith("${OSTIARY_MASTER_KEY:?")
        assert re.fullmatch(r"postgresql\+asyncpg://ostiary:\$\{POSTGRES_PASSWORD:\?[^}]*\}@db:5432/ostiary",
                            env["OSTIARY_DATABASE_URL"])


def test_compose_wires_the_mail_catcher() -> None:
    services = _compose()["services"]
    assert services["mailpit"]["image"].startswith("axllent/mailpit")
    assert "8025:8025" in services["mailpit"]["ports"]
    smtp_url = services["ostiary"]["environment"]["OSTIARY_SMTP_URL"]
    assert smtp_url == "${OSTIARY_SMTP_URL:-smtp://mailpit:1025}"


def test_every_compose_setting_is_a_known_setting() -> None:
    from ostiary.settings import Settings

    env = _compose()["services"]["ostiary"]["environment"]
    known = {f"OSTIARY_{name.upper()}" for name in Settings.model_fields}
    assert set(env) <= known


@pytest.mark.live
def test_the_image_command_migrates_and_serves_healthz_outside_docker(test_output_dir: Path) -> None:
    reason = databases.postgres_unavailable_reason()
    if reason:
        pytest.skip(reason)
    script = str(Path(sys.executable).parent / "ostiary")
    with databases.postgres_database("ostiary_image") as url:
        env = {**os.environ, "OSTIARY_DATABASE_URL": url, "OSTIARY_MASTER_KEY": TEST_MASTER_KEY,
               "OSTIARY_HOME": str(ROOT)}
        migrate = subprocess.run([script, "db", "upgrade"], env=env, capture_output=True, text=True, timeout=60)  # noqa: S603
        assert migrate.returncode == 0, migrate.stderr
        current = subprocess.run([script, "db", "current"], env=env, capture_output=True, text=True, timeout=60)  # noqa: S603
        assert current.returncode == 0 and current.stdout.strip(), current.stderr
        port = free_port()
        command = [script, *SERVE[:-3], str(port), *SERVE[-2:]]
        log_path = test_output_dir / f"image-command-{port}.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            deadline = time.monotonic() + 90
            while True:
                assert proc.poll() is None, log_path.read_text()
                try:
                    response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                    break
                except httpx.HTTPError:
                    assert time.monotonic() < deadline, log_path.read_text()
                    time.sleep(0.2)
            assert response.status_code == 200 and response.json() == {"status": "ok"}
            assert response.headers["x-request-id"]
        finally:
            proc.terminate()
            proc.wait(timeout=15)
