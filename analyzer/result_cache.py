"""A project's inference remembered by everything it depends on, so an unchanged tree is not
inferred again.

`infer_project` builds a fresh graph and runs the rounds; their outcome depends only on the
files (relative paths, content hashes, build errors), typeinfer's own code, the model, the bundled
typeshed and the Python version it is read for, the packages installed for the project
(site-packages, node_modules) and the options that change what is inferred.  `result_key`
hashes exactly those; `load`/`save`
keep the outcome (the table's rows, the stats, the slices and the type universe) as one pickle
under ``<cache>/results/``.  On a hit the rows are written back into the fresh graph and its
calls re-linked, which leaves the graph as the rounds left it.  One changed file changes the key:
the rounds run again, with the model's rankings of unchanged slices read from the
`typemodel.prediction_cache` store.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from typeinfer.cpg.cache_files import load_pickle, save_pickle, source_fingerprint

from .inferred_types import Prediction
from .slice_schema import ProgramSlices
from .type_universe import TypeUniverse

FORMAT = 1
KEPT_RESULTS = 16  #: newest results kept; a cache, never the only copy


@dataclass
class CachedResult:
    """What `infer_project` needs to rebuild its result on a fresh graph of the same files."""

    predictions: list[Prediction]
    stats: dict[str, int]
    program: ProgramSlices
    universe: TypeUniverse
    format: int = field(default=FORMAT)


@functools.cache
def code_fingerprint() -> str:
    """typeinfer's own source (every module under the package), computed once per process."""
    return source_fingerprint(Path(__file__).resolve().parent.parent)


def result_key(files: list[tuple[str, str, str]], options: dict[str, Any], model: str | None) -> str:
    """Key of one project's inference: `files` as (relative path, content hash, build error or
    ""), what else changes what is inferred (`options`: the options, the installed packages), the
    model's key (None without a model), typeinfer's code, the typeshed it reads and the Python
    version and platform its stubs are evaluated for."""
    try:
        typeshed = metadata.version("typeshed-client")
    except metadata.PackageNotFoundError:
        typeshed = "?"
    digest = hashlib.blake2b(digest_size=20)
    python = f"{sys.version_info[0]}.{sys.version_info[1]} {sys.platform}"
    for part in (str(FORMAT), code_fingerprint(), typeshed, python, model or "-", repr(sorted(options.items()))):
        digest.update(part.encode())
        digest.update(b"\0")
    for rel, content, error in sorted(files):
        digest.update(f"{rel}\0{content}\0{error}\n".encode())
    return digest.hexdigest()


def _path(cache_dir: Path, key: str) -> Path:
    return cache_dir / "results" / f"{key}.pickle"


def load_derived(cache_dir: Path, key: str, what: str) -> Any:
    """What was derived from the result of `key` and saved as `what` (`save_derived`), or None."""
    return load_pickle(_path(cache_dir, f"{key}-{what}"))


def save_derived(cache_dir: Path, key: str, what: str, value: Any) -> None:
    """Remember `value`, derived from the result of `key` by a step named `what` whose other
    inputs `what` spells; pruned with the results."""
    save_pickle(_path(cache_dir, f"{key}-{what}"), value)


def load(cache_dir: Path, key: str) -> CachedResult | None:
    """The remembered result of `key`, or None (absent, unreadable or of another format)."""
    path = _path(cache_dir, key)
    value = load_pickle(path)
    if not isinstance(value, CachedResult) or value.format != FORMAT:
        return None
    try:
        os.utime(path)  # newest use first when pruning
    except OSError:
        pass
    return value


def save(cache_dir: Path, key: str, value: CachedResult) -> None:
    """Remember `value` under `key`, keeping the `KEPT_RESULTS` newest; a cache that cannot be
    written only costs speed."""
    path = _path(cache_dir, key)
    if not save_pickle(path, value):
        return
    try:
        kept = sorted(path.parent.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[KEPT_RESULTS:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass
