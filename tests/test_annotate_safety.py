"""`typeinfer annotate --write` on files it cannot read or edit safely: exact bytes after the run.

A one-line def that tree-sitter misreads (CPython decides), a Latin-1 file without a coding
cookie (never written), a file with syntax errors (left alone unless --force), TypeScript
constants initialised with a literal (never widened), and an edit that would break parsing (only
the offending annotations are dropped, found by bisection).  `--format json` says of each slot
whether `--write` writes it, and why not."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typeinfer.analyzer.writer.contract import Annotation
from typeinfer.analyzer.writer.source import BREAKS_PARSING, annotate_source


def _annotate(path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "typeinfer", "annotate", str(path), "--no-model", "--no-cache",
                           "-q", *extra], capture_output=True, text=True, timeout=300)


def test_a_one_line_def_does_not_refuse_the_file(tmp_path: Path) -> None:
    f = tmp_path / "a.py"
    f.write_bytes(b"y = {}\ndef f(k): y[k] = 1\n\n\ndef g():\n    x = 1\n    return x\n")
    done = _annotate(tmp_path, "--write")
    assert done.returncode == 0, done.stderr
    assert f.read_bytes() == (b"from __future__ import annotations\n\ny = {}\ndef f(k) -> None: y[k] = 1\n\n\n"
                              b"def g() -> int:\n    x: int = 1\n    return x\n")
    assert "not annotated" not in done.stderr
    again = _annotate(tmp_path, "--write")  # a second run changes nothing
    assert again.returncode == 0 and "0 files changed" in again.stderr


def test_a_latin1_file_without_a_cookie_is_never_written(tmp_path: Path) -> None:
    f = tmp_path / "a.py"
    data = b's = "caf\xe9"\n\n\ndef g():\n    x = 1\n    return x\n'
    f.write_bytes(data)
    for extra in (("--write",), (), ("--write", "--force")):
        done = _annotate(tmp_path, *extra)
        assert done.returncode == 0, done.stderr
        assert f.read_bytes() == data
        assert done.stdout.strip() == ""  # no diff either
        assert "a.py: not annotated, not valid utf-8 text (bad byte at offset 8)" in done.stderr


def test_a_file_with_syntax_errors_is_left_alone_unless_forced(tmp_path: Path) -> None:
    f = tmp_path / "a.py"
    data = b"def broken(:\n    pass\n\n\ndef g():\n    x = 1\n    return x\n"
    f.write_bytes(data)
    done = _annotate(tmp_path, "--write")
    assert done.returncode == 0, done.stderr
    assert f.read_bytes() == data
    assert "a.py: not annotated, has syntax errors (line 1: " in done.stderr
    assert "--force" in done.stderr
    done = _annotate(tmp_path, "--write", "--force")
    assert done.returncode == 0, done.stderr
    assert f.read_bytes() == (b"from __future__ import annotations\n\ndef broken(:\n    pass\n\n\n"
                              b"def g() -> int:\n    x: int = 1\n    return x\n")


def test_typescript_literal_constants_keep_their_literal_types(tmp_path: Path) -> None:
    """`export const WHITE = 'w'` is the type 'w' to tsc: annotating it `string` would widen it and
    break a `'w' | 'b'` union.  Such constants (and `as const`, arrows) stay as they are; the
    rest of the file is annotated."""
    f = tmp_path / "colors.ts"
    head = (b"export const WHITE = 'w';\nexport const LIMIT = 10;\nexport const NUMS = [1, 2] as const;\n"
            b"export const inc = (x: number) => x + 1;\nexport type Color = 'w' | 'b';\n")
    f.write_bytes(head + b"export function twice(n: number) {\n  const doubled = n * 2;\n  return doubled;\n}\n")
    done = _annotate(tmp_path, "--write")
    assert done.returncode == 0, done.stderr
    assert f.read_bytes() == head + (b"export function twice(n: number): number {\n  const doubled: number = n * 2;\n"
                                     b"  return doubled;\n}\n")


def test_a_typescript_file_with_syntax_errors_is_left_alone_unless_forced(tmp_path: Path) -> None:
    data = b"function broken( {\n\nexport function g() {\n  const x = 1;\n  return x;\n}\n"
    anns = [Annotation("return", "g", "", 3, 16, "number")]
    refused = annotate_source(data, "a.ts", "typescript", anns)
    assert refused.data == data and refused.refused is not None and "has syntax errors" in refused.refused
    forced = annotate_source(data, "a.ts", "typescript", anns, force=True)
    assert forced.refused is None and forced.data == data.replace(b"g() {", b"g(): number {")


def test_annotations_that_break_parsing_are_dropped_by_bisection() -> None:
    data = b"def f(a, b):\n    return a\n\n\ndef g(c):\n    x = 1\n    return x\n\n\ndef h(d):\n    return d\n"
    anns = [Annotation("parameter", "a", "f", 1, 6, "int"),
            Annotation("parameter", "b", "f", 1, 9, "str"),
            Annotation("return", "g", "", 5, 4, "int, str"),  # `def g(c) -> int, str:` does not parse
            Annotation("parameter", "c", "g", 5, 6, "bytes"),
            Annotation("variable", "x", "g", 6, 4, "int, str"),  # `x: int, str = 1` does not parse
            Annotation("return", "h", "", 10, 4, "float")]
    result = annotate_source(data, "m.py", "python", anns)
    assert result.refused is None
    assert result.data == (b"from __future__ import annotations\n\ndef f(a: int, b: str):\n    return a\n\n\n"
                           b"def g(c: bytes):\n    x = 1\n    return x\n\n\ndef h(d) -> float:\n    return d\n")
    assert sorted((s.annotation.name, s.reason) for s in result.skipped) == [("g", BREAKS_PARSING),
                                                                             ("x", BREAKS_PARSING)]
    assert [a.annotation.name for a in result.applied] == ["a", "b", "c", "h"]


def test_dropped_annotations_are_reported_one_line_each_and_the_rest_is_written(tmp_path: Path, monkeypatch) -> None:
    """Through `annotate.run` (what `--write` runs): the breaking annotation gets one message."""
    from typeinfer.analyzer import annotate
    from typeinfer.analyzer.pipeline import ANNOTATE_ROUNDS, InferenceOptions, infer_project

    f = tmp_path / "a.py"
    f.write_bytes(b"def g():\n    x = 1\n    return x\n")
    result = infer_project(str(tmp_path), InferenceOptions(use_model=False, use_cache=False, rounds=ANNOTATE_ROUNDS))
    real = annotate.to_annotation

    def breaking(p, universe):  # the return's type text would break the def line
        a = real(p, universe)
        return Annotation(a.kind, a.name, a.function, a.line, a.column, "int, str", a.imports) if a.kind == "return" else a

    monkeypatch.setattr(annotate, "to_annotation", breaking)
    summary = annotate.run(result, "write", ("parameter", "return", "variable", "attribute"), lambda s: None)
    assert f.read_bytes() == b"from __future__ import annotations\n\ndef g():\n    x: int = 1\n    return x\n"
    assert [m for m in summary.messages if BREAKS_PARSING in m] == [
        f"a.py:1: g: int, str not written, {BREAKS_PARSING}"]


def test_json_says_which_slots_write_writes_and_why_the_others_are_not(tmp_path: Path) -> None:
    files = {"good.py": b"def g():\n    x = 1\n    return x\n",
             "latin.py": b's = "caf\xe9"\n\n\ndef h():\n    y = 2\n    return y\n',
             "broken.py": b"def broken(:\n    pass\n\n\ndef k():\n    z = 3\n    return z\n",
             "consts.ts": b"export const WHITE = 'w';\nexport function n() { const m = 1; return m + 1; }\n"}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    done = _annotate(tmp_path, "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = {(r["file"], r["name"]): r for r in json.loads(done.stdout)["predictions"]}
    assert all(files[name] == (tmp_path / name).read_bytes() for name in files)  # json writes nothing
    for key in (("good.py", "x"), ("good.py", "g"), ("consts.ts", "n")):
        assert rows[key]["written"] is True and "not_written" not in rows[key], rows[key]
    assert rows[("latin.py", "y")]["not_written"].startswith("not annotated, not valid utf-8 text (bad byte at offset 8)")
    assert rows[("broken.py", "z")]["not_written"].startswith("not annotated, has syntax errors (line 1: ")
    assert rows[("consts.ts", "WHITE")]["not_written"] == "not annotated: written once with a literal: the checker infers its type exactly"

    done = _annotate(tmp_path, "--write")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "good.py").read_bytes() == (b"from __future__ import annotations\n\ndef g() -> int:\n"
                                                   b"    x: int = 1\n    return x\n")
    written = (tmp_path / "consts.ts").read_text()
    assert f"n(): {rows[('consts.ts', 'n')]['type']}" in written and "WHITE =" in written
    for name in ("latin.py", "broken.py"):
        assert (tmp_path / name).read_bytes() == files[name]
