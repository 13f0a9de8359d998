"""Does inference change what a scan finds, and what does it cost?

Two parts, run side by side with `typeinfer scan --no-infer` as the reference:

1. Findings on labelled apps: every app folder with an ``expected.json`` (the true flows; all
   other code in the app is negative cases: guarded, sanitized, dead, constant) under
   ``tests/fixtures/scan``, ``tests/fixtures/scan_typed`` and ``tests/fixtures/scan_rules/*``.
   TP / FP / FN without inference, with inference (static facts + the bundled model, only the
   slots a scan needs) and, for the paper's question, how many of the flows that need an
   inferred type were found.
2. Cost on real code from the registries, not in the corpus: wall time of the scan command with
   and without inference, cold graph cache, one worker.

    python bench/bench_dataflow.py [--repeat 2] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from typeinfer.analyzer.strip import strip_tree
from typeinfer.corpus.fetch import fetch_npm, fetch_pypi

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "analyzer" / "rules"
LABELLED = [ROOT / "tests" / "fixtures" / "scan", ROOT / "tests" / "fixtures" / "scan_typed",
            *sorted((ROOT / "tests" / "fixtures" / "scan_rules").glob("*"))]
#: real code for the cost ratio: (registry, name, version, sub-folder, strip annotations first)
COST_APPS = [
    ("pypi", "httpbin", "0.10.2", "httpbin", False),  # a Flask application
    # a Flask extension (24k lines with its bundled JavaScript): views reading flask.request, many
    # open calls on the flows from them, so a scan asks the model about some 160 slots
    ("pypi", "flask-admin", "1.6.1", "flask_admin", False),
    ("pypi", "httpx", "0.28.1", "httpx", True),  # a library, annotations removed: many open receivers
    ("npm", "zod", "3.25.76", "src/v3", True),
]


def truth(app: Path) -> tuple[set[tuple[str, int, str]], set[tuple[str, int, str]]]:
    """(true flows, those that need an inferred type) of a labelled app."""
    data = json.loads((app / "expected.json").read_text())
    rows = data["findings"] if isinstance(data, dict) else data
    default = next((name for name in ("app.py", "app.ts") if (app / name).exists()), "")
    out, needs = set(), set()
    for row in rows:
        key = (row.get("file") or default, int(row["line"]), row["rule"])
        out.add(key)
        if row.get("needs_inference"):
            needs.add(key)
    return out, needs


def scan(path: Path, infer: bool, cache: Path, rule: Path | None = None,
         low: set | None = None) -> tuple[set[tuple[str, int, str]], float]:
    """Findings and wall seconds of one `typeinfer scan` run (graph cache off; `rule`: that rule only);
    the low-confidence ones (a source or sink matched by name only) are also added to `low`."""
    cmd = [sys.executable, "-m", "typeinfer", "scan", str(path), "--format", "json", "-q", "--no-cache", "-j", "1"]
    if rule is not None:
        cmd += ["--no-builtin-rules", "--rules", str(rule)]
    if not infer:
        cmd.append("--no-infer")
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "TYPEINFER_CACHE": str(cache)},
                          timeout=3600)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"scan of {path} failed: {done.stderr[-2000:]}")
    found = json.loads(done.stdout)["findings"]
    if low is not None:
        low.update((f["file"], int(f["line"]), f["rule"]) for f in found if f.get("confidence") == "low")
    return {(f["file"], int(f["line"]), f["rule"]) for f in found}, seconds


def labelled_rows(cache: Path) -> list[dict]:
    rows = []
    for app in LABELLED:
        if not (app / "expected.json").exists():
            continue
        expected, needs = truth(app)
        row: dict = {"app": app.relative_to(ROOT).as_posix(), "true_flows": len(expected), "need_inference": len(needs)}
        # an app of tests/fixtures/scan_rules is written for one rule: scanned with that rule alone
        rule = RULES / f"{app.name}.yaml" if app.parent.name == "scan_rules" else None
        for mode, infer in (("without", False), ("with", True)):
            low: set = set()
            found, _ = scan(app, infer, cache, rule, low)
            row[mode] = {"tp": len(found & expected), "fp": len(found - expected), "fn": len(expected - found),
                         "tp_low_confidence": len(found & expected & low), "fp_low_confidence": len(found - expected & low),
                         "false_positives": sorted(found - expected), "missed": sorted(expected - found)}
        row["inference_found"] = len(needs & _found(row["with"], expected))
        rows.append(row)
    return rows


def _found(side: dict, expected: set) -> set:
    return expected - {tuple(m) for m in side["missed"]}


def cost_rows(cache: Path, repeat: int) -> list[dict]:
    rows = []
    work = Path(tempfile.mkdtemp(prefix="typeinfer-bench-dataflow-"))
    for registry, name, version, sub, strip in COST_APPS:
        source = (fetch_pypi(name, version) if registry == "pypi" else fetch_npm(name, version)) / sub
        path = source
        if strip:
            path = work / name
            strip_tree(source, path)
        times = {}
        findings = {}
        for mode, infer in (("without", False), ("with", True)):
            runs = []
            for _ in range(repeat):
                found, seconds = scan(path, infer, cache)
                runs.append(seconds)
            times[mode] = min(runs)
            findings[mode] = len(found)
        rows.append({"app": f"{registry}:{name}=={version}/{sub}" + (" (stripped)" if strip else ""),
                     "seconds_without": round(times["without"], 2), "seconds_with": round(times["with"], 2),
                     "ratio": round(times["with"] / times["without"], 2),
                     "findings_without": findings["without"], "findings_with": findings["with"]})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--json")
    args = parser.parse_args()
    cache = Path(tempfile.mkdtemp(prefix="typeinfer-bench-cache-"))
    report = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
              "labelled": labelled_rows(cache), "cost": cost_rows(cache, args.repeat)}
    print(json.dumps(report, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
