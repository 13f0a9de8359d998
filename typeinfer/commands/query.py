"""`typeinfer query PATH SCRIPT`: run a query script over the project and print its result.

The script runs with ``p`` (a `cpg.query.Project`) bound; its last expression's value (or
whatever it assigns to ``result``) is printed, one line per node or flow, or as JSON.  Types come
from the inference pipeline (static facts and the bundled model; ``--no-model``: static facts
only; ``--no-infer``: declared types only), or from ``--types FILE``: JSON
``{"relpath:line:name": "type"}`` (or ``[type, confidence]``).
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from pathlib import Path
from typing import Any

from typeinfer.commands.common import UsageError, add_build_options, add_inference_options, query_project


def register(subparsers: Any) -> None:
    """Add `query` to the `typeinfer` subparsers."""
    p = subparsers.add_parser("query", help=run.__doc__, description=run.__doc__)
    add_build_options(p)
    p.add_argument("script", help="query script (Python, `p` bound to the project; '-' reads stdin)")
    p.add_argument("-e", "--expression", action="store_true", help="SCRIPT is the query text itself")
    add_inference_options(p)
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run a query script over PATH with `p` bound; print its result."""
    if args.script == "-":
        text, name = sys.stdin.read(), "<stdin>"
    elif args.expression:
        text, name = args.script, "<expression>"
    else:
        try:
            text, name = Path(args.script).read_text(encoding="utf-8"), args.script
        except OSError as exc:
            raise UsageError(f"typeinfer query: cannot read {args.script}: {exc.strerror or exc}") from exc
    project = query_project(args)
    try:
        value = run_query_script(project, text, name)
    except SyntaxError as exc:
        print(f"typeinfer query: {name}:{exc.lineno}: {exc.msg}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - report the script's own error in one line
        print(f"typeinfer query: {name}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    if args.format == "json":
        print(json.dumps(jsonable(value), indent=1))
    elif value is not None:
        print(render(value))
    return 0


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


def render(value: Any) -> str:
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


def jsonable(value: Any) -> Any:
    """A query result as plain JSON values (nodes and flows as their dicts)."""
    from typeinfer.cpg.dataflow import Flow
    from typeinfer.cpg.query import NodeView, Traversal

    if isinstance(value, Traversal):
        return value.to_json()
    if isinstance(value, (NodeView, Flow)):
        return value.to_dict()
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)
