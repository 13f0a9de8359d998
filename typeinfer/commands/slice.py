"""`typeinfer slice PATH`: usage slices as text or JSON."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from typeinfer.commands.common import add_build_options, build_graph, report_problems, write_text


def register(subparsers: Any) -> None:
    """Add `slice` to the `typeinfer` subparsers."""
    p = subparsers.add_parser("slice", help=run.__doc__, description=run.__doc__)
    add_build_options(p)
    p.add_argument("--format", choices=["json", "text"], default="text")
    p.add_argument("--output", "-o", help="write to this file instead of stdout")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Extract usage slices of PATH (JSON shape: analyzer/slices.schema.json)."""
    from typeinfer.analyzer.slices import extract_slices

    cpg = build_graph(args)
    report_problems(cpg)
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
        write_text(Path(args.output), text + "\n")
    else:
        print(text)
    return 0
