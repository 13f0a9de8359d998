"""Call edges across modules, inheritance and type edges (the project linking pass)."""

from __future__ import annotations

import textwrap

from typeinfer.cpg.project import build_sources, update_file
from typeinfer.cpg.schema import EdgeKind, NodeKind, Prop, validate
from typeinfer.cpg.source import source_from_text


def project(files: dict[str, str]):
    cpg = build_sources(source_from_text(textwrap.dedent(code), path) for path, code in files.items())
    assert validate(cpg.g) == []
    return cpg


def calls(cpg, name: str) -> list[tuple[str, list[str]]]:
    """(METHOD_FULL_NAME, [CALL edge targets' full names]) of every call named `name`."""
    out = []
    for n in cpg.nodes(NodeKind.CALL):
        if cpg.get(n, Prop.NAME) == name:
            out.append((cpg.get(n, Prop.METHOD_FULL_NAME),
                        [cpg.get(m, Prop.FULL_NAME) for m in cpg.out(n, EdgeKind.CALL)]))
    return out


PY_PROJECT = {
    "pkg/__init__.py": "",
    "pkg/models.py": """
        class Base:
            def save(self):
                return self.validate()

            def validate(self):
                return True

        class User(Base):
            def __init__(self, name):
                self.name = name

        def make(name):
            return User(name)
    """,
    "pkg/app.py": """
        import json
        import os.path
        from .models import User, make as build
        from pkg import models
        import pkg.models as pm

        def handler(raw):
            data = json.loads(raw)
            u = User(data["name"])
            u.save()
            v = build("x")
            w = models.User("y")
            pm.make("z")
            p = os.path.join("a", "b")
            n: User = w
            n.validate()
            return helper(u)

        def helper(x):
            return len(x.name)
    """,
}


def test_python_imported_functions_and_classes_resolve_to_their_methods():
    cpg = project(PY_PROJECT)
    assert calls(cpg, "User") == [("pkg/models.py:User.__init__", ["pkg/models.py:User.__init__"])] * 3
    assert calls(cpg, "build") == [("pkg/models.py:make", ["pkg/models.py:make"])]
    assert calls(cpg, "make") == [("pkg/models.py:make", ["pkg/models.py:make"])]
    assert calls(cpg, "helper") == [("pkg/app.py:helper", ["pkg/app.py:helper"])]


def test_python_methods_resolve_through_constructor_types_declared_types_and_inheritance():
    cpg = project(PY_PROJECT)
    assert calls(cpg, "save") == [("pkg/models.py:Base.save", ["pkg/models.py:Base.save"])]
    # self.validate() inside Base.save, and n.validate() on a variable declared `n: User`
    assert sorted(calls(cpg, "validate")) == [("pkg/models.py:Base.validate", ["pkg/models.py:Base.validate"])] * 2


def test_python_external_calls_get_dotted_names():
    cpg = project(PY_PROJECT)
    assert calls(cpg, "loads") == [("json.loads", [])]
    assert calls(cpg, "join") == [("os.path.join", [])]
    assert calls(cpg, "len") == [("builtins.len", [])]


def test_python_inheritance_and_eval_type_edges():
    cpg = project(PY_PROJECT)
    user = next(n for n in cpg.nodes(NodeKind.TYPE_DECL) if cpg.get(n, Prop.NAME) == "User")
    assert [cpg.get(b, Prop.FULL_NAME) for b in cpg.out(user, EdgeKind.INHERITS_FROM)] == ["pkg/models.py:Base"]
    local_n = next(n for n in cpg.nodes(NodeKind.LOCAL) if cpg.get(n, Prop.NAME) == "n")
    assert cpg.out(local_n, EdgeKind.EVAL_TYPE) == [user]


def test_relinking_after_an_edit_updates_call_edges():
    cpg = project(PY_PROJECT)
    update_file(cpg, "pkg/models.py", textwrap.dedent("""
        class User:
            def __init__(self, name):
                self.name = name

        def make(name):
            return User(name)
    """))
    assert validate(cpg.g) == []
    assert calls(cpg, "save") == [("<unresolved>.save", [])]
    assert calls(cpg, "build") == [("pkg/models.py:make", ["pkg/models.py:make"])]


TS_PROJECT = {
    "src/db.ts": """
        export class Db {
          query(sql: string) { return sql; }
        }
        export default function connect(): Db { return new Db(); }
        export function helper(x: number) { return x + 1; }
    """,
    "src/app.ts": """
        import connect, { helper as h, Db } from "./db";
        import * as db from "./db.js";
        import express from "express";

        export function handle(req) {
          const conn = connect();
          const d = new Db();
          d.query(req.query.q);
          h(1);
          db.helper(2);
          const app = express();
          return JSON.parse(req.body);
        }
    """,
}


def test_typescript_imports_default_named_namespace_and_new():
    cpg = project(TS_PROJECT)
    assert calls(cpg, "connect") == [("src/db.ts:connect", ["src/db.ts:connect"])]
    assert calls(cpg, "h") == [("src/db.ts:helper", ["src/db.ts:helper"])]
    assert calls(cpg, "helper") == [("src/db.ts:helper", ["src/db.ts:helper"])]
    assert calls(cpg, "query") == [("src/db.ts:Db.query", ["src/db.ts:Db.query"])]
    assert calls(cpg, "parse") == [("JSON.parse", [])]
    assert calls(cpg, "express") == [("express", [])]
