"""Export formats (cpg/export.py): each one is read back by the tool (or parser) it is meant for.

Two graphs: a small Python + TypeScript project built by the real pipeline, and a hand-made
graph whose values are the awkward ones (quotes, backslashes, newlines, ``;`` in list items,
tuples of tuples, floats, booleans, None).
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import networkx as nx
import pytest

from typeinfer.cpg.export import FORMATS, export, node_id_text
from typeinfer.cpg.file_graph import FileGraph
from typeinfer.cpg.graph import CodePropertyGraph
from typeinfer.cpg.project import BuildOptions, build_project
from typeinfer.cpg.schema import EdgeKind, NodeKind, Prop

PROJECT = {
    "pkg/__init__.py": "",
    "pkg/shapes.py": '''\
"""Shapes with "quotes" and a back\\\\slash."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Point:
    x: float
    y: float = 0.0

    def norm(self) -> float:
        return (self.x ** 2 + self.y ** 2) ** 0.5


def scale(p: Point, k: float = 2) -> Point:
    text = "a\\nb" + 'c"d'
    if k > 1:
        return Point(p.x * k, p.y * k)
    for i in range(3):
        k += i
    return p
''',
    "pkg/use.py": '''\
from pkg.shapes import Point, scale

points = [scale(Point(1, 2)) for _ in range(2)]
total = sum(p.norm() for p in points)
''',
    "src/util.ts": '''\
export interface Named { name: string; }

export function greet(who: Named, loud = false): string {
  const msg = `hello "${who.name}"\\n`;
  return loud ? msg.toUpperCase() : msg;
}

export class Counter {
  private count: number = 0;
  static readonly step = 1;
  inc(): number { this.count += Counter.step; return this.count; }
}
''',
    "src/main.ts": '''\
import { greet, Counter } from "./util";

