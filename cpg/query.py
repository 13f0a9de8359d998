"""Query API over a project graph: `load`, `Project`, chainable `Traversal` steps, `NodeView`.

After Joern's query language, in Python::

    p = load("path/")                                   # build (or load from cache) the graph
    p.methods.name("login").parameters.list()
    p.calls.name("execute").argument(1)
    p.calls.receiver_type("sqlite3.Cursor")
    p.calls.full_name("subprocess.*").where(lambda c: c.argument("shell").code.eq("True"))
    sink = p.calls.full_name(r"sqlite3\\.Cursor\\.execute").argument(1)
    sink.reachable_by(p.calls.full_name("flask.request.*"))   # sources that reach the sink
    sink.flows(p.parameters.name("user"))                     # paths, see `cpg.dataflow`

Semantics as in Joern: string patterns are regular expressions matched against the whole value
(`name("exec.*")`); `full_name` matches METHOD_FULL_NAME of calls and FULL_NAME of methods and
types; `receiver_type(T)` keeps calls resolved to a member of ``T`` or whose receiver's type
(declared, written back, POSSIBLE_TYPES or the oracle's) is ``T``.  A `Traversal` is lazy: it
holds a recipe, and every iteration (`list()`, `len()`, `for`) runs it again over the graph.
Steps without arguments are properties (`.parameters`, `.callee`); filters are methods.

Types: `load(path, types=...)` takes a `TypeOracle` (``type_of(cpg, node) -> str | None``,
optional ``confidence_of``), or a mapping from node id ``(relpath, id)`` or ``(relpath, line,
name)`` to a type (or ``(type, confidence)``).  The types are written back onto LOCAL /
METHOD_PARAMETER_IN nodes that declare none by the one write-back pass
(`passes.type_writeback`: TYPE_SOURCE ``"model"``, CONFIDENCE), then calls are linked again, so
that ``cur.execute`` on an undeclared ``cur`` inferred as ``sqlite3.Cursor`` resolves to
``sqlite3.Cursor.execute``.  Calls whose resolution changed are remembered
(`Project.inferred_calls`): findings that depend on them are marked "inferred type needed".
Inferred types come from the pipeline through ``typeinfer.load(path, infer=True)``, which
writes its table back by the same pass.

This module is large because the step list is the user-facing language; each step is a few
lines with a one-line docstring (the docstrings are the `typeinfer query --help-steps` text).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Union

from .graph import CodePropertyGraph, NodeId
from .matching import matches
from .passes.linking import TypeOracle, build_index, principal_type_name
from .passes.type_writeback import WrittenType, apply_types
from .project import BuildOptions, build_project, build_sources
from .source import source_from_text
from .schema import FIELD_ACCESS_OPS, OPERATOR_PREFIX, UNRESOLVED_PREFIX, EdgeKind, NodeKind, Prop

__all__ = [
    "MappingOracle", "NodeView", "Project", "Traversal", "TypesArg", "as_oracle", "load", "oracle_types",
    "project_from_cpg", "project_from_sources",
]

#: What `load` accepts as inferred types.
TypesArg = Union[TypeOracle, Mapping[Any, Any], None]



# ----------------------------------------------------------------------------- oracles
class MappingOracle:
    """A `TypeOracle` over a mapping: keys ``(relpath, id)`` or ``(relpath, line, name)``; values
    ``"type"`` or ``("type", confidence)``."""

    def __init__(self, types: Mapping[Any, Any]) -> None:
        self.types = dict(types)

    def _entry(self, cpg: CodePropertyGraph, node: NodeId) -> Any:
        if node in self.types:
            return self.types[node]
        props = cpg.props(node)
        return self.types.get((node[0], props.get(Prop.LINE_NUMBER), props.get(Prop.NAME)))

    def type_of(self, cpg: CodePropertyGraph, node: NodeId) -> str | None:
        entry = self._entry(cpg, node)
        return entry[0] if isinstance(entry, tuple) else entry

    def confidence_of(self, cpg: CodePropertyGraph, node: NodeId) -> float | None:
        entry = self._entry(cpg, node)
        if entry is None:
            return None
        return float(entry[1]) if isinstance(entry, tuple) else 1.0


def as_oracle(types: TypesArg) -> TypeOracle | None:
    """A `TypeOracle` from what `load` accepts (None stays None)."""
    if types is None or hasattr(types, "type_of"):
        return types  # type: ignore[return-value]
    if isinstance(types, Mapping):
        return MappingOracle(types)
    raise TypeError(f"types must be a TypeOracle or a mapping, not {type(types).__name__}")


def oracle_types(cpg: CodePropertyGraph, oracle: TypeOracle) -> dict[NodeId, WrittenType]:
    """What an oracle says of the LOCAL / METHOD_PARAMETER_IN nodes that declare no type, in the
    write-back pass's form (source ``"model"``; confidence 1.0 when the oracle gives none)."""
    confidence_of = getattr(oracle, "confidence_of", None)
    out = {}
    for kind in (NodeKind.LOCAL, NodeKind.METHOD_PARAMETER_IN):
        for n in cpg.nodes(kind):
            if cpg.props(n).get(Prop.TYPE_FULL_NAME):
                continue
            inferred = oracle.type_of(cpg, n)
            if inferred:
                conf = confidence_of(cpg, n) if confidence_of else None
                conf = 1.0 if conf is None else float(conf)
                out[n] = WrittenType(inferred, "model", conf, ((inferred, conf),), True)
    return out


