"""One plan for every output mode: what the settling pass finds (slots that become confident only
once the rounds' annotations are in the text) is placed on the slots of the text on disk, and
diffs, `--write` and `--stub` all write it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from typeinfer.analyzer import annotate
from typeinfer.analyzer.pipeline import ANNOTATE_ROUNDS, InferenceOptions, infer_project
from typeinfer.analyzer.slots import KINDS
from typeinfer.analyzer.writer.files import stub_path

SAMPLE = Path(__file__).resolve().parent.parent / "corpus" / "samples" / "project"


@pytest.fixture(scope="module")
def inferred(tmp_path_factory):
    root = tmp_path_factory.mktemp("plan") / "project"
    shutil.copytree(SAMPLE, root)
    options = InferenceOptions(rounds=ANNOTATE_ROUNDS, use_cache=False, jobs=1)
    return root, infer_project(root, options)


def test_settled_rows_sit_on_the_slots_of_the_text_on_disk(inferred):
    root, result = inferred
    rounds = annotate.selected(result, KINDS, annotate.AnnotateSummary())
    found = annotate.settle(result, rounds, KINDS)
    assert found, "the sample project has slots that only the settling pass types"
    for rel, rows in found.items():
        lines = (root / rel).read_bytes().split(b"\n")
        for p in rows:
            line = lines[p.line - 1]
            assert line[p.byte_column:p.byte_column + len(p.name)].decode() == p.name, (rel, p)


def _written(p) -> str:  # noqa: ANN001 - a Prediction
    """How the annotation of `p` reads in the source."""
    if p.kind != "return":
        return f"{p.name}: {p.type}"
    return f"-> {p.type}" if p.language == "python" else f"): {p.type}"


def test_diff_and_stub_write_the_same_plan(inferred):
    root, result = inferred
    rounds = annotate.selected(result, KINDS, annotate.AnnotateSummary())
    found = annotate.settle(result, rounds, KINDS)
    diffs: list[str] = []
    summary = annotate.run(result, "diff", KINDS, diffs.append)
    diff = "\n".join(diffs)
    stubs: list[str] = []
    annotate.run(result, "stub", KINDS, stubs.append)
    try:
        for rel, rows in found.items():
            stub = stub_path(root / rel).read_text()
            for p in rows:
                written = _written(p)
                assert any(line.startswith("+") and written in line for line in diff.splitlines()), (written, p)
                if not (p.kind == "variable" and p.function):  # a stub holds no function's locals
                    assert written in stub, (rel, written)
        planned = sum(len(v) for v in rounds.values()) + sum(len(v) for v in found.values())
        assert summary.annotated + summary.skipped_by_writer == planned
    finally:
        for rel in result.cpg.files:
            stub_path(root / rel).unlink(missing_ok=True)


def test_json_marks_written_what_write_writes_but_what_only_the_settling_pass_adds(inferred):
    root, result = inferred
    decisions = annotate.write_decisions(result, KINDS)
    rounds = annotate.selected(result, KINDS, annotate.AnnotateSummary())
    settled = {p.key for rows in annotate.settle(result, rounds, KINDS).values() for p in rows}
    summary = annotate.run(result, "diff", KINDS, lambda text: None)
    written = {d.prediction.key for d in decisions if d.written}
    assert settled and not settled & written  # the settling pass is not run for the JSON
    assert len(written) + len(settled) == summary.annotated  # the rest is exactly what --write writes
    assert all(d.reason for d in decisions if not d.written)
