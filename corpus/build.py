"""`typeinfer corpus build`: manifest -> downloads -> graphs -> usage slices -> training records.

Stage 1, per package, in worker processes (`run_packages`): fetch (`corpus.fetch`, cached) ->
choose the source files (`select_files`) -> build the code property graph with the same per-file
and project passes `build_project` runs (`build_package`) -> `extract_slices` -> one record per
slot whose annotation canonicalizes to a label that says something (`make_records`), plus a
fingerprint per file (`corpus.dedup`).  Each package's result goes to
``<out>/v1/packages/<registry>__<dir name>.jsonl.gz`` with a ``.done`` marker (atomic writes); a
failure (download, build, timeout) leaves a ``.failed`` marker instead.  A second run skips
packages that have either marker (``--retry-failed`` retries the failed ones).

Stage 2, one process (`finalize`): de-duplicate files across all packages, assign projects to
splits (`corpus.splits`), write the corpus in the layout of `analyzer.slice_schema.TrainingRecord`
(``records-{train,valid,test}.jsonl.gz``, ``projects.jsonl.gz``, ``meta.json``) plus
``failures.tsv``, and render the data card (`corpus.datacard`).

Per-package file: line 1 is a header ``{"project", "language", "registry", "name", "version",
"user_types", "files": [FileFingerprint JSON...], "stats": {...}}``; every further line is a
`TrainingRecord` JSON object with ``"split": ""`` (stage 2 fills it in).

Label conventions (see `make_records`):

* ``label`` = ``canonicalize(annotation, language)``; slots where it is None (``Any``, ``any``,
  ``unknown``, unparsable) are counted but give no record.
* ``is_user_type``: some top-level union member other than None/null/undefined has an outer
  constructor that is one of the project's own type names.
* ``label_full``: when the canonical label mentions project types, the label with each of them
  fully qualified -- Python ``pkg.models.User`` (from ``pkg/models.py:User``; a leading ``src/``
  and trailing ``__init__`` dropped), TypeScript ``src/models:User`` (module path without
  extension, ``/index`` dropped, then ``:`` and the qualified name) -- else the annotation as
  written.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import tempfile
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from typeinfer.analyzer.canonical_types import canonicalize, outer_type, referenced_names, split_union
from typeinfer.analyzer.slice_schema import CORPUS_VERSION, TrainingRecord, UsageSlice, UserType
from typeinfer.analyzer.slices import extract_slices
from typeinfer.analyzer.type_universe import build_type_universe
from typeinfer.cpg.graph import CodePropertyGraph
from typeinfer.cpg.passes import run_project_passes
from typeinfer.cpg.project import build_file
from typeinfer.cpg.source import SourceError, looks_minified, read_source

from .curate import GENERATED_DIRS, GENERATED_MARK, read_manifest
from .dedup import FileFingerprint, fingerprint
from .fetch import FetchError, cache_dir, fetch_npm, fetch_pypi, npm_dir_name, pypi_dir_name

__all__ = [
    "PackageSpec", "PackageResult", "read_specs", "select_files", "sample_files", "build_package", "make_records",
    "process_package", "run_packages", "BUILDER_VERSION", "MAX_FILE_BYTES", "APP_MAX_FILES", "PACKAGE_TIMEOUT",
]

#: Bump to rebuild every package (stored in the .done markers).
BUILDER_VERSION = 3  #: 2: headers name each file's imported and defined type names; 3: slices carry type parameters
#: Source files larger than this are skipped (generated tables, bundles).
MAX_FILE_BYTES = 300 * 1024
#: files read of each application (``*-apps.tsv``; `sample_files`): large applications would
#: otherwise dominate the corpus and a package's build time
APP_MAX_FILES = 300
#: Seconds allowed for one package (download + build + slices).
PACKAGE_TIMEOUT = 300

#: Folders never descended into: vendored or installed copies of other code, build output.
SKIP_DIRS = frozenset({
    "node_modules", "vendor", "_vendor", "vendored", "_vendored", "third_party", "thirdparty",
    "third-party", "site-packages", "build", "__pycache__", ".git", ".tox", ".nox", ".venv", "venv",
    "bower_components", "jspm_packages",
}) | GENERATED_DIRS

#: File name endings kept per language (declaration files and stubs have no uses to learn from).
SOURCE_SUFFIXES = {"python": (".py",), "typescript": (".ts", ".tsx", ".mts", ".cts")}
DECLARATION_SUFFIXES = (".d.ts", ".d.mts", ".d.cts")
_NULLISH = frozenset({"None", "null", "undefined"})


# --------------------------------------------------------------------------------------------
# Packages


@dataclass(frozen=True)
class PackageSpec:
    """One manifest row."""

    registry: str  #: "pypi" or "npm"
    name: str
    version: str
    max_files: int = 0  #: read at most this many of its files (`sample_files`); 0: all

    @property
    def language(self) -> str:
        return "python" if self.registry == "pypi" else "typescript"

    @property
    def project(self) -> str:
        """``pypi:attrs==23.2.0`` / ``npm:zod@3.23.8``."""
        sep = "==" if self.registry == "pypi" else "@"
        return f"{self.registry}:{self.name}{sep}{self.version}"

    @property
    def safe_name(self) -> str:
        """File name stem of the package's results (unique, no path separators)."""
        d = pypi_dir_name(self.name, self.version) if self.registry == "pypi" else npm_dir_name(self.name, self.version)
        return f"{self.registry}__{d}"


