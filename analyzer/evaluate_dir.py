"""`typeinfer eval PATH`: evaluate the whole pipeline on any annotated directory.

Reads top to bottom: strip the directory's annotations into a temporary copy
(`analyzer.strip`) -> run the inference pipeline on the copy (`pipeline.infer_project`) -> join
each removed annotation (the label) to the prediction for its slot by (file, kind, function,
name) -> canonicalize labels (`canonical_types.canonicalize`; labels that say nothing are
dropped) -> score with the same code as the corpus evaluation (`typemodel.evaluate.evaluate`).

Joining: the pipeline predicts once per unannotated slot.  A slot may have several removed
annotations (a variable annotated twice): when their canonical labels agree they count once
(``merged_duplicates``), else the slot is dropped (``ambiguous``).  When several slots share a
key (a property getter and setter share ``C.x``), the label goes to the one on its line in the
stripped file, else it is ambiguous.  A label with no prediction is counted as ``no_slot``, or
as ``still_declared`` when its slot exists but keeps a type from an annotation the stripper
left in place (``x: int`` elsewhere in the same function).

Records: `TrainingRecord` with ``slice`` = the pipeline's slice, ``label`` = the canonical
label, ``is_user_type`` by the corpus rule (a union member other than None/null/undefined has
an outer type the project defines; here "the project" is the evaluated directory's type
universe).  Predictions: the pipeline's top-1 and its alternatives, canonicalized, as
``[(type, confidence), ...]``; no prediction is an empty list (wrong, confidence 0).

Baselines: "most-frequent" and "per-name" come from the training split's label counts that the
model directory stores (``train_stats.json``, written by ``typeinfer train``), as for the corpus
evaluation.  A model directory without them (older models, ``--no-model`` with no model at all)
falls back to leave-one-out over the evaluated directory's own labels (each record's own label
removed from the counts before predicting it), which is a much stronger baseline: it has seen the
project.  The report says which was used.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .canonical_types import canonicalize, outer_type, split_union
from .inferred_types import Prediction
from .pipeline import InferenceOptions, InferenceResult, infer_project
from .slice_schema import TrainingRecord
from .strip import RemovedAnnotation, StripResult, strip_tree_results

_NULLISH = frozenset({"None", "null", "undefined"})
BASELINE_NOTE = ("baselines most-frequent / per-name: leave-one-out over this directory's own labels "
                 "(the model directory stores no training label counts)")
TRAIN_BASELINE_NOTE = "baselines most-frequent / per-name: the training split's label counts (train_stats.json)"


def _train_stats(model_dir: Path | None):  # noqa: ANN202 - TrainStats | None
    """The model's training label counts, if its directory has them."""
    from typeinfer.typemodel.evaluate import TrainStats
    from typeinfer.typemodel.model_files import default_model_dir

    path = (model_dir or default_model_dir()) / "train_stats.json"
    try:
        return TrainStats.from_json(json.loads(path.read_text()))
    except (OSError, ValueError):
        return None


class LeaveOneOutStats:
    """`typemodel.evaluate.TrainStats`'s interface over the evaluated labels, each record's own label left out."""

    def __init__(self, records: list[TrainingRecord]) -> None:
        self.labels: dict[str, Counter] = defaultdict(Counter)
        self.by_name: dict[tuple[str, str], Counter] = defaultdict(Counter)
        for r in records:
            self.labels[r.language][r.label] += 1
            self.by_name[(r.language, r.slice.name)][r.label] += 1

    def common(self, language: str, top: int) -> set[str]:
        ranked = sorted(self.labels[language].items(), key=lambda kv: (-kv[1], kv[0]))
        return {t for t, _ in ranked[:top]}

    @staticmethod
    def _ranked(c: Counter, leave_out: str, k: int = 5) -> list[tuple[str, float]]:
        c = c.copy()
        c[leave_out] -= 1
        c = +c  # drop zero counts
        total = sum(c.values())
        return [(t, n / total) for t, n in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:k]] if total else []

    def most_frequent(self, records: list[TrainingRecord]) -> list[list[tuple[str, float]]]:
        return [self._ranked(self.labels[r.language], r.label) for r in records]

    def most_frequent_for_name(self, records: list[TrainingRecord]) -> list[list[tuple[str, float]]]:
        """The name's other labels; the language's other labels when the name has none."""
        out = []
        for r in records:
            ranked = self._ranked(self.by_name[(r.language, r.slice.name)], r.label)
            out.append(ranked or self._ranked(self.labels[r.language], r.label))
        return out