# ----------------------------------------------------------------------------- loading
def load(path: str | os.PathLike[str], types: TypesArg = None, *, options: BuildOptions | None = None) -> Project:
    """Build (or load from cache) the graph of `path`; with `types`, write them back and re-link.

    ``typeinfer.load(path, infer=True)`` runs the inference pipeline instead."""
    return project_from_cpg(build_project(path, options), types)


def project_from_cpg(cpg: CodePropertyGraph, types: TypesArg = None) -> Project:
    """A `Project` over a built graph; with `types`, written back and relinked first (mutates `cpg`)."""
    oracle = as_oracle(types)
    inferred = apply_types(cpg, oracle_types(cpg, oracle), oracle=oracle) if oracle is not None else set()
    return Project(cpg, oracle, inferred)


def project_from_sources(files: Mapping[str, str], types: TypesArg = None) -> Project:
    """A `Project` from in-memory files ``{relpath: text}`` (tests, examples)."""
    return project_from_cpg(build_sources(source_from_text(text, rel) for rel, text in files.items()), types)


# ----------------------------------------------------------------------------- the project
class Project:
    """A loaded project: the graph, the oracle it was linked with, and the starting traversals."""

    def __init__(self, cpg: CodePropertyGraph, oracle: TypeOracle | None = None,
                 inferred_calls: set[NodeId] | None = None) -> None:
        self.cpg = cpg
        self.oracle = oracle
        #: calls whose METHOD_FULL_NAME or CALL edges exist only thanks to inferred types
        self.inferred_calls: set[NodeId] = inferred_calls or set()
        self._imports: dict[str, dict[str, str]] | None = None
        self._by_kind: dict[NodeKind, list[NodeId]] = {}

    def __repr__(self) -> str:
        return f"<Project {self.cpg.root or '(in memory)'}: {len(self.cpg.files)} files>"

    def _kind(self, kind: NodeKind) -> Traversal:
        def ids() -> list[NodeId]:
            if kind not in self._by_kind:
                self._by_kind[kind] = sorted(self.cpg.nodes(kind), key=_order_key(self.cpg))
            return self._by_kind[kind]
        return Traversal(self, ids)

    # the starting points, named as in Joern (plural)
    methods = property(lambda self: self._kind(NodeKind.METHOD), doc="all METHODs (functions, lambdas, <module>)")
    calls = property(lambda self: self._kind(NodeKind.CALL), doc="all CALLs, operators included")
    identifiers = property(lambda self: self._kind(NodeKind.IDENTIFIER), doc="all IDENTIFIERs")
    parameters = property(lambda self: self._kind(NodeKind.METHOD_PARAMETER_IN), doc="all formal parameters")
    locals = property(lambda self: self._kind(NodeKind.LOCAL), doc="all LOCALs")
    types = property(lambda self: self._kind(NodeKind.TYPE_DECL), doc="all TYPE_DECLs (classes, interfaces)")
    members = property(lambda self: self._kind(NodeKind.MEMBER), doc="all MEMBERs (fields)")
    literals = property(lambda self: self._kind(NodeKind.LITERAL), doc="all LITERALs")
    imports = property(lambda self: self._kind(NodeKind.IMPORT), doc="all IMPORTs")
    returns = property(lambda self: self._kind(NodeKind.RETURN), doc="all RETURN statements")
    files = property(lambda self: self._kind(NodeKind.FILE), doc="all FILE nodes")
    all = property(lambda self: Traversal(self, lambda: sorted(self.cpg.nodes(), key=_order_key(self.cpg))),
                   doc="every node")

    def node(self, n: NodeId) -> NodeView:
        """The view of one node id."""
        return NodeView(self, n)

    def of(self, ids: Iterable[NodeId]) -> Traversal:
        """A traversal over given node ids."""
        fixed = list(ids)
        return Traversal(self, lambda: fixed)

    # -- facts the steps share
    def type_of(self, n: NodeId) -> str | None:
        """Declared or written-back type of a node; identifiers take their LOCAL/parameter's."""
        props = self.cpg.props(n)
        typ = props.get(Prop.TYPE_FULL_NAME)
        if typ:
            return typ
        decl = self.decl_of(n)
        if decl is not None:
            typ = self.cpg.get(decl, Prop.TYPE_FULL_NAME)
            if typ:
                return typ
        if self.oracle is not None:
            return self.oracle.type_of(self.cpg, decl if decl is not None else n)
        return None

    def confidence_of(self, n: NodeId) -> float | None:
        """Probability of `type_of` (1.0 for declared types, None when there is no type)."""
        for node in (n, self.decl_of(n)):
            if node is None:
                continue
            props = self.cpg.props(node)
            if props.get(Prop.TYPE_FULL_NAME):
                return props.get(Prop.CONFIDENCE, 1.0)
        if self.type_of(n) is None:
            return None
        fn = getattr(self.oracle, "confidence_of", None)
        conf = fn(self.cpg, self.decl_of(n) or n) if fn else None
        return 1.0 if conf is None else conf

    def type_is_inferred(self, n: NodeId) -> bool:
        """True when the node's type came from inference (TYPE_SOURCE model/static), not a declaration."""
        for node in (n, self.decl_of(n)):
            if node is not None and self.cpg.get(node, Prop.TYPE_FULL_NAME):
                return self.cpg.get(node, Prop.TYPE_SOURCE) in ("model", "static")
        return False

    def decl_of(self, n: NodeId) -> NodeId | None:
        """The LOCAL / METHOD_PARAMETER_IN an IDENTIFIER refers to."""
        refs = self.cpg.out(n, EdgeKind.REF) if self.cpg.kind(n) == NodeKind.IDENTIFIER else []
        return refs[0] if refs else None

    def possible_types(self, n: NodeId) -> list[str]:
        """The node's type and its POSSIBLE_TYPES alternatives (own, then its declaration's)."""
        out = []
        for node in (n, self.decl_of(n)):
            if node is None:
                continue
            for item in self.cpg.get(node, Prop.POSSIBLE_TYPES) or ():
                out.append(item[0] if isinstance(item, (tuple, list)) else item)
        typ = self.type_of(n)
        return ([typ] if typ else []) + out

    def import_bindings(self, rel: str) -> dict[str, str]:
        """alias -> external dotted name (or project file) of one file's imports."""
        if self._imports is None:
            index = build_index(self.cpg)
            self._imports = {
                file: {alias: (t.external or t.module_file or (self.cpg.get(t.node, Prop.FULL_NAME) if t.node else ""))
                       for alias, t in table.items()}
                for file, table in index.imports.items()
            }
        return self._imports.get(rel, {})

    def imported_name(self, rel: str, name: str) -> str:
        """A dotted name as file `rel` reads it, its head through the file's imports
        (``web.Request`` with ``from aiohttp import web``: ``aiohttp.web.Request``); as written
        when the file imports no such head."""
        head, dot, rest = name.partition(".")
        bound = self.import_bindings(rel).get(head)
        return f"{bound}{dot}{rest}" if bound else name

    def qualified_name(self, n: NodeId) -> str | None:
        """Dotted name of an expression: ``request.args`` -> ``flask.request.args``; calls: METHOD_FULL_NAME."""
        props = self.cpg.props(n)
        kind = props[Prop.KIND]
        if kind == NodeKind.IDENTIFIER:
            name = props.get(Prop.NAME, "")
            decl = self.decl_of(n)
            bound = self.import_bindings(n[0]).get(name)
            if bound and (decl is None or self._is_module_level(decl)):
                return bound
            if decl is None and self.cpg.files[n[0]].language == "typescript":
                return name  # a global: process, window, document
            if decl is None and self.cpg.files[n[0]].language == "python":
                return None
            return None
        if kind == NodeKind.CALL:
            name = props.get(Prop.NAME, "")
            if name in FIELD_ACCESS_OPS:
                args = self.cpg.arguments(n)
                obj, fld = args.get(1), args.get(2)
                if obj is None or fld is None:
                    return None
                base = self.qualified_name(obj)
                return f"{base}.{self.cpg.get(fld, Prop.NAME)}" if base else None
            full = props.get(Prop.METHOD_FULL_NAME, "")
            return None if full.startswith((UNRESOLVED_PREFIX, OPERATOR_PREFIX)) else full
        return None

    def _is_module_level(self, decl: NodeId) -> bool:
        method = self.cpg.enclosing(decl, (NodeKind.METHOD,))
        return method is not None and self.cpg.get(method, Prop.NAME) == "<module>"

    def enclosing_method(self, n: NodeId) -> NodeId | None:
        """The METHOD a node is in (a METHOD's own is itself)."""
        return n if self.cpg.kind(n) == NodeKind.METHOD else self.cpg.enclosing(n, (NodeKind.METHOD,))


