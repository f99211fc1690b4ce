"""`pip install .` (not editable) and `ostiary db upgrade` in any folder: the wheel carries the migrations."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from tests.support.live import ROOT


def sh(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(  # noqa: S603
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
    return proc.stdout


def test_the_built_wheel_migrates_a_database_from_any_folder(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for name in ("src", "migrations"):
        shutil.copytree(ROOT / name, source / name, symlinks=True, ignore=shutil.ignore_patterns("*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    sh(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", tmp_path / "dist",
       ".", cwd=source)
    wheel = next((tmp_path / "dist").glob("ostiary-*.whl"))

    # A fresh venv without the checkout; its dependencies come from this venv's site-packages (read as plain
    # paths: the editable install's hooks there are not run, so only the wheel provides `ostiary`).
    fresh = tmp_path / "fresh"
    sh(sys.executable, "-m", "venv", "--without-pip", fresh, cwd=tmp_path)
    site = Path(sh(fresh / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                   cwd=tmp_path).strip())
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    sh(sys.executable, "-m", "pip", "--python", fresh / "bin" / "python", "install", "--no-deps", "-q", wheel,
       cwd=tmp_path)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSTIARY_")}
    env["OSTIARY_DATABASE_URL"] = f"sqlite:///{elsewhere / 'prod.db'}"
    located = sh(fresh / "bin" / "python", "-c", "import ostiary; print(ostiary.__file__)", cwd=elsewhere, env=env)
    assert located.startswith(str(site)), located
    assert "database at head" in sh(fresh / "bin" / "ostiary", "db", "upgrade", cwd=elsewhere, env=env)
    current = sh(fresh / "bin" / "ostiary", "db", "current", cwd=elsewhere, env=env).strip()
    head = sorted((ROOT / "migrations" / "versions").glob("*.py"))
    assert current and any(f'revision: str = "{current}"' in p.read_text() for p in head)
    sh(fresh / "bin" / "ostiary", "tenants", "create", "acme", "--domain", "acme.test", cwd=elsewhere, env=env)
