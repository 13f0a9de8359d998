"""End-to-end `typeinfer annotate` throughput (issue 6): LOC/s and predictions/s, model included.

Fetches pinned held-out packages (not in the training corpus), strips nothing (the pipeline
predicts every unannotated slot and the writer prepares every file's edit, as `annotate` without
`--write` does), and times: graph build, slicing + static facts + model + write-back, and the
source writer.  Each package is built without the graph cache, in this process.

    python bench/bench_annotate.py [--jobs 2] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from typeinfer.analyzer.annotate import AnnotateSummary, edit_files, selected
from typeinfer.analyzer.pipeline import InferenceOptions, infer_graph
from typeinfer.analyzer.slots import KINDS
from typeinfer.corpus.fetch import fetch_npm, fetch_pypi
from typeinfer.cpg.project import BuildOptions, build_project
from typeinfer.typemodel.predictor import TypePredictor

PACKAGES = [
    ("pypi", "rich", "13.9.4", "rich"),
    ("pypi", "click", "8.1.8", "click"),
    ("pypi", "httpx", "0.28.1", "httpx"),
    ("pypi", "attrs", "24.3.0", "attr"),
    ("pypi", "requests", "2.32.3", "requests"),
    ("npm", "zod", "3.25.76", "src"),
]


def machine() -> str:
    cpu = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def run(jobs: int) -> list[dict]:
    predictor = TypePredictor.load()
    rows = []
    for registry, name, version, sub in PACKAGES:
        root = (fetch_pypi(name, version) if registry == "pypi" else fetch_npm(name, version)) / sub
        t0 = time.perf_counter()
        cpg = build_project(root, BuildOptions(jobs=jobs, use_cache=False))
        t1 = time.perf_counter()
        result = infer_graph(cpg, InferenceOptions(jobs=jobs), predictor=predictor)
        t2 = time.perf_counter()
        summary = AnnotateSummary()
        edits = edit_files(result, selected(result, KINDS, summary), summary)
        t3 = time.perf_counter()
        loc = sum(f.loc for f in cpg.files.values() if f.error is None)
        model = sum(1 for p in result.predictions if p.source == "model")
        rows.append({"package": f"{registry}:{name}=={version}", "loc": loc, "slots": len(result.predictions),
                     "model_predictions": model, "build_s": t1 - t0, "infer_s": t2 - t1, "write_s": t3 - t2,
                     "total_s": t3 - t0, "files_edited": sum(1 for _, e in edits if e.changed)})
    return rows


def render(rows: list[dict], jobs: int) -> str:
    out = [f"Machine: {machine()}; jobs={jobs}", "",
           "| package | LOC | slots | model predictions | build s | infer s | write s | LOC/s | predictions/s |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows + [_total(rows)]:
        out.append(f"| {r['package']} | {r['loc']} | {r['slots']} | {r['model_predictions']} | {r['build_s']:.1f} | "
                   f"{r['infer_s']:.1f} | {r['write_s']:.1f} | {r['loc'] / r['total_s']:.0f} | "
                   f"{r['slots'] / r['total_s']:.0f} |")
    return "\n".join(out)


def _total(rows: list[dict]) -> dict:
    total = {"package": "**all**"}
    for key in ("loc", "slots", "model_predictions", "build_s", "infer_s", "write_s", "total_s"):
        total[key] = sum(r[key] for r in rows)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", help="also write the rows as JSON")
    args = parser.parse_args()
    rows = run(args.jobs)
    print(render(rows, args.jobs))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
