"""Issue 5's targets on the held-out test projects: static layer and model together.

For every project of the corpus's test split (`projects.jsonl.gz`), the package is taken from the
download cache (fetched again if missing), its annotations are stripped, the whole pipeline
(graph, slices, static facts, model, consistency filter) infers them back, and the metrics of all
projects are computed together by the same code as `typeinfer eval` (`typemodel.evaluate`), with
the baselines from the model's training label counts.

    python bench/eval_test_projects.py --corpus corpus/data [--model DIR] [--json out.json]
        [--rounds N] [--only name,name] [--dump slots.jsonl]
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

from typeinfer.analyzer.evaluate_dir import _train_stats, by_source, evaluate_directory, render_by_source
from typeinfer.corpus.fetch import FetchError, fetch_npm, fetch_pypi
from typeinfer.typemodel.evaluate import evaluate


def test_projects(corpus: Path, split: str = "test") -> list[tuple[str, str, str]]:
    """(registry, name, version) of the projects of a split of the corpus (default: test)."""
    out = []
    with gzip.open(corpus / "v1" / "projects.jsonl.gz", "rt") as handle:
        for line in handle:
            row = json.loads(line)
            if row["split"] != split:
                continue
            registry, _, spec = row["project"].partition(":")
            name, version = spec.rsplit("==", 1) if registry == "pypi" else spec.rsplit("@", 1)
            out.append((registry, name, version))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("corpus/data"))
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--no-model", action="store_true", help="static facts only")
    parser.add_argument("--rounds", type=int, default=1, help="inference rounds (typeinfer annotate: 3)")
    parser.add_argument("--split", default="test", help="split of the corpus whose projects to evaluate")
    parser.add_argument("--only", default="", help="comma-separated project names to evaluate")
    parser.add_argument("--dump", type=Path, default=None, help="write one JSON line per scored slot here")
    args = parser.parse_args()
    records, predictions, sources, rows = [], [], [], []
    projects = test_projects(args.corpus, args.split)[: args.limit or None]
    if args.only:
        projects = [p for p in projects if p[1] in args.only.split(",")]
    threshold = None
    t0 = time.time()
    for registry, name, version in projects:
        try:
            root = fetch_pypi(name, version) if registry == "pypi" else fetch_npm(name, version)
        except FetchError as exc:
            print(f"skip {registry}:{name}: {exc}")
            continue
        try:
            report = evaluate_directory(root, model_dir=args.model, use_model=not args.no_model, jobs=1,
                                        rounds=args.rounds)
        except Exception as exc:  # noqa: BLE001 - one bad project must not stop the evaluation
            print(f"skip {registry}:{name}: {type(exc).__name__}: {exc}")
            continue
        threshold = report.threshold
        records += report.records
        predictions += report.predictions
        sources += report.sources
        rows.append((f"{registry}:{name}", report.scored, report.found_share))
        print(f"{registry}:{name}=={version}: {report.scored} slots scored ({report.found_share:.0%} of labels found)")
    stats = _train_stats(args.model)
    result = evaluate(records, predictions, stats, threshold=threshold if threshold is not None else 0.5)
    print(f"\n{len(rows)} {args.split} projects, {len(records)} slots, {time.time() - t0:.0f} s\n")
    print(result.render())
    source_table = by_source(records, predictions, sources)
    print(render_by_source(source_table))
    if args.json:
        args.json.write_text(json.dumps({"projects": rows, "by_source": source_table, "metrics": result.to_json()},
                                        indent=1))
    if args.dump:
        with args.dump.open("w") as handle:
            for record, ranking, source in zip(records, predictions, sources):
                handle.write(json.dumps({"project": record.project, "file": record.file, "language": record.language,
                                         "kind": record.kind, "name": record.slice.name, "line": record.slice.line,
                                         "label": record.label, "user": record.is_user_type, "source": source,
                                         "ranking": ranking}) + "\n")


if __name__ == "__main__":
    main()
