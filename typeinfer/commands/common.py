"""What the subcommands share: one-line usage errors, the build options, the progress bar,
building the graph and reporting problem files, atomic text writes, pass-through parsers for the
commands whose stage parses its own arguments, and the inference options of `query` and `scan`.
"""

from __future__ import annotations

import argparse
import gc
import json
import stat
import sys
import weakref
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from typeinfer.cpg.atomic_write import atomic_text


class UsageError(Exception):
    """Bad usage: reported in one line, exit status 2."""


class UsageParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (a `UsageError`), not argparse's usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


def progress_bar(enabled: bool) -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    """A rich progress bar on stderr when it is a terminal (and `enabled`): (update, stop)."""
    if not enabled or not sys.stderr.isatty():
        return None, lambda: None
    from rich.console import Console
    from rich.progress import Progress

    progress = Progress(transient=True, console=Console(stderr=True))
    task = progress.add_task("building graph", total=None)
    progress.start()

    def update(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    return update, progress.stop


def add_build_options(p: argparse.ArgumentParser) -> None:
    """PATH and the options of a project build (--jobs, --no-cache, --max-bytes, ...)."""
    p.add_argument("path", help="a file or a directory (Python and TypeScript files)")
    p.add_argument("--jobs", "-j", type=int, default=0, help="worker processes (default: one per core)")
    p.add_argument("--no-cache", action="store_true",
                   help="do not read or write the on-disk caches (graphs, model rankings, results)")
    p.add_argument("--max-bytes", type=int, default=2 * 1024 * 1024,
                   help="skip files larger than this (default 2 MB: minified bundles)")
    p.add_argument("--include-minified", action="store_true",
                   help="analyse minified JavaScript bundles too (skipped by default: they hold no types)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")


def add_python_option(p: argparse.ArgumentParser) -> None:
    """--python: the environment whose installed packages type the project's library calls."""
    p.add_argument("--python", metavar="PATH", type=Path,
                   help="the project's Python interpreter or virtual environment, whose installed packages "
                        "type its library calls (default: a .venv, venv or env folder in or above PATH, "
                        "else VIRTUAL_ENV); read, never run")


def build_graph(args: argparse.Namespace):  # noqa: ANN201 - CodePropertyGraph
    """Build the graph of ``args.path`` with the build options (`add_build_options`)."""
    from typeinfer.cpg.project import BuildOptions, build_project

    update, stop = progress_bar(not getattr(args, "quiet", False))
    try:
        cpg = build_project(args.path, BuildOptions(jobs=args.jobs, use_cache=not args.no_cache,
                                                    max_bytes=args.max_bytes,
                                                    skip_minified=not args.include_minified, progress=update))
    finally:
        stop()
    # a command holds its graph to the end: without this, every full collection of the cycle
    # collector walks the graph's millions of objects again (a quarter of a scan's time).  A
    # caller running commands in its own process gives them back (`release_graphs`).
    gc.freeze()
    _BUILT.add(cpg)
    return cpg


#: the graphs `build_graph` built and froze, until `release_graphs`
_BUILT: weakref.WeakSet[Any] = weakref.WeakSet()


def release_graphs() -> None:
    """After a command run in a process that goes on (`cli.main` called with arguments, a batch
    worker): empty the graphs `build_graph` built (their memory goes back at once), hand what it
    froze back to the cycle collector and collect the rest now, before the next command's build
    freezes the last one's dead objects for good."""
    for cpg in list(_BUILT):
        cpg.clear()
    _BUILT.clear()
    gc.unfreeze()
    gc.collect()


def report_problems(cpg) -> None:  # noqa: ANN001 - CodePropertyGraph
    """One line on stderr per file that failed or was skipped, and per project problem."""
    for info in cpg.files.values():
        if info.error:
            print(f"typeinfer: {info.error}", file=sys.stderr)
        elif info.warning:
            print(f"typeinfer: {info.warning}", file=sys.stderr)
    for problem in cpg.problems:
        print(f"typeinfer: {problem}", file=sys.stderr)


def write_text(path: Path, text: str) -> None:
    """Write a whole output file atomically, with the mode a plain write would give it: an
    existing file's mode, else 0o666 less the umask (the temporary file is created 0o600)."""
    try:
        mode: int | None = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mode = None  # a new file: 0o666 less the umask
    with atomic_text(path, mode=mode) as handle:
        handle.write(text)


def add_pass_through_parser(subparsers: Any, name: str, help_text: str) -> argparse.ArgumentParser:
    """A subcommand whose stage parses its own arguments (and --help): everything after NAME
    lands in ``args.rest`` untouched."""
    p = subparsers.add_parser(name, help=help_text, add_help=False, prefix_chars="\0")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    return p


# ----------------------------------------------------------------------------- query and scan
def add_inference_options(p: argparse.ArgumentParser) -> None:
    """Where the types of `query` and `scan` come from: --types FILE, --no-infer, --no-model."""
    p.add_argument("--types", help="inferred types, JSON {\"relpath:line:name\": type} (instead of inferring)")
    p.add_argument("--no-infer", action="store_true", help="use declared types only (no inference)")
    p.add_argument("--no-model", action="store_true", help="infer with static facts only")
    add_python_option(p)


def load_types(path: str | None) -> dict[tuple[str, int, str], Any] | None:
    """The --types file: JSON ``{"relpath:line:name": "type"}`` (or ``[type, confidence]``)."""
    if not path:
        return None
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"typeinfer: cannot read types file {path}: {exc}") from exc
    types: dict[tuple[str, int, str], Any] = {}
    for key, value in raw.items():
        file, line, name = key.rsplit(":", 2)
        types[(file, int(line), name)] = tuple(value) if isinstance(value, list) else value
    return types


