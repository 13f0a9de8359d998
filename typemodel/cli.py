"""``typeinfer train`` and ``typeinfer eval``: argparse front ends over `train.train` and `evaluate.evaluate`.

The top-level ``typeinfer`` CLI dispatches to `main_train(argv, parser_class)` /
`main_eval(argv, parser_class)` (`parser_class`: its one-line-error parser); each returns an exit
status.  ``train`` imports torch lazily (train extra); ``eval`` needs only the runtime.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import fields
from pathlib import Path


def _parse_set(items: list[str], targets: list) -> None:
    """Apply ``KEY=VALUE`` overrides to whichever config dataclass has KEY (JSON values, else strings)."""
    for item in items:
        key, _, raw = item.partition("=")
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        for t in targets:
            if key in {f.name for f in fields(t)}:
                setattr(t, key, value)
                break
        else:
            raise SystemExit(f"--set {item}: no config field named {key!r}")


def main_train(argv: list[str] | None = None,
               parser_class: type[argparse.ArgumentParser] = argparse.ArgumentParser) -> int:
    """``typeinfer train ARGV``; `parser_class` builds the parser (and reports its usage errors)."""
    p = parser_class(prog="typeinfer train", description="Train the type model: corpus in, model directory out.")
    p.add_argument("--corpus", type=Path, required=True, help="corpus directory (holds v1/records-*.jsonl.gz)")
    p.add_argument("--out", type=Path, required=True, help="model directory to write (checkpoints under <out>/checkpoints)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    p.add_argument("--max-minutes", type=float, default=90.0, help="safety stop for the training loop (default 90)")
    p.add_argument("--resume", action="store_true", help="continue from <out>/checkpoints/last.pt")
    p.add_argument("--epochs", type=int, help="passes over the train split")
    p.add_argument("--max-steps", type=int, help="stop after this many steps")
    p.add_argument("--batch-size", type=int)
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a ModelConfig / TrainConfig field, e.g. --set layers=4")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    a = p.parse_args(argv)
    from typeinfer.typemodel.config import ModelConfig, TrainConfig
    from typeinfer.typemodel.train import TrainInputError, train

    cfg, tc = ModelConfig(), TrainConfig()
    for name in ("epochs", "max_steps", "batch_size"):
        if getattr(a, name) is not None:
            setattr(tc, name, getattr(a, name))
    _parse_set(a.set, [cfg, tc])
    try:
        summary = train(a.corpus, a.out, cfg, tc, seed=a.seed, device=a.device, max_minutes=a.max_minutes,
                        resume=a.resume, progress=not a.no_progress)
    except (FileNotFoundError, TrainInputError) as e:  # no corpus, an empty split, no CUDA
        print(f"typeinfer train: {e}", file=sys.stderr)
        return 2
    q = summary.get("quantization", {})
    print(f"model written to {a.out}: {summary['parameters']} parameters, {summary['steps']} steps, "
          f"{summary['train_samples_per_second']} samples/s, temperature {summary['temperature']:.3f}, "
          f"int8/fp32 agreement {q.get('top1_agreement')}")
    return 0


def main_eval(argv: list[str] | None = None,
              parser_class: type[argparse.ArgumentParser] = argparse.ArgumentParser) -> int:
    """``typeinfer eval --corpus DIR ARGV``; `parser_class` builds the parser (and reports its usage errors)."""
    p = parser_class(prog="typeinfer eval", description="Evaluate a model on a corpus split.")
    p.add_argument("--corpus", type=Path, required=True, help="corpus directory (its train split feeds the baselines)")
    p.add_argument("--split", default="test", choices=["train", "valid", "test"])
    p.add_argument("--model", type=Path, default=None, help="model directory (default: the shipped model)")
    p.add_argument("--threshold", type=float, default=None, help="confidence threshold (default: the model's)")
    p.add_argument("--limit", type=int, default=None, help="evaluate the first N records only")
    p.add_argument("--applications", action="store_true",
                   help="only the records of application projects (the corpus's *-apps.tsv packages)")
    p.add_argument("--json", type=Path, default=None, help="also write the report as JSON here")
    a = p.parse_args(argv)
    from rich.console import Console

    from typeinfer.typemodel.data import iter_records, read_applications, read_project_types, read_records
    from typeinfer.typemodel.evaluate import TrainStats, evaluate
    from typeinfer.typemodel.model_files import ModelError
    from typeinfer.typemodel.predictor import TypePredictor

    try:
        predictor = TypePredictor.load(a.model)
    except ModelError as e:
        print(f"typeinfer eval: {e}", file=sys.stderr)
        return 2
    try:
        records = read_records(a.corpus, a.split, None if a.applications else a.limit)
        if a.applications:
            applications = read_applications(a.corpus)
            records = [r for r in records if r.project in applications][:a.limit]
            if not records:
                print(f"typeinfer eval: {a.corpus} has no application records in its {a.split} split",
                      file=sys.stderr)
                return 2
        stats = TrainStats.from_records(iter_records(a.corpus, "train"))
    except FileNotFoundError as e:
        print(f"typeinfer eval: {e}", file=sys.stderr)
        return 2
    project_types = read_project_types(a.corpus)
    slices, candidates = [r.slice for r in records], [project_types.get(r.project) for r in records]
    preds = predictor.predict(slices, candidates)
    reachable = predictor.reachable(slices, candidates, [r.label for r in records])
    threshold = a.threshold if a.threshold is not None else predictor.threshold
    report = evaluate(records, preds, stats, threshold=threshold, reachable=reachable)
    console = Console()
    for t in report.table():
        console.print(t)
    if a.json:
        a.json.write_text(report.dumps())
    return 0