def read_specs(manifest_dir: Path, lang: str | None = None, limit: int | None = None) -> list[PackageSpec]:
    """Rows of ``pypi.tsv`` and ``npm.tsv``, then of the applications' ``pypi-apps.tsv`` and
    ``npm-apps.tsv`` (each read at most `APP_MAX_FILES` files), those that exist now (first
    `limit` per language)."""
    specs: list[PackageSpec] = []
    for registry, language in (("pypi", "python"), ("npm", "typescript")):
        if lang and lang != language:
            continue
        rows: list[tuple[dict[str, str], int]] = []
        for stem, max_files in ((registry, 0), (f"{registry}-apps", APP_MAX_FILES)):
            path = Path(manifest_dir) / f"{stem}.tsv"
            if path.exists():
                rows += [(r, max_files) for r in read_manifest(path) if r.get("name") and r.get("version")]
        unique, seen = [], set()
        for row, max_files in rows:  # a package in both lists is built once, as its first row says
            if row["name"].strip().lower() not in seen:
                seen.add(row["name"].strip().lower())
                unique.append((row, max_files))
        rows = unique
        if limit is not None:
            rows = rows[:limit]
        specs += [PackageSpec(registry, r["name"].strip(), r["version"].strip(), max_files) for r, max_files in rows]
    return specs


# --------------------------------------------------------------------------------------------
# Source selection


def select_files(root: Path, language: str) -> tuple[list[tuple[Path, str]], Counter]:
    """Source files of one language under `root`, sorted by relative path, and why others were skipped.

    Tests and examples are kept (real code); skipped: declaration files and stubs, vendored and
    installed copies (`SKIP_DIRS`), ``*.dist-info``/``*.egg-info``, hidden folders, files over
    `MAX_FILE_BYTES`, generated files (marker in the first 2 KB, or a generated folder) and
    minified ones.
    """
    suffixes = SOURCE_SUFFIXES[language]
    out: list[tuple[Path, str]] = []
    skipped: Counter = Counter()
    root = Path(root)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d for d in dirnames
            if d.lower() not in SKIP_DIRS and not d.startswith(".")
            and not d.endswith((".dist-info", ".egg-info"))
        )
        for fname in sorted(filenames):
            low = fname.lower()
            if not low.endswith(suffixes):
                continue
            if low.endswith(DECLARATION_SUFFIXES):
                skipped["declaration"] += 1
                continue
            path = Path(dirpath) / fname
            if path.is_symlink():
                skipped["link"] += 1
                continue
            try:
                size = path.stat().st_size
                if size > MAX_FILE_BYTES:
                    skipped["too_large"] += 1
                    continue
                data = path.read_bytes()
            except OSError:
                skipped["unreadable"] += 1
                continue
            if GENERATED_MARK.search(data[:2048]):
                skipped["generated"] += 1
                continue
            if looks_minified(data):
                skipped["minified"] += 1
                continue
            out.append((path, path.relative_to(root).as_posix()))
    out.sort(key=lambda item: item[1])
    return out, skipped


