"""Bad input: one clear line naming the file, the build goes on, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from typeinfer.cpg.project import BuildError, BuildOptions, build_file, build_project
from typeinfer.cpg.schema import NodeKind, validate
from typeinfer.cpg.source import source_from_text

GOOD_PY = "def ok(x):\n    return x + 1\n"


def make_bad_project(root: Path) -> Path:
    (root / "good.py").write_text(GOOD_PY)
    (root / "syntax.py").write_text("def broken(:\n    pass\n\ndef fine(y):\n    return y\n")
    (root / "latin1.py").write_bytes("# caf\xe9\nname = 'x'\n".encode("latin-1"))
    (root / "binary.py").write_bytes(b"\x00\x01\x02ELF" * 100)
    (root / "empty.py").write_text("")
    (root / "huge.js").write_text("var a = 1;\n" * 300_000)  # ~3.3 MB: a minified-bundle stand-in
    (root / "deep.py").write_text("x = " + "(" * 3000 + "1" + ")" * 3000 + "\n")
    (root / "deep.ts").write_text("let y = " + "[" * 3000 + "]" * 3000 + ";\n")
    (root / "dangling.py").symlink_to(root / "does-not-exist.py")
    loop = root / "loop"
    loop.mkdir()
    (loop / "again").symlink_to(loop)
    (root / "notes.txt").write_text("not code")
    return root


def test_bad_files_are_reported_and_the_build_goes_on(tmp_path):
    root = make_bad_project(tmp_path)
    cpg = build_project(root, BuildOptions(use_cache=False, jobs=1))
    files = cpg.files
    assert files["good.py"].error is None and files["good.py"].parse_errors == 0
    assert files["syntax.py"].error is None and files["syntax.py"].parse_errors > 0
    # what parses of a broken file is kept
    methods = {cpg.get(n, "NAME") for n in cpg.file_nodes("syntax.py") if cpg.kind(n) == NodeKind.METHOD}
    assert "fine" in methods
    assert files["latin1.py"].error is None and "not valid UTF-8" in files["latin1.py"].warning
    assert "binary" in files["binary.py"].error and "binary.py" in files["binary.py"].error
    assert files["empty.py"].error is None
    assert "limit" in files["huge.js"].error and "huge.js" in files["huge.js"].error
    assert "dangling.py" in files["dangling.py"].error
    assert any("loop" in p and "symlink loop" in p for p in cpg.problems)
    for deep in ("deep.py", "deep.ts"):
        assert files[deep].error is None or files[deep].error == f"{deep}: skipped, nesting too deep to analyse"
    assert validate(cpg.g) == []


def test_missing_path_and_nothing_to_analyse_raise_build_errors(tmp_path):
    with pytest.raises(BuildError, match="no such file"):
        build_project(tmp_path / "nope")
    (tmp_path / "README.md").write_text("hi")
    with pytest.raises(BuildError, match="no Python or TypeScript files"):
        build_project(tmp_path)


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "typeinfer", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def test_cli_reports_each_bad_file_in_one_line_and_exits_zero(tmp_path):
    root = make_bad_project(tmp_path)
    result = run_cli("graph", str(root), "--no-cache", "-q")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    for name in ("binary.py", "huge.js", "dangling.py", "latin1.py"):
        lines = [line for line in result.stderr.splitlines() if name in line]
        assert len(lines) == 1, (name, result.stderr)
    assert "files with parse errors: 1" in result.stdout
    assert "syntax.py" in result.stdout


@pytest.mark.parametrize("args, message", [
    (["graph", "/definitely/not/here"], "no such file or directory"),
    (["graph"], "required: path"),
    (["graph", ".", "--jobs", "many"], "invalid int value"),
    (["nonsense"], "invalid choice"),
    (["export", ".", "-f", "xml", "-o", "out"], "unknown format"),
])
def test_cli_bad_usage_exits_2_with_one_line(tmp_path, args, message):
    (tmp_path / "a.py").write_text(GOOD_PY)
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_is_reported(tmp_path):
    (tmp_path / "a.py").write_text(GOOD_PY)
    secret = tmp_path / "secret.py"
    secret.write_text(GOOD_PY)
    secret.chmod(0)
    cpg = build_project(tmp_path, BuildOptions(use_cache=False, jobs=1))
    assert "secret.py: cannot read" in cpg.files["secret.py"].error


REAL_PY = (Path(__file__).resolve().parents[1] / "cpg" / "passes" / "cfg.py").read_bytes()[:6000]
REAL_TS = b"""
import { z } from "zod";
export class Store<T> {
  private items: Map<string, T> = new Map();
  constructor(private readonly name: string) {}
  get(key: string): T | undefined { return this.items.get(key) ?? undefined; }
  async load(url: string): Promise<void> {
    const res = await fetch(url);
    for (const [k, v] of Object.entries(await res.json())) { this.items.set(k, v as T); }
  }
}
export const make = <T,>(n: string) => new Store<T>(n);
"""


@st.composite
def mutated(draw, original: bytes):
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 12))):
        op = draw(st.sampled_from(["flip", "insert", "delete"]))
        pos = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "flip" and data:
            data[pos] = draw(st.integers(0, 255))
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=8))
        elif data:
            del data[pos: pos + draw(st.integers(1, 40))]
    return bytes(data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mutated(REAL_PY))
def test_random_mutations_of_real_python_never_crash_the_builder(data):
    fg = build_file(source_from_text(data, "m.py"))
    assert fg.error is None  # build_file turns internal exceptions into `error`: none may happen
    assert validate(fg.to_networkx()) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mutated(REAL_TS))
def test_random_mutations_of_real_typescript_never_crash_the_builder(data):
    fg = build_file(source_from_text(data, "m.ts"))
    assert fg.error is None
    assert validate(fg.to_networkx()) == []


MINIFIED_JS = "!function(e){" + ";".join(f"var a{i}=function(b){{return b+{i}}}" for i in range(800)) + "}(this);\n"


def test_minified_bundles_are_skipped_with_a_message_unless_asked_for(tmp_path):
    (tmp_path / "app.py").write_text(GOOD_PY)
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "redoc.standalone.js").write_text(MINIFIED_JS)
    (tmp_path / "static" / "plain.js").write_text("function add(a, b) {\n  return a + b;\n}\n")
    cpg = build_project(tmp_path, BuildOptions(use_cache=False, jobs=1))
    bundle = cpg.files["static/redoc.standalone.js"]
    assert bundle.error == "static/redoc.standalone.js: skipped, a minified JavaScript bundle (--include-minified analyses it)"
    assert cpg.files["static/plain.js"].error is None and cpg.files["app.py"].error is None
    kept = build_project(tmp_path, BuildOptions(use_cache=False, jobs=1, skip_minified=False))
    assert kept.files["static/redoc.standalone.js"].error is None
    names = {kept.get(n, "NAME") for n in kept.file_nodes("static/redoc.standalone.js") if kept.kind(n) == NodeKind.METHOD}
    assert len(names) > 100


def test_annotate_honours_the_build_options(tmp_path):
    (tmp_path / "app.py").write_text(GOOD_PY)
    (tmp_path / "bundle.js").write_text(MINIFIED_JS)
    (tmp_path / "big.py").write_text("def f(x):\n    return x\n" + "# padding\n" * 4000)
    result = run_cli("annotate", str(tmp_path), "--no-cache", "-q", "--no-model", "--max-bytes", "30000")
    assert result.returncode == 0, result.stderr
    assert "bundle.js: skipped, a minified JavaScript bundle" in result.stderr
    assert "big.py: skipped" in result.stderr and "30000-byte limit" in result.stderr
    result = run_cli("annotate", str(tmp_path), "--no-cache", "-q", "--no-model", "--include-minified")
    assert result.returncode == 0, result.stderr
    assert "bundle.js" not in result.stderr and "big.py" not in result.stderr
