"""The VS Code extension in lsp/vscode builds and packages (`npm ci && npm run build`) without a prompt."""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXTENSION = ROOT / "lsp" / "vscode"


def _package() -> dict:
    return json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))


def test_package_json_has_what_vsce_asks_for():
    package = _package()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert package["license"] == project["license"] == "Apache-2.0"
    assert package["publisher"]
    assert package["repository"]["url"]
    assert package["engines"]["vscode"]


def test_license_is_the_apache_2_text():
    text = (EXTENSION / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text
    assert "END OF TERMS AND CONDITIONS" in text and "APPENDIX: How to apply the Apache License" in text
    assert len(text) > 10_000  # the full text, not a notice


def test_lockfile_is_committed_and_matches_package_json():
    package = _package()
    lock = json.loads((EXTENSION / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["lockfileVersion"] >= 2
    assert (lock["name"], lock["version"]) == (package["name"], package["version"])
    root = lock["packages"][""]
    assert root.get("dependencies", {}) == package.get("dependencies", {})
    assert root.get("devDependencies", {}) == package.get("devDependencies", {})
    for dep in [*package.get("dependencies", {}), *package.get("devDependencies", {})]:
        entry = lock["packages"][f"node_modules/{dep}"]
        assert entry["version"] and entry["integrity"].startswith("sha512-")
    ignored = (EXTENSION / ".gitignore").read_text(encoding="utf-8").split()
    assert "package-lock.json" not in ignored


def test_vscodeignore_keeps_sources_and_dev_files_out():
    patterns = (EXTENSION / ".vscodeignore").read_text(encoding="utf-8").split()
    for pattern in ("src/**", "tsconfig.json", "**/*.map", "node_modules/**/*.d.ts", "*.vsix"):
        assert pattern in patterns


@pytest.mark.network
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("npm") is None, reason="needs Node.js and npm")
def test_extension_builds_a_vsix(tmp_path):
    work = tmp_path / "vscode"
    shutil.copytree(EXTENSION, work, ignore=shutil.ignore_patterns("node_modules", "out", "*.vsix"))
    install = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=work, capture_output=True,
                             text=True, timeout=600, stdin=subprocess.DEVNULL)
    assert install.returncode == 0, install.stderr[-2000:]
    # stdin closed: a vsce prompt (as for a missing LICENSE) fails the build instead of waiting
    build = subprocess.run(["npm", "run", "build"], cwd=work, capture_output=True, text=True, timeout=600,
                           stdin=subprocess.DEVNULL)
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
    assert (work / "out" / "extension.js").is_file()
    vsix = work / "typeinfer.vsix"
    assert vsix.is_file() and vsix.stat().st_size > 10_000
    names = zipfile.ZipFile(vsix).namelist()
    assert "extension/LICENSE.txt" in names
    assert "extension/out/extension.js" in names
    assert "extension/node_modules/vscode-languageclient/package.json" in names
    assert not [n for n in names if n.startswith(("extension/src/", "extension/node_modules/typescript/",
                                                  "extension/node_modules/@vscode/vsce/"))]
    assert not [n for n in names if n.endswith((".d.ts", ".map"))]