@dataclass
class DirectoryEvalReport:
    """Metrics of one directory plus how the labels were obtained.

    JSON form (`to_json`): ``{"path", "threshold", "use_model", "files", "files_unchanged":
    [messages], "removed", "kept": {reason: count}, "uninformative", "labels", "scored",
    "no_slot", "still_declared", "ambiguous", "merged_duplicates", "pipeline": {...},
    "baselines", "by_source": {"python/static": {"n", "exact"}, ...}, "metrics": <typemodel EvalReport JSON>}``.
    """

    path: str
    threshold: float
    use_model: bool
    files: int = 0  #: source files stripped
    files_unchanged: list[str] = field(default_factory=list)  #: stripping refused (parse errors)
    removed: int = 0  #: annotations removed
    kept: dict[str, int] = field(default_factory=dict)  #: annotations left in place, by reason
    uninformative: int = 0  #: removed annotations whose canonical label says nothing (Any, unknown)
    labels: int = 0  #: removed annotations with a label
    scored: int = 0  #: slots scored (records)
    no_slot: int = 0  #: labels whose slot the pipeline did not predict
    still_declared: int = 0  #: labels whose slot still has an annotation the stripper kept
    ambiguous: int = 0  #: labels dropped: conflicting labels for one slot, or no way to tell slots apart
    merged_duplicates: int = 0  #: labels that agreed with another label of the same slot
    pipeline: dict[str, int] = field(default_factory=dict)  #: `InferenceResult.stats`
    baselines: str = BASELINE_NOTE
    metrics: Any = None  #: `typemodel.evaluate.EvalReport`
    records: list[TrainingRecord] = field(default_factory=list, repr=False)
    predictions: list[list[tuple[str, float]]] = field(default_factory=list, repr=False)
    sources: list[str] = field(default_factory=list, repr=False)  #: per record: "static", "model" or "none"

    def by_source(self) -> dict[str, dict[str, float]]:
        """Per language and source: slots and exact match (``{"python/static": {"n", "exact"}}``)."""
        return by_source(self.records, self.predictions, self.sources)

    @property
    def found_share(self) -> float:
        """Share of labels that found an unannotated slot (scored or merged into one)."""
        return (self.scored + self.merged_duplicates) / self.labels if self.labels else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path, "threshold": self.threshold, "use_model": self.use_model, "files": self.files,
            "files_unchanged": self.files_unchanged, "removed": self.removed, "kept": dict(sorted(self.kept.items())),
            "uninformative": self.uninformative, "labels": self.labels, "scored": self.scored,
            "no_slot": self.no_slot, "still_declared": self.still_declared, "ambiguous": self.ambiguous,
            "merged_duplicates": self.merged_duplicates, "pipeline": self.pipeline, "baselines": self.baselines,
            "by_source": self.by_source(),
            "metrics": self.metrics.to_json() if self.metrics is not None else None,
        }

    def summary(self) -> str:
        """A few lines on how labels were obtained (printed above the metric tables)."""
        kept = sum(self.kept.values())
        lines = [
            f"{self.path}: {self.files} files, {self.removed} annotations removed, {kept} left in place",
            f"labels {self.labels} (+{self.uninformative} that say nothing, dropped); scored {self.scored} slots, "
            f"{self.merged_duplicates} duplicate labels merged, {self.no_slot} without a slot, "
            f"{self.still_declared} still declared, {self.ambiguous} ambiguous",
            render_by_source(self.by_source()),
            self.baselines,
        ]
        lines += [f"left unchanged: {m}" for m in self.files_unchanged]
        return "\n".join(lines)

    def render(self) -> str:
        return self.summary() + "\n" + (self.metrics.render() if self.metrics is not None else "")


def by_source(records: list[TrainingRecord], predictions: list[list[tuple[str, float]]],
              sources: list[str]) -> dict[str, dict[str, float]]:
    """Slots and exact match per language and the layer that settled them (static facts, model, none)."""
    groups: dict[str, list[bool]] = defaultdict(list)
    for record, ranking, source in zip(records, predictions, sources):
        groups[f"{record.language}/{source}"].append(bool(ranking) and ranking[0][0] == record.label)
    return {k: {"n": len(v), "exact": sum(v) / len(v)} for k, v in sorted(groups.items())}


