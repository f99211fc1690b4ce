"""An Action's npm `dependencies`, resolved at deploy time into the files its CommonJS loader reads.

Looked up first in the operator's folder of installed packages (OSTIARY_ACTIONS_NPM_FOLDER, a node_modules
directory), otherwise installed from the npm registry with `npm install --ignore-scripts` into a temporary
directory. Only JavaScript and JSON files are kept; install scripts never run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from ostiary.errors import AdminError

KEPT_SUFFIXES = (".js", ".cjs", ".json")
MAX_BUNDLE_BYTES = 5 * 1024 * 1024
NPM_TIMEOUT_SECONDS = 120


def _collect(root: Path, package_dir: Path, into: dict[str, str]) -> None:
    for path in sorted(package_dir.rglob("*")):
        if not path.is_file() or path.suffix not in KEPT_SUFFIXES or path.is_symlink():
            continue
        into[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8", errors="replace")


def _with_dependencies(folder: Path, name: str, seen: set[str]) -> list[str]:
    """The package and, from the same flat node_modules folder, what its package.json depends on."""
    if name in seen:
        return []
    seen.add(name)
    manifest = folder / name / "package.json"
    if not manifest.is_file():
        raise LookupError(name)
    deps = json.loads(manifest.read_text(encoding="utf-8")).get("dependencies") or {}
    names = [name]
    for dep in deps:
        if not (folder / name / "node_modules" / dep).is_dir():
            names += _with_dependencies(folder, dep, seen)
    return names


def _from_folder(folder: Path, names: list[str]) -> dict[str, str] | None:
    files: dict[str, str] = {}
    seen: set[str] = set()
    try:
        for name in names:
            for package in _with_dependencies(folder, name, seen):
                _collect(folder.parent, folder / package, files)
    except LookupError:
        return None
    # Keys are node_modules/<package>/..., whatever the folder is called.
    return {"node_modules/" + k.split("/", 1)[1]: v for k, v in files.items()}


def _from_registry(specs: list[str]) -> dict[str, str]:
    npm = shutil.which("npm")
    if npm is None:
        raise AdminError("dependencies: npm is not installed and OSTIARY_ACTIONS_NPM_FOLDER does not hold them")
    with tempfile.TemporaryDirectory(prefix="ostiary-npm-") as tmp:
        try:
            done = subprocess.run(  # noqa: S603 — fixed argv, package specs validated by the caller
                [npm, "install", "--no-save", "--no-package-lock", "--ignore-scripts", "--no-audit", "--no-fund",
                 "--prefix", tmp, *specs],
                capture_output=True, text=True, timeout=NPM_TIMEOUT_SECONDS, check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise AdminError(
                f"dependencies: npm install {' '.join(specs)} took more than {NPM_TIMEOUT_SECONDS}s"
            ) from exc
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise AdminError(f"dependencies: npm install {' '.join(specs)} failed: {' / '.join(tail)[:400]}")
        files: dict[str, str] = {}
        _collect(Path(tmp), Path(tmp) / "node_modules", files)
        return files


def resolve(dependencies: list[dict[str, str]], folder: Path | None) -> dict[str, str]:
    """{"node_modules/pkg/file.js": source} for the dependencies and what they need."""
    if not dependencies:
        return {}
    names = [d["name"] for d in dependencies]
    files = _from_folder(folder, names) if folder is not None else None
    if files is None:
        files = _from_registry([f"{d['name']}@{d['version']}" for d in dependencies])
    size = sum(len(v) for v in files.values())
    if size > MAX_BUNDLE_BYTES:
        raise AdminError(f"dependencies: {size} bytes of JavaScript (limit {MAX_BUNDLE_BYTES})")
    return files
