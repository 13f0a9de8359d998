"""analyzer/evaluate_dir.py: strip an annotated directory, infer back with static facts, score.

Exact counts on hand-made code (no model), the CLI entry point, the leave-one-out baselines, and
one network test on a real held-out package."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from typeinfer.analyzer.evaluate_dir import LeaveOneOutStats, evaluate_directory, main

FILES = {
    "lib/calc.py": """
        from typing import Any


        def count() -> int:
            return 1


        def ratio(a, b) -> float:
            return 1


        def describe(x: Any) -> str:
            return "value"


        def scale(n: int, k):
            total: int = 0
            total: int = n * 2
            flag: bool = True
            flag: str = "yes"
            seen: int
            seen: int = 3
            return total
    """,
    "web/app.ts": """
        export function size(): number {
          return 3;
        }

        export function title(): string {
          return `hi`;
        }

        export function parse(s: unknown): boolean {
          const ok: boolean = s === 1;
          let msg: string = 'x';
          return ok;
        }
    """,
    "README.md": "not code\n",
}


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return root


def test_counts_on_hand_made_code(tmp_path):
    root = _write(tmp_path / "proj", FILES)
    report = evaluate_directory(root, use_model=False)
    assert report.files == 2
    # python: count, ratio, describe (return + x), scale (n, total x2, flag x2, seen); ts: 3 returns, s, ok, msg
    assert report.removed == 10 + 6
    assert report.kept == {"annotation-only statement": 1}
    assert report.uninformative == 2  # x: Any, s: unknown
    assert report.labels == 14
    assert report.merged_duplicates == 1  # total: int twice
    assert report.ambiguous == 2  # flag: bool / flag: str
    assert report.still_declared == 1  # seen keeps `seen: int`
    assert report.no_slot == 0
    assert report.scored == 10
    assert report.found_share == pytest.approx(11 / 14)
    got = {(r.file, r.kind, r.slice.name): (r.label, p[0][0] if p else None)
           for r, p in zip(report.records, report.predictions)}
    assert got == {
        ("lib/calc.py", "return", "count"): ("int", "int"),
        ("lib/calc.py", "return", "ratio"): ("float", "int"),  # the static fact says int: wrong on purpose
        ("lib/calc.py", "return", "describe"): ("str", "str"),
        ("lib/calc.py", "parameter", "n"): ("int", None),
        ("lib/calc.py", "variable", "total"): ("int", None),
        ("web/app.ts", "return", "size"): ("number", "number"),
        ("web/app.ts", "return", "title"): ("string", "string"),
        ("web/app.ts", "return", "parse"): ("boolean", "boolean"),
        ("web/app.ts", "variable", "ok"): ("boolean", "boolean"),
        ("web/app.ts", "variable", "msg"): ("string", None),  # `let msg = 'x'`: the checker's own type, not written
    }
    langs = report.metrics.languages
    assert (langs["python"].model.n, langs["python"].model.exact) == (5, pytest.approx(2 / 5))
    assert (langs["typescript"].model.n, langs["typescript"].model.exact) == (5, pytest.approx(4 / 5))
    assert set(langs["python"].baselines) == {"most-frequent", "per-name"}
    assert report.threshold == 0.5 and report.use_model is False
    assert report.pipeline["static"] >= 7
    # which layer settled each scored slot, and how often it was right
    assert report.by_source() == {
        "python/none": {"n": 2, "exact": 0.0},
        "python/static": {"n": 3, "exact": pytest.approx(2 / 3)},
        "typescript/static": {"n": 4, "exact": 1.0},
        "typescript/none": {"n": 1, "exact": 0.0},  # msg: a literal's own type is left to the checker
    }
    assert "python/static 0.667 (n=3)" in report.summary()


def test_reach_with_the_model_bounds_exact_and_counts_static_answers(tmp_path):
    root = _write(tmp_path / "proj", FILES)
    assert evaluate_directory(root, use_model=False).metrics.languages["python"].model.reach is None
    report = evaluate_directory(root)
    for language in ("python", "typescript"):
        m = report.metrics.languages[language].model
        assert m.reach is not None and m.exact <= m.reach <= 1.0
        for group in (*m.by_kind.values(), *m.by_category.values()):
            assert group.exact <= group.reach
    # every slot whose static fact was right is in reach, whatever the model could rank
    right = [r for r, p, s in zip(report.records, report.predictions, report.sources)
             if s == "static" and p and p[0][0] == r.label]
    assert right and report.metrics.languages["typescript"].model.reach == 1.0


def test_leave_one_out_baselines_never_see_the_own_label(tmp_path):
    report = evaluate_directory(_write(tmp_path / "proj", FILES), use_model=False)
    stats = LeaveOneOutStats(report.records)
    ts = [r for r in report.records if r.language == "typescript"]
    # labels: number, string x2, boolean x2; leaving out one `number` leaves no `number` to predict
    ranked = dict(zip([r.slice.name for r in ts], stats.most_frequent(ts)))
    assert "number" not in {t for t, _ in ranked["size"]}
    assert ranked["size"][0] == ("boolean", 0.5)
    # a name seen once falls back to the language's other labels
    per_name = dict(zip([r.slice.name for r in ts], stats.most_frequent_for_name(ts)))
    assert per_name["msg"] == ranked["msg"]


def test_single_file_and_missing_path(tmp_path):
    root = _write(tmp_path / "proj", {"one.py": "def f() -> int:\n    return 1\n"})
    report = evaluate_directory(root / "one.py", use_model=False)
    assert (report.labels, report.scored) == (1, 1)
    assert report.metrics.languages["python"].model.exact == 1.0
    with pytest.raises(FileNotFoundError):
        evaluate_directory(tmp_path / "nope", use_model=False)


def test_main_writes_json(tmp_path, capsys):
    root = _write(tmp_path / "proj", FILES)
    out = tmp_path / "report.json"
    assert main([str(root), "--no-model", "--threshold", "0.9", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["threshold"] == 0.9 and data["scored"] == 10 and data["labels"] == 14
    assert set(data["metrics"]["languages"]) == {"python", "typescript"}
    # the shipped model directory keeps its training label counts: the baselines come from them
    assert "the training split's label counts" in capsys.readouterr().out
    assert data["baselines"].startswith("baselines most-frequent / per-name: the training split")
    assert main([str(tmp_path / "missing"), "--no-model"]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.network
def test_real_package_end_to_end():
    from typeinfer.corpus.fetch import fetch_pypi

    root = fetch_pypi("attrs", "24.3.0")  # reserved held-out package
    report = evaluate_directory(root, use_model=False)
    assert report.labels >= 30
    assert report.found_share > 0.9
    assert report.files_unchanged == []
    python = report.metrics.languages["python"].model
    assert 0 < python.exact < 1
