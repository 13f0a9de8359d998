"""Taint dataflow: which sources reach which sinks, and by which path (`flows`).

Needs: a linked project graph (CFG, REACHING_DEF, CALL edges) wrapped in a `query.Project` (any
object with the few members of this module's `FlowProject` protocol).

A backward breadth-first search from each sink over "the value of X flows into Y" edges:

* a use of a variable <- its reaching definitions (REACHING_DEF); a use with none, naming a
  variable of another method (module globals, closures) <- every write of that variable;
* a written identifier <- the assigned value (the matching element for ``a, b = x, y``), a
  ``for`` target <- the iterable;
* a call's result <- its arguments and receiver ("a call's result is tainted if any argument or
  receiver is"), except sanitizers (regexes over METHOD_FULL_NAME) and operators whose result
  is a boolean (comparisons, ``in``, ``is``); a conditional's result <- both branches only;
* a field read ``o.f`` <- ``o``; ``o[k]`` <- ``o``; ``self.f`` / ``cls.f`` / ``this.f`` <- every
  ``self.f = v`` / ``cls.f = v`` in the same class (coarse: no object identity, no ordering);
* interprocedural: a call resolved to project METHODs <- the callee's ``return`` values (the
  call site is pushed on a context stack); a parameter <- the matching argument of the call
  site on top of the stack, or of every call site (CALL edges) when the stack is empty.

Bounded by path length (`max_depth` nodes), context depth (`max_call_depth`) and wall time
(`timeout_s`, for the whole `flows` call; the result's ``truncated`` says it was hit).  It does
not model: mutation through calls (``lst.append(x)``), aliasing, callbacks (functions passed as
values), exceptions, or object identity; strings built by methods on a tainted receiver are
tainted (``x.strip()``).
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Iterable, Protocol

from .graph import CodePropertyGraph, NodeId
from .matching import matches
from .schema import OPERATOR_PREFIX, SELF_NAMES, EdgeKind, NodeKind, Op, Prop


class FlowProject(Protocol):
    """What `flows` needs of a project; `query.Project` is one (this module does not import it)."""

    cpg: CodePropertyGraph
    inferred_calls: set[NodeId]  #: calls resolved only through inferred types

    def decl_of(self, n: NodeId) -> NodeId | None: ...

    def enclosing_method(self, n: NodeId) -> NodeId | None: ...


#: Calls whose result is never tainted (conversions to numbers and booleans, escaping).
DEFAULT_SANITIZERS: tuple[str, ...] = (
    r"builtins\.(int|float|bool|len|hash|id|isinstance|type|ord|abs|round)",
    r"(parseInt|parseFloat|Number|Boolean|isNaN)",
)

#: Operators whose result is a boolean or a number unrelated to the operands' text.
_NO_PROPAGATION = frozenset({
    "<operator>.equals", "<operator>.notEquals", "<operator>.strictEquals", "<operator>.strictNotEquals",
    "<operator>.lessThan", "<operator>.greaterThan", "<operator>.lessEqualsThan",
    "<operator>.greaterEqualsThan", Op.IN, Op.NOT_IN, Op.IS, Op.IS_NOT, Op.INSTANCEOF, Op.LOGICAL_NOT,
    Op.TYPEOF, Op.DELETE, Op.LAMBDA,
})
_FIELD_OPS = frozenset({Op.FIELD_ACCESS, Op.OPTIONAL_FIELD_ACCESS})
_DESTRUCTURING = frozenset({Op.TUPLE_LITERAL, Op.LIST_LITERAL, Op.OBJECT_LITERAL})
_CONSTRUCTORS = frozenset({"__init__", "constructor"})


@dataclass(frozen=True)
class FlowStep:
    """One node on a flow path."""

    file: str
    line: int | None
    column: int | None
    code: str
    kind: str
    method: str | None  #: FULL_NAME of the enclosing method
    node: NodeId
    note: str = ""  #: how the value got here: assignment, argument, parameter, return, field, ...

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "code": self.code,
                "kind": self.kind, "method": self.method, "note": self.note}


@dataclass
class Flow:
    """A path from a source node to a sink node (steps in source-to-sink order).

    `source` and `sink` are the end nodes as the project's views (`query.NodeView`: ``.file``,
    ``.line``, ``.code``, ...); `source_id` and `sink_id` are their node ids."""

    source_id: NodeId
    sink_id: NodeId
    steps: list[FlowStep]
    via_calls: frozenset[NodeId] = frozenset()  #: call sites the path went through (interprocedural)
    inferred_type_needed: bool = False  #: a call on the path (or the sink's call) resolved only by inference
    project: Any = field(default=None, repr=False, compare=False)  #: the `FlowProject` it was found in

    @property
    def source(self) -> Any:
        """The source node: the project's view of it (its first step when the project has no views)."""
        return self._view(self.source_id)

    @property
    def sink(self) -> Any:
        """The sink node: the project's view of it (its step when the project has no views)."""
        return self._view(self.sink_id)

    def _view(self, n: NodeId) -> Any:
        node = getattr(self.project, "node", None)
        if node is not None:
            return node(n)
        return next((s for s in self.steps if s.node == n), None)

    def compact(self) -> list[FlowStep]:
        """Steps with runs on one line merged (the last of a run kept; the source always kept)."""
        out: list[FlowStep] = []
        for i, step in enumerate(self.steps):
            nxt = self.steps[i + 1] if i + 1 < len(self.steps) else None
            if i == 0 or nxt is None or (nxt.file, nxt.line) != (step.file, step.line):
                out.append(step)
        return out

    def render(self) -> str:
        """Text, one step a line: ``file:line  code``."""
        return "\n".join(f"  {s.file}:{s.line}  {_one_line(s.code)}" + (f"  ({s.note})" if s.note else "")
                         for s in self.compact())

    def to_dict(self) -> dict[str, Any]:
        return {"source": list(self.source_id), "sink": list(self.sink_id), "inferred_type_needed": self.inferred_type_needed,
                "steps": [s.to_dict() for s in self.steps]}

    def __repr__(self) -> str:
        first, last = self.steps[0], self.steps[-1]
        return f"<Flow {first.file}:{first.line} {_one_line(first.code)!r} -> {last.file}:{last.line} {_one_line(last.code)!r}, {len(self.steps)} steps>"


