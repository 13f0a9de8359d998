"""`typeinfer batch COMMAND INPUT --out DIR`: one command over many repositories, on local
processes or a Ray cluster (`typeinfer.cluster`)."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

from typeinfer.commands.common import UsageError


def register(subparsers: Any) -> None:
    """Add `batch` to the `typeinfer` subparsers."""
    p = subparsers.add_parser("batch", help=run.__doc__.splitlines()[0], description=run.__doc__,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=["scan", "annotate", "graph"],
                   help="scan (SARIF), annotate (--format json) or graph (--format json)")
    p.add_argument("input", help="a folder of checkouts, or a file with one repository path per line")
    p.add_argument("--out", "-o", required=True, help="output folder: OUT/<repo>/..., failures.jsonl, merged.sarif")
    p.add_argument("--cluster", default="",
                   help="processes | local | auto | ray://HOST:PORT (default: a local Ray instance when "
                        "typeinfer[cluster] is installed, else processes)")
    p.add_argument("--jobs", "-j", type=int, default=0, help="workers (default: one per core)")
    p.add_argument("--resume", action="store_true",
                   help="skip repositories whose results exist and whose content has not changed")
    p.add_argument("--timeout", type=float, default=None,
                   help="seconds one repository may take before it is stopped and tried again (Ray)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.add_argument("--args", dest="command_args", default="", metavar="'OPTIONS'",
                   help="options for the command itself, with = and quoted: --args='--no-model --rules r.yaml'")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run scan, annotate or graph over many repositories; outputs per repository.

    Each repository is one job; a failed one is tried once more, then listed in
    OUT/failures.jsonl, and the batch goes on.  Exit status 1 when a repository failed."""
    from typeinfer.cluster.batch import BatchOptions, run_batch
    from typeinfer.cluster.engines import ClusterUnavailable
    from typeinfer.cluster.repos import read_repos

    try:
        extra = shlex.split(args.command_args)
    except ValueError as exc:
        raise UsageError(f"typeinfer batch: --args: {exc}") from None
    _check_command_args(args.command, extra)
    try:
        repos = read_repos(Path(args.input))
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"typeinfer batch: cannot read {args.input}: "
                         f"{getattr(exc, 'strerror', None) or exc}") from None
    if not repos:
        raise UsageError(f"typeinfer batch: {args.input} names no repositories")
    options = BatchOptions(args.command, Path(args.out), extra, args.cluster, args.jobs, args.resume,
                           timeout_s=args.timeout)
    report, stop = _progress(len(repos), not args.quiet)
    try:
        summary = run_batch(repos, options, report)
    except ClusterUnavailable as exc:
        print(f"typeinfer: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # the output folder: not a folder, not writable
        raise UsageError(f"typeinfer batch: cannot write to {args.out}: {exc.strerror or exc}") from None
    finally:
        stop()
    for failure in summary.failed:
        print(f"typeinfer: {failure['repo']}: failed after {failure['attempts']} attempt(s): {failure['reason']}",
              file=sys.stderr)
    print(f"typeinfer: {summary.line(len(repos), options.out)}", file=sys.stderr)
    return 1 if summary.failed else 0


def _check_command_args(command: str, extra: list[str]) -> None:
    """Refuse, once and here, options the command itself would refuse in every repository."""
    from typeinfer.cluster.task import COMMANDS, command_parser

    if {"-h", "--help"} & set(extra):
        raise UsageError(f"typeinfer batch: --args: see 'typeinfer {command} --help' for the command's options")
    owned = sorted({a.split("=", 1)[0] for a in extra} & {"--format", "-f", "--output", "-o", "--write", "--stub"})
    if owned:
        raise UsageError(f"typeinfer batch: --args: {owned[0]} is the batch's to choose (outputs go to --out)")
    try:
        command_parser(command).parse_args([command, "PATH", *COMMANDS[command][1], *extra])
    except UsageError as exc:
        raise UsageError(f"typeinfer batch: --args: {exc}") from None


def _progress(total: int, enabled: bool):  # noqa: ANN202 - (report, stop)
    """A rich progress bar of repositories on a terminal; one line per repository otherwise."""
    if enabled and sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[status]}"), TimeElapsedColumn(),
                            console=Console(stderr=True), transient=True)
        task = progress.add_task("repositories", total=total, status="")
        progress.start()

        def report(name, outcome, summary) -> None:  # noqa: ANN001
            progress.update(task, advance=1, status=f"{len(summary.failed)} failed, {summary.findings} findings")

        return report, progress.stop

    def line(name, outcome, summary) -> None:  # noqa: ANN001
        if outcome is None:
            what = "unchanged, skipped"
        elif outcome.status == "done":
            what = f"done in {outcome.seconds:g} s" + (f", {outcome.findings} findings" if outcome.findings is not None else "")
        else:
            return  # listed once, with its attempts, at the end
        if enabled:
            print(f"typeinfer: {name}: {what}", file=sys.stderr)

    return line, lambda: None
