"""End to end on real code: strip a typed package's annotations, annotate it back with the real
model, and check what a user relies on: the files still parse, a second run changes nothing,
and a good share of the removed annotations come back exactly.

The packages are held out of the training corpus (corpus/manifest excludes them).  The floors
are set from measurements (bench/RESULTS.md, "annotate end to end"), a few points under what
the shipped model restores, so that a real regression fails and noise does not.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from typeinfer.analyzer.canonical_types import canonicalize
from typeinfer.analyzer.strip import strip_tree
from typeinfer.corpus.fetch import fetch_npm, fetch_pypi
from typeinfer.cpg.source import count_parse_errors, grammar_for_path, parse

PACKAGES = [
    # registry, name, version, sub-folder, language, floor on the share restored exactly
    ("pypi", "httpx", "0.28.1", "httpx", "python", 0.40),
    ("npm", "zod", "3.25.76", "src/v3", "typescript", 0.04),
]


def annotate(path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "typeinfer", "annotate", str(path), "--no-cache", "-q", *args],
                          capture_output=True, text=True, timeout=1200)


def parse_errors(root: Path) -> dict[str, int]:
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and grammar_for_path(path) is not None:
            out[path.relative_to(root).as_posix()] = count_parse_errors(parse(path.read_bytes(), grammar_for_path(path)[1]))
    return out


@pytest.mark.network
@pytest.mark.slow
@pytest.mark.parametrize("registry, name, version, sub, language, floor", PACKAGES, ids=[p[1] for p in PACKAGES])
def test_stripped_package_is_annotated_back(tmp_path, registry, name, version, sub, language, floor):
    source = (fetch_pypi(name, version) if registry == "pypi" else fetch_npm(name, version)) / sub
    work = tmp_path / "pkg"
    removed = strip_tree(source, work)
    labels = {}
    for relpath, items in removed.items():
        for item in items:
            label = canonicalize(item.annotation, language)
            if label is not None:
                labels[(relpath, item.kind, item.function, item.name)] = label
    assert len(labels) > 200
    errors_before = parse_errors(work)

    first = annotate(work, "--write")
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr

    # every rewritten file still parses (and Python compiles to an AST)
    assert parse_errors(work) == errors_before
    if language == "python":
        for path in work.rglob("*.py"):
            ast.parse(path.read_bytes())

    # idempotent: a second run finds nothing more to write
    second = annotate(work)
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == ""

    # what came back: strip the annotated tree again and compare with what was removed
    again = strip_tree(work, tmp_path / "again")
    written = {(relpath, item.kind, item.function, item.name): canonicalize(item.annotation, language)
               for relpath, items in again.items() for item in items}
    restored = sum(1 for key, label in labels.items() if written.get(key) == label)
    share = restored / len(labels)
    print(f"{name}: {restored}/{len(labels)} restored exactly ({share:.1%}), {len(written)} written")
    assert share >= floor