class FlowList(list):
    """`flows`' result: a list of `Flow`, plus ``truncated`` (a bound was hit)."""

    truncated: bool = False


def _one_line(code: str) -> str:
    text = " ".join(code.split())
    return text if len(text) <= 80 else text[:77] + "..."


def argument_for(cpg: CodePropertyGraph, call: NodeId, method: NodeId, param: NodeId) -> NodeId | None:
    """The argument of `call` that binds parameter `param` of `method` (keyword, else position;
    a Python method's ``self`` binds the receiver, a constructor's binds nothing)."""
    name, index = cpg.get(param, Prop.NAME), cpg.get(param, Prop.INDEX) or 0
    args = cpg.out(call, EdgeKind.ARGUMENT)
    for a in args:
        if cpg.get(a, Prop.ARGUMENT_NAME) == name:
            return a
    params = [c for c in cpg.out(method, EdgeKind.AST) if cpg.kind(c) == NodeKind.METHOD_PARAMETER_IN]
    first = min(params, key=lambda c: cpg.get(c, Prop.INDEX) or 0) if params else None
    has_self = (first is not None and cpg.get(first, Prop.NAME) in ("self", "cls")
                and cpg.files[method[0]].language == "python")
    position = index if has_self else index + 1  # with self: INDEX 0 is the receiver
    if position == 0 and cpg.get(method, Prop.NAME) in _CONSTRUCTORS:
        return None
    positional = {cpg.get(a, Prop.ARGUMENT_INDEX): a for a in args if not cpg.get(a, Prop.ARGUMENT_NAME)}
    return positional.get(position)


