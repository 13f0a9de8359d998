"""Which slots a scan needs typed: inference on demand instead of for every slot.

Needs: a linked project graph.  Does not: infer (the pipeline does, `infer_graph(..., demand=)`).

A type changes a scan's result in three ways:
- it resolves an open call into a sink: the receiver of an unresolved call whose method name a
  rule's sink spells (``cur.execute(q)``);
- it resolves an open call into the project's own code, whose returns and parameters then carry
  values: the receiver of an unresolved call whose name a project function has;
- it makes a value a source by type: the object of a ``p.field`` read or the value of a
  destructuring (``const { query } = p``) whose field a rule's typed source names, in a project
  that imports the type's module; for a typed source without fields, the parameters of
  functions that frameworks call (decorated functions, and functions handed to a registration
  call: ``app.get(path, (req, res) => ...)``, `REGISTRATION_CALLS`).

With rules, only those on a possible flow are asked for: for each source list, the graph
without inferred types is chopped (`cpg.dataflow.chops`, one walk for all lists) between its
sources and typed-source candidates, and the sinks of the rules that use it and the open calls
a sink's name could make one, letting an open call reach, by name, the project functions it may
resolve to.  A value recognised by its name only (``request.headers`` of an untyped
``request``) starts no flow here when the project has a class of that name (``Request``) and
imports none of the frameworks its list knows by type: in an HTTP client library it is the
library's own request, and inferring types for its flows would only cost.  A library with no
source on a path to a sink asks for nothing, and the scan loads no model.  For each slot asked
for: the variable or parameter the receiver names (never ``self``), the return of the project
function that produced it (recursively for chains such as ``conn.cursor().execute``), or the
class attribute behind ``self.db``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from typeinfer.analyzer.scan import NAME_ONLY_SOURCES, SHAPE_MODIFIERS, destructured, find_sinks, sources_by_kind
from typeinfer.analyzer.scan_handlers import handed_functions
from typeinfer.analyzer.scan_index import CallIndex
from typeinfer.cpg.dataflow import bound_arguments, chops, return_statements
from typeinfer.cpg.graph import CodePropertyGraph, NodeId
from typeinfer.cpg.matching import matches
from typeinfer.cpg.query import Project, project_from_cpg
from typeinfer.cpg.schema import (FIELD_ACCESS_OPS, OPERATOR_PREFIX, SELF_NAMES, UNRESOLVED_PREFIX, EdgeKind, NodeKind,
                                  Prop)

#: method names of the calls through which frameworks take handlers (Express, Koa, Fastify, Hono,
#: aiohttp, Starlette and the like): a function passed to one of them is called with request values
REGISTRATION_CALLS = frozenset({
    "get", "post", "put", "delete", "patch", "head", "options", "all", "use", "route", "handle", "on",
    "register", "add_route", "add_api_route", "add_get", "add_post", "add_put", "add_delete", "add_patch",
    "add_websocket_route", "websocket", "middleware", "addEventListener", "listen", "createServer",
})
_SLOT_KINDS = (NodeKind.LOCAL, NodeKind.METHOD_PARAMETER_IN, NodeKind.MEMBER, NodeKind.METHOD_RETURN)


def sink_method_names(rules: Iterable[Any]) -> set[str]:
    """Every identifier the rules' sink patterns that may name a method spell (``execute`` in
    ``sqlite3\\.Cursor\\.execute``; not ``system`` of ``os\\.(system|popen)``: a module's function
    is reached through the module's import, which needs no type), and the method-name fallbacks'."""
    out: set[str] = set()
    for rule in rules:
        for sink in rule.sinks:
            if may_name_a_method(sink.call):
                out.update(re.findall(r"[A-Za-z_$][\w$]*", sink.call))
            out.update(re.findall(r"[A-Za-z_$][\w$]*", sink.name or ""))
    return out


def may_name_a_method(call_rx: str) -> bool:
    """Whether a sink's dotted-name regex may match more than ``module.function``: a type's
    method (``sqlite3\\.Cursor\\.execute``), or any depth (``axios(\\.[\\w.]+)?\\.get``, ``.*\\.raw``)."""
    if re.search(r"(?<!\\)\.[*+?]|\[[^\]]*\.[^\]]*\]", call_rx):
        return True  # a wildcard that may span dots
    return call_rx.count("\\.") >= 2


def scan_demand(cpg: CodePropertyGraph, rules: Iterable[Any] | None = None,
                index: CallIndex | None = None) -> set[NodeId]:
    """The slot nodes whose types can change what a scan of `cpg` with `rules` finds (None: every
    open call's receiver and every handler's parameters, on a flow or not); `index`: the graph's
    `CallIndex`, when the caller has one (for the scan that follows)."""
    project = project_from_cpg(cpg)
    index = index or CallIndex.of(project)
    methods = _by_name(cpg, NodeKind.METHOD)
    members = _by_name(cpg, NodeKind.MEMBER)
    handlers = _handler_parameters(project, index, methods)
    if rules is None:
        demand = set(handlers)
        for call in index.open_calls:
            _add_receiver(cpg, call, demand, members)
        return _slots(cpg, demand)
    languages = {info.language for info in cpg.files.values() if info.error is None}
    # one chop per source list: a source of one rule on a path to another rule's sink asks for nothing
    groups: dict[tuple[str, str], list[Any]] = {}
    for rule in rules:
        if rule.language in languages:
            groups.setdefault((rule.language, repr(rule.sources)), []).append(rule)
    imported = imported_roots(cpg)
    targets = _OpenCallTargets(cpg, index, methods)
    destructurings: dict[str, list[tuple[str, NodeId, NodeId]]] = {}
    asked = [_GroupQuestion.of(project, index, group, imported, handlers, destructurings) for group in groups.values()]
    asked = [q for q in asked if q.starts and q.sources]
    demand: set[NodeId] = set()
    for question, relevant in zip(asked, chops(project, [(q.starts, q.sources) for q in asked],
                                              more_preds=targets.preds)):
        question.add_demand(cpg, index, relevant, targets, members, demand)
    return _slots(cpg, demand)


@dataclass
class _GroupQuestion:
    """What the rules sharing one source list start from: their sinks and the open calls a sink's
    name could make one (`starts`), their sources and typed-source candidates (`sources`)."""

    sink_names: set[str]
    starts: set[NodeId]
    sources: set[NodeId]
    typed_objects: dict[NodeId, NodeId]  #: what a typed source makes a source -> what its type hangs on

    @classmethod
    def of(cls, project: Project, index: CallIndex, rules: list[Any], imported: set[str], handlers: list[NodeId],
           destructurings: dict[str, list[tuple[str, NodeId, NodeId]]]) -> _GroupQuestion:
        cpg = project.cpg
        sink_names = sink_method_names(rules)
        starts: set[NodeId] = set()
        for rule in rules:
            starts.update(find_sinks(project, rule, index))
        for name in sink_names:
            for call in index.by_name.get(rules[0].language, {}).get(name, ()):
                if call in index.open_calls:
                    starts.update(a for i, a in cpg.arguments(call).items() if i != 0)
        found = sources_by_kind(project, rules[0], index)
        frameworks = framework_roots(rules[0].sources)
        if frameworks and not frameworks & imported:
            # a value recognised by its name only, named like a class of the project's own, in a
            # project that uses none of the frameworks the list knows (`request.headers` in an HTTP
            # client library with its own Request): no type is asked for its flows
            own = {str(cpg.get(t, Prop.NAME, "")).lower() for t in cpg.nodes(NodeKind.TYPE_DECL)
                   if not SHAPE_MODIFIERS & set(cpg.get(t, Prop.MODIFIERS) or ())}  # classes, as names_own_class
            found = {n: kinds for n, kinds in found.items()
                     if not (kinds <= NAME_ONLY_SOURCES and _object_name(cpg, n).lower() in own)}
        typed_objects = _typed_source_candidates(project, index, rules[0], imported, handlers, destructurings)
        return cls(sink_names, starts, set(found) | set(typed_objects), typed_objects)

    def add_demand(self, cpg: CodePropertyGraph, index: CallIndex, relevant: set[NodeId], targets: _OpenCallTargets,
                   members: dict[str, list[NodeId]], demand: set[NodeId]) -> None:
        """Add to `demand` the slots behind this group's part of the chop (`relevant`)."""
        for call in index.open_calls:
            name = cpg.get(call, Prop.NAME, "")
            # a sink once typed, with a value of a flow as an argument; or a call whose resolution
            # carries a flow (through the returns or the parameters of the project functions so named)
            if (name in self.sink_names and any(a in relevant for i, a in cpg.arguments(call).items() if i != 0)) \
                    or targets.carries(call, relevant):
                _add_receiver(cpg, call, demand, members)
        for candidate, obj in self.typed_objects.items():
            if candidate in relevant:
                if cpg.kind(obj) in _SLOT_KINDS:
                    demand.add(obj)
                else:
                    _add_expression(cpg, obj, demand, members, depth=0)