def _order_key(cpg: CodePropertyGraph) -> Callable[[NodeId], tuple]:
    nodes = cpg.g.nodes

    def key(n: NodeId) -> tuple:
        props = nodes[n]
        return (n[0], props.get(Prop.LINE_NUMBER) or 0, props.get(Prop.COLUMN_NUMBER) or 0, n[1])
    return key


# ----------------------------------------------------------------------------- node views
class NodeView:
    """One node, with the properties a query reads (`file`, `line`, `code`, `type`, ...)."""

    __slots__ = ("project", "id")

    def __init__(self, project: Project, node: NodeId) -> None:
        self.project = project
        self.id = node

    @property
    def props(self) -> dict[str, Any]:
        """All properties (live dict)."""
        return self.project.cpg.props(self.id)

    kind = property(lambda self: str(self.props[Prop.KIND]), doc="node kind (CALL, METHOD, ...)")
    file = property(lambda self: self.id[0], doc="path relative to the project root")
    line = property(lambda self: self.props.get(Prop.LINE_NUMBER), doc="1-based line")
    column = property(lambda self: self.props.get(Prop.COLUMN_NUMBER), doc="0-based column (bytes)")
    code = property(lambda self: self.props.get(Prop.CODE) or self.props.get(Prop.NAME) or "", doc="source text")
    name = property(lambda self: self.props.get(Prop.NAME), doc="NAME")
    type = property(lambda self: self.project.type_of(self.id), doc="declared or inferred type")
    confidence = property(lambda self: self.project.confidence_of(self.id), doc="probability of `type`")
    type_inferred = property(lambda self: self.project.type_is_inferred(self.id), doc="type came from inference")
    argument_index = property(lambda self: self.props.get(Prop.ARGUMENT_INDEX), doc="ARGUMENT_INDEX")
    argument_name = property(lambda self: self.props.get(Prop.ARGUMENT_NAME), doc="keyword argument name")
    qualified_name = property(lambda self: self.project.qualified_name(self.id), doc="dotted name (imports followed)")

    @property
    def full_name(self) -> str | None:
        """METHOD_FULL_NAME of a call, FULL_NAME of a method or type."""
        return self.props.get(Prop.METHOD_FULL_NAME) or self.props.get(Prop.FULL_NAME)

    @property
    def resolved_by_inference(self) -> bool:
        """A call whose resolution exists only thanks to inferred types."""
        return self.id in self.project.inferred_calls

    @property
    def method(self) -> NodeView | None:
        """The enclosing METHOD."""
        m = self.project.enclosing_method(self.id)
        return NodeView(self.project, m) if m is not None else None

    def argument(self, index: int | str) -> NodeView | None:
        """The argument at `index` (0 = receiver) or with keyword `index`."""
        return next(iter(Traversal.of(self.project, [self.id]).argument(index)), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {"file": self.file, "line": self.line, "column": self.column, "kind": self.kind, "name": self.name,
                "code": self.code, "full_name": self.full_name, "type": self.type, "confidence": self.confidence}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NodeView) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        typ = f" : {self.type}" if self.type else ""
        return f"<{self.kind} {self.file}:{self.line} {self.code.splitlines()[0] if self.code else ''!r}{typ}>"


