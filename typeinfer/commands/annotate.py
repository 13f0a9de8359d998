"""`typeinfer annotate PATH`: infer the missing annotations; print a diff, write them in place,
write stubs or print every slot as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from typeinfer.commands.common import UsageError, add_build_options, add_python_option, build_graph, report_problems


def register(subparsers: Any) -> None:
    """Add `annotate` to the `typeinfer` subparsers."""
    p = subparsers.add_parser("annotate", help=run.__doc__.split(";")[0], description=run.__doc__)
    add_build_options(p)
    add_python_option(p)
    output = p.add_mutually_exclusive_group()
    output.add_argument("--write", action="store_true", help="apply the annotations in place")
    output.add_argument("--stub", action="store_true", help="write .pyi / .d.ts stubs instead of editing")
    p.add_argument("--format", choices=["diff", "json"], default="diff",
                   help="json: every slot with type, confidence, source, alternatives, and whether --write "
                        "writes it (if not, why)")
    p.add_argument("--min-confidence", type=float, default=None,
                   help="write only types at least this likely (default: the model's calibrated threshold)")
    p.add_argument("--kinds", default="parameter,return,variable,attribute",
                   help="comma-separated: parameter, return, variable, attribute")
    p.add_argument("--lang", choices=["all", "python", "typescript"], default="all")
    p.add_argument("--no-model", action="store_true", help="static facts only")
    p.add_argument("--verify", action="store_true",
                   help="type-check the result (basedpyright or pyright for Python, tsc for TypeScript) and drop "
                        "the annotations that add errors")
    p.add_argument("--fetch-checkers", action="store_true",
                   help="with --verify: install typeinfer's pinned checker from npm when none is found (tsc for "
                        "TypeScript; without it, --verify never uses the network)")
    p.add_argument("--force", action="store_true",
                   help="annotate files that have syntax errors before the edit too (default: left alone)")
    p.add_argument("--model", help="model directory (default: the bundled model)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Infer types for unannotated parameters, returns and variables; print a diff (default),
    write them in place (--write), write stubs (--stub) or print JSON (--format json)."""
    from typeinfer.analyzer.pipeline import ANNOTATE_ROUNDS, InferenceOptions
    from typeinfer.analyzer.slots import KINDS

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
    if args.fetch_checkers and not args.verify:
        raise UsageError("typeinfer annotate: --fetch-checkers goes with --verify")
    options = InferenceOptions(use_model=not args.no_model, model_dir=Path(args.model) if args.model else None,
                               min_confidence=args.min_confidence, kinds=kinds, languages=languages,
                               jobs=args.jobs, use_cache=not args.no_cache, max_bytes=args.max_bytes,
                               skip_minified=not args.include_minified, rounds=ANNOTATE_ROUNDS, python=args.python)
    sessions: dict[str, Any] = {}
    try:
        if args.verify and Path(args.path).exists():  # the checker reads the unannotated tree while types are inferred
            from typeinfer.analyzer.checkers import VerifyError, fetch_checkers, start_sessions

            if args.fetch_checkers:
                try:
                    fetch_checkers(Path(args.path), languages)
                except VerifyError as exc:  # the checks then say what was not verified
                    print(f"typeinfer: {exc}", file=sys.stderr)
            start_sessions(Path(args.path), languages, args.python, into=sessions)
        return _annotate(args, options, kinds, sessions)
    finally:
        if sessions:
            from typeinfer.analyzer.checkers import close_sessions

            close_sessions(sessions)


def _annotate(args: argparse.Namespace, options: Any, kinds: tuple[str, ...], sessions: dict[str, Any]) -> int:
    """`run` once the checker sessions of --verify are begun (`sessions`; closed by `run`)."""
    from typeinfer.analyzer import annotate
    from typeinfer.analyzer.pipeline import infer_project
    from typeinfer.typemodel.model_files import ModelError

    try:
        result = infer_project(args.path, options, cpg=build_graph(args))
    except ModelError as exc:
        print(f"typeinfer: {exc}", file=sys.stderr)
        return 1
    report_problems(result.cpg)
    if args.format == "json":
        decisions = annotate.write_decisions(result, kinds, force=args.force)
        print(json.dumps({"version": 1, "predictions": [d.to_json() for d in decisions]}, indent=1))
        return 0
    mode = "write" if args.write else "stub" if args.stub else "diff"
    summary = annotate.run(result, mode, kinds, print, verify=args.verify, force=args.force, sessions=sessions)
    for message in summary.messages:
        print(f"typeinfer: {message}", file=sys.stderr)
    print(f"typeinfer: {summary.line()} (threshold {result.threshold:.2f})", file=sys.stderr)
    return 0
