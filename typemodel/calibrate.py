"""Temperature scaling (Guo et al. 2017): one scalar T fitted on the valid split (numpy only).

Each row is one slice's logits over its entries (vocabulary of its language + its candidates,
masked entries already at a large negative value) and a boolean mask of the entries that name
the label (several when a name is both a vocabulary type and a candidate; ``<other>`` when
nothing names it).  T minimizes the mean negative log-likelihood of the label, found by
golden-section search on log T (the NLL is convex in 1/T, so the search is safe).
"""

from __future__ import annotations

import math

import numpy as np


def nll(rows: list[np.ndarray], targets: list[np.ndarray], temperature: float) -> float:
    total = 0.0
    for z, t in zip(rows, targets):
        z = z.astype(np.float64) / temperature
        m = z.max()
        lse = m + math.log(np.exp(z - m).sum())
        zt = z[t]
        mt = zt.max()
        total += lse - (mt + math.log(np.exp(zt - mt).sum()))
    return total / max(len(rows), 1)


def fit_temperature(rows: list[np.ndarray], targets: list[np.ndarray],
                    lo: float = 0.05, hi: float = 20.0, iters: int = 60) -> float:
    """The temperature minimizing valid NLL (1.0 when there is nothing to fit)."""
    if not rows:
        return 1.0
    a, b = math.log(lo), math.log(hi)
    g = (math.sqrt(5) - 1) / 2
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = nll(rows, targets, math.exp(c)), nll(rows, targets, math.exp(d))
    for _ in range(iters):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = nll(rows, targets, math.exp(c))
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = nll(rows, targets, math.exp(d))
    return float(math.exp((a + b) / 2))


#: Precision the default confidence threshold is chosen for: of the types `annotate` writes by
#: default, about this share should be right (measured on the valid split).
TARGET_PRECISION = 0.8


def choose_threshold(confidences: list[float], correct: list[bool], target_precision: float = TARGET_PRECISION,
                     grid: tuple[float, ...] = tuple(round(0.30 + 0.05 * i, 2) for i in range(14))) -> float:
    """The lowest threshold on `grid` whose covered predictions reach `target_precision` on the
    calibration curve (top-1 confidence >= threshold); the highest grid value if none does."""
    conf = np.asarray(confidences, dtype=np.float64)
    ok = np.asarray(correct, dtype=bool)
    for t in grid:
        covered = conf >= t
        if covered.sum() and ok[covered].mean() >= target_precision:
            return float(t)
    return float(grid[-1])


def main(argv: list[str] | None = None) -> int:
    """``python -m typeinfer.typemodel.calibrate --model DIR --corpus DIR``: choose the model's
    default threshold on the valid split and store it in ``types.json`` and the model card
    (checksums rewritten)."""
    import argparse
    import json
    from pathlib import Path

    from typeinfer.typemodel.card import set_card_threshold
    from typeinfer.typemodel.data import read_project_types, read_records, spread_sample
    from typeinfer.typemodel.model_files import MODEL_FILES, default_model_dir, write_sums
    from typeinfer.typemodel.predictor import TypePredictor

    p = argparse.ArgumentParser(prog="python -m typeinfer.typemodel.calibrate", description=main.__doc__)
    p.add_argument("--model", type=Path, default=default_model_dir())
    p.add_argument("--corpus", type=Path, required=True)
    p.add_argument("--limit", type=int, default=20000, help="valid records used (a seeded sample spread over the whole split)")
    p.add_argument("--target-precision", type=float, default=TARGET_PRECISION)
    a = p.parse_args(argv)
    predictor = TypePredictor.load(a.model)
    records = read_records(a.corpus, "valid")
    records = [records[i] for i in spread_sample(len(records), a.limit)]
    project_types = read_project_types(a.corpus)
    ranked = predictor.predict([r.slice for r in records], [project_types.get(r.project) for r in records])
    conf = [float(r[0][1]) if r else 0.0 for r in ranked]
    correct = [bool(r) and r[0][0] == rec.label for r, rec in zip(ranked, records)]
    threshold = choose_threshold(conf, correct, a.target_precision)
    types_path = a.model / "types.json"
    meta = json.loads(types_path.read_text())
    meta["default_threshold"] = threshold
    meta["default_threshold_basis"] = (f"lowest threshold with precision >= {a.target_precision} on "
                                       f"{len(records)} valid records")
    types_path.write_text(json.dumps(meta))
    set_card_threshold(a.model, threshold, meta["default_threshold_basis"])
    extra = [f for f in ("MODEL_CARD.md", "train_stats.json") if (a.model / f).exists()]
    write_sums(a.model, [*MODEL_FILES, *extra])
    print(f"default threshold {threshold} (precision >= {a.target_precision} on {len(records)} valid records)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
