"""The `typeinfer query` and `typeinfer scan` subcommands (registered by `add_query_commands`).

``typeinfer query PATH script.py`` runs a query script with ``p`` (a `cpg.query.Project`) bound
and prints the value of its last expression (or whatever it assigns to ``result``).
``typeinfer scan PATH`` runs the source-to-sink rules and prints findings as text, JSON or SARIF.
Both infer types first with the pipeline (static facts and the bundled model; ``--no-model``:
static facts only; ``--no-infer``: declared types only), or take them from ``--types FILE``:
JSON ``{"relpath:line:name": "type"}`` (or ``[type, confidence]``).
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from pathlib import Path
from typing import Any


def _load_types(path: str | None) -> dict[tuple[str, int, str], Any] | None:
    from typeinfer.cli import UsageError

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


def _project(args: argparse.Namespace):  # noqa: ANN202 - Project
    from typeinfer.cli import _build, _report_problems
    from typeinfer.cpg.query import project_from_cpg

    cpg = _build(args)
    _report_problems(cpg)
    types = _load_types(args.types)
    if types is None and not args.no_infer:
        # the inference pipeline: static facts, and the bundled model unless --no-model
        from typeinfer.analyzer.pipeline import InferenceOptions, pipeline_oracle
        from typeinfer.typemodel.predictor import ModelError

        try:
            types = pipeline_oracle(cpg, InferenceOptions(use_model=not args.no_model, jobs=args.jobs))
        except ModelError as exc:
            print(f"typeinfer: {exc}; using static facts only", file=sys.stderr)
            types = pipeline_oracle(cpg, InferenceOptions(use_model=False, jobs=args.jobs))
    return project_from_cpg(cpg, types)


def _render(value: Any) -> str:
    """Text for a query result: one line per node or flow."""
    from typeinfer.cpg.dataflow import Flow
    from typeinfer.cpg.query import NodeView, Traversal

    if isinstance(value, Traversal):
        value = value.list()
    if isinstance(value, NodeView):
        value = [value]
    if isinstance(value, list) and value and all(isinstance(v, NodeView) for v in value):
        lines = []
        for v in value:
            typ = f"  : {v.type}" if v.type else ""
            code = " ".join(v.code.split())
            lines.append(f"{v.file}:{v.line}:{(v.column or 0) + 1}  {v.kind:<19} {code[:100]}{typ}")
        return "\n".join(lines)
    if isinstance(value, list) and value and all(isinstance(v, Flow) for v in value):
        return "\n\n".join(f"flow {i}:" + ("  [inferred type needed]" if f.inferred_type_needed else "") + "\n"
                           + f.render() for i, f in enumerate(value, 1))
    return repr(value)


def _jsonable(value: Any) -> Any:
    from typeinfer.cpg.dataflow import Flow
    from typeinfer.cpg.query import NodeView, Traversal

    if isinstance(value, Traversal):
        return value.to_json()
    if isinstance(value, (NodeView, Flow)):
        return value.to_dict()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)


def run_query_script(project: Any, text: str, filename: str = "<query>") -> Any:
    """Run a query script with ``p`` bound; its last expression's value (or ``result``)."""
    from typeinfer.cpg import dataflow, query

    tree = ast.parse(text, filename)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    scope: dict[str, Any] = {"p": project, "project": project, "query": query, "dataflow": dataflow}
    exec(compile(tree, filename, "exec"), scope)  # noqa: S102 - the user's own query script
    if last is not None:
        return eval(compile(ast.Expression(last.value), filename, "eval"), scope)  # noqa: S307
    return scope.get("result")


def cmd_query(args: argparse.Namespace) -> int:
    """Run a query script over PATH with `p` bound; print its result."""
    from typeinfer.cli import UsageError

    if args.script == "-":
        text, name = sys.stdin.read(), "<stdin>"
    elif args.expression:
        text, name = args.script, "<expression>"
    else:
        try:
            text, name = Path(args.script).read_text(encoding="utf-8"), args.script
        except OSError as exc:
            raise UsageError(f"typeinfer query: cannot read {args.script}: {exc.strerror or exc}") from exc
    project = _project(args)
    try:
        value = run_query_script(project, text, name)
    except SyntaxError as exc:
        print(f"typeinfer query: {name}:{exc.lineno}: {exc.msg}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - report the script's own error in one line
        print(f"typeinfer query: {name}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    if args.format == "json":
        print(json.dumps(_jsonable(value), indent=1))
    elif value is not None:
        print(_render(value))
    return 0


def cmd_scan(args: argparse.Namespace) -> int:
    """Find source-to-sink flows in PATH (SQL/command injection, path traversal, SSRF, deserialization)."""
    from typeinfer.analyzer.scan import RuleError, load_rules, scan
    from typeinfer.cli import UsageError, _write_text

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
    project = _project(args)
    result = scan(project, rules, max_depth=args.max_depth, timeout_s=args.timeout)
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
            blocks.append(f"{file}:{line}:{(col or 0) + 1}: {f.rule.severity}: [{f.rule.id}] {f.message}{tag}\n"
                          + f.flow.render())
        summary = f"{len(result.findings)} finding(s)"
        if result.truncated:
            summary += " (a depth or time bound was hit: some flows may be missing)"
        text = "\n\n".join(blocks + [summary])
    if args.output:
        _write_text(Path(args.output), text + "\n")
    else:
        print(text)
    return 1 if (args.fail and result.findings) else 0


def _add_inference_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--types", help="inferred types, JSON {\"relpath:line:name\": type} (instead of inferring)")
    p.add_argument("--no-infer", action="store_true", help="use declared types only (no inference)")
    p.add_argument("--no-model", action="store_true", help="infer with static facts only")


def add_query_commands(subparsers: Any) -> None:
    """Register `query` and `scan` on the `typeinfer` subparsers."""
    from typeinfer.cli import _add_build_options

    p = subparsers.add_parser("query", help=cmd_query.__doc__, description=cmd_query.__doc__)
    _add_build_options(p)
    p.add_argument("script", help="query script (Python, `p` bound to the project; '-' reads stdin)")
    p.add_argument("-e", "--expression", action="store_true", help="SCRIPT is the query text itself")
    _add_inference_options(p)
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_query)

    p = subparsers.add_parser("scan", help=cmd_scan.__doc__, description=cmd_scan.__doc__)
    _add_build_options(p)
    p.set_defaults(path=None)
    p.add_argument("--rules", action="append", help="a YAML rule file (repeatable; added to the built-in rules)")
    p.add_argument("--no-builtin-rules", action="store_true", help="only the rules given with --rules")
    p.add_argument("--format", "-f", choices=["text", "json", "sarif"], default="text")
    p.add_argument("--output", "-o", help="write to this file instead of stdout")
    _add_inference_options(p)
    p.add_argument("--max-depth", type=int, default=80, help="longest flow path, in nodes (default 80)")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds of dataflow per rule (default 120)")
    p.add_argument("--explain", metavar="RULE", help="print a rule's What / Why / Example and exit")
    p.add_argument("--fail", action="store_true", help="exit 1 when there are findings")
    p.set_defaults(func=cmd_scan)