@dataclass
class _Engine:
    project: FlowProject
    sanitizers: tuple[str, ...]
    max_depth: int
    max_call_depth: int
    deadline: float
    truncated: bool = False
    _field_writes: dict[tuple[NodeId | None, str], list[NodeId]] | None = None
    _parent: dict[NodeId, NodeId] = field(default_factory=dict)

    # -- helpers
    @property
    def cpg(self):  # noqa: ANN201
        return self.project.cpg

    def p(self, n: NodeId) -> dict[str, Any]:
        return self.cpg.g.nodes[n]

    def parent(self, n: NodeId) -> NodeId | None:
        if n not in self._parent:
            self._parent[n] = self.cpg.ast_parent(n)
        return self._parent[n]

    def is_sanitizer(self, call: NodeId) -> bool:
        full = self.p(call).get(Prop.METHOD_FULL_NAME, "")
        return any(matches(rx, full) for rx in self.sanitizers)

    def field_writes(self, cls: NodeId | None, name: str) -> list[NodeId]:
        """Values assigned to ``self.name`` / ``cls.name`` / ``this.name`` anywhere in class `cls`."""
        if self._field_writes is None:
            table: dict[tuple[NodeId | None, str], list[NodeId]] = {}
            for n, props in self.cpg.g.nodes(data=True):
                if props[Prop.KIND] != NodeKind.CALL or props.get(Prop.NAME) not in _FIELD_OPS or not props.get(Prop.IS_WRITE):
                    continue
                args = self.cpg.arguments(n)
                obj, fld = args.get(1), args.get(2)
                if obj is None or fld is None or self.p(obj).get(Prop.NAME) not in SELF_NAMES:
                    continue
                assign = self.parent(n)
                if assign is None or not Op.is_assignment(self.p(assign).get(Prop.NAME, "")):
                    continue
                value = self.cpg.arguments(assign).get(2)
                if value is not None:
                    key = (self.cpg.enclosing(n, (NodeKind.TYPE_DECL,)), self.p(fld).get(Prop.NAME, ""))
                    table.setdefault(key, []).append(value)
            self._field_writes = table
        return self._field_writes.get((cls, name), [])

    # -- the "flows into" relation, backwards
    def preds(self, n: NodeId, ctx: tuple[NodeId, ...]) -> list[tuple[NodeId, tuple[NodeId, ...], str, NodeId | None]]:
        """(node, context, note, call site) whose value flows into `n`."""
        props = self.p(n)
        kind = props[Prop.KIND]
        if kind == NodeKind.IDENTIFIER:
            return self._identifier(n, props, ctx)
        if kind == NodeKind.METHOD_PARAMETER_IN:
            return self._parameter(n, ctx)
        if kind == NodeKind.CALL:
            return self._call(n, props, ctx)
        if kind == NodeKind.RETURN:
            return [(a, ctx, "return", None) for a in self.cpg.ast_children(n)]
        return []

    def _identifier(self, n: NodeId, props: dict, ctx: tuple) -> list:
        out = []
        if props.get(Prop.IS_WRITE):
            out.extend((v, ctx, "assignment", None) for v in self._assigned_value(n))
            # augmented assignment: the old value flows in too (REACHING_DEF edges into the target)
        defs = self.cpg.into(n, EdgeKind.REACHING_DEF)
        for d in defs:
            if self.p(d)[Prop.KIND] in (NodeKind.IDENTIFIER, NodeKind.METHOD_PARAMETER_IN):
                out.append((d, ctx, "", None))
        if not defs and not props.get(Prop.IS_WRITE):
            decl = self.project.decl_of(n)
            if decl is not None:
                if self.p(decl)[Prop.KIND] == NodeKind.METHOD_PARAMETER_IN:
                    out.append((decl, ctx, "", None))
                elif self.project.enclosing_method(decl) != self.project.enclosing_method(n):
                    out.extend((w, ctx, "global", None) for w in self.cpg.into(decl, EdgeKind.REF)
                               if self.p(w).get(Prop.IS_WRITE))
        return out

    def _assigned_value(self, target: NodeId) -> list[NodeId]:
        """What a written identifier receives: assignment value, destructured element, loop iterable."""
        path: list[int] = []
        node = target
        parent = self.parent(node)
        while parent is not None and self.p(parent).get(Prop.NAME) in _DESTRUCTURING:
            path.append(self.p(node).get(Prop.ARGUMENT_INDEX) or 0)
            node, parent = parent, self.parent(parent)
        if parent is None:
            return []
        pprops = self.p(parent)
        if pprops[Prop.KIND] == NodeKind.CALL and Op.is_assignment(pprops.get(Prop.NAME, "")):
            args = self.cpg.arguments(parent)
            if args.get(1) != node:
                return []
            value = args.get(2)
            for index in reversed(path):  # a, b = x, y: follow the same positions on the right
                if value is None or self.p(value).get(Prop.NAME) not in (Op.TUPLE_LITERAL, Op.LIST_LITERAL):
                    break
                value = self.cpg.arguments(value).get(index, value)
            return [value] if value is not None else []
        if pprops[Prop.KIND] == NodeKind.CONTROL_STRUCTURE and pprops.get(Prop.CONTROL_STRUCTURE_TYPE) == "FOR_EACH":
            kids = self.cpg.ast_children(parent)
            return kids[:1] if kids and kids[0] != node else []
        return []

    def _parameter(self, n: NodeId, ctx: tuple) -> list:
        method = self.parent(n)
        if method is None:
            return []
        sites = [ctx[-1]] if ctx else self.cpg.into(method, EdgeKind.CALL)
        rest = ctx[:-1]
        out = []
        for site in sites:
            arg = self._argument_for(site, method, n)
            if arg is not None:
                out.append((arg, rest, "argument to parameter", site))
        return out

    def _argument_for(self, call: NodeId, method: NodeId, param: NodeId) -> NodeId | None:
        return argument_for(self.cpg, call, method, param)

    def _call(self, n: NodeId, props: dict, ctx: tuple) -> list:
        name = props.get(Prop.NAME, "")
        args = self.cpg.arguments(n)
        if Op.is_assignment(name):
            return [(args[2], ctx, "assignment", None)] if 2 in args else []
        if name in _FIELD_OPS:
            out = [(args[1], ctx, "field", None)] if 1 in args else []
            obj, fld = args.get(1), args.get(2)
            if obj is not None and fld is not None and self.p(obj).get(Prop.NAME) in SELF_NAMES and not props.get(Prop.IS_WRITE):
                cls = self.cpg.enclosing(n, (NodeKind.TYPE_DECL,))
                out.extend((v, ctx, "field write", None) for v in self.field_writes(cls, self.p(fld).get(Prop.NAME, "")))
            return out
        if name in (Op.INDEX_ACCESS, Op.SLICE):
            return [(args[1], ctx, "index", None)] if 1 in args else []
        if name in _NO_PROPAGATION:
            return []
        if name == Op.CONDITIONAL:
            return [(args[i], ctx, "", None) for i in (2, 3) if i in args]
        if name.startswith(OPERATOR_PREFIX):
            return [(a, ctx, "", None) for _, a in sorted(args.items()) if self.p(a)[Prop.KIND] != NodeKind.METHOD_REF]
        if self.is_sanitizer(n):
            return []
        callees = self.cpg.out(n, EdgeKind.CALL)
        if callees and len(ctx) < self.max_call_depth and not any(self.p(m).get(Prop.NAME) in _CONSTRUCTORS for m in callees):
            out = []
            for m in callees:
                for ret in self._returns(m):
                    out.extend((v, ctx + (n,), "return", n) for v in self.cpg.ast_children(ret))
            return out
        return [(a, ctx, "argument", None) for _, a in sorted(args.items()) if self.p(a)[Prop.KIND] != NodeKind.METHOD_REF]

    def _returns(self, method: NodeId) -> list[NodeId]:
        return [d for d in self.cpg.ast_descendants(method, stop_at=(NodeKind.METHOD, NodeKind.TYPE_DECL))
                if self.p(d)[Prop.KIND] == NodeKind.RETURN]

    # -- the search
    def search(self, sink: NodeId, sources: set[NodeId]) -> list[tuple[NodeId, list[tuple[NodeId, str]], set[NodeId]]]:
        """(source, path source->sink as (node, note), call sites used) for each source reaching `sink`."""
        start = (sink, ())
        parent: dict[tuple, tuple[tuple, str, NodeId | None] | None] = {start: None}
        depth = {start: 1}
        queue = deque([start])
        found: dict[NodeId, tuple] = {}
        while queue:
            if time.monotonic() > self.deadline:
                self.truncated = True
                break
            state = queue.popleft()
            node, ctx = state
            if node in sources and node not in found:
                found[node] = state
                if node != sink:
                    continue
            if depth[state] >= self.max_depth:
                self.truncated = True
                continue
            for nxt, nctx, note, site in self.preds(node, ctx):
                key = (nxt, nctx)
                if key not in parent:
                    parent[key] = (state, note, site)
                    depth[key] = depth[state] + 1
                    queue.append(key)
        out = []
        for src, state in found.items():
            path: list[tuple[NodeId, str]] = []
            sites: set[NodeId] = set()
            note = ""
            cur: tuple | None = state
            while cur is not None:
                path.append((cur[0], note))
                link = parent[cur]
                if link is None:
                    break
                cur, note, site = link
                if site is not None:
                    sites.add(site)
            out.append((src, path, sites))
        return out