# ----------------------------------------------------------------------------- traversals
class Traversal:
    """A lazy, re-runnable sequence of nodes; steps return new traversals."""

    def __init__(self, project: Project, source: Callable[[], Iterable[NodeId]]) -> None:
        self.project = project
        self._source = source

    @classmethod
    def of(cls, project: Project, ids: Iterable[NodeId]) -> Traversal:
        fixed = list(ids)
        return cls(project, lambda: fixed)

    # -- plumbing
    def ids(self) -> Iterator[NodeId]:
        """Run the traversal: the node ids."""
        return iter(self._source())

    def _then(self, step: Callable[[Iterator[NodeId]], Iterable[NodeId]]) -> Traversal:
        source = self._source
        return Traversal(self.project, lambda: step(iter(source())))

    def _keep(self, pred: Callable[[NodeId], bool]) -> Traversal:
        return self._then(lambda it: (n for n in it if pred(n)))

    def _flat(self, expand: Callable[[NodeId], Iterable[NodeId]]) -> Traversal:
        return self._then(lambda it: (m for n in it for m in expand(n)))

    @property
    def _cpg(self) -> CodePropertyGraph:
        return self.project.cpg

    def _prop(self, n: NodeId, prop: Prop) -> Any:
        return self._cpg.g.nodes[n].get(prop)

    # -- results
    def __iter__(self) -> Iterator[NodeView]:
        return (NodeView(self.project, n) for n in self.ids())

    def __len__(self) -> int:
        return sum(1 for _ in self.ids())

    def __bool__(self) -> bool:
        return next(self.ids(), None) is not None

    def list(self) -> list[NodeView]:
        """All nodes, as views."""
        return list(self)

    def l(self) -> list[NodeView]:  # noqa: E743 - Joern's short name
        """Alias of `list` (Joern's `.l`)."""
        return self.list()

    def first(self) -> NodeView | None:
        """The first node, or None."""
        n = next(self.ids(), None)
        return NodeView(self.project, n) if n is not None else None

    def to_json(self) -> list[dict[str, Any]]:
        """JSON-ready list of node summaries."""
        return [v.to_dict() for v in self]

    def __repr__(self) -> str:
        items = []
        for i, v in enumerate(self):
            if i == 20:
                items.append("...")
                break
            items.append(repr(v))
        return "Traversal[" + ", ".join(items) + "]"

    def __getattr__(self, name: str) -> Any:
        """Only for names that are not steps: an AttributeError that suggests the closest step
        (``reachableBy`` -> ``reachable_by``)."""
        if name.startswith("__") and name.endswith("__"):  # copy, pickle and hasattr probes
            raise AttributeError(name)
        import difflib
        import re

        steps = [n for n in dir(type(self)) if not n.startswith("_")]
        if name in steps:  # a step whose own code raised AttributeError: let that error through
            return object.__getattribute__(self, name)
        snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()
        close = [snake] if snake in steps else difflib.get_close_matches(snake, steps, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise AttributeError(f"'{type(self).__name__}' object has no attribute {name!r}{hint}")

    # -- filters
    def name(self, pattern: str) -> Traversal:
        """Nodes whose NAME fully matches the regex."""
        return self._keep(lambda n: matches(pattern, self._prop(n, Prop.NAME)))

    def name_not(self, pattern: str) -> Traversal:
        """Nodes whose NAME does not match the regex."""
        return self._keep(lambda n: not matches(pattern, self._prop(n, Prop.NAME)))

    def full_name(self, pattern: str) -> Traversal:
        """Calls by METHOD_FULL_NAME, methods and types by FULL_NAME (full regex match)."""
        return self._keep(lambda n: matches(pattern, self._prop(n, Prop.METHOD_FULL_NAME) or self._prop(n, Prop.FULL_NAME)))

    def qualified_name(self, pattern: str) -> Traversal:
        """Expressions whose dotted name (imports followed: ``flask.request.args``) matches."""
        return self._keep(lambda n: matches(pattern, self.project.qualified_name(n)))

    def code(self, pattern: str) -> Traversal:
        """Nodes whose CODE fully matches the regex."""
        return self._keep(lambda n: matches(pattern, self._prop(n, Prop.CODE)))

    def type_full_name(self, pattern: str) -> Traversal:
        """Nodes whose declared or inferred type matches (any of POSSIBLE_TYPES too)."""
        return self._keep(lambda n: any(matches(pattern, t) for t in self.project.possible_types(n)))

    def kind(self, *kinds: str) -> Traversal:
        """Nodes of one of the given kinds."""
        wanted = {str(k) for k in kinds}
        return self._keep(lambda n: str(self._prop(n, Prop.KIND)) in wanted)

    def file(self, pattern: str) -> Traversal:
        """Nodes in files whose relative path matches."""
        return self._keep(lambda n: matches(pattern, n[0]))

    def line(self, line: int) -> Traversal:
        """Nodes starting on a line."""
        return self._keep(lambda n: self._prop(n, Prop.LINE_NUMBER) == line)

    def language(self, language: str) -> Traversal:
        """Nodes in files of a language (python, typescript)."""
        return self._keep(lambda n: self._cpg.files[n[0]].language == language)

    def where(self, pred: Callable[[NodeView], Any]) -> Traversal:
        """Nodes for which `pred(node)` is truthy; a traversal counts as true when non-empty."""
        return self._keep(lambda n: bool(pred(NodeView(self.project, n))))

    def where_not(self, pred: Callable[[NodeView], Any]) -> Traversal:
        """Nodes for which `pred(node)` is falsy (an empty traversal)."""
        return self._keep(lambda n: not pred(NodeView(self.project, n)))

    def filter(self, pred: Callable[[NodeView], bool]) -> Traversal:
        """Alias of `where`."""
        return self.where(pred)

    def receiver_type(self, type_name: str) -> Traversal:
        """Calls resolved to a member of `type_name`, or whose receiver's type is `type_name` (regex)."""
        member = f"(?:{type_name})\\..*"

        def keep(n: NodeId) -> bool:
            if matches(member, self._prop(n, Prop.METHOD_FULL_NAME)):
                return True
            receiver = self._receiver(n)
            return receiver is not None and any(matches(type_name, t) for t in self.project.possible_types(receiver))
        return self._keep(keep)

    def is_resolved(self) -> Traversal:
        """Calls with a resolved callee (not ``<unresolved>.*``)."""
        return self._keep(lambda n: not str(self._prop(n, Prop.METHOD_FULL_NAME) or UNRESOLVED_PREFIX)
                          .startswith(UNRESOLVED_PREFIX))

    def not_operator(self) -> Traversal:
        """Calls that are not ``<operator>.*``."""
        return self._keep(lambda n: not str(self._prop(n, Prop.NAME) or "").startswith(OPERATOR_PREFIX))

    def resolved_by_inference(self) -> Traversal:
        """Calls whose resolution needed inferred types."""
        return self._keep(lambda n: n in self.project.inferred_calls)

    def dedup(self) -> Traversal:
        """Each node once, first occurrence kept."""
        def step(it: Iterator[NodeId]) -> Iterator[NodeId]:
            seen: set[NodeId] = set()
            for n in it:
                if n not in seen:
                    seen.add(n)
                    yield n
        return self._then(step)

    def sorted(self) -> Traversal:
        """Nodes in file / line / column order."""
        return self._then(lambda it: sorted(it, key=_order_key(self._cpg)))

    def take(self, count: int) -> Traversal:
        """The first `count` nodes."""
        import itertools
        return self._then(lambda it: itertools.islice(it, count))

    # -- navigation
    def _receiver(self, call: NodeId) -> NodeId | None:
        receivers = self._cpg.out(call, EdgeKind.RECEIVER)
        return receivers[0] if receivers else None

    def argument(self, index: int | str) -> Traversal:
        """Arguments of calls at position `index` (0 = receiver, 1 = first) or with keyword `index`."""
        if isinstance(index, str):
            return self._flat(lambda n: (a for a in self._cpg.out(n, EdgeKind.ARGUMENT)
                                         if self._prop(a, Prop.ARGUMENT_NAME) == index))

        def pick(n: NodeId) -> list[NodeId]:
            return [a for a in self._cpg.out(n, EdgeKind.ARGUMENT)
                    if self._prop(a, Prop.ARGUMENT_INDEX) == index and not self._prop(a, Prop.ARGUMENT_NAME)]
        return self._flat(pick)

    @property
    def arguments(self) -> Traversal:
        """All arguments of calls, receiver included, in index order."""
        return self._flat(lambda n: sorted(self._cpg.out(n, EdgeKind.ARGUMENT),
                                           key=lambda a: self._prop(a, Prop.ARGUMENT_INDEX) or 0))

    @property
    def receiver(self) -> Traversal:
        """Receivers of method calls (``cur`` in ``cur.execute(q)``)."""
        return self._flat(lambda n: self._cpg.out(n, EdgeKind.RECEIVER))

    @property
    def call(self) -> Traversal:
        """For arguments: the call they are an argument of."""
        return self._flat(lambda n: (p for p in self._cpg.into(n, EdgeKind.ARGUMENT)
                                     if self._prop(p, Prop.KIND) == NodeKind.CALL))

    @property
    def callee(self) -> Traversal:
        """Project METHODs a call invokes (CALL edges)."""
        return self._flat(lambda n: self._cpg.out(n, EdgeKind.CALL))

    @property
    def callers(self) -> Traversal:
        """Call sites that invoke a METHOD."""
        return self._flat(lambda n: self._cpg.callers(n))

    @property
    def method(self) -> Traversal:
        """The enclosing METHOD of each node."""
        return self._flat(lambda n: [m] if (m := self.project.enclosing_method(n)) is not None else [])

    def _within(self, kind: NodeKind) -> Traversal:
        """Nodes of `kind` inside each METHOD (nested METHODs excluded) or inside any other node."""
        def expand(n: NodeId) -> Iterator[NodeId]:
            stop = (NodeKind.METHOD,) if self._prop(n, Prop.KIND) == NodeKind.METHOD else ()
            return (d for d in self._cpg.ast_descendants(n, stop_at=stop) if self._prop(d, Prop.KIND) == kind)
        return self._flat(expand)

    @property
    def parameters(self) -> Traversal:
        """Parameters of methods, by INDEX."""
        return self._flat(lambda n: sorted((c for c in self._cpg.out(n, EdgeKind.AST)
                                            if self._prop(c, Prop.KIND) == NodeKind.METHOD_PARAMETER_IN),
                                           key=lambda c: self._prop(c, Prop.INDEX) or 0))

    calls = property(lambda self: self._within(NodeKind.CALL), doc="calls inside each node (a method's own body)")
    identifiers = property(lambda self: self._within(NodeKind.IDENTIFIER), doc="identifiers inside each node")
    literals = property(lambda self: self._within(NodeKind.LITERAL), doc="literals inside each node")
    locals = property(lambda self: self._within(NodeKind.LOCAL), doc="locals declared in each method")
    returns = property(lambda self: self._within(NodeKind.RETURN), doc="return statements inside each node")

    @property
    def methods(self) -> Traversal:
        """Methods defined in each type or file (direct AST descendants of kind METHOD)."""
        return self._within(NodeKind.METHOD)

    @property
    def parent(self) -> Traversal:
        """The AST parent."""
        return self._flat(lambda n: [p] if (p := self._cpg.ast_parent(n)) is not None else [])

    @property
    def children(self) -> Traversal:
        """AST children in ORDER."""
        return self._flat(self._cpg.ast_children)

    @property
    def ref(self) -> Traversal:
        """For identifiers: the LOCAL / METHOD_PARAMETER_IN they name."""
        return self._flat(lambda n: self._cpg.out(n, EdgeKind.REF) if self._prop(n, Prop.KIND) == NodeKind.IDENTIFIER else [])

    @property
    def references(self) -> Traversal:
        """For locals and parameters: the identifiers that name them."""
        return self._flat(lambda n: self._cpg.into(n, EdgeKind.REF))

    @property
    def reaching_defs(self) -> Traversal:
        """Definitions that reach each use (REACHING_DEF edges, backwards)."""
        return self._flat(lambda n: self._cpg.into(n, EdgeKind.REACHING_DEF))

    @property
    def reached_uses(self) -> Traversal:
        """Uses each definition reaches (REACHING_DEF edges, forwards)."""
        return self._flat(lambda n: self._cpg.out(n, EdgeKind.REACHING_DEF))

    # -- dataflow
    def reachable_by(self, sources: Traversal | Iterable[NodeId | NodeView], **bounds: Any) -> Traversal:
        """The sources whose values reach these sinks (see `cpg.dataflow`; bounds: max_depth, timeout_s)."""
        from .dataflow import flows

        def run() -> list[NodeId]:
            found = flows(self.project, list(self.ids()), _ids(sources), **bounds)
            return list(dict.fromkeys(f.source_id for f in found))
        return Traversal(self.project, run)

    def flows(self, sources: Traversal | Iterable[NodeId | NodeView], **bounds: Any) -> list:
        """Flows (paths) from `sources` to these sinks, one per (source, sink) pair."""
        from .dataflow import flows

        return flows(self.project, list(self.ids()), _ids(sources), **bounds)


def _ids(items: Traversal | Iterable[NodeId | NodeView]) -> list[NodeId]:
    if isinstance(items, Traversal):
        return list(items.ids())
    return [i.id if isinstance(i, NodeView) else i for i in items]


@dataclass(frozen=True)
class StepDoc:
    """A step's name and one-line doc (for `typeinfer query --help-steps`)."""

    name: str
    doc: str


def step_docs() -> list[StepDoc]:
    """Every Traversal step and Project starting point with its one-line doc."""
    out = []
    for owner, prefix in ((Project, "p."), (Traversal, ".")):
        for name, member in sorted(vars(owner).items()):
            if name.startswith("_") or name in ("of", "ids", "project", "l"):
                continue
            doc = (member.__doc__ or "").strip().splitlines()
            if doc and (isinstance(member, property) or callable(member)):
                out.append(StepDoc(prefix + name, doc[0]))
    return out
