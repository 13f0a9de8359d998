"""Traversal semantics on small snippets: starting points, filters, navigation, node properties, the type hook."""

from __future__ import annotations

import textwrap

import pytest

from typeinfer.cpg.project import BuildOptions
import typeinfer
from typeinfer.analyzer.pipeline import InferenceOptions
from typeinfer.cpg.query import MappingOracle, NodeView, Traversal, load, project_from_sources, step_docs

PY = textwrap.dedent("""\
    import sqlite3
    import subprocess as sp
    from flask import request

    class Repo:
        def __init__(self, path: str):
            self.conn = sqlite3.connect(path)

        def login(self, user, password="x"):
            cur = self.conn.cursor()
            cur.execute("SELECT 1 WHERE u = ?", (user,))
            return cur

    def handler():
        user = request.args.get("user")
        declared: sqlite3.Cursor = Repo("db").login(user, password="p")
        declared.execute("SELECT 2")
        sp.run(user, shell=True)
        sp.check_output(["ls"])
        return exec_it(user)

    def exec_it(cmd):
        return sp.call(cmd)
""")


def py(types=None):  # noqa: ANN001, ANN201
    return project_from_sources({"app.py": PY}, types)


def codes(t: Traversal) -> list[str]:
    return [n.code for n in t]


def test_starting_points_and_lengths():
    p = py()
    assert [m.name for m in p.methods] == ["<module>", "__init__", "login", "handler", "exec_it"]
    assert [t.name for t in p.types] == ["Repo"]
    assert len(p.imports) == 3 and len(p.files) == 1
    assert [x.name for x in p.parameters.where(lambda n: n.method.name == "login")] == ["self", "user", "password"]
    assert "cur" in {loc.name for loc in p.locals}


def test_name_is_a_full_match_regex():
    p = py()
    assert codes(p.calls.name("exec")) == []
    assert [c.name for c in p.calls.name("exec.*")] == ["execute", "execute", "exec_it"]
    assert len(p.calls.name("exec_it|run")) == 2
    assert len(p.calls.name_not("<operator>.*").name("exec.*")) == 3


def test_full_name_matches_resolved_callees_and_definitions():
    p = py()
    assert [c.code for c in p.calls.full_name(r"subprocess\..*")] == [
        "sp.run(user, shell=True)", 'sp.check_output(["ls"])', "sp.call(cmd)"]
    assert [m.name for m in p.methods.full_name(r"app\.py:Repo\..*")] == ["__init__", "login"]
    assert p.calls.full_name("flask.request.args.get").first().line == 15


def test_chaining_methods_parameters_arguments_receiver():
    p = py()
    assert [x.name for x in p.methods.name("login").parameters] == ["self", "user", "password"]
    assert codes(p.calls.name("run").argument(1)) == ["user"]
    assert codes(p.calls.name("run").argument("shell")) == ["True"]
    assert codes(p.calls.name("login").argument("password")) == ['"p"']
    assert codes(p.calls.name("login").receiver) == ['Repo("db")']
    assert codes(p.calls.name("execute").arguments) == ["cur", '"SELECT 1 WHERE u = ?"', "(user,)", "declared",
                                                        '"SELECT 2"']
    assert codes(p.calls.name("run").argument(1).call) == ["sp.run(user, shell=True)"]
    assert [m.name for m in p.methods.name("handler").calls.is_resolved().not_operator()
            .callee] == ["login", "__init__", "exec_it"]
    assert [c.code for c in p.methods.name("exec_it").callers] == ["exec_it(user)"]


def test_where_takes_predicates_and_traversals():
    p = py()
    shell = p.calls.name("run|check_output|call").where(lambda c: p.of([c.id]).argument("shell").code("True"))
    assert codes(shell) == ["sp.run(user, shell=True)"]
    assert len(p.calls.name("run|check_output|call").where_not(lambda c: p.of([c.id]).argument("shell"))) == 2
    assert codes(p.identifiers.name("user").filter(lambda n: n.line == 18)) == ["user"]


