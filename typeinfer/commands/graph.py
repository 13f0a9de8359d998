"""`typeinfer graph PATH`: build the code property graph and print a summary."""

from __future__ import annotations

import argparse
import json
from typing import Any

from typeinfer.commands.common import add_build_options, build_graph, report_problems


def register(subparsers: Any) -> None:
    """Add `graph` to the `typeinfer` subparsers."""
    p = subparsers.add_parser("graph", help=run.__doc__, description=run.__doc__)
    add_build_options(p)
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Build the code property graph of PATH and print a summary."""
    cpg = build_graph(args)
    report_problems(cpg)
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
