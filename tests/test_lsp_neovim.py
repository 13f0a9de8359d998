"""The Neovim blocks in lsp/README.md, run as written in a headless `nvim` against the server.

Needs an `nvim` on PATH (or in $TYPEINFER_NVIM): 0.10 or later for the 0.10 block, 0.11 or later
for the 0.11 block; skipped otherwise.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "lsp" / "README.md"
NVIM = os.environ.get("TYPEINFER_NVIM") or shutil.which("nvim")

SOURCE = '''\
def greet(name: str):
    return "hello " + name


count = 3
'''

# Runs after the buffer is loaded: waits for the server's hints and writes what Neovim holds.
DRIVER = r'''
local buf = vim.api.nvim_get_current_buf()
local function hints() return vim.lsp.inlay_hint.get({ bufnr = buf }) end
local got = vim.wait(90000, function() return #hints() > 0 end, 100)
local labels = {}
for _, item in ipairs(hints()) do
  local label = item.inlay_hint.label
  if type(label) == "table" then
    local parts = {}
    for _, part in ipairs(label) do parts[#parts + 1] = part.value end
    label = table.concat(parts)
  end
  labels[#labels + 1] = label
end
local names = {}
for _, client in ipairs(vim.lsp.get_clients({ bufnr = buf })) do names[#names + 1] = client.name end
local out = io.open(os.getenv("TYPEINFER_NVIM_OUT"), "w")
out:write(vim.json.encode({
  got = got,
  filetype = vim.bo[buf].filetype,
  clients = names,
  enabled = vim.lsp.inlay_hint.is_enabled({ bufnr = buf }),
  labels = labels,
}))
out:close()
vim.cmd("qa!")
'''


def _version(nvim: str) -> tuple[int, int]:
    out = subprocess.run([nvim, "--version"], capture_output=True, text=True, timeout=30).stdout
    match = re.search(r"NVIM v(\d+)\.(\d+)", out)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def _block(heading: str) -> str:
    text = README.read_text(encoding="utf-8")
    section = text[text.index(heading):]
    match = re.search(r"```lua\n(.*?)```", section, re.S)
    assert match, f"no lua block under {heading!r}"
    return match.group(1)


def test_readme_has_a_block_per_neovim_line():
    text = README.read_text(encoding="utf-8")
    old = _block("### Neovim 0.10\n")
    new = _block("### Neovim 0.11 and later\n")
    assert "vim.lsp.start(" in old and "vim.lsp.config" not in old and "vim.lsp.enable" not in old
    assert "vim.lsp.inlay_hint.enable(true, { bufnr = args.buf })" in old
    assert "vim.lsp.config(" in new and 'vim.lsp.enable("typeinfer")' in new
    assert "before 0.10" in text and "not supported" in text


@pytest.mark.slow
@pytest.mark.skipif(NVIM is None, reason="needs nvim (0.10+) on PATH or in $TYPEINFER_NVIM")
@pytest.mark.parametrize(("heading", "needs"), [("### Neovim 0.10\n", (0, 10)),
                                                ("### Neovim 0.11 and later\n", (0, 11))])
def test_readme_block_shows_hints_in_headless_neovim(tmp_path, heading, needs):
    assert NVIM is not None
    if _version(NVIM) < needs:
        pytest.skip(f"{NVIM} is older than {needs[0]}.{needs[1]}")
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "0"\n')
    (project / "demo.py").write_text(SOURCE)
    home = tmp_path / "home"
    init = tmp_path / "init.lua"
    init.write_text(_block(heading))
    driver = tmp_path / "driver.lua"
    driver.write_text(DRIVER)
    out = tmp_path / "out.json"
    env = dict(os.environ, TYPEINFER_NVIM_OUT=str(out), HOME=str(home),
               XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
               XDG_STATE_HOME=str(home / "state"), XDG_CACHE_HOME=str(home / "cache"),
               PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    run = subprocess.run([NVIM, "--headless", "-n", "-i", "NONE", "-u", str(init), "demo.py",
                          "+luafile " + str(driver)],
                         cwd=project, env=env, capture_output=True, text=True, timeout=180)
    assert out.is_file(), run.stdout[-2000:] + run.stderr[-2000:]
    result = json.loads(out.read_text())
    assert result["filetype"] == "python"
    assert result["clients"] == ["typeinfer"]
    assert result["enabled"] is True
    assert result["got"] is True, result
    assert {": int", "-> str"} <= {label.strip() for label in result["labels"]}, result["labels"]
