"""`typeinfer scan PATH`: source-to-sink rules over the typed project; text, JSON or SARIF.

Types come from the inference pipeline unless ``--types FILE`` or ``--no-infer`` (see
`typeinfer.commands.common.add_inference_options`).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from typeinfer.commands.common import UsageError, add_build_options, add_inference_options, query_project, write_text


def register(subparsers: Any) -> None:
    """Add `scan` to the `typeinfer` subparsers."""
    p = subparsers.add_parser("scan", help=run.__doc__, description=run.__doc__)
    add_build_options(p)
    p.set_defaults(path=None)
    p.add_argument("--rules", action="append", help="a YAML rule file (repeatable; added to the built-in rules)")
    p.add_argument("--no-builtin-rules", action="store_true", help="only the rules given with --rules")
    p.add_argument("--format", "-f", choices=["text", "json", "sarif"], default="text")
    p.add_argument("--output", "-o", help="write to this file instead of stdout")
    add_inference_options(p)
    p.add_argument("--max-depth", type=int, default=80, help="longest flow path, in nodes (default 80)")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds of dataflow per rule (default 120)")
    p.add_argument("--explain", metavar="RULE", help="print a rule's What / Why / Example and exit")
    p.add_argument("--fail", action="store_true", help="exit 1 when there are findings")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Find source-to-sink flows in PATH (SQL/command injection, path traversal, SSRF, deserialization)."""
    from typeinfer.analyzer.scan import RuleError, load_rules, scan

    try:
        rules = ([] if args.no_builtin_rules else load_rules()) + (load_rules(args.rules) if args.rules else [])
    except RuleError as exc:
        raise UsageError(f"typeinfer scan: {exc}") from exc
    if args.explain:
        match = [r for r in rules if r.id == args.explain]
        if not match:
            raise UsageError(f"typeinfer scan: no rule {args.explain!r} (rules: {', '.join(r.id for r in rules)})")
        print(match[0].explain())
        return 0
    if args.path is None:
        raise UsageError("typeinfer scan: PATH is required")
    if not rules:
        raise UsageError("typeinfer scan: no rules (--no-builtin-rules without --rules)")
    project = query_project(args, for_scan=True, rules=rules)
    result = scan(project, rules, max_depth=args.max_depth, timeout_s=args.timeout, index=project.call_index)
    if args.format == "sarif":
        from typeinfer.analyzer.sarif import to_sarif

        text = json.dumps(to_sarif(result, project.cpg.root), indent=1)
    elif args.format == "json":
        text = json.dumps(result.to_json(), indent=1)
    else:
        blocks = []
        for f in result.findings:
            file, line, col = f.location
            tag = "  [inferred type needed]" if f.inferred_type_needed else ""
            if f.confidence == "low":
                tag += ("  [low confidence: a type inference ranks first, not confidently]" if f.sink_by_ranked_type
                        else "  [low confidence: matched by name, no type]")
            blocks.append(f"{file}:{line}:{(col or 0) + 1}: {f.severity}: [{f.rule.id}] {f.message}{tag}\n"
                          + f.flow.render())
        summary = f"{len(result.findings)} finding(s)"
        if result.truncated:
            summary += " (a depth or time bound was hit: some flows may be missing)"
        text = "\n\n".join(blocks + [summary])
    if args.output:
        write_text(Path(args.output), text + "\n")
    else:
        print(text)
    return 1 if (args.fail and result.findings) else 0
