"""The inference pipeline: static facts, consistency filter, write-back into the graph, relinking."""

from __future__ import annotations

import textwrap

import pytest

from typeinfer.analyzer.consistency import ConsistencyFilter
from typeinfer.analyzer.pipeline import InferenceOptions, infer_graph
from typeinfer.analyzer.slice_schema import CallUse, UsageSlice
from typeinfer.analyzer.type_universe import build_type_universe
from typeinfer.cpg.project import build_sources
from typeinfer.cpg.schema import EdgeKind, NodeKind, Prop
from typeinfer.cpg.source import source_from_text

APP = {
    "app/models.py": """
        class User:
            def __init__(self, name):
                self.name = name

            def email(self):
                return self.name + "@example.com"
    """,
    "app/db.py": """
        import sqlite3
        from app.models import User

        def connect(path):
            conn = sqlite3.connect(path)
            return conn

        def lookup(conn, name):
            cur = conn.cursor()
            cur.execute("select 1")
            u = User(name)
            mail = u.email()
            return mail
    """,
}


def graph(files):
    return build_sources(source_from_text(textwrap.dedent(code), path) for path, code in files.items())


class FixedPredictor:
    """A stand-in with the TypePredictor interface for pipeline plumbing tests (the real model
    is tested in test_typemodel_*); it ranks the given types for every slice."""

    threshold = 0.5

    def __init__(self, ranking):
        self.ranking = ranking
        self.seen: list[UsageSlice] = []

    def predict(self, slices, candidates=None, top_k=5):
        self.seen.extend(slices)
        return [list(self.ranking) for _ in slices]


def by_slot(result):
    return {(p.file, p.kind, p.function, p.name): p for p in result.predictions}


def test_static_facts_are_written_back_and_calls_relinked():
    cpg = graph(APP)
    result = infer_graph(cpg, InferenceOptions(use_model=False))
    slots = by_slot(result)
    conn = slots[("app/db.py", "variable", "connect", "conn")]
    assert (conn.type, conn.full_type, conn.source) == ("Connection", "sqlite3.Connection", "static")
    assert slots[("app/db.py", "return", "connect", "connect")].type == "Connection"
    u = slots[("app/db.py", "variable", "lookup", "u")]
    assert (u.type, u.full_type) == ("User", "app.models.User")
    local_u = u.node
    assert cpg.get(local_u, Prop.TYPE_FULL_NAME) == "app.models.User"
    assert cpg.get(local_u, Prop.POSSIBLE_TYPES)[0][0] == "User"
    user_decl = next(n for n in cpg.nodes(NodeKind.TYPE_DECL) if cpg.get(n, Prop.NAME) == "User")
    assert cpg.out(local_u, EdgeKind.EVAL_TYPE) == [user_decl]
    email_call = next(n for n in cpg.nodes(NodeKind.CALL) if cpg.get(n, Prop.NAME) == "email")
    assert cpg.get(email_call, Prop.METHOD_FULL_NAME) == "app/models.py:User.email"
    # annotated slots are not predicted; self is never a slot
    assert ("app/models.py", "parameter", "User.__init__", "self") not in slots


def test_model_rankings_go_through_the_consistency_filter():
    cpg = graph(APP)
    # `cur` is only known to have .execute: str has no execute, Cursor (typeshed) has
    predictor = FixedPredictor([("str", 0.6), ("Cursor", 0.2), ("int", 0.1), ("Connection", 0.1)])
    result = infer_graph(cpg, InferenceOptions(use_model=True, min_confidence=0.1), predictor=predictor)
    cur = by_slot(result)[("app/db.py", "variable", "lookup", "cur")]
    assert cur.source == "model" and cur.type == "Cursor"
    assert [a.type for a in cur.alternatives] == ["Connection"]  # int has no execute either
    assert result.stats["rejected_by_consistency"] >= 2
    # static facts were not sent to the model
    assert all(s.name != "conn" or s.function != "connect" for s in predictor.seen)


def test_below_threshold_predictions_are_reported_but_not_written_as_types():
    cpg = graph(APP)
    predictor = FixedPredictor([("str", 0.3), ("int", 0.2)])
    result = infer_graph(cpg, InferenceOptions(use_model=True, min_confidence=0.5), predictor=predictor)
    name = by_slot(result)[("app/db.py", "parameter", "lookup", "name")]
    # (every slot gets the same ranking, so pooling with namesakes leaves it as it was, up to rounding)
    assert (name.type, name.confidence, name.source) == ("str", pytest.approx(0.3), "model")
    assert cpg.get(name.node, Prop.TYPE_FULL_NAME) is None
    assert [t for t, _ in cpg.get(name.node, Prop.POSSIBLE_TYPES)] == ["str", "int"]
    assert [p for _, p in cpg.get(name.node, Prop.POSSIBLE_TYPES)] == pytest.approx([0.3, 0.2])


def test_json_form_has_exactly_the_documented_fields():
    cpg = graph(APP)
    result = infer_graph(cpg, InferenceOptions(use_model=False))
    entry = result.predictions[0].to_json()
    assert list(entry) == ["file", "language", "kind", "function", "name", "line", "column", "type",
                           "confidence", "source", "alternatives"]


