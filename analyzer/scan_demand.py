"""Which slots a scan needs typed: inference on demand instead of for every slot.

Needs: a linked project graph.  Does not: infer (the pipeline does, `infer_graph(..., demand=)`).

A type changes a scan's result in two ways, and only these slots are asked for:
- it resolves a call left open that could become a sink or lead into the project's own code: the
  receiver of an unresolved call whose method name a rule's sink spells, or a project function
  has (the variable or parameter it names, the return of the project function that produced it,
  recursively for chained calls such as ``conn.cursor().execute``, or the class attribute behind
  ``self.db``);
- it makes a value a source by type: the parameters of functions that frameworks call (decorated
  functions, and functions handed to a registration call: ``app.get(path, (req, res) => ...)``,
  ``router.use(...)``, ``app.add_route(...)``; `REGISTRATION_CALLS`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from typeinfer.cpg.graph import CodePropertyGraph, NodeId
from typeinfer.cpg.schema import OPERATOR_PREFIX, SELF_NAMES, UNRESOLVED_PREFIX, EdgeKind, NodeKind, Op, Prop

#: method names of the calls through which frameworks take handlers (Express, Koa, Fastify, Hono,
#: aiohttp, Starlette and the like): a function passed to one of them is called with request values
REGISTRATION_CALLS = frozenset({
    "get", "post", "put", "delete", "patch", "head", "options", "all", "use", "route", "handle", "on",
    "register", "add_route", "add_api_route", "add_get", "add_post", "add_put", "add_delete", "add_patch",
    "add_websocket_route", "websocket", "middleware", "addEventListener", "listen", "createServer",
})
_SLOT_KINDS = (NodeKind.LOCAL, NodeKind.METHOD_PARAMETER_IN, NodeKind.MEMBER, NodeKind.METHOD_RETURN)
_FIELD_OPS = (Op.FIELD_ACCESS, Op.OPTIONAL_FIELD_ACCESS)


def sink_method_names(rules: Iterable[Any]) -> set[str]:
    """Every identifier the rules' sink patterns spell (``execute`` in ``sqlite3\\.Cursor\\.execute``)."""
    out: set[str] = set()
    for rule in rules:
        for sink in rule.sinks:
            for pattern in (sink.call, sink.name or ""):
                out.update(re.findall(r"[A-Za-z_$][\w$]*", pattern))
    return out


def scan_demand(cpg: CodePropertyGraph, rules: Iterable[Any] | None = None) -> set[NodeId]:
    """The slot nodes whose types can change what a scan of `cpg` with `rules` finds (None: any
    open call's receiver counts)."""
    demand: set[NodeId] = set()
    members: dict[str, list[NodeId]] = {}
    methods: dict[str, NodeId] = {}
    calls: list[tuple[NodeId, dict[str, Any]]] = []
    for n, props in cpg.g.nodes(data=True):  # one pass over the graph collects what the rest reads
        kind = props[Prop.KIND]
        if kind == NodeKind.CALL:
            calls.append((n, props))
        elif kind == NodeKind.METHOD:
            methods[props.get(Prop.FULL_NAME)] = n
            if props.get(Prop.DECORATORS):
                demand.update(_parameters(cpg, [n]))
        elif kind == NodeKind.MEMBER:
            members.setdefault(props.get(Prop.NAME, ""), []).append(n)
    wanted = None
    if rules is not None:
        wanted = sink_method_names(rules) | {cpg.get(m, Prop.NAME, "") for m in methods.values()}
    for call, props in calls:
        name = props.get(Prop.NAME, "")
        if name.startswith(OPERATOR_PREFIX):
            continue
        if props.get(Prop.METHOD_FULL_NAME, "").startswith(UNRESOLVED_PREFIX) and cpg.out(call, EdgeKind.RECEIVER) \
                and (wanted is None or name in wanted):
            receiver = cpg.arguments(call).get(0)
            if receiver is not None:
                _add_expression(cpg, receiver, demand, members, depth=0)
        for arg in cpg.out(call, EdgeKind.ARGUMENT) if name in REGISTRATION_CALLS else ():
            if cpg.kind(arg) == NodeKind.METHOD_REF:
                method = methods.get(cpg.get(arg, Prop.METHOD_FULL_NAME))
                if method is not None:
                    demand.update(_parameters(cpg, [method]))
    return {n for n in demand if cpg.kind(n) in _SLOT_KINDS}


def _parameters(cpg: CodePropertyGraph, methods: list[NodeId]) -> list[NodeId]:
    return [c for m in methods for c in cpg.ast_children(m) if cpg.kind(c) == NodeKind.METHOD_PARAMETER_IN]


def _add_expression(cpg: CodePropertyGraph, expr: NodeId, demand: set[NodeId], members: dict[str, list[NodeId]],
                    depth: int) -> None:
    """The slots whose types give `expr` its type."""
    if depth > 8:
        return
    kind = cpg.kind(expr)
    if kind == NodeKind.IDENTIFIER:
        demand.update(cpg.out(expr, EdgeKind.REF))
        return
    if kind != NodeKind.CALL:
        return
    name = cpg.get(expr, Prop.NAME, "")
    args = cpg.arguments(expr)
    if name in _FIELD_OPS:
        obj, fld = args.get(1), args.get(2)
        if obj is None or fld is None:
            return
        if cpg.kind(obj) == NodeKind.IDENTIFIER and cpg.get(obj, Prop.NAME) in SELF_NAMES:
            demand.update(members.get(cpg.get(fld, Prop.NAME, ""), ()))  # the attribute, in whichever class
        else:
            _add_expression(cpg, obj, demand, members, depth + 1)
        return
    if name.startswith(OPERATOR_PREFIX):
        return
    for callee in cpg.out(expr, EdgeKind.CALL):
        demand.update(c for c in cpg.ast_children(callee) if cpg.kind(c) == NodeKind.METHOD_RETURN)
    if cpg.get(expr, Prop.METHOD_FULL_NAME, "").startswith(UNRESOLVED_PREFIX) and cpg.out(expr, EdgeKind.RECEIVER):
        receiver = args.get(0)
        if receiver is not None:
            _add_expression(cpg, receiver, demand, members, depth + 1)
