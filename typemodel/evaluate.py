"""Evaluation metrics over (record, ranked predictions) pairs, from any predictor (numpy-free).

`evaluate(records, predictions, stats)` scores predictions that may come from the model, the
static layer or both merged: a prediction is a ranked ``[(canonical type, probability), ...]``
list (empty = no prediction: counted wrong, confidence 0).  Per language it reports exact match,
match up to the parametric type (outer constructors equal: ``list[str]`` ~ ``list``), top-5, per
kind, per category (built-in / user-defined / library; common / rare), coverage and precision at
the confidence threshold, expected calibration error (15 equal-width bins over top-1 confidence),
and the same numbers for two baselines computed by this same code from the training split
(`TrainStats`): the most frequent type, and the most frequent type for this name.

*Reach* (given `reachable`, from `TypePredictor.reachable`): the share of slots whose right
answer is among the entries the model ranks at all (its vocabulary in the slot's scope, or a
candidate built from the project's type names).  A slot out of reach cannot be won by a better
ranker: exact is at most reach, per kind and category too.

Categories: *user-defined* = ``record.is_user_type``; *built-in* = `canonical_types.is_builtin_type`
of the label; otherwise *library*.  *Common* = among the `common_top` most frequent training labels
of the language, else *rare*.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from typeinfer.analyzer.slice_schema import TrainingRecord

ECE_BINS = 15
Prediction = list[tuple[str, float]]


def _outer(t: str, language: str) -> str:
    try:
        from typeinfer.analyzer.canonical_types import outer_type
        return outer_type(t, language)
    except ImportError:  # canonical_types not there yet: strip parameters by hand
        return t.split("[", 1)[0].split("<", 1)[0].strip()


def _builtin(t: str, language: str) -> bool:
    try:
        from typeinfer.analyzer.canonical_types import is_builtin_type
        return is_builtin_type(t, language)
    except ImportError:
        return _outer(t, language) in {"int", "float", "str", "bool", "bytes", "list", "dict", "set", "tuple", "None",
                                       "number", "string", "boolean", "Array", "void", "null", "undefined"}


def expected_calibration_error(confidences: list[float], correct: list[bool], bins: int = ECE_BINS) -> float:
    """Sum over equal-width bins (lo, hi] of |accuracy - mean confidence| x bin share (0 goes to bin 1)."""
    n = len(confidences)
    if n == 0:
        return 0.0
    acc_sum = [0.0] * bins
    conf_sum = [0.0] * bins
    count = [0] * bins
    for c, ok in zip(confidences, correct):
        k = min(bins - 1, max(0, math.ceil(c * bins) - 1))
        if k > 0 and c <= k / bins:  # float noise: 0.8 * 15 = 12.000000000000002
            k -= 1
        count[k] += 1
        conf_sum[k] += c
        acc_sum[k] += float(ok)
    return sum(abs(acc_sum[k] - conf_sum[k]) for k in range(bins) if count[k]) / n


@dataclass
class Group:
    n: int = 0
    exact: float = 0.0
    reach: float | None = None  #: share of the group whose answer the model can rank at all


@dataclass
class Metrics:
    """One predictor on one language."""

    n: int
    exact: float
    parametric: float
    top5: float
    coverage: float  #: share of slots whose top-1 confidence >= threshold
    covered_precision: float  #: exact match among those
    ece: float
    by_kind: dict[str, Group] = field(default_factory=dict)
    by_category: dict[str, Group] = field(default_factory=dict)
    reach: float | None = None  #: share of slots whose answer the model can rank (see the module docstring)


@dataclass
class LanguageReport:
    language: str
    model: Metrics
    baselines: dict[str, Metrics]


@dataclass
class EvalReport:
    threshold: float
    languages: dict[str, LanguageReport]

    def to_json(self) -> dict:
        return asdict(self)

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, sort_keys=True)

    def table(self):
        """A rich Table per language (rows: metrics; columns: model and baselines)."""
        from rich.table import Table

        tables = []
        for lang, rep in sorted(self.languages.items()):
            cols = [("model", rep.model), *rep.baselines.items()]
            t = Table(title=f"{lang} (n={rep.model.n}, threshold {self.threshold:g})")
            t.add_column("metric")
            for name, _ in cols:
                t.add_column(name, justify="right")
            rows = [("exact", lambda m: m.exact), ("parametric", lambda m: m.parametric), ("top-5", lambda m: m.top5),
                    ("coverage", lambda m: m.coverage), ("precision@threshold", lambda m: m.covered_precision),
                    ("ECE", lambda m: m.ece)]
            for label, get in rows:
                t.add_row(label, *(f"{get(m):.3f}" for _, m in cols))
            keys = [("kind", k) for k in sorted(rep.model.by_kind)] + [("category", k) for k in sorted(rep.model.by_category)]
            for where, k in keys:
                groups = [getattr(m, f"by_{where}").get(k, Group()) for _, m in cols]
                t.add_row(f"exact {where}={k} (n={groups[0].n})", *(f"{g.exact:.3f}" for g in groups))
            if rep.model.reach is not None:  # the model's answer space; the baselines have none
                blank = [""] * len(rep.baselines)
                t.add_row("reach", f"{rep.model.reach:.3f}", *blank)
                for where, k in keys:
                    g = getattr(rep.model, f"by_{where}")[k]
                    t.add_row(f"reach {where}={k}", f"{g.reach:.3f}", *blank)
            tables.append(t)
        return tables

    def render(self) -> str:
        """Plain text of `table` (for logs and tests)."""
        from io import StringIO

        from rich.console import Console

        buf = StringIO()
        console = Console(file=buf, width=120, color_system=None)
        for t in self.table():
            console.print(t)
        return buf.getvalue()


class TrainStats:
    """Label counts of the training split: feeds the baselines and the common/rare split."""

    def __init__(self) -> None:
        self.labels: dict[str, Counter] = defaultdict(Counter)
        self.by_name: dict[tuple[str, str], Counter] = defaultdict(Counter)

    @classmethod
    def from_records(cls, records: Iterable[TrainingRecord]) -> "TrainStats":
        st = cls()
        for r in records:
            st.labels[r.language][r.label] += 1
            st.by_name[(r.language, r.slice.name)][r.label] += 1
        return st

    def to_json(self, min_name_count: int = 2, top_labels: int = 3) -> dict:
        """Compact JSON (``train_stats.json`` in a model directory): label counts per language, and
        per (language, name) the top labels of names seen at least `min_name_count` times."""
        by_name: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)
        for (language, name), counts in self.by_name.items():
            if sum(counts.values()) >= min_name_count:
                by_name[language][name] = dict(counts.most_common(top_labels))
        return {"version": 1, "labels": {lang: dict(c) for lang, c in self.labels.items()}, "by_name": by_name}

    @classmethod
    def from_json(cls, data: dict) -> "TrainStats":
        st = cls()
        for language, counts in data.get("labels", {}).items():
            st.labels[language] = Counter(counts)
        for language, names in data.get("by_name", {}).items():
            for name, counts in names.items():
                st.by_name[(language, name)] = Counter(counts)
        return st

    def common(self, language: str, top: int) -> set[str]:
        ranked = sorted(self.labels[language].items(), key=lambda kv: (-kv[1], kv[0]))
        return {t for t, _ in ranked[:top]}

    @staticmethod
    def _ranked(c: Counter, k: int = 5) -> Prediction:
        total = sum(c.values())
        return [(t, n / total) for t, n in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:k]] if total else []

    def most_frequent(self, records: list[TrainingRecord]) -> list[Prediction]:
        cache = {lang: self._ranked(c) for lang, c in self.labels.items()}
        return [cache.get(r.language, []) for r in records]

    def most_frequent_for_name(self, records: list[TrainingRecord]) -> list[Prediction]:
        """The name's label distribution in train; the language's when the name was never seen."""
        fallback = {lang: self._ranked(c) for lang, c in self.labels.items()}  # ranking 40k labels once
        out = []
        for r in records:
            c = self.by_name.get((r.language, r.slice.name))
            out.append(self._ranked(c) if c else fallback.get(r.language, []))
        return out


def _metrics(records: list[TrainingRecord], preds: list[Prediction], threshold: float, common: set[str] | None,
             reachable: list[bool] | None = None) -> Metrics:
    n = len(records)
    exact = param = top5 = covered = covered_ok = 0
    conf, correct = [], []
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  #: slots, exact, reachable
    cats: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    reach = reachable or [False] * n
    for r, p, can in zip(records, preds, reach):
        top = p[0][0] if p else None
        c = float(p[0][1]) if p else 0.0
        ok = top == r.label
        exact += ok
        param += top is not None and _outer(top, r.language) == _outer(r.label, r.language)
        top5 += any(t == r.label for t, _ in p[:5])
        if p and c >= threshold:
            covered += 1
            covered_ok += ok
        conf.append(c)
        correct.append(ok)
        cat = "user-defined" if r.is_user_type else ("built-in" if _builtin(r.label, r.language) else "library")
        groups = [cat] + ([("common" if r.label in common else "rare")] if common is not None else [])
        for counts in (kinds[r.kind], *(cats[g] for g in groups)):
            counts[0] += 1
            counts[1] += ok
            counts[2] += can
    d = max(n, 1)

    def group(v: list[int]) -> Group:
        return Group(v[0], v[1] / v[0], v[2] / v[0] if reachable is not None else None)

    return Metrics(
        n=n, exact=exact / d, parametric=param / d, top5=top5 / d, coverage=covered / d,
        covered_precision=covered_ok / max(covered, 1), ece=expected_calibration_error(conf, correct),
        by_kind={k: group(v) for k, v in sorted(kinds.items())},
        by_category={k: group(v) for k, v in sorted(cats.items())},
        reach=sum(reach) / d if reachable is not None else None,
    )


def evaluate(records: list[TrainingRecord], predictions: list[Prediction], stats: TrainStats | None = None,
             threshold: float = 0.5, common_top: int = 100, reachable: list[bool] | None = None) -> EvalReport:
    """Score `predictions[i]` against `records[i].label`, per language, with baselines when `stats` is given;
    with `reachable[i]` (`TypePredictor.reachable`), the model's reach too."""
    if len(records) != len(predictions) or (reachable is not None and len(reachable) != len(records)):
        raise ValueError("one prediction list (and reachable flag) per record")
    by_lang: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        by_lang[r.language].append(i)
    base_all: dict[str, list[Prediction]] = {}
    if stats is not None:
        base_all = {"most-frequent": stats.most_frequent(records), "per-name": stats.most_frequent_for_name(records)}
    out = {}
    for lang, idx in sorted(by_lang.items()):
        recs = [records[i] for i in idx]
        common = stats.common(lang, common_top) if stats is not None else None
        model = _metrics(recs, [predictions[i] for i in idx], threshold, common,
                         [reachable[i] for i in idx] if reachable is not None else None)
        baselines = {name: _metrics(recs, [p[i] for i in idx], threshold, common) for name, p in base_all.items()}
        out[lang] = LanguageReport(lang, model, baselines)
    return EvalReport(threshold, out)
