"""Helpers through which the front ends create every node and edge of a file's graph.

The front ends (`frontends/python.py`, `frontends/typescript.py`) walk tree-sitter trees and
call these methods; they never append to `FileGraph.nodes`/`edges` themselves.  That keeps the
encoding uniform across languages: arguments are numbered the same way, every node gets its
position properties from its tree-sitter node, AST children get ORDER in insertion order, and
name binding (REF edges) is resolved the same way at the end of each scope.

Name binding: a front end `declare`s names in a `Scope` (creating LOCAL nodes) and records
every identifier read with `use`; `close` resolves reads against the scope chain after the
whole scope was seen, so a use before the definition (a function calling one defined below)
still binds.  Names not found anywhere stay unbound (globals, builtins).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import tree_sitter

from .file_graph import FileGraph
from .schema import CODE_LIMIT, Control, EdgeKind, NodeKind, Op, Prop


@dataclass
class Scope:
    """The names bound in one function (or module, or class body) and the reads to resolve."""

    method: int  #: METHOD node id whose body this scope is
    block: int  #: BLOCK node that receives the LOCAL nodes
    parent: "Scope | None" = None
    is_class: bool = False  #: class bodies do not enclose their methods (Python rule)
    names: dict[str, int] = field(default_factory=dict)  #: name -> LOCAL / METHOD_PARAMETER_IN
    pending: list[tuple[int, str]] = field(default_factory=list)  #: (IDENTIFIER id, name)
    outer_names: set[str] = field(default_factory=set)  #: Python `global`/`nonlocal` names

    def lookup(self, name: str) -> int | None:
        """The binding for `name` visible from this scope (class scopes skipped for inner ones)."""
        scope: Scope | None = self
        first = True
        while scope is not None:
            if (first or not scope.is_class) and name in scope.names and name not in scope.outer_names:
                return scope.names[name]
            first = False
            scope = scope.parent
        return None


@dataclass
class FunctionContext:
    """What a front end needs to walk one function's body again without the rest of its file,
    read back from the project graph (`cpg.function_update`): the names the body can see and
    the class its ``self.x`` writes go to."""

    method: int  #: the METHOD whose body is walked
    qualname: str  #: its dotted name in the file (FULL_NAME after ``path:``)
    in_class: bool  #: defined directly in a class body
    params: dict[str, int]  #: parameter name -> METHOD_PARAMETER_IN
    module_names: dict[str, int]  #: module-level name -> LOCAL
    owner: int | None = None  #: TYPE_DECL receiving the MEMBERs of ``self.x = ...`` (methods)
    members: dict[str, int] = field(default_factory=dict)  #: the owner's MEMBERs that exist without this body
    self_name: str | None = None  #: the first parameter's name (methods)


@dataclass
class FunctionBody:
    """What walking one function's body again produced."""

    block: int  #: the new body BLOCK (not yet an AST child of the METHOD)
    generator: bool  #: a ``yield`` directly in the body
    member_writes: list[tuple[int | None, str, str | None]]  #: (TYPE_DECL, name, annotation) of each MEMBER written


