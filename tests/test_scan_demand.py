"""Inference on demand: a scan asks the type layer only about the slots that can change what it
finds, and finds the same as with every slot inferred."""

from __future__ import annotations

from pathlib import Path

import pytest

from typeinfer.analyzer.pipeline import InferenceOptions, infer_graph
from typeinfer.analyzer.scan import load_rules, scan
from typeinfer.analyzer.scan_demand import scan_demand
from typeinfer.cpg.project import BuildOptions, build_project
from typeinfer.cpg.schema import Prop
from typeinfer.loading import project_with_inference

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.mark.parametrize("app", ["scan", "scan_typed"])
def test_a_scan_with_inference_on_demand_finds_what_full_inference_finds(app):
    options = InferenceOptions(use_model=False, jobs=1)
    found = []
    for demand in (False, True):
        cpg = build_project(FIXTURES / app, BuildOptions(use_cache=False, jobs=1))
        project = project_with_inference(cpg, options, scan_demand(cpg, load_rules()) if demand else None)
        found.append({(f.rule.id, *f.location[:2], f.inferred_type_needed) for f in scan(project).findings})
    assert found[0] == found[1] and found[0]


def test_demand_is_the_slots_on_a_possible_flow():
    cpg = build_project(FIXTURES / "scan_typed", BuildOptions(use_cache=False, jobs=1))
    demand = scan_demand(cpg, load_rules())
    names = {(n[0], cpg.get(n, Prop.NAME)) for n in demand}
    assert ("flask_typed.py", "cur") in names  # cur.execute(...) is open until cur is typed
    assert ("flask_typed.py", "req") in names  # req.args reaches it: a source once req is a Request
    assert ("express_typed.ts", "_r") not in names  # a handler whose request reaches no sink
    every = infer_graph(cpg, InferenceOptions(use_model=False, jobs=1), write=False)
    some = infer_graph(cpg, InferenceOptions(use_model=False, jobs=1), write=False, demand=demand)
    assert 0 < len(some.types) < len(every.types)


def _demanded(code: str, rules=None) -> set[str]:
    from typeinfer.cpg.query import project_from_sources

    cpg = project_from_sources({"m.py": code}).cpg
    return {cpg.get(n, Prop.NAME) for n in scan_demand(cpg, load_rules() if rules is None else rules)}


def test_only_open_calls_on_a_flow_that_a_sink_or_the_project_could_answer_are_asked_about():
    code = ("import os\n\n\nclass Shell:\n    def helper(self, v):\n        os.system(v)\n\n\ndef f(a, b, c, d):\n"
            "    v = os.environ['X']\n    a.execute(v)\n    b.frobnicate(v)\n    c.helper(v)\n    d.execute('x')\n")
    names = _demanded(code)
    assert {"a", "c"} <= names  # execute: a sink's name; helper: a project method with a sink; both get v
    assert "b" not in names and "d" not in names  # no sink or project function; a constant argument


def test_a_library_without_a_source_on_a_path_to_a_sink_asks_for_nothing():
    code = "def fetch(client, url):\n    return client.get(url)\n\n\ndef run(conn, q):\n    conn.execute(q)\n"
    assert _demanded(code) == set()
    from typeinfer.cpg.query import project_from_sources

    cpg = project_from_sources({"m.py": code}).cpg
    assert {cpg.get(n, Prop.NAME) for n in scan_demand(cpg)} >= {"client", "conn"}  # without rules: every open call


def test_a_source_inside_a_project_function_an_open_call_may_reach_makes_its_receiver_wanted():
    code = ("from flask import request\n\n\nclass Params:\n    def query(self):\n        return request.args['q']\n\n\n"
            "def view(params, cur):\n    q = params.query()\n    cur.execute(q)\n")
    assert {"params", "cur"} <= _demanded(code)


def test_receivers_the_graph_types_already_and_names_an_import_binds_are_not_asked_about():
    code = ("import os\nfrom flask import request\n\n\ndef f(k):\n    v = request.args[k]\n    files = dict()\n"
            "    files.get(v)\n    os.environ.get(v)\n    return request.files.get(v)\n")
    # files.get is builtins.dict.get once dict() makes a dict; os and request are imported names
    assert _demanded(code) == set()