def render_by_source(table: dict[str, dict[str, float]]) -> str:
    """One line: ``exact by source: python/model 0.436 (n=35400), ...``."""
    return "exact by source: " + ", ".join(f"{k} {v['exact']:.3f} (n={v['n']:.0f})" for k, v in table.items())


def _labels(results: dict[str, StripResult], report: DirectoryEvalReport) -> list[tuple[str, str, RemovedAnnotation, str]]:
    """(file, language, removed annotation, canonical label) for every informative label."""
    from typeinfer.cpg.source import grammar_for_path

    out = []
    for rel, res in sorted(results.items()):
        report.files += 1
        if res.error:
            report.files_unchanged.append(res.error)
        for k in res.kept:
            report.kept[k.reason] = report.kept.get(k.reason, 0) + 1
        language = (grammar_for_path(rel) or ("python", ""))[0]
        for a in res.removed:
            report.removed += 1
            label = canonicalize(a.annotation, language)
            if label is None:
                report.uninformative += 1
                continue
            out.append((rel, language, a, label))
    report.labels = len(out)
    return out


def _is_user_type(label: str, language: str, result: InferenceResult) -> bool:
    outers = {outer_type(m, language) for m in split_union(label, language)} - _NULLISH
    return any(result.universe.by_short_name(o) for o in outers)


def _ranking(p: Prediction) -> list[tuple[str, float]]:
    if p.source == "none" or not p.type:
        return []
    out = []
    for t, c in [(p.type, p.confidence)] + [(a.type, a.confidence) for a in p.alternatives]:
        out.append((canonicalize(t, p.language) or t, float(c)))
    return out


def join(labels: list[tuple[str, str, RemovedAnnotation, str]], result: InferenceResult,
         report: DirectoryEvalReport, project: str) -> tuple[list[TrainingRecord], list[list[tuple[str, float]]], list[str]]:
    """Match labels to the pipeline's predictions (see the module docstring); fills the counts.

    Returns the records, their rankings and the source of each prediction."""
    by_key: dict[tuple[str, str, str, str], list[Prediction]] = defaultdict(list)
    for p in result.predictions:
        by_key[(p.file, p.kind, p.function, p.name)].append(p)
    declared = {(s.file, s.kind, s.function, s.name) for s in result.program.slices if s.declared_type is not None}
    per_slot: dict[int, list[tuple[str, str, RemovedAnnotation, str]]] = defaultdict(list)
    slot_of: dict[int, Prediction] = {}
    for item in labels:
        rel, _, a, _ = item
        key = a.key(rel)
        found = by_key.get(key, [])
        if len(found) > 1:
            found = [p for p in found if p.line == a.stripped_line]
        if len(found) == 1:
            per_slot[id(found[0])].append(item)
            slot_of[id(found[0])] = found[0]
        elif len(found) > 1 or by_key.get(key):
            report.ambiguous += 1
        elif key in declared:
            report.still_declared += 1
        else:
            report.no_slot += 1
    records, preds, sources = [], [], []
    for pid, items in per_slot.items():
        p = slot_of[pid]
        distinct = {label for _, _, _, label in items}
        if len(distinct) > 1:
            report.ambiguous += len(items)
            continue
        report.merged_duplicates += len(items) - 1
        rel, language, a, label = items[0]
        assert p.slice is not None
        records.append(TrainingRecord(project=project, language=language, kind=a.kind, file=rel,  # type: ignore[arg-type]
                                      label=label, label_full=a.annotation,
                                      is_user_type=_is_user_type(label, language, result), split="test",
                                      slice=p.slice))
        preds.append(_ranking(p))
        sources.append(p.source)
    order = sorted(range(len(records)), key=lambda i: (records[i].file, records[i].slice.line, records[i].kind,
                                                       records[i].slice.name))
    report.scored = len(records)
    return [records[i] for i in order], [preds[i] for i in order], [sources[i] for i in order]


