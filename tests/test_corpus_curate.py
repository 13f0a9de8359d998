"""Offline tests of typeinfer.corpus.curate and checks of the committed manifests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from typeinfer.corpus import curate

MANIFEST = Path(curate.__file__).parent / "manifest"


def test_measure_python_counts_annotations(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "mod").mkdir(parents=True)
    (pkg / "mod" / "py.typed").write_text("")
    (pkg / "mod" / "a.py").write_text(
        "class C:\n"
        "    def __init__(self, x: int, y) -> None:\n        self.x = x\n"
        "    def m(self, a: str, *args: int, **kw) -> str:\n        return a\n"
        "    @staticmethod\n    def s(z: int): return z\n"
        "def f(p, q: float = 1.0):\n    return p\n"
    )
    (pkg / "tests").mkdir()
    (pkg / "tests" / "test_a.py").write_text("def t(a, b, c): pass\n")
    m = curate.measure_python(pkg)
    # params: x,y | a,args,kw | z | p,q  -> 8, annotated: x,a,args,z,q -> 5
    assert (m.params, m.params_annotated) == (8, 5)
    # returns (no __init__): m, s, f -> 1 of 3
    assert (m.funcs, m.funcs_returning) == (3, 1)
    assert m.has_py_typed and m.files == 1


def test_measure_typescript_skips_dts_and_tests(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.ts").write_text(
        "export function f(a: number, b): string { return '' }\n"
        "export class K { constructor(private x: number) {} m(y: string) { return y } }\n"
        "const g = (z: number): number => z;\n"
    )
    (tmp_path / "src" / "a.d.ts").write_text("export declare function f(a: number): string;\n")
    (tmp_path / "src" / "a.test.ts").write_text("test('x', () => {})\n")
    m = curate.measure_typescript(tmp_path)
    assert m.files == 1
    assert (m.params, m.params_annotated) == (5, 4)
    assert (m.funcs, m.funcs_returning) == (3, 2)


@pytest.mark.parametrize("expr,ok", [
    ("MIT", True), ("Apache-2.0 OR BSD-3-Clause", True), ("MPL-2.0", False), ("GPL-3.0-only", False),
    ("LGPL", False), ("UNKNOWN", False), ("MIT AND Apache-2.0", True), ("MIT AND GPL", False),
    ("GPL OR MIT", True),
])
def test_is_permissive(expr, ok):
    assert curate.is_permissive(expr) is ok


def test_license_normalization_and_files(tmp_path):
    assert curate.normalize_license_expression("Apache 2.0") == "Apache-2.0"
    assert curate.normalize_license_expression("MIT OR Apache-2.0") == "MIT OR Apache-2.0"
    (tmp_path / "LICENSE").write_text("Copyright x\n\nPermission is hereby granted, free of charge, to any")
    assert curate.license_from_files(tmp_path) == "MIT"
    (tmp_path / "package.json").write_text(json.dumps({"license": "SEE LICENSE IN LICENSE"}))
    assert curate.npm_license(tmp_path) == "MIT"


def test_read_candidates(tmp_path):
    f = tmp_path / "c.txt"
    f.write_text("# x\n[web]\naiohttp\nyarl==1.0  # pinned\n[cli]\ncloup\naiohttp\n")
    cs = curate.read_candidates(f, "pypi")
    assert [(c.name, c.version, c.domain) for c in cs] == [
        ("aiohttp", None, "web"), ("yarl", "1.0", "web"), ("cloup", None, "cli")]
    f.write_text("[x]\n@reduxjs/toolkit@2.0.0\nmobx\n")
    cs = curate.read_candidates(f, "npm")
    assert [(c.name, c.version) for c in cs] == [("@reduxjs/toolkit", "2.0.0"), ("mobx", None)]


def test_reserved_are_rejected_without_download(tmp_path):
    row, reason = curate.evaluate(curate.Candidate("Rich", "13.0.0", "cli"), "pypi", tmp_path)
    assert row is None and "reserved" in reason
    row, reason = curate.evaluate(curate.Candidate("zod", "3.0.0", "x"), "npm", tmp_path)
    assert row is None and "reserved" in reason
    row, reason = curate.evaluate(curate.Candidate("types-requests", "1", "x"), "pypi", tmp_path)
    assert row is None and "stub" in reason


@pytest.mark.parametrize("registry,minimum", [("pypi", 300), ("npm", 60)])
def test_committed_manifest(registry, minimum):
    path = MANIFEST / f"{registry}.tsv"
    if not path.exists():
        pytest.skip(f"{path.name} not generated yet")
    rows = curate.read_manifest(path)
    header = curate.PYPI_HEADER if registry == "pypi" else curate.NPM_HEADER
    assert list(rows[0].keys()) == header
    assert len(rows) >= minimum
    names = [r["name"] for r in rows]
    assert len(names) == len(set(names))
    reserved = curate.RESERVED_PYPI if registry == "pypi" else curate.RESERVED_NPM
    for r in rows:
        assert r["version"] and r["domain"]
        assert curate.is_permissive(r["license"]), r
        assert r["name"].lower() not in reserved
        assert int(r["loc"]) <= curate.MAX_LOC
        if registry == "pypi":
            assert float(r["param_annotation_density"]) >= curate.MIN_PARAM_DENSITY
            assert not r["name"].lower().startswith("types-")
        else:
            assert int(r["ts_files"]) >= curate.MIN_TS_FILES
    assert len({r["domain"] for r in rows}) >= 5
