"""The `typeinfer` command: one subcommand per job, each a small function.

Bad usage exits 2 with a one-line message; problems with the user's files are reported as one
line each and never stop a project-wide run; no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Callable, Sequence

from typeinfer.cpg.project import BuildError, BuildOptions, build_project


class UsageError(Exception):
    """Bad usage: reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not argparse's usage block
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


def _progress(enabled: bool) -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    """A rich progress bar on stderr when it is a terminal (and `enabled`)."""
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


def _build(args: argparse.Namespace):  # noqa: ANN202 - CodePropertyGraph
    update, stop = _progress(not getattr(args, "quiet", False))
    try:
        return build_project(args.path, BuildOptions(jobs=args.jobs, use_cache=not args.no_cache,
                                                     max_bytes=args.max_bytes,
                                                     skip_minified=not args.include_minified, progress=update))
    finally:
        stop()


def _report_problems(cpg) -> None:  # noqa: ANN001
    for info in cpg.files.values():
        if info.error:
            print(f"typeinfer: {info.error}", file=sys.stderr)
        elif info.warning:
            print(f"typeinfer: {info.warning}", file=sys.stderr)
    for problem in cpg.problems:
        print(f"typeinfer: {problem}", file=sys.stderr)


# ----------------------------------------------------------------------------- subcommands
def cmd_graph(args: argparse.Namespace) -> int:
    """Build the code property graph of PATH and print a summary."""
    cpg = _build(args)
    _report_problems(cpg)
    summary = cpg.summary()
    if args.format == "json":
        print(json.dumps(summary, indent=2))
        return 0
    langs = ", ".join(f"{n} {lang}" for lang, n in sorted(summary["languages"].items()))
    print(f"{summary['files']} files ({langs}), {summary['loc']} lines")
    print(f"{summary['nodes']} nodes, {summary['edges']} edges")
    print("nodes by kind:")
    for kind, count in summary["nodes_by_kind"].items():
        print(f"  {kind:<22} {count}")
    print("edges by kind:")
    for kind, count in summary["edges_by_kind"].items():
        print(f"  {kind:<22} {count}")
    errors = summary["files_with_parse_errors"]
    print(f"files with parse errors: {len(errors)}")
    for path, count in errors:
        print(f"  {path}: {count} error nodes")
    if summary["files_skipped"]:
        print(f"files skipped: {len(summary['files_skipped'])}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Export the graph of PATH as graphml, dot, json or neo4j-csv."""
    from typeinfer.cpg.export import FORMATS, export

    if args.format not in FORMATS:
        raise UsageError(f"typeinfer export: unknown format {args.format!r} (choose from {', '.join(FORMATS)})")
    cpg = _build(args)
    _report_problems(cpg)
    written = export(cpg, args.format, Path(args.output))
    for path in written:
        print(path)
    return 0


def cmd_slice(args: argparse.Namespace) -> int:
    """Extract usage slices of PATH (JSON shape: analyzer/slices.schema.json)."""
    from typeinfer.analyzer.slices import extract_slices

    cpg = _build(args)
    _report_problems(cpg)
    program = extract_slices(cpg)
    if args.format == "json":
        text = json.dumps(program.to_json(), indent=1 if args.output else None)
    else:
        lines = []
        for item in program.slices:
            uses = len(item.invoked_calls) + len(item.arg_to_calls) + len(item.attribute_reads) + len(item.operators)
            declared = f": {item.declared_type}" if item.declared_type else ""
            lines.append(f"{item.file}:{item.line}:{item.column}  {item.kind:<9} {item.function or '<module>'}"
                         f" {item.name}{declared}  ({len(item.defined_by)} defs, {uses} uses)")
        text = "\n".join(lines)
    if args.output:
        _write_text(Path(args.output), text + "\n")
    else:
        print(text)
    return 0


def cmd_annotate(args: argparse.Namespace) -> int:
    """Infer types for unannotated parameters, returns and variables; print a diff (default),
    write them in place (--write), write stubs (--stub) or print JSON (--format json)."""
    from typeinfer.analyzer import annotate
    from typeinfer.analyzer.pipeline import ANNOTATE_ROUNDS, KINDS, InferenceOptions, infer_project
    from typeinfer.typemodel.predictor import ModelError

    kinds = tuple(k.strip() for k in args.kinds.split(",") if k.strip())
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise UsageError(f"typeinfer annotate: unknown kind {unknown[0]!r} (choose from {', '.join(KINDS)})")
    languages = ("python", "typescript") if args.lang == "all" else (args.lang,)
    if args.write and args.stub:
        raise UsageError("typeinfer annotate: --write and --stub exclude each other")
    if args.min_confidence is not None and not 0.0 <= args.min_confidence <= 1.0:
        raise UsageError("typeinfer annotate: --min-confidence must be between 0 and 1")
    if args.verify and args.format == "json":
        raise UsageError("typeinfer annotate: --verify applies to diffs, --write and --stub, not --format json")
    options = InferenceOptions(use_model=not args.no_model, model_dir=Path(args.model) if args.model else None,
                               min_confidence=args.min_confidence, kinds=kinds, languages=languages,
                               jobs=args.jobs, use_cache=not args.no_cache, max_bytes=args.max_bytes,
                               skip_minified=not args.include_minified, rounds=ANNOTATE_ROUNDS)
    update, stop = _progress(not args.quiet)
    options.progress = update
    try:
        result = infer_project(args.path, options)
    except ModelError as exc:
        print(f"typeinfer: {exc}", file=sys.stderr)
        return 1
    finally:
        stop()
    _report_problems(result.cpg)
    if args.format == "json":
        print(json.dumps({"version": 1, "predictions": [p.to_json() for p in result.predictions]}, indent=1))
        return 0
    mode = "write" if args.write else "stub" if args.stub else "diff"
    summary = annotate.run(result, mode, kinds, print, verify=args.verify)
    for message in summary.messages:
        print(f"typeinfer: {message}", file=sys.stderr)
    print(f"typeinfer: {summary.line()} (threshold {result.threshold:.2f})", file=sys.stderr)
    return 0


def _write_text(path: Path, text: str) -> None:
    """Write a whole output file atomically."""
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp") as tmp:
        tmp.write(text)
    os.replace(tmp.name, path)


def _add_build_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", help="a file or a directory (Python and TypeScript files)")
    p.add_argument("--jobs", "-j", type=int, default=0, help="worker processes (default: one per core)")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the on-disk graph cache")
    p.add_argument("--max-bytes", type=int, default=2 * 1024 * 1024,
                   help="skip files larger than this (default 2 MB: minified bundles)")
    p.add_argument("--include-minified", action="store_true",
                   help="analyse minified JavaScript bundles too (skipped by default: they hold no types)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")


def make_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = _Parser(prog="typeinfer", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--version", action="version", version=f"typeinfer {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("graph", help=cmd_graph.__doc__, description=cmd_graph.__doc__)
    _add_build_options(p)
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_graph)

    p = sub.add_parser("export", help=cmd_export.__doc__, description=cmd_export.__doc__)
    _add_build_options(p)
    p.add_argument("--format", "-f", required=True, help="graphml, dot, json or neo4j-csv")
    p.add_argument("--output", "-o", required=True, help="output file (a directory for neo4j-csv)")
    p.set_defaults(func=cmd_export)

    for name, help_text in _DELEGATED.items():
        p = sub.add_parser(name, help=help_text, add_help=False, prefix_chars="\0")
        p.add_argument("rest", nargs=argparse.REMAINDER)
        p.set_defaults(func=None, delegate=name)

    p = sub.add_parser("annotate", help=cmd_annotate.__doc__.split(";")[0], description=cmd_annotate.__doc__)
    _add_build_options(p)
    output = p.add_mutually_exclusive_group()
    output.add_argument("--write", action="store_true", help="apply the annotations in place")
    output.add_argument("--stub", action="store_true", help="write .pyi / .d.ts stubs instead of editing")
    p.add_argument("--format", choices=["diff", "json"], default="diff",
                   help="json: every slot with type, confidence, source and alternatives")
    p.add_argument("--min-confidence", type=float, default=None,
                   help="write only types at least this likely (default: the model's calibrated threshold)")
    p.add_argument("--kinds", default="parameter,return,variable,attribute",
                   help="comma-separated: parameter, return, variable, attribute")
    p.add_argument("--lang", choices=["all", "python", "typescript"], default="all")
    p.add_argument("--no-model", action="store_true", help="static facts only")
    p.add_argument("--verify", action="store_true",
                   help="type-check the result (pyright / tsc, installed from npm at first use) and drop "
                        "the annotations that add errors")
    p.add_argument("--model", help="model directory (default: the bundled model)")
    p.set_defaults(func=cmd_annotate)

    p = sub.add_parser("slice", help=cmd_slice.__doc__, description=cmd_slice.__doc__)
    _add_build_options(p)
    p.add_argument("--format", choices=["json", "text"], default="text")
    p.add_argument("--output", "-o", help="write to this file instead of stdout")
    p.set_defaults(func=cmd_slice)

    from typeinfer.query_cli import add_query_commands

    add_query_commands(sub)

    from typeinfer.lsp.cli import add_lsp_command

    add_lsp_command(sub)
    return parser


#: Subcommands whose argument parsing lives with their stage (they parse their own --help).
_DELEGATED = {
    "corpus": "build the training corpus from the manifest (corpus build --help)",
    "train": "train the type model on a corpus and export it as int8 ONNX",
    "eval": "evaluate on the corpus test split (--corpus DIR), or on an annotated PATH it strips itself",
}


def _run_delegated(name: str, argv: list[str]) -> int:
    """Run a stage's own command line, with its usage errors reported in one line too."""
    if name == "corpus":
        from typeinfer.corpus.cli import main as run
    elif name == "train":
        from typeinfer.typemodel.cli import main_train as run
    elif argv and not argv[0].startswith("-"):  # `typeinfer eval PATH`: an annotated directory
        from typeinfer.analyzer.evaluate_dir import main as run
    else:
        from typeinfer.typemodel.cli import main_eval as run
    original = argparse.ArgumentParser.error
    argparse.ArgumentParser.error = _Parser.error  # type: ignore[method-assign]
    try:
        return int(run(argv) or 0)
    finally:
        argparse.ArgumentParser.error = original  # type: ignore[method-assign]


def _version() -> str:
    from typeinfer import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `typeinfer` console script."""
    parser = make_parser()
    try:
        argv = list(sys.argv[1:] if argv is None else argv)
        if argv and argv[0] in _DELEGATED:
            return _run_delegated(argv[0], argv[1:])
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help(sys.stderr)
            return 2
        return args.func(args)
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except BuildError as exc:
        print(f"typeinfer: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("typeinfer: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
