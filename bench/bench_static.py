"""Measure the static-fact layer alone on held-out typed packages (issue 3).

Usage: ``python bench/bench_static.py [--examples N] [--json out.json]``

For each package (pinned; fetched into the typeinfer cache by `corpus.fetch`, a cache hit needs
no network): build the graph of its sources, slice it, run `static_facts.infer_static` with
``use_declared=False`` (every declared type in the graph is ignored, as if the annotations had
been removed), and compare each annotated slot's canonical declared type with the fact's type.

Counts per language and slot kind: annotated slots (the label canonicalizes to something: no
``Any``/``any``/``unknown``), claims, exactly right, wrong claims (share of annotated slots and
of claims).  Prints a markdown table; ``--examples`` prints wrong claims for inspection.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from typeinfer.analyzer.canonical_types import canonicalize
from typeinfer.analyzer.slices import extract_slices
from typeinfer.analyzer.static_facts import infer_static
from typeinfer.corpus.fetch import fetch_npm, fetch_pypi
from typeinfer.cpg.project import BuildOptions, build_project

#: (registry, name, version, source folders inside the package, file suffixes)
PACKAGES = [
    ("pypi", "rich", "13.9.4", ["rich"], (".py",)),
    ("pypi", "attrs", "24.3.0", ["attr", "attrs"], (".py",)),
    ("npm", "zod", "3.25.76", ["src"], (".ts",)),  # 3.25 ships its .ts sources; 3.24.1 only .js/.d.ts
]
_SKIP_PARTS = {"tests", "test", "__tests__", "benchmarks"}


def _copy_sources(root: Path, folders: list[str], suffixes: tuple[str, ...], dest: Path) -> int:
    count = 0
    for folder in folders:
        for path in sorted((root / folder).rglob("*")):
            rel = path.relative_to(root)
            if not path.is_file() or path.suffix not in suffixes or path.name.endswith(".d.ts"):
                continue
            if _SKIP_PARTS & set(rel.parts) or ".test." in path.name or ".spec." in path.name:
                continue
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            count += 1
    return count


def measure(registry: str, name: str, version: str, folders: list[str], suffixes: tuple[str, ...],
            examples: int = 0) -> dict:
    root = fetch_pypi(name, version) if registry == "pypi" else fetch_npm(name, version)
    with tempfile.TemporaryDirectory() as tmp:
        files = _copy_sources(root, folders, suffixes, Path(tmp))
        start = time.perf_counter()
        cpg = build_project(tmp, BuildOptions(use_cache=False, jobs=2))
        built = time.perf_counter()
        slices = extract_slices(cpg)
        facts = infer_static(cpg, slices, use_declared=False)
        done = time.perf_counter()
    rows: dict[tuple[str, str], Counter] = defaultdict(Counter)
    wrong: list[str] = []
    rules_right, rules_wrong = Counter(), Counter()
    for s, fact in zip(slices.slices, facts):
        label = canonicalize(s.declared_type, s.language) if s.declared_type else None
        if label is None:
            continue
        row = rows[(s.language, s.kind)]
        row["slots"] += 1
        if fact is None:
            continue
        row["claimed"] += 1
        if fact.type == label:
            row["right"] += 1
            rules_right[fact.rule] += 1
        else:
            row["wrong"] += 1
            rules_wrong[fact.rule] += 1
            wrong.append(f"  {s.file}:{s.line} {s.kind} {s.function or s.class_name}.{s.name}: "
                         f"declared {label!r}, static {fact.type!r} ({fact.rule}: {fact.evidence})")
    return {"package": f"{registry}:{name}=={version}", "files": files, "slots": len(slices.slices),
            "build_s": round(built - start, 1), "infer_s": round(done - built, 2),
            "rows": {f"{lang}/{kind}": dict(c) for (lang, kind), c in sorted(rows.items())},
            "rules_right": dict(rules_right), "rules_wrong": dict(rules_wrong), "wrong": wrong[:examples]}


def table(results: list[dict]) -> str:
    lines = ["| package | language / kind | annotated slots | claimed | exactly right | wrong | wrong % of slots | wrong % of claims |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        total = Counter()
        for key, c in r["rows"].items():
            total.update(c)
            lines.append(_row(r["package"], key, c))
        lines.append(_row(r["package"], "**all**", total))
    return "\n".join(lines)


def _row(package: str, key: str, c: Counter | dict) -> str:
    slots, claimed, right, wrong = c.get("slots", 0), c.get("claimed", 0), c.get("right", 0), c.get("wrong", 0)
    pct = lambda a, b: f"{100 * a / b:.1f}%" if b else "-"  # noqa: E731
    return f"| {package} | {key} | {slots} | {claimed} ({pct(claimed, slots)}) | {right} ({pct(right, slots)}) | {wrong} | {pct(wrong, slots)} | {pct(wrong, claimed)} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--examples", type=int, default=0, help="print up to N wrong claims per package")
    parser.add_argument("--json", type=Path, help="write the raw counts here")
    args = parser.parse_args(argv)
    results = [measure(*p, examples=args.examples) for p in PACKAGES]
    for r in results:
        print(f"{r['package']}: {r['files']} files, {r['slots']} slots, build {r['build_s']} s, "
              f"static facts {r['infer_s']} s; right by rule {r['rules_right']}, wrong by rule {r['rules_wrong']}",
              file=sys.stderr)
        for line in r["wrong"]:
            print(line, file=sys.stderr)
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
