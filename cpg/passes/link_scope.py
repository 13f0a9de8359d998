"""Which calls a write of types can re-link: the scope of `type_writeback.relink_written`.

The linker reads types in a few places only: a declaration's type (a LOCAL's, a parameter's, a
MEMBER's: ``x.m()``, ``self.db.m()``, ``mod.db.m()``, ``from a import db; db.m()``), a function's
METHOD_RETURN (``make().m()``, ``with make() as x``), and, for an untyped parameter, the types its
callers pass.  A call whose link a written type can change is one whose receiver's value is
reached from a written node along what those readings follow: a variable's uses, a field's
accesses (by name: of any object), a module-level variable's imports, a call's value into the
calls on it, an assignment's value into its target (a field's initializer into the field), a
function's return type into its calls, an argument into its callee's parameters.  The walk
over-approximates (names, not objects); a call it does not reach is answered as before the write.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from ..graph import CodePropertyGraph, NodeId
from ..schema import FIELD_ACCESS_OPS, OPERATOR_PREFIX, Control, EdgeKind, NodeKind, Op, Prop
from .linking import build_index

_ENTER_METHODS = ("__enter__", "__aenter__")


def calls_to_relink(cpg: CodePropertyGraph, changed: Iterable[NodeId]) -> set[NodeId]:
    """The calls (with a receiver) whose link may differ now that `changed` differ: declarations
    and METHOD_RETURNs whose type was written, or METHODs whose callers changed."""
    reach = _Reach(cpg)
    for n in changed:
        reach.add(n)
    reach.run()
    return reach.calls


class _Reach:
    """The walk of `calls_to_relink`, from node to the nodes whose type it may pass on to."""

    def __init__(self, cpg: CodePropertyGraph) -> None:
        self.cpg = cpg
        self.calls: set[NodeId] = set()
        self._seen: set[NodeId] = set()
        self._todo: deque[NodeId] = deque()
        self._fields_done: set[str] = set()
        self._fields: dict[str, list[NodeId]] | None = None  #: FIELD_IDENTIFIERs by name
        self._importers: dict[NodeId, list[tuple[str, str]]] | None = None  #: module LOCAL -> (file, alias)

    def add(self, n: NodeId) -> None:
        if n not in self._seen:
            self._seen.add(n)
            self._todo.append(n)

    def run(self) -> None:
        cpg = self.cpg
        while self._todo:
            n = self._todo.popleft()
            kind = cpg.kind(n)
            if kind in (NodeKind.LOCAL, NodeKind.METHOD_PARAMETER_IN):
                self._declaration(n, kind)
            elif kind == NodeKind.MEMBER:
                self._field(cpg.get(n, Prop.NAME, ""))
            elif kind == NodeKind.METHOD_RETURN:
                method = cpg.ast_parent(n)
                if method is not None:
                    self._returned(method)
            elif kind == NodeKind.METHOD:  # its callers changed: what they pass its parameters
                for p in cpg.out(n, EdgeKind.AST):
                    if cpg.kind(p) == NodeKind.METHOD_PARAMETER_IN:
                        self.add(p)
            else:
                self._value(n)

    def _declaration(self, decl: NodeId, kind: NodeKind) -> None:
        cpg = self.cpg
        for ident in cpg.into(decl, EdgeKind.REF):
            self.add(ident)
        if kind != NodeKind.LOCAL:
            return
        name = cpg.get(decl, Prop.NAME, "")
        parent = cpg.ast_parent(decl)
        holder = cpg.ast_parent(parent) if parent is not None else None
        if holder is not None and cpg.kind(holder) == NodeKind.TYPE_DECL:
            self._field(name)  # a class body's ``session = Session()``: ``self.session``
        index = build_index(cpg)
        if index.module_locals.get(decl[0], {}).get(name) != decl:
            return
        self._field(name)  # ``mod.db`` / ``models.sequelize``
        for rel, alias in self._importers_of(decl):  # ``from a import db as d``: the d of that file
            self._field(alias)  # re-exported under another name: ``m.alias``
            for n in cpg.file_nodes(rel):  # by name: an import inside a function binds its own LOCAL
                if cpg.kind(n) == NodeKind.IDENTIFIER and cpg.get(n, Prop.NAME) == alias:
                    self.add(n)

    def _importers_of(self, decl: NodeId) -> list[tuple[str, str]]:
        if self._importers is None:
            self._importers = {}
            for rel, table in build_index(self.cpg).imports.items():
                for alias, target in table.items():
                    if target is not None and target.variable is not None:
                        self._importers.setdefault(target.variable, []).append((rel, alias))
        return self._importers.get(decl, [])

    def _field(self, name: str) -> None:
        """Every access of a field `name`, of any object."""
        if name in self._fields_done:
            return
        self._fields_done.add(name)
        if self._fields is None:
            self._fields = {}
            for f in self.cpg.nodes(NodeKind.FIELD_IDENTIFIER):
                self._fields.setdefault(self.cpg.get(f, Prop.NAME, ""), []).append(f)
        for f in self._fields.get(name, ()):
            access = self.cpg.ast_parent(f)
            if access is not None:
                self.add(access)

    def _returned(self, method: NodeId) -> None:
        cpg = self.cpg
        for call in cpg.into(method, EdgeKind.CALL):
            self.add(call)
        if cpg.get(method, Prop.NAME) in _ENTER_METHODS:  # ``with m as x``: no call names it
            for holder in cpg.nodes(NodeKind.CONTROL_STRUCTURE):
                if cpg.get(holder, Prop.CONTROL_STRUCTURE_TYPE) != Control.WITH:
                    continue
                for assign in cpg.ast_children(holder):
                    if cpg.kind(assign) == NodeKind.CALL and cpg.get(assign, Prop.NAME) == Op.ASSIGNMENT:
                        self._target(cpg.arguments(assign).get(1))

    def _value(self, n: NodeId) -> None:
        """`n`, an expression, may have another type now: where does the linker read it?"""
        cpg = self.cpg
        parent = cpg.ast_parent(n)
        if parent is None:
            return
        if cpg.kind(parent) == NodeKind.MEMBER:  # a field's initializer (``db = make()`` in a class)
            self._field(cpg.get(parent, Prop.NAME, ""))
            return
        if cpg.kind(parent) != NodeKind.CALL:
            return  # (a returned value: the linker reads a function's declared return type only)
        name = cpg.get(parent, Prop.NAME, "")
        if name in FIELD_ACCESS_OPS or name == Op.AWAIT:
            if cpg.arguments(parent).get(1) == n:
                self.add(parent)
        elif name == Op.ASSIGNMENT:
            args = cpg.arguments(parent)
            if args.get(2) == n:
                self._target(args.get(1))
        elif not name.startswith(OPERATOR_PREFIX):
            if n in cpg.out(parent, EdgeKind.RECEIVER):
                self.calls.add(parent)
                self.add(parent)
            else:
                for method in cpg.out(parent, EdgeKind.CALL):  # an argument: its parameter's callers' type
                    self.add(method)

    def _target(self, target: NodeId | None) -> None:
        """An assignment's target, given a value that may have another type."""
        if target is None:
            return
        cpg = self.cpg
        if cpg.kind(target) == NodeKind.IDENTIFIER:
            for decl in cpg.out(target, EdgeKind.REF):
                self.add(decl)
        elif cpg.kind(target) == NodeKind.CALL and cpg.get(target, Prop.NAME) in FIELD_ACCESS_OPS:
            field_node = cpg.arguments(target).get(2)
            if field_node is not None:
                self._field(cpg.get(field_node, Prop.NAME, ""))