class _OpenCallTargets:
    """What may flow into a node once an open call resolves to a project function of its name:
    into the call, that function's returns; into the function's parameters, the call's arguments."""

    def __init__(self, cpg: CodePropertyGraph, index: CallIndex, methods: dict[str, list[NodeId]]) -> None:
        self.cpg, self.methods = cpg, methods
        self.open_by_name: dict[str, list[NodeId]] = {}
        for call in index.open_calls:
            self.open_by_name.setdefault(cpg.get(call, Prop.NAME, ""), []).append(call)
        self.open = index.open_calls
        self.returned: dict[str, list[NodeId]] = {}
        self.bound: dict[NodeId, list[tuple[NodeId, NodeId]]] = {}  #: open call -> (parameter, argument) edges used
        self._bindings: dict[NodeId, list[tuple[NodeId, dict[NodeId, NodeId]]]] = {}  #: method -> (open call, bound)

    def preds(self, n: NodeId) -> list[NodeId]:
        """What may flow into `n` through a resolution by name (`cpg.dataflow.chops`'s `more_preds`)."""
        cpg = self.cpg
        if n in self.open:
            return self._returned(cpg.get(n, Prop.NAME, ""))
        if cpg.kind(n) == NodeKind.METHOD_PARAMETER_IN:
            method = cpg.ast_parent(n)
            if method is None:
                return []
            if method not in self._bindings:  # every parameter of a method asks the same calls
                self._bindings[method] = [(call, bound_arguments(cpg, call, method))
                                          for call in self.open_by_name.get(cpg.get(method, Prop.NAME, ""), ())]
            out = []
            for call, bound in self._bindings[method]:
                arg = bound.get(n)
                if arg is not None:
                    self.bound.setdefault(call, []).append((n, arg))
                    out.append(arg)
            return out
        return []

    def carries(self, call: NodeId, relevant: set[NodeId]) -> bool:
        """Whether resolving `call` by name carries a flow of the chop `relevant`: a return of a
        function so named flows into it, or one of its arguments into such a function's parameter."""
        if call in relevant and any(v in relevant for v in self._returned(self.cpg.get(call, Prop.NAME, ""))):
            return True
        return any(param in relevant and arg in relevant for param, arg in self.bound.get(call, ()))

    def _returned(self, name: str) -> list[NodeId]:
        if name not in self.returned:
            self.returned[name] = [value for m in self.methods.get(name, ()) for value in _returned(self.cpg, m)]
        return self.returned[name]