def query_project(args: argparse.Namespace, for_scan: bool = False, rules: Any = None):  # noqa: ANN201 - cpg.query.Project
    """The queryable project of ``args.path``, typed as the inference options say; `for_scan`
    infers only the slots a scan with `rules` needs (`analyzer.scan_demand`)."""
    from typeinfer.cpg.query import project_from_cpg

    cpg = build_graph(args)
    report_problems(cpg)
    types = load_types(args.types)
    if types is not None or args.no_infer:
        from typeinfer.analyzer.scan_project import ScanProject

        return ScanProject.from_project(project_from_cpg(cpg, types))
    if not for_scan:
        return inferred_project(cpg, args)
    from typeinfer.analyzer.scan_demand import scan_demand
    from typeinfer.analyzer.scan_index import CallIndex
    from typeinfer.analyzer.scan_project import ScanProject

    index = CallIndex.of(project_from_cpg(cpg))  # the demand's, then the scan's
    demand = scan_demand(cpg, rules, index)
    if not demand:  # no type can change a finding: no model to load, no slot to infer
        project = ScanProject.from_project(project_from_cpg(cpg, None))
    else:
        project = inferred_project(cpg, args, demand)
        index.refresh(project, project.inferred_calls)
    project.call_index = index
    return project


def inferred_project(cpg: Any, args: argparse.Namespace, demand: Any = None, quiet: bool = False):  # noqa: ANN201
    """`cpg` with types from the inference pipeline written back (static facts, and the bundled
    model unless --no-model); a model that cannot be loaded falls back to static facts, said on
    stderr unless `quiet`."""
    from typeinfer.analyzer.pipeline import InferenceOptions
    from typeinfer.loading import project_with_inference
    from typeinfer.typemodel.model_files import ModelError

    options = InferenceOptions(use_model=not args.no_model, jobs=args.jobs, use_cache=not args.no_cache,
                               python=args.python)
    try:
        return project_with_inference(cpg, options, demand)
    except ModelError as exc:  # raised while loading the model, before the graph changes
        if not quiet:
            print(f"typeinfer: {exc}; using static facts only", file=sys.stderr)
        return project_with_inference(cpg, replace(options, use_model=False), demand)