def evaluate_directory(path: str | Path, model_dir: Path | None = None, use_model: bool = True,
                       threshold: float | None = None, jobs: int = 0, rounds: int = 1,
                       python: Path | None = None) -> DirectoryEvalReport:
    """Strip `path`'s annotations, infer them back, and score the result (see the module docstring).

    `rounds` > 1 infers as `typeinfer annotate` does: confident types of one round are context
    for the next (`pipeline.infer_graph`).  `python`: the environment whose packages type
    library calls (default: the one `environment.find_environment` finds for `path`).

    Raises `FileNotFoundError` for a missing path, `typemodel.predictor.ModelError` for a
    broken model directory and `cpg.project.BuildError` when nothing can be analysed.
    """
    from typeinfer.typemodel.evaluate import evaluate

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or directory")
    with tempfile.TemporaryDirectory(prefix="typeinfer-eval-") as tmp:
        root = Path(tmp) / "src"
        results = strip_tree_results(path, root)
        # the stripped copy lives elsewhere: the environment and node_modules are the original tree's
        result = infer_project(root, InferenceOptions(use_model=use_model, model_dir=model_dir,
                                                      min_confidence=threshold, jobs=jobs, use_cache=False,
                                                      rounds=rounds, python=python, environment_root=Path(path)))
    report = DirectoryEvalReport(path=str(path), threshold=result.threshold, use_model=use_model,
                                 pipeline=dict(result.stats))
    labels = _labels(results, report)
    records, preds, sources = join(labels, result, report, project=f"dir:{path.resolve().name}")
    report.records, report.predictions, report.sources = records, preds, sources
    stats = _train_stats(model_dir)
    if stats is None:
        stats = LeaveOneOutStats(records)
    else:
        report.baselines = TRAIN_BASELINE_NOTE
    report.metrics = evaluate(records, preds, stats, threshold=result.threshold,  # type: ignore[arg-type]
                              reachable=_reachable(result, records, preds, sources))
    return report


def _reachable(result: Any, records: list[TrainingRecord], preds: list[list[tuple[str, float]]],
               sources: list[str]) -> list[bool] | None:
    """Per record, whether the pipeline could give its label at all: a static fact gave it, or
    the model can rank it (`TypePredictor.reachable`, with the project's candidates); None without a model."""
    if result.predictor is None or not records:
        return None
    candidates = [result.universe.candidates()] * len(records)
    by_model = result.predictor.reachable([r.slice for r in records], candidates, [r.label for r in records])
    return [can or (source == "static" and bool(p) and p[0][0] == r.label)
            for r, p, source, can in zip(records, preds, sources, by_model)]


def main(argv: list[str] | None = None,
         parser_class: type[argparse.ArgumentParser] = argparse.ArgumentParser) -> int:
    """``typeinfer eval PATH [--model DIR] [--no-model] [--threshold T] [--rounds N] [--json FILE]``;
    `parser_class` builds the parser (and reports its usage errors)."""
    p = parser_class(
        prog="typeinfer eval",
        description="Evaluate the pipeline on an annotated directory: strip its annotations, infer them back, score.")
    p.add_argument("path", type=Path, help="annotated Python / TypeScript file or directory")
    p.add_argument("--model", type=Path, default=None, help="model directory (default: the shipped model)")
    p.add_argument("--no-model", action="store_true", help="static facts only")
    p.add_argument("--threshold", type=float, default=None,
                   help="confidence threshold (default: the model's; 0.5 with --no-model)")
    p.add_argument("--rounds", type=int, default=1,
                   help="inference rounds; 3 infers as `typeinfer annotate` does (default: 1)")
    p.add_argument("--python", type=Path, default=None, metavar="PATH",
                   help="the project's interpreter or virtual environment, for library types (default: found "
                        "next to PATH, as annotate does)")
    p.add_argument("--json", type=Path, default=None, help="also write the report as JSON here")
    a = p.parse_args(argv)
    from rich.console import Console

    from typeinfer.cpg.project import BuildError
    from typeinfer.typemodel.model_files import ModelError

    try:
        report = evaluate_directory(a.path, model_dir=a.model, use_model=not a.no_model, threshold=a.threshold,
                                    rounds=max(1, a.rounds), python=a.python)
    except (FileNotFoundError, ModelError, BuildError) as e:
        print(f"typeinfer eval: {e}", file=sys.stderr)
        return 2
    console = Console()
    console.print(report.summary(), highlight=False)
    if report.metrics is not None:
        for t in report.metrics.table():
            console.print(t)
    if a.json:
        a.json.write_text(json.dumps(report.to_json(), indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