const c = new Counter();
for (let i = 0; i < 3; i++) {
  c.inc();
}
console.log(greet({ name: "a;b" }), c.inc());
''',
}


@pytest.fixture(scope="module")
def project_cpg(tmp_path_factory: pytest.TempPathFactory) -> CodePropertyGraph:
    root = tmp_path_factory.mktemp("project")
    for rel, text in PROJECT.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    cpg = build_project(root, BuildOptions(use_cache=False, jobs=1))
    errors = {f.path: f.error for f in cpg.files.values() if f.error}
    assert not errors, errors
    assert {f.language for f in cpg.files.values()} == {"python", "typescript"}
    return cpg


@pytest.fixture(scope="module")
def awkward_cpg() -> CodePropertyGraph:
    fg = FileGraph(path="dir with space/we#ird.py", language="python", content_hash="0" * 64, loc=3)
    fg.nodes = {
        0: {Prop.KIND: NodeKind.FILE, Prop.NAME: "dir with space/we#ird.py", Prop.LANGUAGE: "python"},
        1: {Prop.KIND: NodeKind.METHOD, Prop.NAME: "f", Prop.FULL_NAME: "we#ird.py:f", Prop.LINE_NUMBER: 1,
            Prop.MODIFIERS: ("async", "static"), Prop.DECORATORS: ("route('/a;b')", "cache"),
            Prop.CODE: 'def f(x="\\\\"):\n    return "a\\"b"\r\n', Prop.TYPE_FULL_NAME: None},
        2: {Prop.KIND: NodeKind.IDENTIFIER, Prop.NAME: "x", Prop.LINE_NUMBER: 2, Prop.COLUMN_NUMBER: 11,
            Prop.IS_WRITE: True, Prop.POSSIBLE_TYPES: (("int", 0.75), ("str", 0.25)), Prop.CONFIDENCE: 0.75},
        3: {Prop.KIND: NodeKind.IDENTIFIER, Prop.NAME: "y", Prop.LINE_NUMBER: 3, Prop.COLUMN_NUMBER: 0,
            Prop.CONFIDENCE: 1, Prop.CODE: ""},
        4: {Prop.KIND: NodeKind.LITERAL, Prop.CODE: "'{}'", Prop.LINE_NUMBER: "3"},  # mixed type on purpose
    }
    fg.edges = [
        (0, 1, EdgeKind.AST, None),
        (1, 2, EdgeKind.AST, None),
        (1, 3, EdgeKind.AST, None),
        (1, 4, EdgeKind.AST, None),
        (2, 3, EdgeKind.REACHING_DEF, {Prop.VARIABLE: 'x"y'}),
        (2, 3, EdgeKind.CFG, None),
    ]
    cpg = CodePropertyGraph("/somewhere")
    cpg.add_file(fg)
    return cpg


GRAPHS = ["project_cpg", "awkward_cpg"]


def _graph(request: pytest.FixtureRequest, name: str) -> CodePropertyGraph:
    return request.getfixturevalue(name)


# ------------------------------------------------------------------------------------ graphml
@pytest.mark.parametrize("name", GRAPHS)
def test_graphml_round_trips_through_networkx(request, tmp_path, name):
    cpg = _graph(request, name)
    out = tmp_path / "g.graphml"
    assert export(cpg, "graphml", out) == [out]
    back = nx.read_graphml(out)
    assert back.number_of_nodes() == cpg.g.number_of_nodes()
    assert back.number_of_edges() == cpg.g.number_of_edges()
    for n, data in cpg.g.nodes(data=True):
        got = back.nodes[node_id_text(n)]
        assert got["labelV"] == got["kind"] == str(data[Prop.KIND])
    assert sorted(d["labelE"] for _, _, d in back.edges(data=True)) == sorted(str(k) for *_, k in cpg.g.edges(keys=True))


def test_graphml_values(awkward_cpg, tmp_path):
    out = tmp_path / "g.graphml"
    export(awkward_cpg, "graphml", out)
    back = nx.read_graphml(out)
    method = back.nodes["dir with space/we#ird.py#1"]
    assert method["CODE"] == awkward_cpg.get(("dir with space/we#ird.py", 1), Prop.CODE).replace("\r\n", "\n")
    assert json.loads(method["MODIFIERS"]) == ["async", "static"]
    assert "TYPE_FULL_NAME" not in method  # None is dropped
    x = back.nodes["dir with space/we#ird.py#2"]
    assert x["IS_WRITE"] is True and json.loads(x["POSSIBLE_TYPES"]) == [["int", 0.75], ["str", 0.25]]
    rd = [d for _, _, d in back.edges(data=True) if d["labelE"] == "REACHING_DEF"]
    assert len(rd) == 1 and rd[0]["VARIABLE"] == 'x"y'


# ------------------------------------------------------------------------------------ json
@pytest.mark.parametrize("name", GRAPHS)
def test_json_counts_and_references(request, tmp_path, name):
    cpg = _graph(request, name)
    out = tmp_path / "g.json"
    export(cpg, "json", out)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["version"] == 1
    assert len(doc["nodes"]) == cpg.g.number_of_nodes()
    assert len(doc["edges"]) == cpg.g.number_of_edges()
    assert [f["path"] for f in doc["files"]] == list(cpg.files)
    ids = [n["id"] for n in doc["nodes"]]
    assert len(set(ids)) == len(ids)
    assert all(e["src"] in set(ids) and e["dst"] in set(ids) for e in doc["edges"])
    assert {n["kind"] for n in doc["nodes"]} <= {str(k) for k in NodeKind}
    assert {e["kind"] for e in doc["edges"]} <= {str(k) for k in EdgeKind}


def test_json_values(awkward_cpg, tmp_path):
    out = tmp_path / "g.json"
    export(awkward_cpg, "json", out)
    nodes = {n["id"]: n for n in json.loads(out.read_text(encoding="utf-8"))["nodes"]}
    x = nodes["dir with space/we#ird.py#2"]
    assert x["POSSIBLE_TYPES"] == [["int", 0.75], ["str", 0.25]] and x["IS_WRITE"] is True
    assert "TYPE_FULL_NAME" not in nodes["dir with space/we#ird.py#1"]
    assert nodes["dir with space/we#ird.py#1"]["MODIFIERS"] == ["async", "static"]


# ------------------------------------------------------------------------------------ dot
@pytest.mark.parametrize("name", GRAPHS)
def test_dot_structure(request, tmp_path, name):
    cpg = _graph(request, name)
    out = tmp_path / "g.dot"
    export(cpg, "dot", out)
    text = out.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "digraph cpg {" and lines[-1] == "}"
    edge_lines = [ln for ln in lines if re.match(r'^  "(?:[^"\\]|\\.)*" -> ', ln)]
    node_lines = [ln for ln in lines if re.match(r'^  "(?:[^"\\]|\\.)*" \[label=', ln)]
    assert len(edge_lines) == cpg.g.number_of_edges()
    assert len(node_lines) == cpg.g.number_of_nodes()
    unquoted = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)  # braces inside labels do not count
    assert unquoted.count("{") == unquoted.count("}") == 1


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")
@pytest.mark.parametrize("name", GRAPHS)
def test_dot_is_accepted_by_graphviz(request, tmp_path, name):
    cpg = _graph(request, name)
    out = tmp_path / "g.dot"
    export(cpg, "dot", out)
    proc = subprocess.run(["dot", "-Tsvg", str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "<svg" in proc.stdout and not proc.stderr.strip()


# ------------------------------------------------------------------------------------ neo4j
HEADER_PROP = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*:(int|double|boolean|string|string\[\])$")


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


@pytest.mark.parametrize("name", GRAPHS)
def test_neo4j_csv_files(request, tmp_path, name):
    cpg = _graph(request, name)
    out = tmp_path / "neo4j"
    written = export(cpg, "neo4j-csv", out)
    assert all(p.exists() for p in written) and out / "import.sh" in written
    ids: set[str] = set()
    node_count = 0
    for path in sorted(out.glob("nodes_*.csv")):
        rows = _read_csv(path)
        header, body = rows[0], rows[1:]
        assert header[:2] == ["id:ID", ":LABEL"]
        assert all(HEADER_PROP.match(h) for h in header[2:]), header
        assert len(set(header)) == len(header)
        kind = path.stem.removeprefix("nodes_")
        for row in body:
            assert len(row) == len(header) and row[1] == kind
            assert row[0] not in ids
            ids.add(row[0])
        node_count += len(body)
    assert node_count == cpg.g.number_of_nodes()
    edge_count = 0
    for path in sorted(out.glob("edges_*.csv")):
        rows = _read_csv(path)
        header, body = rows[0], rows[1:]
        assert header[:3] == [":START_ID", ":END_ID", ":TYPE"]
        assert all(HEADER_PROP.match(h) for h in header[3:]), header
        for row in body:
            assert len(row) == len(header) and row[2] == path.stem.removeprefix("edges_")
            assert row[0] in ids and row[1] in ids
        edge_count += len(body)
    assert edge_count == cpg.g.number_of_edges()
    script = (out / "import.sh").read_text()
    assert "neo4j-admin database import full" in script
    for path in written[:-1]:
        flag = "--nodes=" if path.name.startswith("nodes_") else "--relationships="
        assert f"{flag}{path.name}" in script
    assert subprocess.run(["sh", "-n", str(out / "import.sh")]).returncode == 0


def test_neo4j_csv_values(awkward_cpg, tmp_path):
    out = tmp_path / "neo4j"
    export(awkward_cpg, "neo4j-csv", out)
    rows = _read_csv(out / "nodes_METHOD.csv")
    record = dict(zip(rows[0], rows[1]))
    assert record["MODIFIERS:string[]"].split(";") == ["async", "static"]
    assert json.loads(record["DECORATORS:string"]) == ["route('/a;b')", "cache"]  # ';' inside: JSON text
    assert record["CODE:string"] == awkward_cpg.get(("dir with space/we#ird.py", 1), Prop.CODE)
    assert record["LINE_NUMBER:int"] == "1"
    rows = _read_csv(out / "nodes_IDENTIFIER.csv")
    by_name = {r[rows[0].index("NAME:string")]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert by_name["x"]["IS_WRITE:boolean"] == "true" and by_name["y"]["IS_WRITE:boolean"] == ""
    assert by_name["x"]["CONFIDENCE:double"] == "0.75" and by_name["y"]["CONFIDENCE:double"] == "1"
    rows = _read_csv(out / "nodes_LITERAL.csv")
    assert "LINE_NUMBER:string" in rows[0]  # a kind's column has one type; str here
    rows = _read_csv(out / "edges_REACHING_DEF.csv")
    assert rows[0] == [":START_ID", ":END_ID", ":TYPE", "VARIABLE:string"] and rows[1][3] == 'x"y'


def test_neo4j_csv_replaces_an_earlier_export_but_not_other_files(awkward_cpg, tmp_path):
    out = tmp_path / "neo4j"
    export(awkward_cpg, "neo4j-csv", out)
    (out / "nodes_STALE.csv").write_text("id:ID\n")
    export(awkward_cpg, "neo4j-csv", out)
    assert not (out / "nodes_STALE.csv").exists()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="did not write"):
        export(awkward_cpg, "neo4j-csv", out)
    assert (out / "notes.txt").read_text() == "mine"


# ------------------------------------------------------------------------------------ common
def test_unknown_format_is_a_clear_error(awkward_cpg, tmp_path):
    with pytest.raises(ValueError, match=r"unknown export format 'xml'.*graphml, dot, json, neo4j-csv"):
        export(awkward_cpg, "xml", tmp_path / "x")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "neo4j-csv"])
def test_writes_replace_atomically_and_leave_no_temp_files(awkward_cpg, tmp_path, fmt):
    out = tmp_path / "sub" / f"g.{fmt}"
    out.parent.mkdir()
    out.write_text("old")
    export(awkward_cpg, fmt, out)
    assert out.read_text(encoding="utf-8") != "old"
    assert [p.name for p in out.parent.iterdir()] == [out.name]
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_failed_write_keeps_the_old_file(awkward_cpg, tmp_path, monkeypatch):
    out = tmp_path / "g.json"
    out.write_text("old")
    monkeypatch.setattr("typeinfer.cpg.export.node_id_text", lambda n: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        export(awkward_cpg, "json", out)
    assert out.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["g.json"]
