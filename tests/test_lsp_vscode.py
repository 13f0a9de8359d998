"""The VS Code extension in lsp/vscode builds and packages (`npm install && npm run build`)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

EXTENSION = Path(__file__).resolve().parents[1] / "lsp" / "vscode"


@pytest.mark.network
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("npm") is None, reason="needs Node.js and npm")
def test_extension_builds_a_vsix(tmp_path):
    work = tmp_path / "vscode"
    shutil.copytree(EXTENSION, work, ignore=shutil.ignore_patterns("node_modules", "out", "*.vsix"))
    install = subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=work, capture_output=True,
                             text=True, timeout=600)
    assert install.returncode == 0, install.stderr[-2000:]
    build = subprocess.run(["npm", "run", "build"], cwd=work, capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
    assert (work / "out" / "extension.js").is_file()
    vsix = work / "typeinfer.vsix"
    assert vsix.is_file() and vsix.stat().st_size > 10_000