def test_traversals_are_lazy_and_rerunnable():
    p = py()
    seen = []
    t = p.calls.where(lambda n: seen.append(n) or n.name == "run")
    assert seen == []  # nothing ran yet
    assert len(t) == 1 and len(t.list()) == 1 and bool(t)
    assert len(p.calls.name("nothing")) == 0 and not p.calls.name("nothing")
    assert p.calls.name("nothing").first() is None
    assert "sp.run" in repr(t)


def test_node_properties():
    p = py()
    run = p.calls.name("run").first()
    assert isinstance(run, NodeView)
    assert (run.file, run.line, run.column, run.kind, run.name) == ("app.py", 18, 4, "CALL", "run")
    assert run.full_name == "subprocess.run" and run.code == "sp.run(user, shell=True)"
    param = p.parameters.name("path").first()
    assert (param.type, param.confidence, param.type_inferred) == ("str", 1.0, False)
    declared = p.identifiers.name("declared").first()
    assert declared.type == "sqlite3.Cursor"  # an identifier takes its LOCAL's type
    assert p.identifiers.name("user").first().type is None
    assert p.identifiers.name("user").first().confidence is None
    assert run.to_dict()["full_name"] == "subprocess.run"
    assert p.calls.name("get").first().argument(1).code == '"user"'


def test_receiver_type_with_declared_and_inferred_types():
    p = py()
    # declared: `declared: sqlite3.Cursor` resolves its execute; `cur` (undeclared) stays unresolved
    assert codes(p.calls.receiver_type("sqlite3.Cursor")) == ['declared.execute("SELECT 2")']
    assert p.calls.name("execute").first().full_name == "<unresolved>.execute"
    p = py({("app.py", 10, "cur"): ("sqlite3.Cursor", 0.7)})
    assert codes(p.calls.receiver_type("sqlite3.Cursor")) == [
        'cur.execute("SELECT 1 WHERE u = ?", (user,))', 'declared.execute("SELECT 2")']
    first = p.calls.name("execute").first()
    assert first.full_name == "sqlite3.Cursor.execute" and first.resolved_by_inference
    assert len(p.calls.resolved_by_inference()) == 1
    cur = p.identifiers.name("cur").first()
    assert (cur.type, cur.confidence, cur.type_inferred) == ("sqlite3.Cursor", 0.7, True)
    assert codes(p.identifiers.type_full_name(r"sqlite3\..*").name("cur")) == ["cur", "cur", "cur"]


def test_receiver_type_matches_possible_types_of_the_receiver():
    p = py()
    cur_local = p.locals.name("cur").first()
    cur_local.props["POSSIBLE_TYPES"] = [("sqlite3.Cursor", 0.6), ("psycopg2.extensions.cursor", 0.3)]
    assert len(p.calls.name("execute").receiver_type(r"psycopg2\.extensions\.cursor")) == 1


def test_external_type_not_imported_in_the_file_still_resolves():
    src = "from sqlite3 import connect\ndef f():\n    conn = connect('x')\n    conn.execute('q')\n"
    p = project_from_sources({"a.py": src}, {("a.py", 3, "conn"): "sqlite3.Connection"})
    assert p.calls.name("execute").first().full_name == "sqlite3.Connection.execute"


def test_mapping_oracle_keys_by_node_id_or_position():
    p = py()
    local = p.locals.name("cur").first()
    oracle = MappingOracle({local.id: "sqlite3.Cursor"})
    assert oracle.type_of(p.cpg, local.id) == "sqlite3.Cursor" and oracle.confidence_of(p.cpg, local.id) == 1.0
    with pytest.raises(TypeError):
        project_from_sources({"a.py": "x = 1\n"}, types=42)


def test_qualified_names_follow_imports():
    p = py()
    assert p.calls.name("<operator>.fieldAccess").qualified_name(r"flask\.request\.args").first().code == "request.args"
    ts = project_from_sources({"a.ts": "import * as cp from 'child_process';\ncp.exec(process.env.X);\n"})
    assert ts.calls.name("exec").first().full_name == "child_process.exec"
    assert len(ts.calls.qualified_name(r"process\.env")) == 1


