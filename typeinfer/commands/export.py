"""`typeinfer export PATH -f FORMAT -o OUT`: write the graph for other tools."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from typeinfer.commands.common import UsageError, add_build_options, build_graph, report_problems


def register(subparsers: Any) -> None:
    """Add `export` to the `typeinfer` subparsers."""
    p = subparsers.add_parser("export", help=run.__doc__, description=run.__doc__)
    add_build_options(p)
    p.add_argument("--format", "-f", required=True, help="graphml, dot, json or neo4j-csv")
    p.add_argument("--output", "-o", required=True, help="output file (a directory for neo4j-csv)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Export the graph of PATH as graphml, dot, json or neo4j-csv."""
    from typeinfer.cpg.export import FORMATS, export

    if args.format not in FORMATS:
        raise UsageError(f"typeinfer export: unknown format {args.format!r} (choose from {', '.join(FORMATS)})")
    cpg = build_graph(args)
    report_problems(cpg)
    written = export(cpg, args.format, Path(args.output))
    for path in written:
        print(path)
    return 0