class AstBuilder:
    """Creates the nodes and edges of one file's graph."""

    def __init__(self, relpath: str, language: str, data: bytes, content_hash: str, first_id: int = 0) -> None:
        self.relpath = relpath
        self.language = language
        self.data = data
        self.graph = FileGraph(path=relpath, language=language, content_hash=content_hash)
        self.graph.loc = data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
        self._next_id = first_id  #: above the ids a file already has, when one function is walked again
        self._next_order: dict[int, int] = {}
        self._children: dict[int, list[int]] = {}  #: AST children so far (patterns re-read them)

    # ----------------------------------------------------------------- primitives
    def text(self, ts: tree_sitter.Node) -> str:
        """Full source text of a tree-sitter node."""
        return self.data[ts.start_byte : ts.end_byte].decode("utf-8", errors="replace")

    def add(self, kind: NodeKind, ts: tree_sitter.Node | None = None, code: str | None = None, **props: Any) -> int:
        """Create a node; position properties and CODE come from `ts` when given."""
        nid = self._next_id
        self._next_id += 1
        node: dict[str, Any] = {Prop.KIND: kind}
        if ts is not None:
            node[Prop.LINE_NUMBER] = ts.start_point[0] + 1
            node[Prop.COLUMN_NUMBER] = ts.start_point[1]
            node[Prop.LINE_NUMBER_END] = ts.end_point[0] + 1
            node[Prop.COLUMN_NUMBER_END] = ts.end_point[1]
            node[Prop.START_BYTE] = ts.start_byte
            node[Prop.END_BYTE] = ts.end_byte
            if code is None:
                code = self.data[ts.start_byte : min(ts.end_byte, ts.start_byte + 4 * CODE_LIMIT)].decode(
                    "utf-8", errors="replace"
                )
        if code is not None:
            node[Prop.CODE] = code[:CODE_LIMIT]
        for key, value in props.items():
            if value is not None:
                node[key] = value  # Prop is a StrEnum: the plain name is the same key
        self.graph.nodes[nid] = node
        return nid

    def adopt(self, nid: int, props: dict[str, Any], children: int = 0) -> None:
        """Make an existing node of the file (its live property dict) visible to the walk of one
        function's body: the walk may read it, set properties on it and give it AST children
        after its first `children` ones."""
        self.graph.nodes[nid] = props
        if children:
            self._next_order[nid] = children

    def set(self, nid: int, **props: Any) -> None:
        """Set properties on an existing node."""
        node = self.graph.nodes[nid]
        for key, value in props.items():
            node[key] = value  # Prop is a StrEnum: the plain name is the same key

    def get(self, nid: int, prop: Prop, default: Any = None) -> Any:
        return self.graph.nodes[nid].get(prop, default)

    def edge(self, src: int, dst: int, kind: EdgeKind, **props: Any) -> None:
        """Add a non-AST edge."""
        self.graph.edges.append((src, dst, kind, props or None))

    def child(self, parent: int, child: int) -> int:
        """Add `child` as the next AST child of `parent` (ORDER 1, 2, ...); returns `child`."""
        order = self._next_order.get(parent, 0) + 1
        self._next_order[parent] = order
        self.graph.nodes[child][Prop.ORDER] = order
        self.graph.edges.append((parent, child, EdgeKind.AST, None))
        self._children.setdefault(parent, []).append(child)
        return child

    def children(self, parent: int, kids: Sequence[int | None]) -> int:
        """Add several AST children in order, skipping None; returns `parent`."""
        for kid in kids:
            if kid is not None:
                self.child(parent, kid)
        return parent

    # ----------------------------------------------------------------- expressions
    def call(
        self,
        ts: tree_sitter.Node | None,
        name: str,
        full_name: str,
        args: Sequence[int | tuple[str, int]] = (),
        receiver: int | None = None,
        code: str | None = None,
    ) -> int:
        """A CALL: receiver (ARGUMENT_INDEX 0, RECEIVER edge) then args 1..n; (name, id) = keyword."""
        call = self.add(NodeKind.CALL, ts, code=code, NAME=name, METHOD_FULL_NAME=full_name)
        if receiver is not None:
            self.child(call, receiver)
            self.set(receiver, ARGUMENT_INDEX=0)
            self.edge(call, receiver, EdgeKind.RECEIVER)
            self.edge(call, receiver, EdgeKind.ARGUMENT)
        for index, arg in enumerate(args, start=1):
            if isinstance(arg, tuple):
                keyword, arg = arg
                self.set(arg, ARGUMENT_NAME=keyword)
            self.child(call, arg)
            self.set(arg, ARGUMENT_INDEX=index)
            self.edge(call, arg, EdgeKind.ARGUMENT)
        return call

    def operator(self, ts: tree_sitter.Node | None, op: str, *args: int | None, code: str | None = None) -> int:
        """An operator CALL (`Op.*` name) with positional arguments."""
        return self.call(ts, op, op, [a for a in args if a is not None], code=code)

    def assignment(self, ts: tree_sitter.Node | None, target: int, value: int | None, op: str = Op.ASSIGNMENT) -> int:
        """`target = value` (or an augmented form); marks an IDENTIFIER target as written."""
        self.mark_write(target)
        return self.operator(ts, op, target, value)

    def mark_write(self, target: int) -> None:
        """Mark an assignment target as written: identifiers, field/index accesses, and patterns."""
        node = self.graph.nodes[target]
        kind = node[Prop.KIND]
        if kind == NodeKind.IDENTIFIER:
            node[Prop.IS_WRITE] = True
        elif kind == NodeKind.CALL:
            name = node[Prop.NAME]
            if name in (Op.FIELD_ACCESS, Op.INDEX_ACCESS, Op.OPTIONAL_FIELD_ACCESS):
                node[Prop.IS_WRITE] = True
            elif name in (Op.TUPLE_LITERAL, Op.LIST_LITERAL, Op.OBJECT_LITERAL, Op.STARRED, Op.SPREAD,
                          Op.KEY_VALUE, Op.ASSIGNMENT):
                # patterns: (a, b) = ..., {a, b: c} = ..., [a = 1] = ...
                args = self._ast_children(target)
                if name == Op.KEY_VALUE or name == Op.ASSIGNMENT:
                    args = args[:1] if name == Op.ASSIGNMENT else args[1:]
                for arg in args:
                    self.mark_write(arg)

    def _ast_children(self, parent: int) -> list[int]:
        return self._children.get(parent, [])

    def identifier(self, ts: tree_sitter.Node, name: str | None = None, scope: Scope | None = None,
                   write: bool = False) -> int:
        """An IDENTIFIER; with a scope, its REF is resolved when the scope closes."""
        ident = self.add(NodeKind.IDENTIFIER, ts, NAME=name if name is not None else self.text(ts))
        if write:
            self.graph.nodes[ident][Prop.IS_WRITE] = True
        if scope is not None:
            scope.pending.append((ident, self.graph.nodes[ident][Prop.NAME]))
        return ident

    def field_access(self, ts: tree_sitter.Node, obj: int, field_ts: tree_sitter.Node | None, field_name: str,
                     optional: bool = False) -> int:
        """`obj.field` as `<operator>.fieldAccess(obj, FIELD_IDENTIFIER)`."""
        fid = self.add(NodeKind.FIELD_IDENTIFIER, field_ts, NAME=field_name, code=field_name)
        return self.operator(ts, Op.OPTIONAL_FIELD_ACCESS if optional else Op.FIELD_ACCESS, obj, fid)

    def literal(self, ts: tree_sitter.Node, type_full_name: str | None = None) -> int:
        """A LITERAL; TYPE_FULL_NAME is the literal's type where the front end knows it."""
        return self.add(NodeKind.LITERAL, ts, TYPE_FULL_NAME=type_full_name)

    def unknown(self, ts: tree_sitter.Node) -> int:
        """A construct the front end does not model; its text is kept in CODE."""
        return self.add(NodeKind.UNKNOWN, ts)

    # ----------------------------------------------------------------- statements
    def block(self, ts: tree_sitter.Node | None, statements: Sequence[int | None] = ()) -> int:
        """A BLOCK with statements as AST children."""
        return self.children(self.add(NodeKind.BLOCK, ts), statements)

    def control(self, ts: tree_sitter.Node, kind: Control, kids: Sequence[int | None] = ()) -> int:
        """A CONTROL_STRUCTURE of `kind` with children in the order `Control` documents."""
        node = self.add(NodeKind.CONTROL_STRUCTURE, ts, CONTROL_STRUCTURE_TYPE=kind)
        return self.children(node, kids)

    def ret(self, ts: tree_sitter.Node, value: int | None) -> int:
        """A RETURN with its optional expression (ARGUMENT_INDEX 1)."""
        node = self.add(NodeKind.RETURN, ts)
        if value is not None:
            self.child(node, value)
            self.set(value, ARGUMENT_INDEX=1)
            self.edge(node, value, EdgeKind.ARGUMENT)
        return node

    # ----------------------------------------------------------------- declarations
    def method(self, ts: tree_sitter.Node | None, name: str, full_name: str, **props: Any) -> int:
        """A METHOD node (children are added by the caller: parameters, body BLOCK, METHOD_RETURN)."""
        return self.add(NodeKind.METHOD, ts, NAME=name, FULL_NAME=full_name, FILENAME=self.relpath, **props)

    def parameter(self, ts: tree_sitter.Node, name: str, index: int, scope: Scope, **props: Any) -> int:
        """A METHOD_PARAMETER_IN bound in `scope` (the caller adds it as the method's child)."""
        param = self.add(NodeKind.METHOD_PARAMETER_IN, ts, NAME=name, INDEX=index, **props)
        if name:
            scope.names[name] = param
        return param

    def method_return(self, ts: tree_sitter.Node | None, type_full_name: str | None) -> int:
        """The METHOD_RETURN slot; TYPE_FULL_NAME is the declared return annotation."""
        return self.add(NodeKind.METHOD_RETURN, ts, TYPE_FULL_NAME=type_full_name, code="RET")

    def type_decl(self, ts: tree_sitter.Node, name: str, full_name: str, **props: Any) -> int:
        """A TYPE_DECL (class, interface, enum, alias)."""
        return self.add(NodeKind.TYPE_DECL, ts, NAME=name, FULL_NAME=full_name, FILENAME=self.relpath, **props)

    def member(self, ts: tree_sitter.Node, name: str, type_full_name: str | None = None, **props: Any) -> int:
        """A MEMBER (field) of a TYPE_DECL; the caller adds it as the TYPE_DECL's child."""
        return self.add(NodeKind.MEMBER, ts, NAME=name, TYPE_FULL_NAME=type_full_name, **props)

    def declare(self, scope: Scope, name: str, ts: tree_sitter.Node | None = None,
                type_full_name: str | None = None) -> int:
        """Bind `name` in `scope` (creating its LOCAL once); returns the LOCAL or parameter id."""
        existing = scope.names.get(name)
        if existing is not None:
            if type_full_name and self.graph.nodes[existing].get(Prop.TYPE_FULL_NAME) is None:
                self.set(existing, TYPE_FULL_NAME=type_full_name)
            return existing
        local = self.add(NodeKind.LOCAL, ts, NAME=name, TYPE_FULL_NAME=type_full_name, code=name)
        self.child(scope.block, local)
        scope.names[name] = local
        return local

    def close(self, scope: Scope) -> None:
        """Resolve the scope's pending reads: bind here, else hand them to the enclosing scope."""
        unresolved: list[tuple[int, str]] = []
        for ident, name in scope.pending:
            target = scope.names.get(name) if name not in scope.outer_names else None
            if target is not None:
                self.edge(ident, target, EdgeKind.REF)
            else:
                unresolved.append((ident, name))
        scope.pending = []
        parent = scope.parent
        # class bodies do not enclose the methods defined in them (Python scoping)
        while parent is not None and parent.is_class:
            parent = parent.parent
        if parent is not None:
            parent.pending.extend(unresolved)