def _returned(cpg: CodePropertyGraph, method: NodeId) -> list[NodeId]:
    """The values `method`'s return statements give back."""
    return [v for r in return_statements(cpg, method) for v in cpg.ast_children(r)]


def _by_name(cpg: CodePropertyGraph, kind: NodeKind) -> dict[str, list[NodeId]]:
    """The nodes of `kind`, by NAME."""
    out: dict[str, list[NodeId]] = {}
    for n in cpg.nodes(kind):
        out.setdefault(cpg.get(n, Prop.NAME, ""), []).append(n)
    return out


def _handler_parameters(project: Project, index: CallIndex, methods: dict[str, list[NodeId]]) -> list[NodeId]:
    """Parameters of the functions frameworks call: decorated ones, and those handed to a
    registration call (inline, or named: `scan_handlers.handed_functions`)."""
    cpg = project.cpg
    # a framework's decorator is called with the route or event (``@app.get("/")``); bare ones
    # (``@property``, ``@staticmethod``) do not hand the function to a caller with request values
    handlers = [m for ms in methods.values() for m in ms if any("(" in d for d in cpg.get(m, Prop.DECORATORS) or ())]
    for table in index.by_name.values():
        for name in REGISTRATION_CALLS & table.keys():
            for call in table[name]:
                handlers.extend(handed_functions(project, call))
    return _parameters(cpg, list(dict.fromkeys(handlers)))


