"""Usage slices of hand-written snippets, asserted field by field, for both languages."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import jsonschema
import pytest

from typeinfer.analyzer.slice_schema import UsageSlice
from typeinfer.analyzer.slices import extract_slices
from typeinfer.cpg.project import build_sources
from typeinfer.cpg.schema import NodeKind, Prop, is_declared
from typeinfer.cpg.source import source_from_text

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "analyzer" / "slices.schema.json").read_text())


def slices_of(files: dict[str, str]):
    cpg = build_sources(source_from_text(textwrap.dedent(code), path) for path, code in files.items())
    program = extract_slices(cpg)
    jsonschema.validate(program.to_json(), SCHEMA)
    return program


def one(program, kind: str, name: str, function: str | None = None) -> UsageSlice:
    found = [s for s in program.slices if s.kind == kind and s.name == name
             and (function is None or s.function == function)]
    assert len(found) == 1, [(s.kind, s.name, s.function) for s in program.slices]
    return found[0]


PY = """
import json
import sqlite3


class Repo:
    table = "users"

    def __init__(self, path: str):
        self.conn = sqlite3.connect(path)
        self.count = 0

    def find(self, user_id, *, limit=10, **opts):
        cur = self.conn.cursor()
        cur.execute("select * from t where id = ?", (user_id,))
        rows = cur.fetchall()
        if isinstance(user_id, int) and user_id % 2:
            self.count += 1
        for row in rows:
            print(row[0], row["name"], len(row))
        with open(opts["log"]) as fh:
            fh.write(str(limit))
        return rows

    async def fetch(self, client):
        resp = await client.get("/x")
        data = json.loads(resp.text)
        a, b = data
        return [x for x in data]


def no_return(items: list[str]) -> None:
    items.append("x")
"""


def test_python_parameter_slice():
    program = slices_of({"repo.py": PY})
    s = one(program, "parameter", "user_id")
    assert (s.file, s.line, s.column, s.function, s.class_name) == ("repo.py", 13, 19, "Repo.find", "Repo")
    assert s.declared_type is None and s.param_index == 0
    assert s.sibling_names == ["limit", "opts"]
    assert [(c.name, c.position) for c in s.arg_to_calls] == [("isinstance", 1)]
    assert s.type_checks == ["int"]
    assert "%" in s.operators
    # passed inside a tuple literal to execute: not a direct argument
    assert s.invoked_calls == []


def test_declared_means_written_in_the_code_not_written_back():
    assert is_declared({Prop.TYPE_FULL_NAME: "str"})
    assert is_declared({Prop.TYPE_FULL_NAME: "str", Prop.TYPE_SOURCE: "declared"})
    assert not is_declared({Prop.TYPE_FULL_NAME: "str", Prop.TYPE_SOURCE: "model"})
    assert not is_declared({Prop.TYPE_FULL_NAME: "str", Prop.TYPE_SOURCE: "static"})
    assert not is_declared({Prop.TYPE_FULL_NAME: ""}) and not is_declared({})
    cpg = build_sources([source_from_text("def f(a: int, b):\n    return a\n", "m.py")])
    b = next(n for n in cpg.nodes(NodeKind.METHOD_PARAMETER_IN) if cpg.get(n, Prop.NAME) == "b")
    cpg.props(b).update({Prop.TYPE_FULL_NAME: "str", Prop.TYPE_SOURCE: "model"})
    program = extract_slices(cpg)
    assert one(program, "parameter", "a").declared_type == "int"
    assert one(program, "parameter", "b").declared_type is None


def test_python_parameter_defaults_variadics_and_declared_types():
    program = slices_of({"repo.py": PY})
    limit = one(program, "parameter", "limit")
    assert limit.default_value == "10"
    assert [(d.kind, d.literal_type) for d in limit.defined_by] == [("parameter_default", "int")]
    assert [(c.name, c.position) for c in limit.arg_to_calls] == [("str", 1)]
    opts = one(program, "parameter", "opts")
    assert opts.is_keyword_variadic and opts.subscripted_with == ["str"]
    path = one(program, "parameter", "path")
    assert path.declared_type == "str"
    assert [(c.name, c.resolved, c.position) for c in path.arg_to_calls] == [("connect", "sqlite3.connect", 1)]


def test_python_variable_slices_record_definitions_calls_iteration_and_with():
    program = slices_of({"repo.py": PY})
    cur = one(program, "variable", "cur")
    assert [(d.kind, d.name) for d in cur.defined_by] == [("call", ".cursor")]
    assert [(c.name, c.arg_count) for c in cur.invoked_calls] == [("execute", 2), ("fetchall", 0)]
    rows = one(program, "variable", "rows")
    assert rows.iterated
    row = one(program, "variable", "row")
    assert row.operators == ["[]", "[]"] and row.subscripted_with == ["int", "str"]
    assert [(c.name, c.resolved) for c in row.arg_to_calls] == [("len", "builtins.len")]
    fh = one(program, "variable", "fh")
    assert [(d.kind, d.name, d.resolved) for d in fh.defined_by] == [("call", "open", "builtins.open")]
    assert [c.name for c in fh.invoked_calls] == ["write"]


def test_python_await_unpacking_and_resolved_calls():
    program = slices_of({"repo.py": PY})
    resp = one(program, "variable", "resp")
    assert [(d.kind, d.name) for d in resp.defined_by] == [("await", ".get")]
    assert resp.attribute_reads == ["text"]
    data = one(program, "variable", "data")
    assert [(d.kind, d.resolved) for d in data.defined_by] == [("call", "json.loads")]
    assert data.unpacked and data.iterated
    a = one(program, "variable", "a")
    assert a.defined_by[0].kind == "other" and a.defined_by[0].code.startswith("unpack")


def test_python_return_slices():
    program = slices_of({"repo.py": PY})
    find = one(program, "return", "find")
    assert (find.line, find.column) == (13, 8)
    assert find.returns == ["rows"] and find.return_kinds == ["identifier:rows"]
    fetch = one(program, "return", "fetch")
    assert "async" in fetch.modifiers and fetch.return_kinds == ["comprehension:listComprehension"]
    none = one(program, "return", "no_return")
    assert none.declared_type == "None" and none.returns == []
    assert (none.line, none.column) == (32, 4)  # on the name, not on the f of `def`
    assert one(program, "parameter", "items").declared_type == "list[str]"


def test_python_attribute_slices_and_user_types():
    program = slices_of({"repo.py": PY})
    conn = one(program, "attribute", "conn")
    assert conn.class_name == "Repo"
    assert [(d.kind, d.resolved) for d in conn.defined_by] == [("call", "sqlite3.connect")]
    assert [c.name for c in conn.invoked_calls] == ["cursor"]
    count = one(program, "attribute", "count")
    assert [(d.kind, d.literal_type) for d in count.defined_by][0] == ("literal", "int")
    table = one(program, "attribute", "table")
    assert [(d.kind, d.literal_type) for d in table.defined_by] == [("literal", "str")]
    (repo,) = program.user_types
    assert repo.name == "Repo" and repo.kind == "class"
    assert repo.methods == ["__init__", "fetch", "find"]
    assert set(repo.fields) >= {"conn", "count", "table"}


def test_self_is_not_a_target_and_imports_and_defs_are_not_variables():
    program = slices_of({"repo.py": PY})
    names = {(s.kind, s.name) for s in program.slices}
    assert ("parameter", "self") not in names
    assert ("variable", "json") not in names and ("variable", "Repo") not in names


TS = """
import { Pool } from "pg";

