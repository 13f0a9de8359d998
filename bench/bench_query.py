"""Query benchmark (issue 8): load time and query latency on >= 50k LOC of real, pinned code.

Usage::

    python bench/bench_query.py [--json] [--packages rich,click,httpx,requests] [--repeat 3]

What it does: fetches the pinned packages with `corpus.fetch` (a cache hit after the first run),
copies them under one temporary root, then measures in this process:

* ``load (cold)``: `cpg.query.load` with an empty on-disk cache (``jobs=2``);
* ``load (cached)``: the same again (whole-project cache hit);
* each query in `QUERIES` (the fastest of ``--repeat`` runs), with its result count;
* ``scan``: all built-in rules (`analyzer.scan.scan`), with the number of findings.

No inference oracle is used (the pipeline's oracle is not connected yet); the numbers are the
graph-side cost.  Results go to bench/RESULTS.md by hand (``--json`` for the raw numbers).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

#: (name, version) of pinned PyPI packages, together well over 50k LOC.
PACKAGES = [("rich", "13.9.4"), ("click", "8.1.8"), ("httpx", "0.28.1"), ("requests", "2.32.3"),
            ("attrs", "24.3.0")]

#: (label, query over `p`) measured one by one.
QUERIES: list[tuple[str, str]] = [
    ("methods by name regex", "p.methods.name('render.*').list()"),
    ("calls by full name", r"p.calls.full_name(r'os\..*|subprocess\..*|builtins\.open').list()"),
    ("method parameters", "p.methods.name('__init__').parameters.list()"),
    ("identifiers by name", "p.identifiers.name('self').where(lambda n: n.line < 50).list()"),
    ("call arguments", "p.calls.name('get').argument(1).list()"),
    ("receiver type", r"p.calls.receiver_type(r'str|builtins\.str').list()"),
    ("reachable_by (params -> open)", r"p.calls.full_name(r'builtins\.open').argument(1).reachable_by(p.parameters).list()"),
]


def _fetch(packages: list[tuple[str, str]], root: Path) -> int:
    from typeinfer.corpus.fetch import fetch_pypi

    for name, version in packages:
        src = Path(fetch_pypi(name, version))
        shutil.copytree(src, root / f"{name}-{version}", ignore=shutil.ignore_patterns("tests", "test", "docs"))
    return sum(p.read_bytes().count(b"\n") for p in root.rglob("*.py"))


def _timed(fn):  # noqa: ANN001, ANN202
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", help="comma-separated names from PACKAGES (default: all)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    from typeinfer.analyzer.scan import scan
    from typeinfer.cpg.project import BuildOptions
    from typeinfer.cpg.query import load

    wanted = set(args.packages.split(",")) if args.packages else None
    packages = [p for p in PACKAGES if wanted is None or p[0] in wanted]
    report: dict = {"python": sys.version.split()[0], "machine": platform.machine(), "cpus": os.cpu_count(),
                    "packages": [f"{n}=={v}" for n, v in packages], "queries": []}
    with tempfile.TemporaryDirectory() as tmp:
        root, cache = Path(tmp) / "src", Path(tmp) / "cache"
        root.mkdir()
        report["loc"] = _fetch(packages, root)
        options = BuildOptions(jobs=args.jobs, use_cache=True, cache_dir=cache)
        report["load_cold_s"], project = _timed(lambda: load(root, options=options))
        report["load_cached_s"], project = _timed(lambda: load(root, options=options))
        report["nodes"] = project.cpg.g.number_of_nodes()
        for label, text in QUERIES:
            best, count = float("inf"), 0
            for _ in range(args.repeat):
                seconds, value = _timed(lambda: eval(text, {"p": project}))  # noqa: S307 - our own query text
                best, count = min(best, seconds), len(value)
            report["queries"].append({"query": label, "text": text, "seconds": best, "results": count})
        report["scan_s"], result = _timed(lambda: scan(project))
        report["scan_findings"] = len(result.findings)
    if args.json:
        print(json.dumps(report, indent=1))
        return 0
    print(f"{report['loc']} LOC ({', '.join(report['packages'])}), {report['nodes']} nodes, {report['cpus']} CPUs")
    print(f"load (cold, jobs={args.jobs}): {report['load_cold_s']:.2f} s")
    print(f"load (cached):       {report['load_cached_s']:.2f} s")
    print("| query | results | ms |\n| --- | ---: | ---: |")
    for q in report["queries"]:
        print(f"| {q['query']} | {q['results']} | {q['seconds'] * 1000:.1f} |")
    print(f"scan (10 rules): {report['scan_s']:.2f} s, {report['scan_findings']} findings")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