def _typed_source_candidates(project: Project, index: CallIndex, rule: Any, imported: set[str],
                             handlers: list[NodeId],
                             destructurings: dict[str, list[tuple[str, NodeId, NodeId]]]) -> dict[NodeId, NodeId]:
    """What becomes a source once a value's type is known to be one of `rule`'s typed sources,
    in a project that imports the type's module (`imported`: `imported_roots`): candidate ->
    the expression or slot whose type decides.  ``p.field`` reads and destructurings
    (``const { query } = p``) of a source field; with no ``fields``, the handlers' parameters.
    `destructurings`: per language, (field, bound identifier, declaration), filled on first use."""
    cpg = project.cpg
    out: dict[NodeId, NodeId] = {}
    for spec in rule.sources:
        typed = spec.get("typed")
        if not isinstance(typed, dict):
            continue
        roots = type_roots(typed["type"])
        if roots is not None and not roots & imported:
            continue  # no file can name the type: no value can have it
        fields = typed.get("fields")
        if not fields:
            out.update((p, p) for p in handlers if cpg.files[p[0]].language == rule.language)
            continue
        for read in index.field_reads.get(rule.language, ()):
            if read.obj is not None and read.field is not None and matches(fields, cpg.get(read.field, Prop.NAME)):
                out[read.node] = read.obj
        if rule.language not in destructurings:  # the same for every typed source of the language
            destructurings[rule.language] = [
                (name, bound, decl) for kind in (NodeKind.METHOD_PARAMETER_IN, NodeKind.LOCAL)
                for decl in cpg.nodes(kind) if cpg.files[decl[0]].language == rule.language
                for name, bound in destructured(project, decl)]
        out.update((bound, decl) for name, bound, decl in destructurings[rule.language] if matches(fields, name))
    return out


def _object_name(cpg: CodePropertyGraph, read: NodeId) -> str:
    """The name of the variable a field read reads from (``request`` of ``request.headers``)."""
    obj = cpg.arguments(read).get(1)
    return str(cpg.get(obj, Prop.NAME, "")) if obj is not None and cpg.kind(obj) == NodeKind.IDENTIFIER else ""


def type_roots(type_rx: str) -> set[str] | None:
    """The (lower-cased) top-level module names a dotted-name regex's alternatives start with
    (``flask\\.Request|(koa|express)\\.Request`` -> flask, koa, express); None when an
    alternative starts with no name (``.*Request``): any module may hold the type."""
    roots: set[str] = set()
    for alternative in _alternatives(type_rx):
        found = _leading_names(alternative)
        if found is None:
            return None
        roots |= found
    return roots