def test_consistency_filter_uses_project_members_and_typeshed():
    cpg = graph(APP)
    universe = build_type_universe(cpg)
    check = ConsistencyFilter(universe).check
    item = UsageSlice(name="x", kind="variable", language="python", file="f.py", line=1, column=0, function="")
    item.invoked_calls = [CallUse(name="email")]
    assert check("User", item).ok
    assert not check("str", item).ok
    item.invoked_calls = [CallUse(name="append")]
    assert not check("User", item).ok and check("list[int]", item).ok
    assert check("list[int] | None", item).ok
    assert check("SomethingUnknown", item).ok  # unknown classes are not rejected


def test_the_bundled_model_fills_what_static_facts_leave_open():
    cpg = graph(APP)
    result = infer_graph(cpg, InferenceOptions())  # the shipped model, checksums verified
    by_source = {p.source for p in result.predictions}
    assert {"static", "model"} <= by_source
    for p in result.predictions:
        assert 0.0 <= p.confidence <= 1.0
        assert len(p.alternatives) <= 4
        assert all(a.confidence <= p.confidence for a in p.alternatives)
    name = by_slot(result)[("app/db.py", "parameter", "lookup", "name")]
    assert name.source == "model" and name.type  # a parameter passed to User(name) and nothing else
    assert 0.0 < result.threshold < 1.0


def test_a_type_a_sibling_file_imports_from_a_library_is_imported_from_there():
    from typeinfer.analyzer.annotate import type_imports
    from typeinfer.analyzer.inferred_types import Prediction

    files = {
        "app/views.py": "from starlette.requests import Request\n\ndef home(request: Request): ...\n",
        "app/api.py": "def handler(request):\n    return request.url\n",
        "app/other.py": "from .compat import Response\n",
        "app/more.py": "from starlette.responses import Response\n",
        "web/a.ts": "import { Context } from 'hono';\nexport function f(c: Context) {}\n",
        "web/b.ts": "export function g(c) {}\n",
        "web/legacy.js": "import { Context } from 'koa';\n",  # a JavaScript import names a value
    }
    universe = build_type_universe(build_sources(source_from_text(t, p) for p, t in files.items()))

    def needed(file: str, type_: str, language: str = "python"):
        p = Prediction(file=file, language=language, kind="parameter", function="handler", name="request",
                       line=1, column=12, type=type_, confidence=0.9, source="model", full_type=type_)
        return [(i.module, i.name) for i in type_imports(p, universe)]

    assert needed("app/api.py", "Request") == [("starlette.requests", "Request")]
    assert needed("app/api.py", "Request | None") == [("starlette.requests", "Request")]
    assert needed("app/api.py", "Response") == []  # one file imports it relatively: ambiguous, left alone
    assert needed("app/views.py", "Request") == []  # bound in the file already
    assert needed("web/b.ts", "Context", "typescript") == [("hono", "Context")]


def test_same_name_pooling_moves_a_weak_slot_towards_its_namesakes():
    from typeinfer.analyzer.name_pool import pool_same_name

    def slot(name: str, kind: str = "parameter", function: str = "f") -> UsageSlice:
        return UsageSlice(name=name, kind=kind, language="python", file="a.py", line=1, column=0, function=function)

    targets = [slot("request", function="a"), slot("request", function="b"), slot("request", function="c"),
               slot("request", kind="return"), slot("path")]
    rankings = [[("str", 0.40), ("Request", 0.35)], [("Request", 0.9)], [("Request", 0.8), ("str", 0.1)],
                [("int", 0.6)], [("str", 0.7)]]
    pooled = pool_same_name(targets, rankings)
    assert pooled[0][0][0] == "Request"  # 0.7 * 0.35 + 0.3 * 0.85 beats 0.7 * 0.40 + 0.3 * 0.05
    assert pooled[0][0][1] == pytest.approx(0.7 * 0.35 + 0.3 * (0.9 + 0.8) / 2)
    assert pooled[1][0] == ("Request", pytest.approx(0.7 * 0.9 + 0.3 * (0.35 + 0.8) / 2))
    assert pooled[3] == rankings[3] and pooled[4] == rankings[4]  # another kind; no namesake
    assert all(sum(p for _, p in r) <= 1.0 + 1e-9 for r in pooled)
    assert pool_same_name(targets, [[]] * 5) == [[]] * 5
    # namesakes outside the slots inferred now (the language server after an edit) pool the same
    outside = {("python", "parameter", "request"): [rankings[1], rankings[2]]}
    assert pool_same_name([targets[0]], [rankings[0]], outside=outside) == [pooled[0]]
    assert pool_same_name([targets[3]], [rankings[3]], outside=outside) == [rankings[3]]


def test_character_columns_of_long_and_non_ascii_lines(tmp_path):
    """Byte columns become character columns; a long minified line is indexed once, with the same answers."""
    from types import SimpleNamespace

    from typeinfer.analyzer.pipeline import _char_column

    long_line = ("é" * 3000 + "x = 1; ") * 3
    (tmp_path / "a.js").write_bytes(b"abc\n" + long_line.encode() + b"\n\xc3\xa9\xc3\xa9ab\n")
    cpg = SimpleNamespace(root=str(tmp_path))
    lines = (tmp_path / "a.js").read_bytes().split(b"\n")
    cache: dict = {}
    for line, column in [(1, 2), (2, 0), (2, 6000), (2, 6004), (2, 12010), (3, 4), (3, 5), (1, 3)]:
        expected = len(lines[line - 1][:column].decode("utf-8"))
        assert _char_column(cpg, "a.js", line, column, cache) == expected
        assert _char_column(cpg, "a.js", line, column, cache) == expected  # from the cached line
