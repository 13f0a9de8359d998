"""Propose more corpus candidates from registry metadata (input of :mod:`typeinfer.corpus.curate`).

Usage::

    python -m typeinfer.corpus.discover --registry pypi --out corpus/manifest/candidates-pypi-2.txt
    python -m typeinfer.corpus.discover --registry npm --out corpus/manifest/candidates-npm-2.txt

The hand-written candidate lists ran out of names; this reads the machine's registry snapshot
(``/work/.library/env/packages/{pypi,npm}.tsv``: the 15,000 most downloaded PyPI projects, npm
packages with their monthly downloads) and keeps the packages whose *metadata* says they are
typed, so that ``curate.py`` downloads only likely ones:

- PyPI: the ``Typing :: Typed`` classifier (the project ships ``py.typed``).
- npm: ``typescript`` among the dependencies and a published file list that names TypeScript
  sources (``src``, ``*.ts``) or no file list at all (everything in the repository is published).

Only metadata is read (``/pypi/NAME/json``, ``/NAME/latest``); nothing is downloaded, imported or
run.  Names already in an existing candidate file are skipped, and so are the packages reserved
for evaluation.  ``curate.py`` then applies the real criteria (license, annotation density, size).
"""

from __future__ import annotations

import argparse
import json
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from typeinfer.corpus.curate import RESERVED_NPM, RESERVED_PYPI, SNAPSHOT_DIR, read_candidates
from typeinfer.corpus.fetch import normalize_name, ssl_context

MANIFEST = Path(__file__).resolve().parent / "manifest"


def _get_json(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=30, context=ssl_context()) as resp:
            return json.load(resp)
    except Exception:  # noqa: BLE001 - a package whose metadata cannot be read is simply not proposed
        return None


def _known(registry: str) -> set[str]:
    known: set[str] = set()
    for path in MANIFEST.glob(f"candidates-{registry}*.txt"):
        known |= {(normalize_name(c.name) if registry == "pypi" else c.name) for c in read_candidates(path, registry)}
    return known | (RESERVED_PYPI if registry == "pypi" else RESERVED_NPM)


def pypi_names(snapshot: Path) -> list[str]:
    """PyPI projects of the snapshot that carry a download rank, most downloaded first."""
    ranked: list[tuple[int, str]] = []
    with open(snapshot, errors="replace") as f:
        next(f)
        for row in f:
            parts = row.rstrip("\n").split("\t")
            if len(parts) >= 4 and parts[3].strip().isdigit():
                ranked.append((int(parts[3]), parts[0]))
    return [name for _, name in sorted(ranked)]


def npm_names(snapshot: Path, min_downloads: int) -> list[str]:
    """npm packages of the snapshot with at least ``min_downloads`` a month, most downloaded first."""
    rows: list[tuple[int, str]] = []
    with open(snapshot, errors="replace") as f:
        next(f)
        for row in f:
            parts = row.split("\t")
            if len(parts) >= 3 and parts[2].strip().isdigit() and int(parts[2]) >= min_downloads:
                if not parts[0].startswith("@types/"):
                    rows.append((-int(parts[2]), parts[0]))
    return [name for _, name in sorted(rows)]


def pypi_says_typed(meta: dict | None) -> bool:
    """PyPI JSON metadata carries the ``Typing :: Typed`` classifier."""
    return bool(meta) and "Typing :: Typed" in ((meta.get("info") or {}).get("classifiers") or [])


def npm_says_ts_sources(meta: dict | None) -> bool:
    """An npm version manifest depends on ``typescript`` and publishes its sources.

    Packages that compile to JavaScript and publish only ``dist`` (with ``.d.ts``) are the common
    case and give no training records; a ``files`` list naming ``src`` or ``.ts`` files, or no
    ``files`` list at all, is what the ones that ship ``.ts`` look like.
    """
    if not meta:
        return False
    deps = {**(meta.get("devDependencies") or {}), **(meta.get("dependencies") or {})}
    if "typescript" not in deps:
        return False
    files = meta.get("files")
    if not files:
        return True
    return any(isinstance(f, str) and ("src" in f or f.endswith((".ts", ".tsx"))) for f in files)


def pypi_is_typed(name: str) -> bool:
    return pypi_says_typed(_get_json(f"https://pypi.org/pypi/{urllib.parse.quote(name)}/json"))


def npm_ships_ts(name: str) -> bool:
    return npm_says_ts_sources(_get_json(f"https://registry.npmjs.org/{urllib.parse.quote(name, safe='@')}/latest"))


def discover(registry: str, limit: int, min_downloads: int, workers: int) -> list[str]:
    """Names worth a curation attempt, in download order."""
    known = _known(registry)
    if registry == "pypi":
        names = [n for n in pypi_names(SNAPSHOT_DIR / "pypi.tsv") if normalize_name(n) not in known]
        check = pypi_is_typed
    else:
        names = [n for n in npm_names(SNAPSHOT_DIR / "npm.tsv", min_downloads) if n not in known]
        check = npm_ships_ts
    names = names[:limit]
    with ThreadPoolExecutor(workers) as pool:
        keep = list(pool.map(check, names))
    return [n for n, k in zip(names, keep) if k]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--registry", choices=["pypi", "npm"], required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--limit", type=int, default=20000, help="most downloaded names to look at")
    ap.add_argument("--min-downloads", type=int, default=3000, help="npm: monthly downloads at least")
    ap.add_argument("--workers", type=int, default=32)
    args = ap.parse_args(argv)
    found = discover(args.registry, args.limit, args.min_downloads, args.workers)
    header = (f"# Proposed by corpus/discover.py --registry {args.registry} --limit {args.limit} "
              f"--min-downloads {args.min_downloads}\n"
              f"# (registry metadata says typed; curate.py applies the real criteria). Most downloaded first.\n"
              f"[discovered]\n")
    args.out.write_text(header + "".join(n + "\n" for n in found))
    print(f"{len(found)} candidates -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