def _alternatives(rx: str) -> list[str]:
    """`rx` split at its top-level ``|`` (not inside a group or a character class)."""
    out, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(rx):
        c = rx[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            out.append(rx[start:i])
            start = i + 1
        i += 1
    out.append(rx[start:])
    return out


def _leading_names(alternative: str) -> set[str] | None:
    """The names one alternative can start with: a leading group's alternatives' (and, when the
    group is optional, what follows it); None when it may start with anything."""
    if alternative.startswith("("):
        depth, i = 0, 0
        while i < len(alternative):
            c = alternative[i]
            if c == "\\":
                i += 2
                continue
            depth += c == "("
            depth -= c == ")"
            if depth == 0:
                break
            i += 1
        inner = alternative[1:i]
        inner = inner[2:] if inner.startswith("?:") else inner
        roots = type_roots(inner)
        rest = alternative[i + 1:]
        optional = re.match(r"\?|\*|\{0,?\d*\}", rest)
        if roots is not None and optional:
            after = _leading_names(rest[optional.end():])
            return None if after is None else roots | after
        return roots
    m = re.match(r"([A-Za-z_$@][\w$@/-]*)", alternative)
    if m is None:
        return None
    rest = alternative[m.end():]
    if rest[:1] in ("?", "*", "+", "{", "[") or (rest.startswith("(") and not _separated(rest)):
        return None  # the name goes on past what is spelled (`koa-?router`, `koa(-router)?`): any module
    return {m.group(1).lower()}


def _separated(rest: str) -> bool:
    """Whether every alternative of the group `rest` starts with a separator (``(\\.Router)?``,
    ``(:default)?``), so that the name before it is whole."""
    depth, i = 0, 0
    while i < len(rest):
        if rest[i] == "\\":
            i += 2
            continue
        depth += rest[i] == "("
        depth -= rest[i] == ")"
        if depth == 0:
            break
        i += 1
    inner = rest[1:i]
    inner = inner[2:] if inner.startswith("?:") else inner
    return all(a.startswith(("\\.", ":", "/")) for a in _alternatives(inner))


#: source spec kinds that recognise a framework's request values by their type or their framework
_FRAMEWORK_SOURCES = ("typed", "handler", "inherited", "parameter_decorator")


def framework_roots(specs: Iterable[dict[str, Any]]) -> set[str] | None:
    """The modules of the frameworks a source list recognises request values of by type, handler,
    base class or decorator (`type_roots` of those specs' patterns); None when one of them may
    name a type of any module (``.*\\.Request``)."""
    out: set[str] = set()
    for spec in specs:
        (kind, value), = spec.items()
        if kind not in _FRAMEWORK_SOURCES:
            continue
        patterns = [value] if isinstance(value, str) else \
            [value[k] for k in ("type", "call", "factory", "base") if isinstance(value.get(k), str)]
        for pattern in patterns:
            roots = type_roots(pattern)
            if roots is None:
                return None
            out |= roots
    return out


def imported_roots(cpg: CodePropertyGraph) -> set[str]:
    """The (lower-cased) top-level modules the project imports: ``flask`` of ``flask.request``,
    ``express`` of ``express:default``, ``@koa/router`` of ``@koa/router:default``; relative
    imports are the project's own."""
    out = set()
    for imp in cpg.nodes(NodeKind.IMPORT):
        entity = str(cpg.get(imp, Prop.IMPORTED_ENTITY) or "")
        if entity.startswith("."):
            continue
        if cpg.files[imp[0]].language == "python":
            out.add(entity.split(".", 1)[0].lower())
        else:
            spec = entity.split(":", 1)[0]
            parts = spec.split("/")
            out.add("/".join(parts[:2] if spec.startswith("@") else parts[:1]).lower())
    return out


def _add_receiver(cpg: CodePropertyGraph, call: NodeId, demand: set[NodeId], members: dict[str, list[NodeId]]) -> None:
    if not cpg.out(call, EdgeKind.RECEIVER):
        return
    receiver = cpg.arguments(call).get(0)
    if receiver is not None:
        _add_expression(cpg, receiver, demand, members, depth=0)


def _slots(cpg: CodePropertyGraph, demand: set[NodeId]) -> set[NodeId]:
    """The slots of `demand` that inference can type: an imported name (``import os``) is none."""
    imported: dict[str, set[str]] = {}
    for imp in cpg.nodes(NodeKind.IMPORT):
        imported.setdefault(imp[0], set()).add(str(cpg.get(imp, Prop.IMPORTED_AS) or ""))
    return {n for n in demand if cpg.kind(n) in _SLOT_KINDS and not _import_bound(cpg, n, imported)}


def _import_bound(cpg: CodePropertyGraph, n: NodeId, imported: dict[str, set[str]]) -> bool:
    """Whether `n` is a variable only an import binds: its file imports its name and nothing writes it."""
    return (cpg.kind(n) == NodeKind.LOCAL and cpg.get(n, Prop.NAME) in imported.get(n[0], ())
            and not any(cpg.get(r, Prop.IS_WRITE) for r in cpg.into(n, EdgeKind.REF)))


def _parameters(cpg: CodePropertyGraph, methods: list[NodeId]) -> list[NodeId]:
    return [c for m in methods for c in cpg.ast_children(m) if cpg.kind(c) == NodeKind.METHOD_PARAMETER_IN]


def _own_members(cpg: CodePropertyGraph, access: NodeId, name: str, members: dict[str, list[NodeId]]) -> list[NodeId]:
    """The attributes `name` that ``self.name`` at `access` reads: those of its class and the
    class's project bases (where the linker looks), else, when none of them declares it (a mixin's
    ``self.name``), the attributes so named in every class."""
    named = members.get(name, ())
    cls = cpg.enclosing(access, (NodeKind.TYPE_DECL,))
    if cls is None or not named:
        return list(named)
    classes = set(cpg.lineage(cls))
    own = [m for m in named if cpg.ast_parent(m) in classes]
    return own or list(named)


def _add_expression(cpg: CodePropertyGraph, expr: NodeId, demand: set[NodeId], members: dict[str, list[NodeId]],
                    depth: int) -> None:
    """The slots whose types give `expr` its type."""
    if depth > 8:
        return
    kind = cpg.kind(expr)
    if kind == NodeKind.IDENTIFIER:
        if cpg.get(expr, Prop.NAME) not in SELF_NAMES:  # `self`'s class is known: no type to infer
            demand.update(cpg.out(expr, EdgeKind.REF))
        return
    if kind != NodeKind.CALL:
        return
    name = cpg.get(expr, Prop.NAME, "")
    args = cpg.arguments(expr)
    if name in FIELD_ACCESS_OPS:
        obj, fld = args.get(1), args.get(2)
        if obj is None or fld is None:
            return
        if cpg.kind(obj) == NodeKind.IDENTIFIER and cpg.get(obj, Prop.NAME) in SELF_NAMES:
            demand.update(_own_members(cpg, expr, cpg.get(fld, Prop.NAME, ""), members))
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