def sample_files(files: list[tuple[Path, str]], limit: int) -> list[tuple[Path, str]]:
    """At most `limit` of `files` (sorted by path), evenly spaced, so every part of a large
    application is represented; all of them when `limit` is 0 or not exceeded."""
    if not limit or len(files) <= limit:
        return files
    return [files[i * len(files) // limit] for i in range(limit)]


# --------------------------------------------------------------------------------------------
# One package -> records


@dataclass
class PackageResult:
    """Stage-1 output for one package (see the module docstring for the file form)."""

    project: str
    language: str
    user_types: list[str] = field(default_factory=list)  #: short names, sorted
    imported_types: list[str] = field(default_factory=list)  #: type names the files import, sorted
    visible: dict[str, list[str]] = field(default_factory=dict)  #: file -> names it defines or imports
    files: list[FileFingerprint] = field(default_factory=list)
    records: list[TrainingRecord] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)


def _fqn(t: UserType, language: str) -> str:
    path, _, qual = t.full_name.partition(":")
    qual = qual or t.name
    stem = re.sub(r"\.(py|pyi|ts|tsx|mts|cts|js|jsx|mjs|cjs)$", "", path)
    parts = [p for p in stem.split("/") if p]
    if language == "python":
        if parts and parts[-1] == "__init__":
            parts = parts[:-1]
        if len(parts) > 1 and parts[0] == "src":
            parts = parts[1:]
        return ".".join(parts + [qual])
    if len(parts) > 1 and parts[-1] == "index":
        parts = parts[:-1]
    return "/".join(parts) + ":" + qual


def make_records(
    slices: Iterable[UsageSlice], user_types: list[UserType], project: str, language: str,
    stats: Counter | None = None,
) -> list[TrainingRecord]:
    """One `TrainingRecord` (split left empty) per slice whose annotation gives a label."""
    stats = stats if stats is not None else Counter()
    by_name: dict[str, list[UserType]] = {}
    for t in sorted(user_types, key=lambda t: t.full_name):
        by_name.setdefault(t.name, []).append(t)
    out: list[TrainingRecord] = []
    for s in slices:
        if not s.declared_type:
            stats["slots_unannotated"] += 1
            continue
        label = canonicalize(s.declared_type, language)
        if label is None:
            stats["slots_uninformative"] += 1
            continue
        outers = {outer_type(m, language) for m in split_union(label, language)} - _NULLISH
        is_user = any(o in by_name for o in outers)
        mentioned = [n for n in referenced_names(label, language) if n in by_name]
        label_full = s.declared_type
        if mentioned:
            label_full = label
            for n in mentioned:
                choices = by_name[n]
                chosen = next((t for t in choices if t.file == s.file), choices[0])
                label_full = re.sub(rf"(?<![\w.$]){re.escape(n)}(?![\w$])", lambda _m, c=chosen: _fqn(c, language), label_full)
        out.append(TrainingRecord(
            project=project, language=language, kind=s.kind, file=s.file, label=label,
            label_full=label_full, is_user_type=is_user, split="", slice=s,  # type: ignore[arg-type]
        ))
        stats["records"] += 1
    return out


def build_package(root: Path, project: str, language: str, max_files: int = 0) -> PackageResult:
    """Build one extracted package offline: select files, graph, slices, records, fingerprints.

    The graph is built like `cpg.project.build_project` builds it (`build_file` per file, then
    the project passes), restricted to the files `select_files` keeps (at most `max_files` of
    them, `sample_files`, when it is not 0).
    """
    root = Path(root)
    files, skipped = select_files(root, language)
    sampled = sample_files(files, max_files)
    if len(sampled) < len(files):
        skipped["sampled_out"] = len(files) - len(sampled)
        files = sampled
    stats: Counter = Counter({f"skipped_{k}": v for k, v in skipped.items()})
    result = PackageResult(project=project, language=language)
    cpg = CodePropertyGraph(str(root))
    for path, rel in files:
        source = read_source(path, rel, MAX_FILE_BYTES)
        if isinstance(source, SourceError):
            stats["skipped_unreadable"] += 1
            continue
        fg = build_file(source)
        if fg.error:
            stats["files_failed"] += 1
        cpg.add_file(fg, source.warning)
        stats["files"] += 1
        result.files.append(fingerprint(project, rel, source.data.decode("utf-8", errors="replace")))
    if not result.files:
        result.stats = dict(stats)
        return result
    run_project_passes(cpg)
    universe = build_type_universe(cpg)
    program = extract_slices(cpg, universe=universe)
    stats["slices"] = len(program.slices)
    result.user_types = sorted({t.name for t in program.user_types})
    candidates = universe.candidates().to_json()
    result.imported_types, result.visible = candidates["imported_types"], candidates["visible"]
    result.records = make_records(program.slices, program.user_types, project, language, stats)
    result.stats = dict(stats)
    return result


# --------------------------------------------------------------------------------------------
# Files and markers


def packages_dir(out: Path) -> Path:
    return Path(out) / f"v{CORPUS_VERSION}" / "packages"


def _atomic_write(path: Path, write: Callable[[object], None], binary_gzip: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if binary_gzip:
            with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as gz:
                write(gz)
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                write(f)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_jsonl_gz(path: Path, rows: Iterable[dict]) -> int:
    """Write `rows` as gzip JSON lines atomically; return how many."""
    count = [0]

    def write(gz) -> None:
        for row in rows:
            gz.write((json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8"))
            count[0] += 1

    _atomic_write(Path(path), write, binary_gzip=True)
    return count[0]


def write_json(path: Path, data: dict) -> None:
    _atomic_write(Path(path), lambda f: f.write(json.dumps(data, indent=1, sort_keys=True) + "\n"))


def package_paths(out: Path, spec: PackageSpec) -> tuple[Path, Path, Path]:
    """(results file, .done marker, .failed marker) of a package."""
    d = packages_dir(out)
    return d / f"{spec.safe_name}.jsonl.gz", d / f"{spec.safe_name}.done", d / f"{spec.safe_name}.failed"


def write_package(out: Path, spec: PackageSpec, result: PackageResult, seconds: float) -> None:
    """Results file, then the .done marker (so a marker always means a complete file)."""
    data, done, failed = package_paths(out, spec)
    header = {
        "project": result.project, "language": result.language, "registry": spec.registry,
        "name": spec.name, "version": spec.version, "user_types": result.user_types,
        "imported_types": result.imported_types, "visible": result.visible,
        "files": [asdict(f) for f in result.files], "stats": result.stats,
    }
    write_jsonl_gz(data, [header, *(r.to_json() for r in result.records)])
    write_json(done, {"project": spec.project, "builder": BUILDER_VERSION, "max_files": spec.max_files,
                      "records": len(result.records), "files": len(result.files), "seconds": round(seconds, 2)})
    failed.unlink(missing_ok=True)


def write_failure(out: Path, spec: PackageSpec, stage: str, error: str, seconds: float) -> None:
    _, _, failed = package_paths(out, spec)
    error = " ".join(str(error).split())[:500]
    write_json(failed, {"project": spec.project, "stage": stage, "error": error, "seconds": round(seconds, 2)})


def package_state(out: Path, spec: PackageSpec) -> str:
    """"done", "failed" or "todo" ("todo" too when it was built by another builder or with
    another file limit)."""
    _, done, failed = package_paths(out, spec)
    if done.exists():
        try:
            marker = json.loads(done.read_text())
            if marker.get("builder") == BUILDER_VERSION and marker.get("max_files", 0) == spec.max_files:
                return "done"
        except (OSError, ValueError):
            pass
    if failed.exists():
        return "failed"
    return "todo"


# --------------------------------------------------------------------------------------------
# Workers


class PackageTimeout(BaseException):
    """Raised by the alarm in a worker (a BaseException: `build_file` must not swallow it)."""


def _on_alarm(signum, frame):  # noqa: ANN001, ARG001
    raise PackageTimeout()


@dataclass
class Outcome:
    """What a worker reports back (the files on disk are the real result)."""

    project: str
    status: str  #: "done" | "failed" | "skipped"
    records: int = 0
    files: int = 0
    seconds: float = 0.0
    error: str = ""


def fetch_package(spec: PackageSpec, cache: Path | None = None) -> Path:
    """Download (or find in the cache) and extract one package; return its folder."""
    if spec.registry == "pypi":
        return fetch_pypi(spec.name, spec.version, cache)
    return fetch_npm(spec.name, spec.version, cache)


def process_package(spec: PackageSpec, out: Path, cache: Path | None = None, timeout: int = PACKAGE_TIMEOUT) -> Outcome:
    """Stage 1 for one package: fetch, build, write; failures become a .failed marker."""
    start = time.monotonic()
    stage = "download"
    use_alarm = timeout > 0 and hasattr(signal, "SIGALRM")
    old = signal.signal(signal.SIGALRM, _on_alarm) if use_alarm else None
    if use_alarm:
        signal.alarm(timeout)
    try:
        root = fetch_package(spec, cache)
        stage = "build"
        result = build_package(root, spec.project, spec.language, spec.max_files)
        if not result.files:
            raise FetchError(f"{spec.project}: no {spec.language} source files after filtering")
        stage = "write"
        write_package(out, spec, result, time.monotonic() - start)
        return Outcome(spec.project, "done", len(result.records), len(result.files), time.monotonic() - start)
    except PackageTimeout:
        err = f"timed out after {timeout}s"
    except Exception as exc:  # noqa: BLE001 - one package must not stop the build
        err = f"{type(exc).__name__}: {exc}"
    finally:
        if use_alarm:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)
    seconds = time.monotonic() - start
    write_failure(out, spec, stage, err, seconds)
    return Outcome(spec.project, "failed", seconds=seconds, error=f"{stage}: {err}")


def _todo(specs: list[PackageSpec], out: Path, retry_failed: bool,
          on_outcome: Callable[[Outcome], None] | None, outcomes: list[Outcome]) -> list[PackageSpec]:
    """The packages to build: those not done (nor failed, unless `retry_failed`); the others
    are reported skipped."""
    todo = []
    for spec in specs:
        state = package_state(out, spec)
        if state == "done" or (state == "failed" and not retry_failed):
            o = Outcome(spec.project, "skipped")
            outcomes.append(o)
            if on_outcome:
                on_outcome(o)
        else:
            todo.append(spec)
    return todo


def _run_on_engine(specs: list[PackageSpec], out: Path, jobs: int, cache: Path, timeout: int, retry_failed: bool,
                   on_outcome: Callable[[Outcome], None] | None, cluster: str) -> list[Outcome]:
    """`run_packages` on a `typeinfer.cluster` engine: a job that crashes is tried up to three
    times, as a package in a broken local pool is."""
    from typeinfer.cluster.engines import Crash, make_engine

    outcomes: list[Outcome] = []
    todo = _todo(specs, out, retry_failed, on_outcome, outcomes)
    if not todo:
        return outcomes
    engine = make_engine(cluster, jobs, context=_mp_context())
    tries: Counter = Counter()
    try:
        for i, spec in enumerate(todo):
            engine.submit(i, _worker, spec, str(out), str(cache), timeout)
        while engine.pending():
            i, o = engine.wait()
            spec = todo[i]
            tries[i] += 1
            if isinstance(o, Crash):
                if tries[i] < 3:
                    engine.submit(i, _worker, spec, str(out), str(cache), timeout)
                    continue
                write_failure(out, spec, "build", str(o), 0.0)
                o = Outcome(spec.project, "failed", error=f"build: {o}")
            outcomes.append(o)
            if on_outcome:
                on_outcome(o)
    finally:
        engine.close()
    return outcomes


def _worker(spec: PackageSpec, out: str, cache: str | None, timeout: int) -> Outcome:
    return process_package(spec, Path(out), Path(cache) if cache else None, timeout)


def _mp_context():  # noqa: ANN202
    import multiprocessing

    # spawn: the parent runs a progress thread, and fork with threads is unsafe
    return multiprocessing.get_context("spawn")


def run_packages(
    specs: list[PackageSpec], out: Path, jobs: int = 2, cache: Path | None = None,
    timeout: int = PACKAGE_TIMEOUT, retry_failed: bool = False,
    on_outcome: Callable[[Outcome], None] | None = None, cluster: str | None = None,
) -> list[Outcome]:
    """Stage 1 over all packages, `jobs` worker processes; packages already done are skipped.

    A worker that dies (out of memory, crash in native code) breaks the pool: the pool is
    rebuilt and the packages in flight are retried; a package in flight at three breaks is
    marked failed.  With `cluster` (`typeinfer.cluster.engines.make_engine`'s names), the
    packages are fanned out to that engine instead (a Ray cluster: the output and cache folders
    must be shared by its machines), with the same worker function and the same retries.
    """
    out = Path(out)
    cache = Path(cache) if cache is not None else cache_dir()
    if cluster:
        return _run_on_engine(specs, out, jobs, cache, timeout, retry_failed, on_outcome, cluster)
    outcomes: list[Outcome] = []
    todo = _todo(specs, out, retry_failed, on_outcome, outcomes)
    # big packages first would balance better, but sizes are unknown before download: keep order
    pending = list(reversed(todo))
    breaks: Counter = Counter()
    pool: ProcessPoolExecutor | None = None
    inflight: dict = {}
    try:
        while pending or inflight:
            if pool is None:
                pool = ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=_mp_context(), max_tasks_per_child=8)
            while pending and len(inflight) < max(1, jobs):
                spec = pending.pop()
                inflight[pool.submit(_worker, spec, str(out), str(cache), timeout)] = spec
            done, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
            broken = False
            for fut in done:
                spec = inflight.pop(fut)
                try:
                    o = fut.result()
                except BrokenProcessPool:
                    broken = True
                    breaks[spec] += 1
                    if breaks[spec] < 3:
                        pending.append(spec)
                        continue
                    write_failure(out, spec, "build", "worker process died (memory or native crash)", 0.0)
                    o = Outcome(spec.project, "failed", error="build: worker process died")
                except Exception as exc:  # noqa: BLE001
                    write_failure(out, spec, "build", f"{type(exc).__name__}: {exc}", 0.0)
                    o = Outcome(spec.project, "failed", error=f"{type(exc).__name__}: {exc}")
                outcomes.append(o)
                if on_outcome:
                    on_outcome(o)
            if broken:
                for fut, spec in list(inflight.items()):
                    breaks[spec] += 1
                    pending.append(spec)
                inflight.clear()
                pool.shutdown(wait=False, cancel_futures=True)
                pool = None
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return outcomes