def test_typescript_traversals():
    src = textwrap.dedent("""\
        import express from "express";
        const app = express();
        app.get("/u", (req, res) => {
          const id: string = req.query.id;
          res.send(lookup(id));
        });
        function lookup(key: string): string { return key; }
    """)
    p = project_from_sources({"a.ts": src})
    assert [m.name for m in p.methods] == ["<module>", "<anonymous>", "lookup"]
    assert [x.name for x in p.methods.name("<anonymous>").parameters] == ["req", "res"]
    assert p.identifiers.name("id").first().type == "string"
    assert [c.code for c in p.calls.name("lookup").callee.parameters] == ["key: string"]
    assert len(p.calls.language("python")) == 0


def test_load_builds_from_disk_and_links_with_given_or_inferred_types(tmp_path):
    (tmp_path / "m.py").write_text("def f(a):\n    b = a\n    return b.strip()\n\ndef h():\n    return 'x'\n\ndef g():\n    c = h()\n    return c.upper()\n")
    options = BuildOptions(use_cache=False, jobs=1)
    p = load(tmp_path, options=options)
    assert [m.name for m in p.methods] == ["<module>", "f", "h", "g"]
    assert p.calls.name("strip").first().full_name != "builtins.str.strip"
    assert p.calls.name("upper").first().full_name != "builtins.str.upper"
    # a user's mapping goes through the one write-back pass
    p = load(tmp_path, {("m.py", 2, "b"): "str"}, options=options)
    assert p.calls.name("strip").first().full_name == "builtins.str.strip"
    assert p.locals.name("b").first().type == "str"
    # the pipeline's table goes through it too: static facts type `c` (h returns a str)
    p = typeinfer.load(tmp_path, infer=True, options=options, inference=InferenceOptions(use_model=False, jobs=1))
    assert p.calls.name("upper").first().full_name == "builtins.str.upper"
    assert p.calls.name("upper").first().id in p.inferred_calls


def test_every_step_has_a_one_line_doc():
    docs = {d.name: d.doc for d in step_docs()}
    for step in (".name", ".full_name", ".receiver_type", ".argument", ".parameters", ".where", ".flows",
                 ".reachable_by", "p.methods", "p.calls"):
        assert docs.get(step), step


def test_a_misspelled_step_suggests_the_closest_name():
    import copy

    p = project_from_sources({"a.py": PY})
    with pytest.raises(AttributeError, match="did you mean 'reachable_by'"):
        p.calls.reachableBy(p.calls)
    with pytest.raises(AttributeError, match="did you mean 'argument'"):
        p.calls.argumnt(1)
    with pytest.raises(AttributeError) as info:
        p.calls.zzzqqq
    assert "did you mean" not in str(info.value)
    assert not hasattr(p.calls, "nothing_like_a_step") and hasattr(p.calls, "reachable_by")
    assert len(copy.copy(p.calls.name("run"))) == 1  # dunder probes of copy/pickle stay plain AttributeErrors


def test_flow_ends_are_node_views_with_their_ids_kept():
    p = project_from_sources({"a.py": PY})
    [flow] = p.calls.name("run").argument(1).flows(p.calls.full_name(r"flask\.request\.args\.get"))
    assert isinstance(flow.source, NodeView) and isinstance(flow.sink, NodeView)
    assert (flow.source.file, flow.source.line, flow.source.code) == ("a.py", 15, 'request.args.get("user")')
    assert (flow.sink.line, flow.sink.code) == (18, "user")
    assert flow.source.id == flow.source_id and flow.sink.id == flow.sink_id
    assert flow.to_dict()["source"] == list(flow.source_id)


def test_calls_resolved_only_thanks_to_inferred_types_are_marked_in_the_graph(tmp_path):
    from typeinfer.cpg.schema import Prop

    (tmp_path / "m.py").write_text("def h():\n    return 'x'\n\ndef g():\n    c = h()\n    return c.upper()\n")
    p = typeinfer.load(tmp_path, infer=True, options=BuildOptions(use_cache=False, jobs=1),
                       inference=InferenceOptions(use_model=False, jobs=1))
    upper = p.calls.name("upper").first()
    assert upper.id in p.inferred_calls and p.cpg.get(upper.id, Prop.INFERRED_CALLEE) is True
    assert not p.cpg.get(p.calls.name("h").first().id, Prop.INFERRED_CALLEE)
