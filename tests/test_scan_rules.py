"""Golden apps, one per built-in rule: `tests/fixtures/scan_rules/<rule-id>/` holds a small app
modeled on real framework usage (positive cases, and negative ones: a constant, a sanitized
value, a value that is not user data) and `expected.json`, the exact findings of that rule
(``[{"line": N, "rule": ID}, ...]``, with ``"file"`` when not the app's main file).  Each folder is scanned with types inferred from static
facts only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from typeinfer.analyzer.pipeline import InferenceOptions
from typeinfer.analyzer.scan import load_rules, scan
from typeinfer.cpg.project import BuildOptions, build_project
from typeinfer.loading import project_with_inference

APPS = Path(__file__).resolve().parent / "fixtures" / "scan_rules"
RULES = {rule.id: rule for rule in load_rules()}
FOLDERS = sorted(p.name for p in APPS.iterdir() if p.is_dir())


def test_every_builtin_rule_has_a_golden_app():
    assert set(FOLDERS) == set(RULES)


@pytest.mark.parametrize("rule_id", FOLDERS)
def test_golden_app(rule_id):
    folder = APPS / rule_id
    default = next(name for name in ("app.py", "app.ts") if (folder / name).exists())
    expected = {(item.get("file", default), item["line"], item["rule"])
                for item in json.loads((folder / "expected.json").read_text())}
    cpg = build_project(folder, BuildOptions(use_cache=False, jobs=1))
    project = project_with_inference(cpg, InferenceOptions(use_model=False, jobs=1))
    found = {(f.location[0], f.location[1], f.rule.id) for f in scan(project, [RULES[rule_id]]).findings}
    assert found == expected