def flows(project: FlowProject, sinks: Iterable[NodeId], sources: Iterable[NodeId], *, max_depth: int = 80,
          max_call_depth: int = 6, timeout_s: float = 30.0, sanitizers: Iterable[str] | None = None) -> FlowList:
    """Every (source, sink) pair with a path, shortest path each; sinks and sources are node ids.

    `sanitizers` are regexes over METHOD_FULL_NAME (default `DEFAULT_SANITIZERS`; pass a list to
    replace them).  `timeout_s` bounds the whole call, `max_depth` each path's length in nodes.
    """
    engine = _Engine(project, tuple(DEFAULT_SANITIZERS if sanitizers is None else sanitizers),
                     max_depth, max_call_depth, time.monotonic() + timeout_s)
    source_set = set(sources)
    result = FlowList()
    for sink in dict.fromkeys(sinks):
        owners = project.cpg.into(sink, EdgeKind.ARGUMENT)
        sink_call = owners[0] if owners else (sink if engine.p(sink)[Prop.KIND] == NodeKind.CALL else None)
        for src, path, sites in engine.search(sink, source_set):
            steps = [flow_step(project, n, note) for n, note in path]
            calls = {n for n, _ in path} | sites | ({sink_call} if sink_call is not None else set())
            needed = bool(calls & project.inferred_calls)
            result.append(Flow(src, sink, steps, frozenset(sites), needed, project))
        if engine.truncated and time.monotonic() > engine.deadline:
            break
    result.truncated = engine.truncated
    return result


def flow_step(project: FlowProject, n: NodeId, note: str) -> FlowStep:
    """The `FlowStep` for node `n` of a path, `note` saying how the value got there."""
    props = project.cpg.props(n)
    method = project.enclosing_method(n)
    return FlowStep(n[0], props.get(Prop.LINE_NUMBER), props.get(Prop.COLUMN_NUMBER),
                    props.get(Prop.CODE) or props.get(Prop.NAME) or "", str(props[Prop.KIND]),
                    project.cpg.get(method, Prop.FULL_NAME) if method is not None else None, n, note)
