"""The model loads when a slot first needs it, and a broken model is still reported up front."""

from __future__ import annotations

import shutil
import textwrap

import pytest

from typeinfer.analyzer.pipeline import InferenceOptions, infer_graph, load_predictor
from typeinfer.cpg.project import build_sources
from typeinfer.cpg.source import source_from_text
from typeinfer.typemodel.model_files import ModelError, default_model_dir


def _graph(code: str):
    return build_sources([source_from_text(textwrap.dedent(code), "m.py")])


def test_slots_that_static_facts_settle_never_load_the_model():
    result = infer_graph(_graph("def f():\n    n = 1\n    return str(n)\n"), InferenceOptions(jobs=1))
    assert {p.source for p in result.types} == {"static"}
    assert result.predictor is not None and not result.predictor.loaded


def test_a_slot_the_static_facts_leave_open_loads_the_model_and_gets_its_guess():
    # no ranking cache: a ranking remembered from an earlier run would spare the model
    result = infer_graph(_graph("def greet(name):\n    return 'hi ' + name.upper()\n"),
                         InferenceOptions(jobs=1, use_cache=False))
    assert result.predictor.loaded
    assert any(p.source == "model" for p in result.types)


def test_a_corrupt_model_is_reported_before_any_inference(tmp_path):
    broken = tmp_path / "model"
    shutil.copytree(default_model_dir(), broken)
    (broken / "types.json").write_text("{}")
    with pytest.raises(ModelError, match=r"types\.json is corrupt"):
        load_predictor(InferenceOptions(model_dir=broken))
