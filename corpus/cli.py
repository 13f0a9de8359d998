"""Command line of the corpus: ``typeinfer corpus build ...`` (wired to `main`, which
`typeinfer.commands.corpus` calls with the one-line-error parser class of `typeinfer`).

Also runnable as ``python -m typeinfer.corpus.cli build ...``.  Progress goes to stderr (a rich
progress bar on a terminal, one line per package otherwise); the summary goes to stdout.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_MANIFEST = HERE / "manifest"
DEFAULT_OUT = HERE / "data"
DEFAULT_CARD = HERE / "README.md"


def _parser(parser_class: type[argparse.ArgumentParser] = argparse.ArgumentParser) -> argparse.ArgumentParser:
    p = parser_class(prog="typeinfer corpus", description="Build the type inference training corpus.")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="download, slice, de-duplicate and split the manifest packages")
    b.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST, help="folder with pypi.tsv / npm.tsv")
    b.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (corpus in <out>/v1/)")
    b.add_argument("--work", type=Path, default=None,
                   help="folder for per-package results (default: --out); reused across runs")
    b.add_argument("--jobs", type=int, default=2, help="packages built in parallel (worker processes)")
    b.add_argument("--cluster", default=None,
                   help="build the packages on a typeinfer.cluster engine: local | auto | ray://HOST:PORT "
                        "(Ray; output and cache folders shared by its machines) or processes")
    b.add_argument("--limit", type=int, default=None, help="first N packages per language (smoke runs)")
    b.add_argument("--lang", choices=("python", "typescript"), default=None, help="one language only")
    b.add_argument("--cache", type=Path, default=None, help="download cache (default $TYPEINFER_CACHE or ~/.cache/typeinfer)")
    b.add_argument("--timeout", type=int, default=None, help="seconds per package (default 300)")
    b.add_argument("--retry-failed", action="store_true", help="retry packages that failed in an earlier run")
    b.add_argument("--per-project", type=int, default=None, help="keep at most N records per project (samples)")
    b.add_argument("--card", default=None,
                   help="where to write the data card; default corpus/README.md for a full build, "
                        "none with --limit/--lang/--per-project; 'none' to skip")
    return p


class _Progress:
    """A rich progress bar on stderr, or plain lines when stderr is not a terminal."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.rich = None
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

            self.rich = Progress(TextColumn("[bold]corpus"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                 TimeRemainingColumn(), TextColumn("{task.description}"),
                                 console=Console(stderr=True))
            self.task = self.rich.add_task("", total=total)
            self.rich.start()
        self.start = time.monotonic()

    def __call__(self, o) -> None:  # noqa: ANN001 - build.Outcome
        self.done += 1
        msg = f"{o.project}: {o.status}"
        if o.status == "done":
            msg += f", {o.records} records from {o.files} files in {o.seconds:.0f}s"
        elif o.status == "failed":
            msg += f" ({o.error[:150]})"
        if self.rich is not None:
            self.rich.update(self.task, advance=1, description=o.project)
            if o.status != "skipped":
                self.rich.console.print(msg)
        else:
            el = time.monotonic() - self.start
            print(f"[{self.done}/{self.total} {el:.0f}s] {msg}", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.rich is not None:
            self.rich.stop()


def build(args: argparse.Namespace, argv: list[str]) -> int:
    from .assemble import assemble, corpus_dir
    from .build import PACKAGE_TIMEOUT, read_specs, run_packages, write_json
    from .datacard import render

    start = time.monotonic()
    specs = read_specs(args.manifest, args.lang, args.limit)
    if not specs:
        print(f"no packages in {args.manifest}/pypi.tsv or npm.tsv", file=sys.stderr)
        return 2
    work = args.work or args.out
    progress = _Progress(len(specs))
    try:
        outcomes = run_packages(specs, work, jobs=args.jobs, cache=args.cache,
                                timeout=args.timeout or PACKAGE_TIMEOUT, retry_failed=args.retry_failed,
                                on_outcome=progress, cluster=args.cluster)
    finally:
        progress.close()
    stage1 = time.monotonic() - start
    run = {
        "command": "typeinfer corpus " + shlex.join(argv),
        "jobs": args.jobs, "cores": os.cpu_count(),
        "packages_skipped": sum(o.status == "skipped" for o in outcomes),
        "package_seconds": round(sum(o.seconds for o in outcomes), 1),
        "stage1_seconds": round(stage1, 1),
    }
    meta = assemble(args.out, specs, run=run, work=work, per_project=args.per_project)
    meta["run"]["wall_seconds"] = round(time.monotonic() - start, 1)
    write_json(corpus_dir(args.out) / "meta.json", meta)
    card = args.card
    if card is None:
        card = "none" if (args.limit or args.lang or args.per_project) else str(DEFAULT_CARD)
    if card != "none":
        Path(card).write_text(render(meta))

    st = meta["stats"]
    c = meta["counts"]
    d = st["dedup"]
    print(f"corpus: {sum(c.values()):,} records (train {c['train']:,}, valid {c['valid']:,}, test {c['test']:,}) "
          f"in {args.out}/v1")
    print(f"packages: {st['packages_built']} built, {st['packages_failed']} failed, "
          f"{run['packages_skipped']} reused from an earlier run")
    print(f"duplicates: {d['exact_duplicates']} exact + {d['near_duplicates']} near of {d['files_checked']} files "
          f"({100 * d['duplicate_ratio']:.1f}%)")
    print(f"time: {meta['run']['wall_seconds'] / 60:.1f} min" + (f"; data card: {card}" if card != "none" else ""))
    return 0


def main(argv: list[str] | None = None,
         parser_class: type[argparse.ArgumentParser] = argparse.ArgumentParser) -> int:
    """``typeinfer corpus ARGV``; `parser_class` builds the parsers (and reports their usage errors)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser(parser_class).parse_args(argv)
    if args.command == "build":
        return build(args, argv)
    return 2


if __name__ == "__main__":
    sys.exit(main())
