"""Does what `annotate --write` adds type-check?  New checker errors per 100 annotations written.

For each pinned registry package (not in the corpus; mostly unannotated: untyped Python as
published, TypeScript with its annotations stripped first), in a fresh copy each time:

1. the checker `--verify` runs (`analyzer.checkers.find_checker`: basedpyright for Python, tsc for TypeScript, the config
   `--verify` uses) on the code as it is: the baseline;
2. ``typeinfer annotate --write``, timed; the checker again; new errors = errors the baseline
   does not explain (`verify.new_errors`: lines mapped through the edit's line diff);
3. the same with ``annotate --write --verify``.

Annotations written are read from annotate's summary line on stderr (``N annotated``).  The
reference for the time ratio is the plain ``--write`` of the same run.

    python bench/bench_annotate_quality.py [--json out.json] [--only NAME]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from typeinfer.analyzer.strip import strip_tree
from typeinfer.analyzer.checkers import check_tree, ensure_checker
from typeinfer.analyzer.verify import new_errors
from typeinfer.analyzer.writer.contract import EditResult
from typeinfer.corpus.fetch import fetch_npm, fetch_pypi

#: (registry, name, version, sub-folder, language, strip annotations first)
PACKAGES = [
    ("pypi", "bottle", "0.12.25", "bottle.py", "python", False),
    ("pypi", "colorama", "0.4.6", "colorama", "python", False),
    ("pypi", "tabulate", "0.9.0", "tabulate", "python", False),
    ("npm", "zod", "3.25.76", "src/v3", "typescript", True),
    ("npm", "web3-eth-abi", "4.4.1", "src", "typescript", True),
    ("npm", "@openauthjs/openauth", "0.4.3", "src", "typescript", True),
]
SOURCE_SUFFIXES = {"python": (".py",), "typescript": (".ts", ".tsx")}


def annotate(path: Path, verify: bool) -> tuple[int, int, float, str]:
    """(annotations written, dropped by --verify, wall seconds, summary line) of one `annotate --write`."""
    cmd = [sys.executable, "-m", "typeinfer", "annotate", str(path), "--write", "-q", "--no-cache"]
    if verify:
        cmd.append("--verify")
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"annotate failed on {path} ({proc.returncode}): {proc.stderr[-500:]}")
    summary = next((line for line in proc.stderr.splitlines()[::-1] if " slots: " in line), proc.stderr.strip())
    written = re.search(r"(\d+) annotated", summary)
    dropped = re.search(r"(\d+) annotations? dropped", summary)
    return int(written.group(1)) if written else 0, int(dropped.group(1)) if dropped else 0, seconds, summary


def edits_between(before: Path, after: Path, language: str) -> dict[str, EditResult]:
    """Per changed source file (relative path): its bytes before and after, as `new_errors` reads them."""
    out = {}
    for path in sorted(before.rglob("*")):
        if path.suffix in SOURCE_SUFFIXES[language] and path.is_file():
            rel = path.relative_to(before).as_posix()
            old, new = path.read_bytes(), (after / rel).read_bytes()
            if old != new:
                out[rel] = EditResult(rel, language, old, new)
    return out


def measure(registry: str, name: str, version: str, sub: str, language: str, strip: bool, work: Path) -> dict:
    source = (fetch_pypi(name, version) if registry == "pypi" else fetch_npm(name, version)) / sub
    original = work / "original"
    if strip:
        strip_tree(source, original)
    elif source.is_file():
        original.mkdir(parents=True)
        shutil.copy2(source, original / source.name)
    else:
        shutil.copytree(source, original)
    loc = sum(len(p.read_bytes().splitlines()) for p in original.rglob("*")
              if p.suffix in SOURCE_SUFFIXES[language] and p.is_file())
    if language == "typescript":
        ensure_checker("typescript")  # the pinned tsc, installed once: --verify itself never installs
    baseline = check_tree(original, language)
    row: dict = {"package": f"{registry}:{name}=={version}/{sub}" + (" (stripped)" if strip else ""),
                 "language": language, "loc": loc, "baseline_errors": len(baseline)}
    for mode, verify in (("write", False), ("verify", True)):
        tree = work / mode
        shutil.copytree(original, tree)
        written, dropped, seconds, summary = annotate(tree, verify)
        new = new_errors(baseline, check_tree(tree, language), edits_between(original, tree, language))
        row[mode] = {"written": written, "dropped": dropped, "seconds": round(seconds, 2),
                     "new_errors": len(new), "per_100": round(100 * len(new) / written, 2) if written else 0.0,
                     "summary": summary,
                     "examples": [f"{d.file}:{d.line}: {d.code}: {d.message.splitlines()[0][:140]}" for d in new[:8]]}
    row["verify_time_ratio"] = round(row["verify"]["seconds"] / row["write"]["seconds"], 2)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", help="write the results here too")
    parser.add_argument("--only", help="only the package of this name")
    args = parser.parse_args()
    rows = []
    for spec in PACKAGES:
        if args.only and spec[1] != args.only:
            continue
        with tempfile.TemporaryDirectory(prefix="typeinfer-quality-") as tmp:
            row = measure(*spec, Path(tmp))
        rows.append(row)
        w, v = row["write"], row["verify"]
        print(f"{row['package']}: {row['loc']} LOC; --write {w['written']} written, {w['new_errors']} new errors "
              f"({w['per_100']}/100); --verify {v['written']} written, {v['new_errors']} new errors, "
              f"time x{row['verify_time_ratio']}", flush=True)
    totals = {}
    for mode in ("write", "verify"):
        written = sum(r[mode]["written"] for r in rows)
        errors = sum(r[mode]["new_errors"] for r in rows)
        totals[mode] = {"written": written, "new_errors": errors,
                        "per_100": round(100 * errors / written, 2) if written else 0.0}
    report = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
              "packages": rows, "totals": totals}
    print(json.dumps(report, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
