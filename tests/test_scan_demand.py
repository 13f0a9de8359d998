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


def test_demand_is_receivers_of_open_calls_and_parameters_of_handlers():
    cpg = build_project(FIXTURES / "scan_typed", BuildOptions(use_cache=False, jobs=1))
    demand = scan_demand(cpg, load_rules())
    names = {(n[0], cpg.get(n, Prop.NAME)) for n in demand}
    assert ("flask_typed.py", "cur") in names  # cur.execute(...) is open until cur is typed
    assert ("express_typed.ts", "res") in names  # a parameter of a handler passed to app.get
    every = infer_graph(cpg, InferenceOptions(use_model=False, jobs=1), write=False)
    some = infer_graph(cpg, InferenceOptions(use_model=False, jobs=1), write=False, demand=demand)
    assert 0 < len(some.types) < len(every.types)


def test_only_open_calls_a_sink_or_the_project_could_answer_are_asked_about():
    from typeinfer.cpg.query import project_from_sources

    code = ("def helper(v):\n    return v\n\n\ndef f(a, b, c):\n    a.execute('x')\n    b.frobnicate()\n"
            "    c.helper()\n")
    cpg = project_from_sources({"m.py": code}).cpg
    names = {cpg.get(n, Prop.NAME) for n in scan_demand(cpg, load_rules())}
    assert {"a", "c"} <= names and "b" not in names  # execute: a sink's name; helper: a project function
    assert "b" in {cpg.get(n, Prop.NAME) for n in scan_demand(cpg)}  # without rules, every open call counts
