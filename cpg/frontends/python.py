"""Python front end: a tree-sitter-python tree -> one file's AST-level graph.

What it does: walks the tree once and creates every node through `AstBuilder`, following the
encoding in `schema.py`: the ``<module>`` METHOD, ``def``/``class`` statements as METHOD /
TYPE_DECL nodes in their enclosing BLOCK, expressions as CALLs (``<operator>.*`` for operators),
IMPORT nodes, LOCALs and REF edges through `Scope`.  What it does not do: control flow and
reaching definitions (the generic passes in `cpg/passes` run on the result), call resolution,
type inference.  The analysed code is data: nothing here imports or executes it.

Encoding choices specific to Python (approximations are listed in ``APPROXIMATIONS`` below, and
each one is a deliberate simplification, not an oversight):

* Decorators are not nodes: their source texts (without ``@``) are in DECORATORS, and they set
  MODIFIERS (``staticmethod``, ``classmethod``, ``property``, ``abstract``, ``dataclass``...).
  Reads inside decorator expressions are therefore not seen by reaching definitions.
* A chained assignment ``a = b = v`` is one nested assignment: ``a = (b = v)``.
* A comparison chain ``a < b < c`` is ``logicalAnd(a < b, b < c)``; ``b`` appears twice (two
  IDENTIFIER nodes at the same position).
* Comprehension targets are LOCALs of the enclosing function (Python gives comprehensions their
  own scope).  Children of a comprehension CALL: element (or KEY_VALUE), then per ``for``:
  target, iterable, ``if`` conditions.
* A slice ``a[x:y:z]`` is ``<operator>.slice`` whose present parts carry ARGUMENT_NAME
  ``lower``/``upper``/``step``; ``a[i, j]`` indexes with a tuple literal.
* ``raise E from c``: THROW children are E then c.
* ``del x`` is a ``<operator>.delete`` call whose arguments are plain reads (the unbinding is
  not modelled).
* ``match`` patterns: captures are written IDENTIFIERs; class patterns are CALLs named after the
  class (keyword sub-patterns as keyword arguments); sequence patterns are list/tuple literals;
  mapping patterns dict literals; ``p1 | p2`` an ``<operator>.or`` call; ``p as n`` an assignment
  of ``n`` from the pattern; ``_`` inside a pattern is an UNKNOWN (nothing is bound), a bare
  ``case _:`` has no pattern child.
* Base classes, type parameters (PEP 695) and annotations are text only (properties), not nodes.
* ``global`` names written in a function get their LOCAL in the module scope.
* A plain call ``f(x)`` has no node for ``f`` (NAME/METHOD_FULL_NAME carry it); a method call
  ``o.m(x)`` has ``o`` as receiver; any other callee expression is the receiver and its source
  text (truncated) is the NAME.

METHOD_RETURN of a function without a return annotation takes the position of the parameter
list, so its end is where ``-> T`` would be inserted.  Parameters take the position of their
name (CODE is the whole parameter), so the name's end is where ``: T`` would go.

UNKNOWN nodes say why in NAME: ``<error>`` (a tree-sitter ERROR that could not be salvaged),
``<too deep>`` (the subtree exceeded the nesting limit, see `_max_depth`), ``<unsupported>``.

The module is long because Python has many constructs; each handler is short and the dispatch
tables (`_Walker._STMT`, `_Walker._EXPR`) map tree-sitter node types onto them.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import tree_sitter

from ..ast_builder import AstBuilder, FunctionBody, FunctionContext, Scope
from ..schema import MODULE_METHOD_NAME, UNRESOLVED_PREFIX, Control, NodeKind, Op, Prop

APPROXIMATIONS = (
    "decorator expressions are not nodes (text in DECORATORS)",
    "chained assignment a = b = v is nested: a = (b = v)",
    "comparison chains repeat the middle operand",
    "comprehension targets are LOCALs of the enclosing function",
    "class patterns in match are calls; `_` sub-patterns are UNKNOWN",
    "base classes, annotations and type parameters are text, not nodes",
    "del targets are reads",
    "the callee name of a plain call f(x) is not an IDENTIFIER node",
)

#: Most nesting levels walked recursively; deeper subtrees become one UNKNOWN "<too deep>".
MAX_DEPTH = 400
#: Python frames one nesting level may use at most (dispatch + handler + helpers + a 3.11
#: comprehension frame), for the depth budget; raise sys.setrecursionlimit to walk deeper.
_FRAMES_PER_LEVEL = 5
#: Longest NAME made from a callee expression's source text.
_CALLEE_NAME_LIMIT = 60

_EXTRAS = frozenset({"comment", "line_continuation"})
_COMPREHENSIONS = {
    "list_comprehension": "<operator>.listComprehension",
    "set_comprehension": "<operator>.setComprehension",
    "dictionary_comprehension": "<operator>.dictComprehension",
    "generator_expression": "<operator>.generatorExpression",
}
_ASSERT = "<operator>.assert"
_DATACLASS_DECORATORS = frozenset({
    "dataclass", "dataclasses.dataclass", "attr.s", "attr.attrs", "attrs.define", "attr.define",
    "attrs.frozen", "attr.frozen", "attrs.mutable", "attr.mutable", "define", "frozen",
    "pydantic.dataclasses.dataclass",
})
_ENUM_BASES = frozenset({"Enum", "IntEnum", "StrEnum", "Flag", "IntFlag", "ReprEnum"})
_ABSTRACT_DECORATORS = frozenset({"abstractmethod", "abc.abstractmethod", "abstractproperty",
                                  "abc.abstractproperty"})
_PROPERTY_DECORATORS = frozenset({"property", "cached_property", "functools.cached_property",
                                  "abstractproperty", "abc.abstractproperty"})


def build_module(b: AstBuilder, root: tree_sitter.Node, namespace_block: int) -> int:
    """Create the ``<module>`` METHOD under `namespace_block` and everything below it."""
    return _Walker(b).module(root, namespace_block)


def editable_function(root: tree_sitter.Node, start: int, end: int) -> tuple[tree_sitter.Node, tree_sitter.Node] | None:
    """(def, body) of the outermost function whose body holds the bytes `start`..`end` (a nested
    function's edit is its outer function's; classes and compound statements around it are
    crossed), else None."""
    node = root
    while True:
        inner = next((c for c in node.named_children if c.start_byte <= start and end <= c.end_byte), None)
        if inner is None:
            return None
        if inner.type == "function_definition":
            body = inner.child_by_field_name("body")
            if body is None or not (body.start_byte <= start and end <= body.end_byte):
                return None
            return inner, body
        node = inner


def writes_outside(body: tree_sitter.Node) -> bool:
    """Whether a function body has effects on names outside it that `rebuild_function_body`
    cannot undo: a ``global`` statement, or an annotated attribute write (``self.x: T = v``
    types a class member)."""
    stack = [body]
    while stack:
        node = stack.pop()
        if node.type == "global_statement":
            return True
        if node.type == "assignment" and node.child_by_field_name("type") is not None:
            left = node.child_by_field_name("left")
            if left is not None and left.type == "attribute":
                return True
        stack.extend(node.named_children)
    return False


def writes_to_class(definition: tree_sitter.Node, first_parameter: str | None, modifiers: tuple[str, ...]) -> bool:
    """Whether ``self.x = ...`` in a def in a class body makes MEMBERs of that class: a method
    with a first parameter, not a ``staticmethod``."""
    return bool(first_parameter) and "staticmethod" not in modifiers


def rebuild_function_body(b: AstBuilder, definition: tree_sitter.Node, context: FunctionContext) -> FunctionBody:
    """Walk one def's body again, as `build_module` would inside the whole file, with the names
    it can see taken from `context`; reads of module names are bound here (REF edges)."""
    walker = _Walker(b)
    walker.max_depth = _max_depth()
    walker.member_writes = []
    module_scope = Scope(-1, -1, names=dict(context.module_names))
    parent = Scope(-1, -1, parent=module_scope, is_class=True) if context.in_class else module_scope
    owner = None
    if context.owner is not None:
        owner = _Ctx(scope=parent, qualname=context.qualname.rpartition(".")[0], method=-1,
                     module_scope=module_scope, is_class=True, type_decl=context.owner,
                     members=dict(context.members))
    scope = Scope(context.method, -1, parent=parent, names=dict(context.params))
    ctx = _Ctx(scope=scope, qualname=context.qualname, method=context.method, module_scope=module_scope,
               owner=owner, self_name=context.self_name)
    body_ts = definition.child_by_field_name("body")
    block = b.add(NodeKind.BLOCK, body_ts)
    scope.block = block
    walker.ctx = ctx
    stmts = walker.stray_errors(definition) + (walker.statements(body_ts) if body_ts is not None else [])
    b.children(block, stmts)
    b.close(scope)
    b.close(module_scope)  # the module's names were all declared: what is left stays unbound
    return FunctionBody(block, ctx.generator, walker.member_writes)


def stored_annotation(text: str, node_type: str) -> str:
    """An annotation as the graph stores it: a multi-line or double-spaced text collapsed."""
    return " ".join(text.split()) if "\n" in text or "  " in text else text


@dataclass
class _Ctx:
    """What the walk needs to know about the innermost function, lambda, class body or module."""

    scope: Scope
    qualname: str  #: dotted path of enclosing classes/functions ("" at module level)
    method: int  #: METHOD whose lambdas hang under it (class bodies: the enclosing method)
    module_scope: Scope
    is_class: bool = False
    type_decl: int | None = None  #: class bodies: the TYPE_DECL receiving MEMBERs
    members: dict[str, int] = field(default_factory=dict)  #: class bodies: name -> MEMBER
    owner: "_Ctx | None" = None  #: methods: the class body context they are defined in
    self_name: str | None = None  #: methods: name of the first parameter (self / cls)
    generator: bool = False  #: a yield was seen directly in this function
    lambdas: int = 0  #: lambdas numbered so far in this function / class / module


def _max_depth() -> int:
    """Nesting levels the recursive walk may use from here without hitting the recursion limit."""
    frame, used = sys._getframe(), 0
    while frame is not None:
        used += 1
        frame = frame.f_back
    return max(16, min(MAX_DEPTH, (sys.getrecursionlimit() - used - 60) // _FRAMES_PER_LEVEL))


def callee_key(text: str) -> str:
    """Decorator / base text without call arguments or subscripts: "dataclass(frozen=True)" -> "dataclass"."""
    for stop in ("(", "["):
        cut = text.find(stop)
        if cut >= 0:
            text = text[:cut]
    return "".join(text.split())


class _Walker:
    """One file's walk; handlers return node ids, statements append theirs to an output list."""

    def __init__(self, b: AstBuilder) -> None:
        self.b = b
        self.data = b.data
        self.relpath = b.relpath
        self.depth = 0
        self.max_depth = MAX_DEPTH
        self.comprehensions = 0  #: > 0 while walking a comprehension (its targets are no MEMBERs)
        self.global_names: dict[int, set[str]] = {}  #: id(function Scope) -> names declared `global`
        self.member_writes: list[tuple[int | None, str, str | None]] | None = None  #: MEMBER writes, when asked for
        self.ctx: _Ctx = None  # type: ignore[assignment]  # set by module()

    # ================================================================= helpers
    def text(self, ts: tree_sitter.Node) -> str:
        return self.data[ts.start_byte : ts.end_byte].decode("utf-8", errors="replace")

    def annotation(self, ts: tree_sitter.Node | None) -> str | None:
        """Annotation text as written, whitespace runs collapsed (multi-line annotations)."""
        return None if ts is None else stored_annotation(self.text(ts), ts.type)

    def unknown(self, ts: tree_sitter.Node, why: str) -> int:
        uid = self.b.unknown(ts)
        self.b.set(uid, NAME=why)
        return uid

    @staticmethod
    def kids(ts: tree_sitter.Node) -> list[tree_sitter.Node]:
        """Named children without comments / line continuations."""
        return [c for c in ts.named_children if c.type not in _EXTRAS]

    def full_name(self, name: str) -> str:
        q = self.ctx.qualname
        return f"{self.relpath}:{q}.{name}" if q else f"{self.relpath}:{name}"

    def qual(self, name: str) -> str:
        q = self.ctx.qualname
        return f"{q}.{name}" if q else name

    def bind(self, ts: tree_sitter.Node, name: str, type_full_name: str | None = None) -> None:
        """Declare a written name in the current scope (or the module for `global`)."""
        scope = self.ctx.scope
        if name in scope.outer_names:
            if name in self.global_names.get(id(scope), ()):  # global: the LOCAL lives in the module
                self.b.declare(self.ctx.module_scope, name, ts, type_full_name)
            return
        self.b.declare(scope, name, ts, type_full_name)
        ctx = self.ctx
        if ctx.is_class and ctx.type_decl is not None and not self.comprehensions:
            self.add_member(ctx, ts, name, type_full_name)

    def add_member(self, cls: _Ctx, ts: tree_sitter.Node, name: str, type_full_name: str | None) -> None:
        if self.member_writes is not None:
            self.member_writes.append((cls.type_decl, name, type_full_name))
        existing = cls.members.get(name)
        if existing is None:
            mid = self.b.member(ts, name, type_full_name, code=name)
            self.b.child(cls.type_decl, mid)  # type: ignore[arg-type]
            cls.members[name] = mid
        elif type_full_name and self.b.get(existing, Prop.TYPE_FULL_NAME) is None:
            self.b.set(existing, TYPE_FULL_NAME=type_full_name)

    def read(self, ts: tree_sitter.Node) -> int:
        return self.b.identifier(ts, scope=self.ctx.scope)

    # ================================================================= module / blocks
    def module(self, root: tree_sitter.Node, namespace_block: int) -> int:
        b = self.b
        self.max_depth = _max_depth()
        method = b.method(root, MODULE_METHOD_NAME, f"{self.relpath}:{MODULE_METHOD_NAME}", code=MODULE_METHOD_NAME)
        b.child(namespace_block, method)
        block = b.add(NodeKind.BLOCK, root)
        b.child(method, block)
        b.child(method, b.method_return(None, None))
        scope = Scope(method, block)
        self.ctx = _Ctx(scope=scope, qualname="", method=method, module_scope=scope)
        b.children(block, self.statements(root))
        b.close(scope)
        return method

    def statements(self, ts: tree_sitter.Node) -> list[int]:
        """The nodes of the statements directly under `ts` (a block, the module, an ERROR)."""
        out: list[int] = []
        for child in ts.named_children:
            if child.type not in _EXTRAS:
                self.stmt(child, out)
        return out

    def block(self, ts: tree_sitter.Node | None) -> int:
        """A BLOCK for a `block` node (or an empty BLOCK when the parser lost it)."""
        if ts is None:
            return self.b.block(None)
        if ts.type != "block":  # `if x: pass` bodies are always blocks; be lenient on errors
            out: list[int] = []
            self.stmt(ts, out)
            return self.b.block(ts, out)
        return self.b.block(ts, self.statements(ts))

    def stray_errors(self, definition: tree_sitter.Node | None) -> list[int]:
        """What parses inside ERROR nodes between a def/class header and its body (an unclosed
        call in the first statement puts the whole body there)."""
        out: list[int] = []
        if definition is not None:
            for child in definition.children:
                if child.type == "ERROR":
                    self.s_error(child, out)
        return out

    def clause_block(self, clause: tree_sitter.Node | None) -> int | None:
        """The BLOCK of an else/finally clause (its `body` field or its block child)."""
        if clause is None:
            return None
        body = clause.child_by_field_name("body")
        if body is None:
            body = next((c for c in clause.named_children if c.type == "block"), None)
        return self.block(body)

    # ================================================================= statements
    def stmt(self, ts: tree_sitter.Node, out: list[int]) -> None:
        """Append the node(s) of one statement to `out` (some statements produce none)."""
        handler = self._STMT.get(ts.type)
        if self.depth >= self.max_depth:
            out.append(self.unknown(ts, "<too deep>"))
            return
        self.depth += 1
        try:
            if handler is not None:
                handler(self, ts, out)
            elif ts.type in self._EXPR:
                out.append(self.expr(ts))
            else:
                out.append(self.unknown(ts, "<unsupported>"))
        finally:
            self.depth -= 1

    def s_expression(self, ts: tree_sitter.Node, out: list[int]) -> None:
        kids = self.kids(ts)
        if len(kids) == 1:
            only = kids[0]
            if only.type == "assignment":
                node = self.assignment(only)
                if node is not None:
                    out.append(node)
                return
            out.append(self.expr(only))
        elif kids:  # `a, b` as a statement
            out.append(self.b.operator(ts, Op.TUPLE_LITERAL, *[self.expr(k) for k in kids]))

    def s_error(self, ts: tree_sitter.Node, out: list[int]) -> None:
        """Keep what parses inside an ERROR: its named children as statements."""
        before = len(out)
        for child in ts.named_children:
            if child.type in _EXTRAS:
                continue
            if child.type in self._STMT or child.type in self._EXPR:
                self.stmt(child, out)
        if len(out) == before:
            out.append(self.unknown(ts, "<error>"))

    def s_block(self, ts: tree_sitter.Node, out: list[int]) -> None:
        out.append(self.block(ts))

    def s_pass(self, ts: tree_sitter.Node, out: list[int]) -> None:
        return None

    def s_if(self, ts: tree_sitter.Node, out: list[int]) -> None:
        b = self.b
        alternatives = ts.children_by_field_name("alternative")
        cond = self.expr_or_unknown(ts.child_by_field_name("condition"), ts)
        then = self.block(ts.child_by_field_name("consequence"))
        # an elif chain is nested IFs; they are wired from the last one inward, without
        # recursion (thousands of elifs stay flat on the Python stack)
        built: list[tuple[tree_sitter.Node, int, int]] = []
        else_node: int | None = None
        for alt in alternatives:
            if alt.type == "elif_clause":
                c = self.expr_or_unknown(alt.child_by_field_name("condition"), alt)
                built.append((alt, c, self.block(alt.child_by_field_name("consequence"))))
            elif alt.type == "else_clause":
                else_node = self.clause_block(alt)
        for alt, c, blk in reversed(built):
            else_node = b.control(alt, Control.IF, [c, blk, else_node])
        out.append(b.control(ts, Control.IF, [cond, then, else_node]))

    def s_while(self, ts: tree_sitter.Node, out: list[int]) -> None:
        cond = self.expr_or_unknown(ts.child_by_field_name("condition"), ts)
        body = self.block(ts.child_by_field_name("body"))
        else_ = self.clause_block(ts.child_by_field_name("alternative"))
        out.append(self.b.control(ts, Control.WHILE, [cond, body, else_]))

    def s_for(self, ts: tree_sitter.Node, out: list[int]) -> None:
        iterable = self.expr_or_unknown(ts.child_by_field_name("right"), ts)
        left = ts.child_by_field_name("left")
        target = self.target(left) if left is not None else self.unknown(ts, "<error>")
        body = self.block(ts.child_by_field_name("body"))
        else_ = self.clause_block(ts.child_by_field_name("alternative"))
        node = self.b.control(ts, Control.FOR_EACH, [iterable, target, body, else_])
        if ts.children and ts.children[0].type == "async":
            self.b.set(node, MODIFIERS=("async",))
        out.append(node)

    def s_try(self, ts: tree_sitter.Node, out: list[int]) -> None:
        b = self.b
        kids: list[int | None] = [self.block(ts.child_by_field_name("body"))]
        for clause in ts.named_children:
            kind = clause.type
            if kind in ("except_clause", "except_group_clause"):
                kids.append(self.catch(clause))
            elif kind == "else_clause":
                kids.append(b.control(clause, Control.ELSE, [self.clause_block(clause)]))
            elif kind == "finally_clause":
                kids.append(b.control(clause, Control.FINALLY, [self.clause_block(clause)]))
        out.append(b.control(ts, Control.TRY, kids))

    def catch(self, clause: tree_sitter.Node) -> int:
        kids: list[int | None] = []
        body: tree_sitter.Node | None = None
        star = False
        for child in clause.children:
            kind = child.type
            if kind == "*":
                star = True
            elif kind == "block":
                body = child
            elif not child.is_named or kind in _EXTRAS:
                continue
            elif kind == "as_pattern":  # except E as e
                parts = self.kids(child)
                if parts:
                    kids.append(self.expr(parts[0]))
                alias = child.child_by_field_name("alias")
                if alias is not None:
                    kids.append(self.target(alias))
            elif kids and child.type == "identifier":  # Python 2: except E, e
                kids.append(self.target(child))
            else:
                kids.append(self.expr(child))
        kids.append(self.block(body))
        node = self.b.control(clause, Control.CATCH, kids)
        if star:
            self.b.set(node, MODIFIERS=("group",))
        return node

    def s_with(self, ts: tree_sitter.Node, out: list[int]) -> None:
        kids: list[int | None] = []
        for child in ts.named_children:
            if child.type == "with_clause":
                for item in child.named_children:
                    if item.type == "with_item":
                        kids.append(self.with_item(item))
                    elif item.type not in _EXTRAS:
                        kids.append(self.expr(item))
        kids.append(self.block(ts.child_by_field_name("body")))
        node = self.b.control(ts, Control.WITH, kids)
        if ts.children and ts.children[0].type == "async":
            self.b.set(node, MODIFIERS=("async",))
        out.append(node)

    def with_item(self, item: tree_sitter.Node) -> int:
        value = item.child_by_field_name("value")
        while value is not None and value.type == "parenthesized_expression" and len(self.kids(value)) == 1:
            value = self.kids(value)[0]  # with (open(p) as f): ...
        if value is None:
            return self.unknown(item, "<error>")
        if value.type == "as_pattern":  # `with open(p) as f` -> f = open(p)
            parts = self.kids(value)
            alias = value.child_by_field_name("alias")
            rhs = self.expr(parts[0]) if parts else self.unknown(value, "<error>")
            if alias is None:
                return rhs
            return self.b.assignment(value, self.target(alias), rhs)
        return self.expr(value)

    def s_match(self, ts: tree_sitter.Node, out: list[int]) -> None:
        b = self.b
        subjects = ts.children_by_field_name("subject")
        if len(subjects) == 1:
            subject = self.expr(subjects[0])
        elif subjects:
            subject = b.operator(ts, Op.TUPLE_LITERAL, *[self.expr(s) for s in subjects])
        else:
            subject = self.unknown(ts, "<error>")
        kids: list[int | None] = [subject]
        body = ts.child_by_field_name("body")
        for case in (body.named_children if body is not None else ()):
            if case.type == "case_clause":
                kids.append(self.case(case))
        out.append(b.control(ts, Control.MATCH, kids))

    def case(self, clause: tree_sitter.Node) -> int:
        kids: list[int | None] = []
        patterns = [c for c in clause.named_children if c.type == "case_pattern"]
        if len(patterns) > 1:  # case a, b:  -> a tuple pattern
            kids.append(self.b.operator(clause, Op.TUPLE_LITERAL, *[self.pattern(p) for p in patterns]))
        elif patterns and self.kids(patterns[0]):  # a bare `case _:` has no pattern
            kids.append(self.pattern(patterns[0]))
        guard = clause.child_by_field_name("guard")
        if guard is not None:
            inner = self.kids(guard)
            kids.append(self.expr(inner[0]) if inner else self.unknown(guard, "<error>"))
        kids.append(self.block(clause.child_by_field_name("consequence")))
        return self.b.control(clause, Control.CASE, kids)

    def s_return(self, ts: tree_sitter.Node, out: list[int]) -> None:
        kids = self.kids(ts)
        out.append(self.b.ret(ts, self.expr(kids[0]) if kids else None))

    def s_raise(self, ts: tree_sitter.Node, out: list[int]) -> None:
        out.append(self.b.control(ts, Control.THROW, [self.expr(k) for k in self.kids(ts)]))

    def s_break(self, ts: tree_sitter.Node, out: list[int]) -> None:
        out.append(self.b.control(ts, Control.BREAK))

    def s_continue(self, ts: tree_sitter.Node, out: list[int]) -> None:
        out.append(self.b.control(ts, Control.CONTINUE))

    def s_delete(self, ts: tree_sitter.Node, out: list[int]) -> None:
        args: list[int] = []
        for k in self.kids(ts):
            if k.type == "expression_list":
                args.extend(self.expr(e) for e in self.kids(k))
            else:
                args.append(self.expr(k))
        out.append(self.b.operator(ts, Op.DELETE, *args))

    def s_assert(self, ts: tree_sitter.Node, out: list[int]) -> None:
        out.append(self.b.call(ts, "assert", _ASSERT, [self.expr(k) for k in self.kids(ts)]))

    def s_global(self, ts: tree_sitter.Node, out: list[int]) -> None:
        scope = self.ctx.scope
        if scope is self.ctx.module_scope:  # `global x` at module level changes nothing
            return
        for k in self.kids(ts):
            if k.type == "identifier":
                name = self.text(k)
                scope.outer_names.add(name)
                if ts.type == "global_statement":
                    self.global_names.setdefault(id(scope), set()).add(name)

    def s_import(self, ts: tree_sitter.Node, out: list[int]) -> None:
        for name in ts.children_by_field_name("name"):
            if name.type == "aliased_import":
                dotted = name.child_by_field_name("name")
                alias = name.child_by_field_name("alias")
                entity = self.dotted(dotted) if dotted is not None else self.text(name)
                bound = self.text(alias) if alias is not None else entity.split(".")[0]
            else:
                entity = self.dotted(name)
                bound = entity.split(".")[0]
            out.append(self.import_node(name, entity, bound))

    def s_import_from(self, ts: tree_sitter.Node, out: list[int]) -> None:
        module = ts.child_by_field_name("module_name")
        if ts.type == "future_import_statement":
            prefix = "__future__"
        elif module is None:
            out.append(self.unknown(ts, "<error>"))
            return
        elif module.type == "relative_import":
            prefix = "".join(self.dotted(c) if c.type == "dotted_name" else self.text(c)
                             for c in module.named_children)
        else:
            prefix = self.dotted(module)
        sep = "" if prefix.endswith(".") else "."
        for child in ts.named_children:
            if child == module:
                continue
            if child.type == "wildcard_import":
                out.append(self.b.add(NodeKind.IMPORT, child, IMPORTED_ENTITY=f"{prefix}{sep}*", IMPORTED_AS="*"))
                continue
            if child.type == "aliased_import":
                dotted = child.child_by_field_name("name")
                alias = child.child_by_field_name("alias")
                name = self.dotted(dotted) if dotted is not None else self.text(child)
                bound = self.text(alias) if alias is not None else name
            elif child.type == "dotted_name":
                name = bound = self.dotted(child)
            else:
                continue
            out.append(self.import_node(child, f"{prefix}{sep}{name}", bound))

    def dotted(self, ts: tree_sitter.Node) -> str:
        """`os . path` -> "os.path" (no whitespace, whatever the source had)."""
        return ".".join(self.text(c) for c in ts.named_children if c.type == "identifier") or self.text(ts)

    def import_node(self, ts: tree_sitter.Node, entity: str, bound: str) -> int:
        node = self.b.add(NodeKind.IMPORT, ts, IMPORTED_ENTITY=entity, IMPORTED_AS=bound)
        self.bind(ts, bound)
        return node

    def s_decorated(self, ts: tree_sitter.Node, out: list[int]) -> None:
        decorators = []
        for d in ts.named_children:
            if d.type == "decorator":
                inner = self.kids(d)
                decorators.append(" ".join(self.text(inner[0]).split()) if inner else self.text(d)[1:].strip())
        definition = ts.child_by_field_name("definition")
        if definition is None:
            out.append(self.unknown(ts, "<error>"))
        elif definition.type == "class_definition":
            out.append(self.class_def(definition, tuple(decorators)))
        elif definition.type == "function_definition":
            out.append(self.function_def(definition, tuple(decorators)))
        else:
            self.stmt(definition, out)

    def s_function(self, ts: tree_sitter.Node, out: list[int]) -> None:
        out.append(self.function_def(ts, ()))

    def s_class(self, ts: tree_sitter.Node, out: list[int]) -> None:
        out.append(self.class_def(ts, ()))

    def s_type_alias(self, ts: tree_sitter.Node, out: list[int]) -> None:
        left, right = ts.child_by_field_name("left"), ts.child_by_field_name("right")
        if left is None:
            out.append(self.unknown(ts, "<error>"))
            return
        name_ts = next((c for c in left.named_children if c.type == "identifier"), left)
        name = self.text(name_ts)
        node = self.b.type_decl(ts, name, self.full_name(name), MODIFIERS=("alias",),
                                ALIAS_TYPE_FULL_NAME=self.annotation(right))
        self.bind(name_ts, name)
        out.append(node)

    def s_print(self, ts: tree_sitter.Node, out: list[int]) -> None:
        """Python 2 `print x, y` / `print >> f, x` / `exec code in g`: a call of print / exec."""
        name = ts.children[0].type if ts.children else "print"
        args: list[int | tuple[str, int]] = []
        for k in self.kids(ts):
            if k.type == "chevron":
                inner = self.kids(k)
                if inner:
                    args.append(("file", self.expr(inner[0])))
            else:
                args.append(self.expr(k))
        out.append(self.b.call(ts, name, UNRESOLVED_PREFIX + name, args))

    # ================================================================= definitions
    def function_def(self, ts: tree_sitter.Node, decorators: tuple[str, ...]) -> int:
        b = self.b
        outer = self.ctx
        name_ts = ts.child_by_field_name("name")
        name = self.text(name_ts) if name_ts is not None else "<error>"
        keys = {callee_key(d) for d in decorators}
        modifiers: list[str] = []
        if ts.children and ts.children[0].type == "async":
            modifiers.append("async")
        in_class = outer.is_class and outer.type_decl is not None
        if in_class:
            modifiers.append("method")
        if "staticmethod" in keys:
            modifiers.append("staticmethod")
        if "classmethod" in keys:
            modifiers.append("classmethod")
        if keys & _PROPERTY_DECORATORS or any(k.endswith((".setter", ".getter", ".deleter")) for k in keys):
            modifiers.append("property")
        if keys & _ABSTRACT_DECORATORS:
            modifiers.append("abstract")
        method = b.method(ts, name, self.full_name(name), DECORATORS=decorators or None)
        if name_ts is not None and in_class:  # a method is not a MEMBER
            b.declare(outer.scope, name, name_ts)
        elif name_ts is not None:
            self.bind(name_ts, name)
        params_ts = ts.child_by_field_name("parameters")
        ctx = self.enter_function(method, name, outer)
        first = self.parameters(method, params_ts, ctx, outer)
        if in_class and first is not None and "staticmethod" not in keys:
            ctx.owner, ctx.self_name = outer, first
        returns = ts.child_by_field_name("return_type")
        body_ts = ts.child_by_field_name("body")
        self.function_body(method, ctx, body_ts, returns if returns is not None else params_ts, returns)
        if ctx.generator:
            modifiers.insert(1 if modifiers[:1] == ["async"] else 0, "generator")
        if modifiers:
            b.set(method, MODIFIERS=tuple(modifiers))
        return method

    def enter_function(self, method: int, name: str, outer: _Ctx) -> _Ctx:
        scope = Scope(method, -1, parent=outer.scope)  # block set by function_body
        return _Ctx(scope=scope, qualname=self.qual(name), method=method, module_scope=outer.module_scope)

    def parameters(self, method: int, params: tree_sitter.Node | None, ctx: _Ctx, outer: _Ctx) -> str | None:
        """METHOD_PARAMETER_IN children; defaults are walked in the enclosing scope. Returns the first name."""
        if params is None:
            return None
        b = self.b
        index = 0
        first: str | None = None
        for p in params.named_children:
            kind = p.type
            if kind in ("keyword_separator", "positional_separator") or kind in _EXTRAS:
                continue
            name_ts: tree_sitter.Node | None = p
            type_ts = default_ts = None
            variadic = keyword_variadic = False
            if kind in ("default_parameter", "typed_default_parameter"):
                name_ts = p.child_by_field_name("name")
                type_ts = p.child_by_field_name("type")
                default_ts = p.child_by_field_name("value")
            elif kind == "typed_parameter":
                type_ts = p.child_by_field_name("type")
                name_ts = next((c for c in p.named_children if c is not type_ts and c.type != "type"), None)
            if name_ts is not None and name_ts.type == "list_splat_pattern":
                variadic = True
                name_ts = next(iter(name_ts.named_children), name_ts)
            elif name_ts is not None and name_ts.type == "dictionary_splat_pattern":
                keyword_variadic = True
                name_ts = next(iter(name_ts.named_children), name_ts)
            if name_ts is None:
                name_ts = p
            name = self.text(name_ts) if name_ts.type == "identifier" else ""
            param = b.parameter(name_ts, name, index, ctx.scope, code=self.text(p),
                                TYPE_FULL_NAME=self.annotation(type_ts),
                                DEFAULT_VALUE=self.text(default_ts) if default_ts is not None else None,
                                IS_VARIADIC=True if variadic else None,
                                IS_KEYWORD_VARIADIC=True if keyword_variadic else None)
            b.child(method, param)
            if default_ts is not None:  # evaluated where the def is, in the enclosing scope
                saved, self.ctx = self.ctx, outer
                try:
                    b.child(param, self.expr(default_ts))
                finally:
                    self.ctx = saved
            if index == 0:
                first = name or None
            index += 1
        return first

    def function_body(self, method: int, ctx: _Ctx, body_ts: tree_sitter.Node | None,
                      ret_pos: tree_sitter.Node | None, returns: tree_sitter.Node | None) -> None:
        """BLOCK and METHOD_RETURN of a def; statements are added after the LOCALs."""
        b = self.b
        block = b.add(NodeKind.BLOCK, body_ts)
        ctx.scope.block = block
        b.child(method, block)
        b.child(method, b.method_return(ret_pos, self.annotation(returns)))
        saved, self.ctx = self.ctx, ctx
        try:
            stmts = self.stray_errors(body_ts.parent if body_ts is not None else None)
            stmts += self.statements(body_ts) if body_ts is not None else []
        finally:
            self.ctx = saved
        b.children(block, stmts)
        b.close(ctx.scope)

    def class_def(self, ts: tree_sitter.Node, decorators: tuple[str, ...]) -> int:
        b = self.b
        outer = self.ctx
        name_ts = ts.child_by_field_name("name")
        name = self.text(name_ts) if name_ts is not None else "<error>"
        bases: list[str] = []
        keywords: dict[str, str] = {}
        supers = ts.child_by_field_name("superclasses")
        for arg in (self.kids(supers) if supers is not None else ()):
            if arg.type == "keyword_argument":
                k, v = arg.child_by_field_name("name"), arg.child_by_field_name("value")
                if k is not None and v is not None:
                    keywords[self.text(k)] = self.text(v)
            else:
                bases.append(" ".join(self.text(arg).split()))
        modifiers = ["class"]
        keys = {callee_key(d) for d in decorators}
        base_keys = {callee_key(x).rsplit(".", 1)[-1] for x in bases}
        if keys & _DATACLASS_DECORATORS:
            modifiers.append("dataclass")
        if base_keys & _ENUM_BASES:
            modifiers.append("enum")
        if "TypedDict" in base_keys:
            modifiers.append("typeddict")
        if "Protocol" in base_keys:
            modifiers.append("protocol")
        if "NamedTuple" in base_keys or "namedtuple" in base_keys:
            modifiers.append("namedtuple")
        if "ABC" in base_keys or callee_key(keywords.get("metaclass", "")).rsplit(".", 1)[-1] == "ABCMeta":
            modifiers.append("abstract")
        decl = b.type_decl(ts, name, self.full_name(name), MODIFIERS=tuple(modifiers),
                           INHERITS_FROM_TYPE_FULL_NAME=tuple(bases), DECORATORS=decorators or None)
        if name_ts is not None and outer.is_class:  # a nested class is not a MEMBER
            b.declare(outer.scope, name, name_ts)
        elif name_ts is not None:
            self.bind(name_ts, name)
        body_ts = ts.child_by_field_name("body")
        block = b.add(NodeKind.BLOCK, body_ts)
        scope = Scope(outer.scope.method, block, parent=outer.scope, is_class=True)
        ctx = _Ctx(scope=scope, qualname=self.qual(name), method=outer.method,
                   module_scope=outer.module_scope, is_class=True, type_decl=decl)
        saved, self.ctx = self.ctx, ctx
        try:
            stmts = self.stray_errors(ts) + (self.statements(body_ts) if body_ts is not None else [])
        finally:
            self.ctx = saved
        b.children(block, stmts)
        b.child(decl, block)
        b.close(scope)
        return decl

    # ================================================================= assignments and targets
    def assignment(self, ts: tree_sitter.Node) -> int | None:
        """`x = v`, `x: T = v`, `a = b = v` (nested), `x: T` (declaration only: returns None)."""
        left, right = ts.child_by_field_name("left"), ts.child_by_field_name("right")
        annotation = self.annotation(ts.child_by_field_name("type"))
        if left is None:
            return self.expr(right) if right is not None else self.unknown(ts, "<error>")
        if right is None:
            if annotation is not None:
                self.declare_only(left, annotation)
                return None
            return self.expr(left)
        value = self.assignment(right) if right.type == "assignment" else self.expr(right)
        if value is None:
            value = self.unknown(right, "<error>")
        target = self.target(left, annotation)
        return self.b.assignment(ts, target, value)

    def declare_only(self, left: tree_sitter.Node, annotation: str) -> None:
        """`x: int` / `self.x: int`: a typed LOCAL or MEMBER, no assignment node."""
        if left.type == "identifier":
            self.bind(left, self.text(left), annotation)
        elif left.type == "attribute":
            self.self_member(left, annotation)

    def augmented(self, ts: tree_sitter.Node) -> int:
        left, right = ts.child_by_field_name("left"), ts.child_by_field_name("right")
        op_ts = ts.child_by_field_name("operator")
        op = op_ts.type[:-1] if op_ts is not None else "+"
        name = Op.augmented(op) if op in Op.BINARY else Op.AUGMENTED_PREFIX
        value = self.expr(right) if right is not None else self.unknown(ts, "<error>")
        if left is None:
            return value
        if left.type == "identifier":  # read and written: the REF is resolved like any use
            ident = self.text(left)
            self.bind(left, ident)
            target = self.b.identifier(left, ident, scope=self.ctx.scope, write=True)
        else:
            target = self.expr(left)
        return self.b.assignment(ts, target, value, name)

    def target(self, ts: tree_sitter.Node, annotation: str | None = None) -> int:
        """An assignment / loop / `as` target: written identifiers (declared), patterns, fields."""
        if self.depth >= self.max_depth:
            return self.unknown(ts, "<too deep>")
        self.depth += 1
        try:
            b = self.b
            kind = ts.type
            if kind == "identifier":
                if ts.is_missing:
                    return self.unknown(ts, "<error>")
                name = self.text(ts)
                self.bind(ts, name, annotation)
                return b.identifier(ts, name, scope=self.ctx.scope, write=True)
            if kind in ("pattern_list", "tuple_pattern", "tuple", "expression_list"):
                return b.operator(ts, Op.TUPLE_LITERAL, *[self.target(k) for k in self.kids(ts)])
            if kind in ("list_pattern", "list"):
                return b.operator(ts, Op.LIST_LITERAL, *[self.target(k) for k in self.kids(ts)])
            if kind in ("list_splat_pattern", "list_splat"):
                inner = self.kids(ts)
                return b.operator(ts, Op.STARRED, *[self.target(k) for k in inner[:1]])
            if kind in ("parenthesized_expression", "as_pattern_target"):
                inner = self.kids(ts)
                return self.target(inner[0]) if len(inner) == 1 else self.unknown(ts, "<error>")
            if kind == "attribute":
                self.self_member(ts, annotation)
            node = self.expr(ts)
            b.mark_write(node)
            return node
        finally:
            self.depth -= 1

    def self_member(self, ts: tree_sitter.Node, annotation: str | None) -> None:
        """`self.NAME` written in a method: a MEMBER of the method's class (first occurrence)."""
        ctx = self.ctx
        if ctx.owner is None or ctx.self_name is None:
            return
        obj, attr = ts.child_by_field_name("object"), ts.child_by_field_name("attribute")
        if obj is not None and attr is not None and obj.type == "identifier" and self.text(obj) == ctx.self_name:
            self.add_member(ctx.owner, ts, self.text(attr), annotation)

    # ================================================================= expressions
    def expr_or_unknown(self, ts: tree_sitter.Node | None, parent: tree_sitter.Node) -> int:
        return self.expr(ts) if ts is not None else self.unknown(parent, "<error>")

    def expr(self, ts: tree_sitter.Node) -> int:
        """The node of one expression (an UNKNOWN when it cannot be modelled)."""
        while ts.type == "parenthesized_expression":  # iterative: ((((x)))) can be very deep
            inner = self.kids(ts)
            if len(inner) != 1:
                break
            ts = inner[0]
        handler = self._EXPR.get(ts.type)
        if handler is None:
            return self.unknown(ts, "<error>" if ts.type == "ERROR" else "<unsupported>")
        if self.depth >= self.max_depth:
            return self.unknown(ts, "<too deep>")
        self.depth += 1
        try:
            node = handler(self, ts)
        finally:
            self.depth -= 1
        return node if node is not None else self.unknown(ts, "<unsupported>")

    def e_identifier(self, ts: tree_sitter.Node) -> int:
        return self.b.identifier(ts, scope=self.ctx.scope)

    def e_integer(self, ts: tree_sitter.Node) -> int:
        return self.b.literal(ts, "complex" if self.data[ts.end_byte - 1 : ts.end_byte] in (b"j", b"J") else "int")

    def e_float(self, ts: tree_sitter.Node) -> int:
        return self.b.literal(ts, "complex" if self.data[ts.end_byte - 1 : ts.end_byte] in (b"j", b"J") else "float")

    def e_true(self, ts: tree_sitter.Node) -> int:
        return self.b.literal(ts, "bool")

    def e_none(self, ts: tree_sitter.Node) -> int:
        return self.b.literal(ts, "None")

    def e_ellipsis(self, ts: tree_sitter.Node) -> int:
        return self.b.literal(ts, "ellipsis")

    def e_string(self, ts: tree_sitter.Node) -> int:
        parts = ts.named_children if ts.type == "concatenated_string" else (ts,)
        formatted = False
        is_bytes = False
        for part in parts:
            start = part.children[0] if part.children else None
            if start is not None and start.type == "string_start":
                prefix = self.data[start.start_byte : start.end_byte].lower()
                formatted = formatted or b"f" in prefix or b"t" in prefix
                is_bytes = is_bytes or b"b" in prefix
        if not formatted:
            return self.b.literal(ts, "bytes" if is_bytes else "str")
        args: list[int] = []
        for part in parts:
            self.interpolations(part, args)
        return self.b.operator(ts, Op.FORMAT_STRING, *args)

    def interpolations(self, ts: tree_sitter.Node, args: list[int]) -> None:
        """The expressions of `{...}` parts, including those nested in format specifiers."""
        for child in ts.named_children:
            if child.type in ("interpolation", "format_expression"):
                expression = child.child_by_field_name("expression")
                if expression is not None:
                    args.append(self.expr(expression))
                spec = child.child_by_field_name("format_specifier")
                if spec is not None:
                    self.interpolations(spec, args)

    def e_sequence(self, ts: tree_sitter.Node) -> int:
        op = {"list": Op.LIST_LITERAL, "tuple": Op.TUPLE_LITERAL, "set": Op.SET_LITERAL,
              "expression_list": Op.TUPLE_LITERAL, "pattern_list": Op.TUPLE_LITERAL}[ts.type]
        return self.b.operator(ts, op, *[self.element(k) for k in self.kids(ts)])

    def element(self, ts: tree_sitter.Node) -> int:
        """A list/tuple/set element or call argument: `*x` is a spread."""
        if ts.type in ("list_splat", "parenthesized_list_splat"):
            inner = self.kids(ts)
            return self.b.operator(ts, Op.SPREAD, *[self.expr(k) for k in inner[:1]])
        if ts.type == "dictionary_splat":
            inner = self.kids(ts)
            return self.b.operator(ts, Op.DOUBLE_SPREAD, *[self.expr(k) for k in inner[:1]])
        return self.expr(ts)

    def e_dict(self, ts: tree_sitter.Node) -> int:
        return self.b.operator(ts, Op.DICT_LITERAL, *[self.pair(k) for k in self.kids(ts)])

    def pair(self, ts: tree_sitter.Node) -> int:
        if ts.type == "pair":
            key, value = ts.child_by_field_name("key"), ts.child_by_field_name("value")
            return self.b.operator(ts, Op.KEY_VALUE, self.expr_or_unknown(key, ts), self.expr_or_unknown(value, ts))
        return self.element(ts)

    def e_attribute(self, ts: tree_sitter.Node) -> int:
        obj, attr = ts.child_by_field_name("object"), ts.child_by_field_name("attribute")
        if attr is None:
            return self.unknown(ts, "<error>")
        return self.b.field_access(ts, self.expr_or_unknown(obj, ts), attr, self.text(attr))

    def e_subscript(self, ts: tree_sitter.Node) -> int:
        value = self.expr_or_unknown(ts.child_by_field_name("value"), ts)
        subs = [s for s in ts.children_by_field_name("subscript") if s.type not in _EXTRAS]
        if len(subs) == 1:
            index = self.expr(subs[0])
        else:
            index = self.b.operator(ts, Op.TUPLE_LITERAL, *[self.expr(s) for s in subs])
        return self.b.operator(ts, Op.INDEX_ACCESS, value, index)

    def e_slice(self, ts: tree_sitter.Node) -> int:
        names = iter(("lower", "upper", "step"))
        current = next(names)
        args: list[int | tuple[str, int]] = []
        for child in ts.children:
            if child.type == ":":
                current = next(names, "step")
            elif child.is_named and child.type not in _EXTRAS:
                args.append((current, self.expr(child)))
        return self.b.call(ts, Op.SLICE, Op.SLICE, args)

    def e_call(self, ts: tree_sitter.Node) -> int:
        b = self.b
        func = ts.child_by_field_name("function")
        arguments = ts.child_by_field_name("arguments")
        receiver: int | None = None
        while func is not None and func.type == "parenthesized_expression" and len(self.kids(func)) == 1:
            func = self.kids(func)[0]
        if func is None:
            name = "<error>"
        elif func.type == "identifier":
            name = self.text(func)
        elif func.type == "attribute" and func.child_by_field_name("attribute") is not None:
            name = self.text(func.child_by_field_name("attribute"))  # type: ignore[arg-type]
            receiver = self.expr_or_unknown(func.child_by_field_name("object"), func)
        else:
            name = " ".join(self.text(func).split())[:_CALLEE_NAME_LIMIT]
            receiver = self.expr(func)
        args: list[int | tuple[str, int]] = []
        if arguments is not None:
            if arguments.type == "generator_expression":  # f(x for x in y)
                args.append(self.expr(arguments))
            else:
                for arg in self.kids(arguments):
                    if arg.type == "keyword_argument":
                        k, v = arg.child_by_field_name("name"), arg.child_by_field_name("value")
                        value = self.expr_or_unknown(v, arg)
                        args.append((self.text(k), value) if k is not None else value)
                    else:
                        args.append(self.element(arg))
        return b.call(ts, name, UNRESOLVED_PREFIX + name, args, receiver=receiver)

    def e_binary(self, ts: tree_sitter.Node) -> int:
        """Binary and boolean operators; the left spine is walked iteratively (a+a+...+a is deep)."""
        spine: list[tree_sitter.Node] = []
        node: tree_sitter.Node | None = ts
        while node is not None and node.type in ("binary_operator", "boolean_operator"):
            spine.append(node)
            node = node.child_by_field_name("left")
        acc = self.expr(node) if node is not None else self.unknown(spine[-1], "<error>")
        for op_node in reversed(spine):
            op_ts = op_node.child_by_field_name("operator")
            op = op_ts.type if op_ts is not None else ""
            right = op_node.child_by_field_name("right")
            acc = self.b.operator(op_node, Op.BINARY.get(op, "<operator>.binary"), acc,
                                  self.expr_or_unknown(right, op_node))
        return acc

    def e_comparison(self, ts: tree_sitter.Node) -> int:
        b = self.b
        operands: list[tree_sitter.Node] = []
        ops: list[str] = []
        pending_op: list[str] = []
        for child in ts.children:
            if child.is_named and child.type not in _EXTRAS:
                if operands:
                    ops.append(" ".join(pending_op))
                pending_op = []
                operands.append(child)
            elif not child.is_named:
                pending_op.append(child.type)
        if len(operands) < 2:
            return self.expr(operands[0]) if operands else self.unknown(ts, "<error>")
        result: int | None = None
        left = self.expr(operands[0])
        for i, op in enumerate(ops):
            right_ts = operands[i + 1]
            right = self.expr(right_ts)
            start = operands[i].start_byte
            code = self.data[start : right_ts.end_byte].decode("utf-8", errors="replace")
            cmp = b.operator(ts, Op.BINARY.get(op, "<operator>.compare"), left, right, code=code)
            result = cmp if result is None else b.operator(ts, Op.LOGICAL_AND, result, cmp)
            if i + 1 < len(ops):  # the middle operand is used again by the next comparison
                left = self.expr(right_ts)
        return result  # type: ignore[return-value]

    def e_not(self, ts: tree_sitter.Node) -> int:
        arg = ts.child_by_field_name("argument")
        return self.b.operator(ts, Op.LOGICAL_NOT, self.expr_or_unknown(arg, ts))

    def e_unary(self, ts: tree_sitter.Node) -> int:
        op_ts, arg = ts.child_by_field_name("operator"), ts.child_by_field_name("argument")
        op = Op.UNARY.get(op_ts.type if op_ts is not None else "", "<operator>.unary")
        return self.b.operator(ts, op, self.expr_or_unknown(arg, ts))

    def e_conditional(self, ts: tree_sitter.Node) -> int:
        parts = self.kids(ts)
        if len(parts) != 3:
            return self.unknown(ts, "<error>")
        then, cond, else_ = parts
        c = self.expr(cond)
        return self.b.operator(ts, Op.CONDITIONAL, c, self.expr(then), self.expr(else_))

    def e_named(self, ts: tree_sitter.Node) -> int:
        name, value = ts.child_by_field_name("name"), ts.child_by_field_name("value")
        v = self.expr_or_unknown(value, ts)
        if name is None:
            return v
        return self.b.assignment(ts, self.target(name), v)

    def e_assignment(self, ts: tree_sitter.Node) -> int | None:
        return self.assignment(ts)

    def e_augmented(self, ts: tree_sitter.Node) -> int:
        return self.augmented(ts)

    def e_await(self, ts: tree_sitter.Node) -> int:
        return self.b.operator(ts, Op.AWAIT, *[self.expr(k) for k in self.kids(ts)[:1]])

    def e_yield(self, ts: tree_sitter.Node) -> int:
        self.ctx.generator = True
        op = Op.YIELD_FROM if any(c.type == "from" for c in ts.children) else Op.YIELD
        return self.b.operator(ts, op, *[self.expr(k) for k in self.kids(ts)[:1]])

    def e_keyword_argument(self, ts: tree_sitter.Node) -> int:  # only reached in broken code
        value = ts.child_by_field_name("value")
        return self.expr_or_unknown(value, ts)

    def e_lambda(self, ts: tree_sitter.Node) -> int:
        b = self.b
        outer = self.ctx
        name = f"<lambda>{outer.lambdas}"
        outer.lambdas += 1
        full = self.full_name(name)
        method = b.method(ts, name, full, MODIFIERS=("lambda",))
        b.child(outer.method, method)
        ctx = self.enter_function(method, name, outer)
        self.parameters(method, ts.child_by_field_name("parameters"), ctx, outer)
        body_ts = ts.child_by_field_name("body")
        block = b.add(NodeKind.BLOCK, body_ts if body_ts is not None else ts)
        ctx.scope.block = block
        b.child(method, block)
        b.child(method, b.method_return(None, None))
        saved, self.ctx = self.ctx, ctx
        try:
            value = self.expr(body_ts) if body_ts is not None else None
        finally:
            self.ctx = saved
        b.child(block, b.ret(body_ts if body_ts is not None else ts, value))
        if ctx.generator:
            b.set(method, MODIFIERS=("lambda", "generator"))
        b.close(ctx.scope)
        return b.add(NodeKind.METHOD_REF, ts, METHOD_FULL_NAME=full)

    def e_comprehension(self, ts: tree_sitter.Node) -> int:
        op = _COMPREHENSIONS[ts.type]
        body = ts.child_by_field_name("body")
        clauses = [c for c in ts.named_children if c.type in ("for_in_clause", "if_clause")]
        # targets are bound before the element is evaluated, so walk the clauses first and put
        # the element first among the children afterwards
        parts: list[int] = []
        self.comprehensions += 1
        try:
            self.comprehension_clauses(clauses, parts)
        finally:
            self.comprehensions -= 1
        element = self.pair(body) if body is not None else self.unknown(ts, "<error>")
        return self.b.operator(ts, op, element, *parts)

    def comprehension_clauses(self, clauses: list[tree_sitter.Node], parts: list[int]) -> None:
        for clause in clauses:
            if clause.type == "for_in_clause":
                right = clause.child_by_field_name("right")
                iterable = self.expr_or_unknown(right, clause)
                left = clause.child_by_field_name("left")
                parts.append(self.target(left) if left is not None else self.unknown(clause, "<error>"))
                parts.append(iterable)
            else:
                parts.extend(self.expr(k) for k in self.kids(clause)[:1])

    def e_unknown(self, ts: tree_sitter.Node) -> int:
        return self.unknown(ts, "<unsupported>")

    def e_error(self, ts: tree_sitter.Node) -> int:
        kids = [k for k in self.kids(ts) if k.type in self._EXPR]
        if len(kids) == 1 and kids[0].type != "ERROR":
            return self.expr(kids[0])
        return self.unknown(ts, "<error>")

    # ================================================================= pattern matching
    def pattern(self, ts: tree_sitter.Node) -> int:
        """A `match` pattern as an expression whose capture names are written identifiers."""
        if self.depth >= self.max_depth:
            return self.unknown(ts, "<too deep>")
        self.depth += 1
        try:
            return self._pattern(ts)
        finally:
            self.depth -= 1

    def _pattern(self, ts: tree_sitter.Node) -> int:
        b = self.b
        kind = ts.type
        kids = self.kids(ts)
        if kind == "case_pattern":
            if not kids:  # `_`
                return self.unknown(ts, "_")
            if len(kids) == 1:
                return self.pattern(kids[0])
            return b.operator(ts, Op.TUPLE_LITERAL, *[self.pattern(k) for k in kids])
        if kind == "identifier":
            return self.target(ts)
        if kind == "dotted_name":
            if len(kids) == 1:  # a bare name captures
                return self.target(kids[0])
            return self.expr(ts)  # Color.RED: a value (e_dotted_name)
        if kind in ("list_pattern", "tuple_pattern"):
            op = Op.LIST_LITERAL if kind == "list_pattern" else Op.TUPLE_LITERAL
            return b.operator(ts, op, *[self.pattern(k) for k in kids])
        if kind == "splat_pattern":
            op = Op.DOUBLE_SPREAD if ts.children and ts.children[0].type == "**" else Op.STARRED
            return b.operator(ts, op, *[self.target(k) for k in kids if k.type == "identifier"])
        if kind == "dict_pattern":
            items: list[int] = []
            key: int | None = None
            for i, child in enumerate(ts.children):
                if not child.is_named or child.type in _EXTRAS:
                    continue
                field_name = ts.field_name_for_child(i)
                if field_name == "key":
                    key = self.expr(child)
                elif field_name == "value" and key is not None:
                    items.append(b.operator(child, Op.KEY_VALUE, key, self.pattern(child)))
                    key = None
                else:
                    items.append(self.pattern(child))
            return b.operator(ts, Op.DICT_LITERAL, *items)
        if kind == "class_pattern":
            cls = kids[0] if kids and kids[0].type == "dotted_name" else None
            name = self.dotted(cls) if cls is not None else "<error>"
            args: list[int | tuple[str, int]] = []
            for k in kids[1:] if cls is not None else kids:
                inner = self.kids(k) if k.type == "case_pattern" else [k]
                if inner and inner[0].type == "keyword_pattern":
                    kw = self.kids(inner[0])
                    if len(kw) == 2:
                        args.append((self.text(kw[0]), self.pattern(kw[1])))
                        continue
                args.append(self.pattern(k))
            return b.call(ts, name, UNRESOLVED_PREFIX + name, args)
        if kind == "union_pattern":
            return b.operator(ts, Op.BINARY["|"], *[self.pattern(k) for k in kids])
        if kind == "as_pattern":
            if len(kids) == 2:
                value = self.pattern(kids[0])
                return b.assignment(ts, self.target(kids[1]), value)
            return self.unknown(ts, "<error>")
        if kind == "keyword_pattern" and len(kids) == 2:
            return self.pattern(kids[1])
        return self.expr(ts)  # literals, complex_pattern (1+2j), negative numbers, strings

    def e_dotted_name(self, ts: tree_sitter.Node) -> int:
        """`a.b.c` outside attribute syntax (value patterns): field accesses on a read of `a`."""
        parts = [c for c in ts.named_children if c.type == "identifier"]
        if not parts:
            return self.unknown(ts, "<error>")
        node = self.read(parts[0])
        for part in parts[1:]:
            code = self.data[ts.start_byte : part.end_byte].decode("utf-8", errors="replace")
            fid = self.b.add(NodeKind.FIELD_IDENTIFIER, part, NAME=self.text(part), code=self.text(part))
            node = self.b.operator(ts, Op.FIELD_ACCESS, node, fid, code=code)
        return node

    def e_complex_pattern(self, ts: tree_sitter.Node) -> int:
        return self.b.literal(ts, "complex")

    _STMT = {
        "expression_statement": s_expression,
        "ERROR": s_error,
        "block": s_block,
        "pass_statement": s_pass,
        "if_statement": s_if,
        "while_statement": s_while,
        "for_statement": s_for,
        "try_statement": s_try,
        "with_statement": s_with,
        "match_statement": s_match,
        "return_statement": s_return,
        "raise_statement": s_raise,
        "break_statement": s_break,
        "continue_statement": s_continue,
        "delete_statement": s_delete,
        "assert_statement": s_assert,
        "global_statement": s_global,
        "nonlocal_statement": s_global,
        "import_statement": s_import,
        "import_from_statement": s_import_from,
        "future_import_statement": s_import_from,
        "decorated_definition": s_decorated,
        "function_definition": s_function,
        "class_definition": s_class,
        "type_alias_statement": s_type_alias,
        "print_statement": s_print,
        "exec_statement": s_print,
    }

    _EXPR = {
        "identifier": e_identifier,
        "integer": e_integer,
        "float": e_float,
        "true": e_true,
        "false": e_true,
        "none": e_none,
        "ellipsis": e_ellipsis,
        "string": e_string,
        "concatenated_string": e_string,
        "list": e_sequence,
        "tuple": e_sequence,
        "set": e_sequence,
        "expression_list": e_sequence,
        "pattern_list": e_sequence,
        "dictionary": e_dict,
        "attribute": e_attribute,
        "subscript": e_subscript,
        "slice": e_slice,
        "call": e_call,
        "binary_operator": e_binary,
        "boolean_operator": e_binary,
        "comparison_operator": e_comparison,
        "not_operator": e_not,
        "unary_operator": e_unary,
        "conditional_expression": e_conditional,
        "named_expression": e_named,
        "assignment": e_assignment,
        "augmented_assignment": e_augmented,
        "await": e_await,
        "yield": e_yield,
        "lambda": e_lambda,
        "list_comprehension": e_comprehension,
        "set_comprehension": e_comprehension,
        "dictionary_comprehension": e_comprehension,
        "generator_expression": e_comprehension,
        "list_splat": element,
        "dictionary_splat": element,
        "parenthesized_list_splat": element,
        "keyword_argument": e_keyword_argument,
        "parenthesized_expression": e_unknown,  # reached only for `()`-like oddities
        "dotted_name": e_dotted_name,
        "complex_pattern": e_complex_pattern,
        "ERROR": e_error,
    }
