"""`typeinfer graph PATH`: build the code property graph and print a summary."""

from __future__ import annotations

import argparse
import json
from typing import Any

from typeinfer.commands.common import add_build_options, add_python_option, build_graph, inferred_project, report_problems
from typeinfer.cpg.passes.type_writeback import resolved_calls


def register(subparsers: Any) -> None:
    """Add `graph` to the `typeinfer` subparsers."""
    p = subparsers.add_parser("graph", help=run.__doc__, description=run.__doc__)
    add_build_options(p)
    add_python_option(p)
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--no-infer", action="store_true", help="do not infer types (no with-inference call count)")
    p.add_argument("--no-model", action="store_true", help="infer with static facts only")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Build the code property graph of PATH and print a summary, with the share of calls resolved
    without and with inferred types."""
    cpg = build_graph(args)
    report_problems(cpg)
    summary = cpg.summary()
    summary["calls"] = call_summary(cpg, args)
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
    calls = summary["calls"]
    line = f"calls resolved: {calls['resolved_without_inference']} of {calls['calls']} ({_share(calls, 'resolved_without_inference')}) without inference"
    if "resolved_with_inference" in calls:
        line += (f", {calls['resolved_with_inference']} ({_share(calls, 'resolved_with_inference')}) with inference; "
                 f"{calls['resolved_only_by_inference']} resolved only thanks to an inferred type")
    print(line)
    errors = summary["files_with_parse_errors"]
    print(f"files with parse errors: {len(errors)}")
    for path, count in errors:
        print(f"  {path}: {count} error nodes")
    if summary["files_skipped"]:
        print(f"files skipped: {len(summary['files_skipped'])}")
    return 0


def call_summary(cpg: Any, args: argparse.Namespace) -> dict[str, int]:
    """Calls with a callee before inference and, unless --no-infer, after it (mutates `cpg`)."""
    resolved, total = resolved_calls(cpg)
    out = {"calls": total, "resolved_without_inference": resolved}
    if args.no_infer or total == 0:
        return out
    project = inferred_project(cpg, args, quiet=True)
    out["resolved_with_inference"] = resolved_calls(cpg)[0]
    out["resolved_only_by_inference"] = len(project.inferred_calls)
    return out


def _share(calls: dict[str, int], key: str) -> str:
    return f"{100 * calls[key] / max(1, calls['calls']):.1f}%"