interface User { id: number; name: string }

export class Service {
  private cache = new Map<string, User>();
  constructor(private pool: Pool) {}

  async getUser(id: string, opts = { fresh: false }): Promise<User | undefined> {
    if (typeof id === "string" && id.length > 0) {
      const res = await this.pool.query("select", [id]);
      const rows = res.rows;
      for (const r of rows) { this.cache.set(r.id, r); }
      return rows[0];
    }
    return undefined;
  }
}

export const handler = async (req, res) => {
  const { q, page = 1 } = req.query;
  res.json(JSON.parse(q));
};
"""


def test_typescript_parameter_and_variable_slices():
    program = slices_of({"svc.ts": TS})
    id_ = one(program, "parameter", "id")
    assert (id_.function, id_.class_name, id_.declared_type) == ("Service.getUser", "Service", "string")
    assert id_.type_checks == ["string"] and "typeof" in id_.operators
    assert id_.attribute_reads == ["length"]
    opts = one(program, "parameter", "opts")
    assert opts.default_value == "{ fresh: false }" and opts.defined_by[0].kind == "parameter_default"
    res = one(program, "variable", "res", "Service.getUser")
    assert [(d.kind, d.name) for d in res.defined_by] == [("await", ".query")]
    assert res.attribute_reads == ["rows"]
    rows = one(program, "variable", "rows")
    assert rows.iterated and rows.subscripted_with == ["number"]


def test_typescript_arrow_functions_are_named_after_their_variable():
    program = slices_of({"svc.ts": TS})
    req = one(program, "parameter", "req")
    assert req.function == "handler" and req.attribute_reads == ["query"]
    res = one(program, "parameter", "res", "handler")
    assert [c.name for c in res.invoked_calls] == ["json"]
    q = one(program, "variable", "q")
    assert q.defined_by[0].code.startswith("unpack")
    assert [(c.name, c.resolved, c.position) for c in q.arg_to_calls] == [("parse", "JSON.parse", 1)]
    ret = one(program, "return", "getUser")
    assert ret.declared_type == "Promise<User | undefined>"
    assert set(ret.return_kinds) == {"other:", "literal:undefined"} or "literal:undefined" in ret.return_kinds


def test_typescript_class_properties_and_interfaces():
    program = slices_of({"svc.ts": TS})
    cache = one(program, "attribute", "cache")
    assert cache.class_name == "Service" and cache.defined_by[0].kind == "constructor"
    assert [c.name for c in cache.invoked_calls] == ["set"]
    kinds = {t.name: t.kind for t in program.user_types}
    assert kinds == {"User": "interface", "Service": "class"}


def test_typescript_slices_carry_the_type_parameters_in_scope():
    program = slices_of({"box.ts": """
export class Box<T> {
  value: Wrapper<T>;
  map<R>(f: (x: T) => R): Box<R> {
    const g = <K extends keyof R>(key: K) => key;
    return null as any;
  }
}
export function plain(x: number): number { return x; }
"""})
    assert one(program, "attribute", "value").type_params == ["T"]
    assert one(program, "parameter", "f").type_params == ["T", "R"]  # the class's, then the method's
    assert one(program, "parameter", "key").type_params == ["T", "R", "K"]  # an arrow inside: all three
    assert one(program, "parameter", "x").type_params == []


def test_cli_slice_json_matches_the_schema(tmp_path):
    (tmp_path / "repo.py").write_text(textwrap.dedent(PY))
    (tmp_path / "svc.ts").write_text(textwrap.dedent(TS))
    result = subprocess.run([sys.executable, "-m", "typeinfer", "slice", str(tmp_path), "--format", "json",
                             "--no-cache", "-q"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    jsonschema.validate(data, SCHEMA)
    functions = {(o["file"], o["function"]) for o in data["objectSlices"]}
    assert ("repo.py", "Repo.find") in functions and ("svc.ts", "handler") in functions
