"""TypeScript / JavaScript front end: a tree-sitter tree -> one file's AST-level graph.

Handles the ``typescript``, ``tsx`` and ``javascript`` grammars (``.ts .mts .cts .tsx .js .mjs
.cjs .jsx``): their node types are nearly the same, and where they differ (JS ``field_definition``
vs TS ``public_field_definition``, bare JS parameters vs ``required_parameter``) both are handled.
Every node and edge goes through `AstBuilder`; the encoding follows the contract in
`cpg/schema.py`.  What this module does NOT do: control flow, reaching definitions, call
resolution (the passes in `cpg/passes` do that on the output), and running the analysed code.

This module is large because one visitor per construct is the clearest layout for a grammar of
~180 node types; the sections below follow the grammar (functions, classes, statements,
expressions, patterns, imports).

Conventions chosen here (the contract left them open):

* Names.  Full names are ``<relpath>:<dotted qualname>``.  Arrow functions, function expressions
  and class expressions take the name of the variable / property / class field / assignment
  target they are the value of (``const handler = () => 1`` -> ``handler``; ``{run: () => 1}``
  -> ``run``, qualified by the object's variable: ``const api = {run() {}}`` -> ``api.run``;
  class field ``onClick = () => {}`` -> ``Class.onClick``; ``this.cb = function () {}`` -> ``cb``;
  ``export default () => 1`` -> ``default``).  A named function expression without such a
  target keeps its own name.  Otherwise NAME is ``<anonymous>`` and FULL_NAME ends in
  ``<anonymous>N``, N counted per enclosing function.  Full names are not made unique
  otherwise: a getter and setter pair, or overload signatures, share one.
* Calls.  ``f(x)``: NAME ``f``, METHOD_FULL_NAME ``<unresolved>.f``, no node for ``f`` itself.
  ``o.m(x)``: NAME ``m``, METHOD_FULL_NAME ``<unresolved>.m``, receiver ``o`` (ARGUMENT_INDEX 0).
  A callee that is neither a name nor a member (``getFn()(x)``, IIFEs, ``a[0](x)``): NAME
  ``<dynamic>``, the callee expression as the receiver.  ``a?.b()`` / ``f?.()`` get MODIFIERS
  ``("optional",)``.  Tagged templates call the tag with the template as argument 1.
* ``new C(a)``: CALL NAME ``C`` (the constructor as written, dotted for ``new ns.C``),
  METHOD_FULL_NAME ``<unresolved>.new:C``, MODIFIERS ``("new",)``, arguments 1..n, no receiver.
  A computed constructor (``new (f())()``) has NAME ``<dynamic>`` and the expression as receiver.
  (`Op.NEW` is not used: the class name in NAME is what the slicer and call linker look for.)
* CommonJS ``const x = require('m')`` stays an assignment of the ``require`` CALL, and an IMPORT
  (IMPORTED_ENTITY ``m:*``, IMPORTED_AS ``x``, MODIFIERS ``("require",)``) is placed just before
  it; ``const {a, b: c} = require('m')`` gives ``m:a`` as ``a`` and ``m:b`` as ``c``.  TS
  ``import x = require('m')`` is the same IMPORT (no call).  ``m:*`` = the module object.
* Imports: ``m:default``, ``m:*`` (namespace), ``m:name``; ``import type`` / ``type`` specifiers
  add MODIFIERS ``("type",)``.  A side-effect ``import './m'`` is ``./m:*`` with IMPORTED_AS "".
  Re-exports are IMPORTs with MODIFIERS ``("reexport",)``, no LOCAL: ``export {a as b} from
  './m'`` -> ``./m:a`` as ``b``; ``export * from './m'`` -> ``./m:*`` as ""; ``export * as ns``
  -> as ``ns``.  Local ``export {a as b}`` lists are not modelled (no node).
* Destructured parameters ``({a, b}: Props)``: METHOD_PARAMETER_IN NAME = the pattern's source
  text; the body BLOCK starts with a synthetic ``<pattern> = <param>`` assignment (the pattern
  built as for ``const {a, b} = ...``, names declared as LOCALs of the function, the right side
  an IDENTIFIER named like the parameter with a REF to it), so the bound names get a reaching
  definition like any other local.  Positions of the synthetic nodes are the pattern's.
* Patterns: object pattern = `Op.OBJECT_LITERAL` whose children are the written identifiers
  (shorthand), KEY_VALUE(key LITERAL, target) for renamed keys, ASSIGNMENT(target, default) for
  defaults, SPREAD(target) for rest; array pattern = `Op.TUPLE_LITERAL` (holes are skipped, so
  ARGUMENT_INDEX counts the bound elements only).
* Class bodies: TYPE_DECL children are the MEMBERs (fields, constructor parameter properties
  and ``this.x =`` writes in methods, first occurrence, in the order met in the source) and last
  the body BLOCK with the METHOD nodes.  Field
  initializers (and enum member values) are AST children of their MEMBER, in no CFG; a function
  value there (``onClick = () => {}``) is a METHOD in the class body BLOCK, with a METHOD_REF
  under the MEMBER.  Class method names are not bound as variables (they are not in scope in
  TS).  ``static {}`` blocks are METHODs named ``<static>``.  Interfaces have MEMBERs and no
  BLOCK; call, construct and index signatures are not modelled.  Method signatures (interface):
  MEMBER with MODIFIERS ``("method",)`` and TYPE_FULL_NAME ``(params) => ret`` (``any`` when the
  return type is not written).  Overload / ``declare function`` / abstract signatures in code
  are METHODs with an empty body and MODIFIERS ``"signature"``.
* Namespaces (``namespace N {}``, ``module``, ``declare global``): TYPE_DECL (MODIFIERS
  ``namespace``) with a BLOCK child holding the statements; its names live in their own scope
  (child of the enclosing one); expression-position functions in it hang under the enclosing
  METHOD.  The namespace's own statements are in no METHOD body, so no CFG covers them
  (approximation; declarations inside are ordinary METHOD/TYPE_DECL nodes).
* Literals: TYPE_FULL_NAME number / string / boolean / bigint / RegExp / null / undefined.  A
  template string without substitutions is a string LITERAL; with substitutions a FORMAT_STRING
  whose arguments are the substitution expressions only.
* Casts: ``x as T`` / ``<T>x`` / ``x satisfies T`` -> `Op.CAST` with TYPE_FULL_NAME ``T``
  (satisfies adds MODIFIERS ``("satisfies",)``); ``x!`` -> CAST with TYPE_FULL_NAME "" and
  MODIFIERS ``("nonNull",)``.  Sequence ``(a, b)`` -> CALL ``<operator>.sequence``.
* JSX: CALL NAME ``<jsx>``, METHOD_FULL_NAME ``<jsx>.Tag`` (``<jsx>`` for fragments); argument
  1 is the tag (an IDENTIFIER / field access read for components, a string LITERAL for intrinsic
  lower-case tags and fragments), then attributes as keyword arguments (ARGUMENT_NAME the
  attribute; a bare attribute is the LITERAL ``true``; ``{...p}`` a SPREAD), then the children
  expressions (text skipped).
* Decorators: DECORATORS holds their texts without the ``@``; decorator expressions are not
  emitted as nodes (their reads are lost).
* Scoping is per function: ``let``/``const`` in nested blocks bind in the function scope.
  ``this``, ``super`` and ``new.target`` are unbound IDENTIFIERs.  Catch parameters and for-of
  targets declared with ``let/const/var`` are LOCALs of the function.
* Robustness: ERROR nodes in statement position have their recognisable children visited;
  elsewhere they become UNKNOWN.  Nesting deeper than `MAX_DEPTH` statements/expressions becomes
  one UNKNOWN; left-deep binary chains (``a+b+...``), member/call chains (``a.b().c()...``) and
  ``else if`` chains are built iteratively.  The recursion limit is raised to
  `RECURSION_LIMIT` while a file is built (and restored), so MAX_DEPTH nested constructs fit.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Callable, Iterator, NamedTuple

import tree_sitter

from ..ast_builder import AstBuilder, FunctionBody, FunctionContext, Scope
from ..schema import UNRESOLVED_PREFIX, Control, NodeKind, Op, Prop

#: deeper statement/expression nesting is emitted as a single UNKNOWN
MAX_DEPTH = 400
#: Python frames needed for MAX_DEPTH levels (a level costs up to ~4 frames) plus headroom
RECURSION_LIMIT = 6000

SEQUENCE = "<operator>.sequence"  #: `(a, b, c)`: evaluates all, value of the last
DYNAMIC = "<dynamic>"  #: NAME of a call whose callee is a computed expression
JSX = "<jsx>"  #: NAME of a JSX element CALL
ANONYMOUS = "<anonymous>"

_FUNC_EXPRS = frozenset({"arrow_function", "function_expression", "function", "generator_function"})
_CHAIN = frozenset({"call_expression", "member_expression", "subscript_expression", "non_null_expression"})
_LITERAL_TYPES = {
    "number": "number",
    "string": "string",
    "true": "boolean",
    "false": "boolean",
    "null": "null",
    "undefined": "undefined",
    "regex": "RegExp",
}
#: unnamed modifier tokens of methods / fields / parameters -> MODIFIERS entry
_MOD_TOKENS = {
    "static": "static",
    "async": "async",
    "*": "generator",
    "get": "getter",
    "set": "setter",
    "abstract": "abstract",
    "override": "override",
    "readonly": "readonly",
    "declare": "declare",
    "?": "optional",
    "accessor": "accessor",
}
_SKIP = frozenset({"comment", "html_comment", "empty_statement", "debugger_statement", "hash_bang_line"})


def stored_annotation(text: str, node_type: str) -> str:
    """A type annotation as the graph stores it: without the ``:`` of a ``type_annotation``,
    whitespace runs collapsed."""
    if node_type.endswith("annotation") and text.startswith(":"):
        text = text[1:]
    return " ".join(text.split())


class _Parameter(NamedTuple):
    """One parameter's parts, as the walk reads them."""

    node: tree_sitter.Node  #: the whole parameter
    pattern: tree_sitter.Node  #: its name: an identifier or a destructuring pattern
    type: tree_sitter.Node | None
    default: tree_sitter.Node | None
    modifiers: list[str]
    decorators: list[str]
    variadic: bool | None


class _Class:
    """What a class body collects while its methods are visited."""

    __slots__ = ("members", "names")

    def __init__(self) -> None:
        self.members: list[int] = []  #: MEMBER ids, attached to the TYPE_DECL at the end
        self.names: set[str] = set()  #: member names seen (for `this.x =` first occurrence)


class _Fn:
    """The function (or module / class body / namespace) being visited."""

    __slots__ = ("scope", "qual", "nested", "cls", "anon")

    def __init__(self, scope: Scope, qual: str, nested: list[int], cls: _Class | None) -> None:
        self.scope = scope
        self.qual = qual  #: dotted qualname ("" for the module)
        self.nested = nested  #: where expression-position METHOD/TYPE_DECL nodes go
        self.cls = cls  #: the class `this` refers to, if any
        self.anon = 0  #: <anonymous>N counter


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _named(ts: tree_sitter.Node) -> list[tree_sitter.Node]:
    """Named children without comments."""
    return [c for c in ts.named_children if c.type != "comment"]


def _first_named(ts: tree_sitter.Node) -> tree_sitter.Node | None:
    for c in ts.named_children:
        if c.type != "comment":
            return c
    return None


def _has_token(ts: tree_sitter.Node, token: str) -> bool:
    for c in ts.children:
        if c.type == token and not c.is_named:
            return True
    return False


def build_module(b: AstBuilder, root: tree_sitter.Node, namespace_block: int) -> int:
    """Build the `<module>` METHOD of a TS/JS file under `namespace_block`; returns its id."""
    with _deep_recursion():
        return _Frontend(b).module(root, namespace_block)


@contextmanager
def _deep_recursion() -> Iterator[None]:
    """The recursion limit MAX_DEPTH nested constructs need, while a walk runs."""
    old_limit = sys.getrecursionlimit()
    if old_limit < RECURSION_LIMIT:
        sys.setrecursionlimit(RECURSION_LIMIT)
    try:
        yield
    finally:
        if old_limit < RECURSION_LIMIT:
            sys.setrecursionlimit(old_limit)


# ----------------------------------------------------------------- one function's body again
#: the tree-sitter nodes that make a METHOD with a body
_FUNCTION_NODES = frozenset({"function_declaration", "generator_function_declaration", "method_definition",
                             *_FUNC_EXPRS})
#: what a parameter's default value must not hold for its function to be walked alone (the whole
#: walk numbers anonymous functions and nests them from the header on)
_NESTING_NODES = frozenset({*_FUNC_EXPRS, "class", "method_definition"})
_NAMESPACES = frozenset({"internal_module", "module"})
#: how deep (in tree-sitter nodes) a body walked alone may nest: the whole walk enters a body some
#: levels below its own start, so a body this shallow stays clear of MAX_DEPTH in both walks
_ALONE_DEPTH = MAX_DEPTH // 2


def editable_function(root: tree_sitter.Node, start: int, end: int) -> tuple[tree_sitter.Node, tree_sitter.Node] | None:
    """(function, body) of the outermost function whose body holds the bytes `start`..`end`
    (classes, statements and expressions around it are crossed), else None; None too for a
    function whose parameter defaults hold a function or a class."""
    node = root
    while True:
        inner = next((c for c in node.named_children if c.start_byte <= start and end <= c.end_byte), None)
        if inner is None or inner.type in _NAMESPACES:
            return None  # a namespace's names are not the module's
        if inner.type in _FUNCTION_NODES:
            body = inner.child_by_field_name("body")
            if body is None or not (body.start_byte <= start and end <= body.end_byte):
                return None
            params = inner.child_by_field_name("parameters")
            if params is not None and _holds(params, _NESTING_NODES):
                return None
            return inner, body
        node = inner


def _holds(node: tree_sitter.Node, types: frozenset[str]) -> bool:
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type in types:
            return True
        stack.extend(n.named_children)
    return False


def writes_outside(body: tree_sitter.Node) -> bool:
    """Whether walking this function's body alone could not give what the whole walk gives, or
    would leave a slot outside it stale: the body (or a function in it) assigns a variable that
    no function around the write declares (a module variable: its slot is not inferred again);
    it declares a name its parameters or their default values use (the whole walk binds those in
    the function's scope, with the body's names); or it nests deeper than `_ALONE_DEPTH`."""
    function = body.parent
    if function is None:
        return True
    declared: dict[int, set[str]] = {function.id: set()}  #: a function's own names, by node id
    enclosing: dict[int, int | None] = {function.id: None}  #: a function -> the function around it
    writes: list[tuple[str, int]] = []  #: (name, the function the write is in)
    stack: list[tuple[tree_sitter.Node, int, int]] = [(c, 1, function.id) for c in _function_parts(function)]
    while stack:
        node, depth, owner = stack.pop()
        if depth > _ALONE_DEPTH:
            return True
        t = node.type
        if t in _FUNCTION_NODES:
            if t in ("function_declaration", "generator_function_declaration"):
                declared[owner].update(_names_in(node.child_by_field_name("name")))
            enclosing[node.id], declared[node.id] = owner, set(_parameter_names(node))
            stack.extend((c, depth + 1, node.id) for c in _function_parts(node))
            continue
        if t in ("class_declaration", "abstract_class_declaration"):
            declared[owner].update(_names_in(node.child_by_field_name("name")))
        elif t == "variable_declarator":
            declared[owner].update(_names_in(node.child_by_field_name("name")))
        elif t == "catch_clause":
            declared[owner].update(_names_in(node.child_by_field_name("parameter")))
        elif t == "for_in_statement":
            names = _names_in(node.child_by_field_name("left"))
            if node.child_by_field_name("kind") is not None:
                declared[owner].update(names)
            else:
                writes.extend((name, owner) for name in names)
        elif t in ("assignment_expression", "augmented_assignment_expression"):
            writes.extend((name, owner) for name in _names_in(node.child_by_field_name("left")))
        elif t == "update_expression":
            writes.extend((name, owner) for name in _names_in(node.child_by_field_name("argument")))
        stack.extend((c, depth + 1, owner) for c in node.named_children)
    header = set(_parameter_names(function)) | _default_names(function)
    if header & declared[function.id]:
        return True
    for name, owner in writes:
        scope: int | None = owner
        while scope is not None and name not in declared[scope]:
            scope = enclosing[scope]
        if scope is None:
            return True
    return False


def _function_parts(function: tree_sitter.Node) -> list[tree_sitter.Node]:
    """What of a function the body's walk covers: its body and its destructured parameters'
    patterns (their defaults are walked with the body)."""
    body = function.child_by_field_name("body")
    params = function.child_by_field_name("parameters")
    patterns = [c.child_by_field_name("pattern") or c for c in (params.named_children if params is not None else ())]
    return [p for p in patterns if p is not None and p.type in ("object_pattern", "array_pattern")] + \
        ([body] if body is not None else [])


def _parameter_names(function: tree_sitter.Node) -> list[str]:
    single = function.child_by_field_name("parameter")  # `x => ...`
    if single is not None:
        return _names_in(single)
    params = function.child_by_field_name("parameters")
    names: list[str] = []
    for c in params.named_children if params is not None else ():
        names.extend(_names_in(c.child_by_field_name("pattern") if c.type in ("required_parameter",
                                                                                "optional_parameter") else c))
    return names


def _default_names(function: tree_sitter.Node) -> set[str]:
    """The identifiers in a function's parameter default values (walked in the header)."""
    params = function.child_by_field_name("parameters")
    names: set[str] = set()
    for c in params.named_children if params is not None else ():
        default = c.child_by_field_name("value") if c.type in ("required_parameter", "optional_parameter") \
            else c.child_by_field_name("right") if c.type == "assignment_pattern" else None
        stack = [default] if default is not None else []
        while stack:
            n = stack.pop()
            if n.type == "identifier" and n.text is not None:
                names.add(n.text.decode("utf-8", "replace"))
            stack.extend(n.named_children)
    return names


def _names_in(pattern: tree_sitter.Node | None) -> list[str]:
    """The names a binding or assignment target writes (member targets write none)."""
    if pattern is None:
        return []
    return [n.text.decode("utf-8", "replace") if n.text is not None else ""
            for n in _bound_names(pattern, through_parentheses=True)]


def _bound_names(ts: tree_sitter.Node, through_parentheses: bool = False) -> list[tree_sitter.Node]:
    """Identifier nodes a pattern binds (no defaults, no computed keys), in order; with
    `through_parentheses`, also inside a parenthesized assignment target (``(x) = 1``)."""
    nested = ("object_pattern", "array_pattern", "rest_pattern", *(("parenthesized_expression",)
                                                                    if through_parentheses else ()))
    names: list[tree_sitter.Node] = []
    stack = [ts]
    while stack:
        n = stack.pop()
        t = n.type
        if t in ("identifier", "shorthand_property_identifier_pattern"):
            names.append(n)
        elif t == "pair_pattern":
            v = n.child_by_field_name("value")
            if v is not None:
                stack.append(v)
        elif t in ("object_assignment_pattern", "assignment_pattern"):
            v = n.child_by_field_name("left")
            if v is not None:
                stack.append(v)
        elif t in nested:
            stack.extend(reversed(n.named_children))
    return names


def writes_to_class(definition: tree_sitter.Node, first_parameter: str | None,
                    modifiers: tuple[str, ...]) -> bool | None:
    """Whether ``this.x = ...`` in a function defined in a class makes MEMBERs of that class, as
    the whole walk decides it: yes for its methods and its fields' function values, None (cannot
    tell from the graph) for the other functions inside a class body."""
    parent = definition.parent
    if definition.type == "method_definition" and parent is not None and parent.type == "class_body":
        return True
    if definition.type in _FUNC_EXPRS and parent is not None \
            and parent.type in ("public_field_definition", "field_definition"):
        return True
    return None


def rebuild_function_body(b: AstBuilder, definition: tree_sitter.Node, context: FunctionContext) -> FunctionBody:
    """Walk one function's body again, as `build_module` would inside the whole file, with the
    names it can see taken from `context`: its parameters (a destructured one's assignments
    open the body again), the module's names, and the class ``this.x = ...`` writes to."""
    with _deep_recursion():
        return _rebuild_body(b, definition, context)


def _rebuild_body(b: AstBuilder, definition: tree_sitter.Node, context: FunctionContext) -> FunctionBody:
    walker = _Frontend(b)
    module_scope = Scope(-1, -1, names=dict(context.module_names))
    scope = Scope(context.method, -1, parent=module_scope, names=dict(context.params))
    cls = None
    if context.owner is not None:
        cls = _Class()
        cls.names = set(context.members)
    walker.member_writes = []
    fctx = _Fn(scope, context.qualname, [], cls)
    body_ts = definition.child_by_field_name("body")
    block = b.add(NodeKind.BLOCK, body_ts)
    scope.block = block
    stmts: list[int] = []
    params_ts = definition.child_by_field_name("parameters")
    for parameter in walker.parameter_parts(params_ts) if params_ts is not None else ():
        if parameter.pattern.type != "identifier":
            stmts.append(walker.destructure_parameter(parameter.pattern, walker.parameter_name(parameter.pattern), fctx))
    walker.body(body_ts, fctx, stmts)
    b.children(block, stmts)
    b.children(context.method, fctx.nested)
    if cls is not None and context.owner is not None:
        b.children(context.owner, cls.members)
    b.close(scope)
    b.close(module_scope)  # the module's names were all declared: what is left stays unbound
    generator = "generator" in (b.get(context.method, Prop.MODIFIERS) or ())
    return FunctionBody(block, generator, [(context.owner, name, None) for to, name in walker.member_writes if to is cls])


class _Frontend:
    """One file's visitor: statements append to a list, expressions return a node id."""

    def __init__(self, b: AstBuilder) -> None:
        self.b = b
        self.rel = b.relpath
        self.data = b.data
        self.depth = 0
        #: with one body walked again: its `this.x =` writes, (the class they go to, name)
        self.member_writes: list[tuple[_Class, str]] | None = None
        S = Callable[[tree_sitter.Node, _Fn, list[int]], None]
        self.stmt_handlers: dict[str, S] = {
            "expression_statement": self._expression_statement,
            "lexical_declaration": self._var_decl,
            "variable_declaration": self._var_decl,
            "using_declaration": self._var_decl,
            "return_statement": self._return,
            "if_statement": self._if,
            "while_statement": self._while,
            "do_statement": self._do,
            "for_statement": self._for,
            "for_in_statement": self._for_in,
            "switch_statement": self._switch,
            "try_statement": self._try,
            "throw_statement": self._throw,
            "break_statement": self._break,
            "continue_statement": self._continue,
            "labeled_statement": self._labeled,
            "statement_block": self._block_stmt,
            "with_statement": self._with,
            "import_statement": self._import,
            "import_alias": self._import_alias,
            "export_statement": self._export,
            "function_declaration": self._function_decl,
            "generator_function_declaration": self._function_decl,
            "function_signature": self._function_decl,
            "class_declaration": self._class_decl,
            "abstract_class_declaration": self._class_decl,
            "interface_declaration": self._interface,
            "enum_declaration": self._enum,
            "type_alias_declaration": self._type_alias,
            "internal_module": self._namespace,
            "module": self._namespace,
            "ambient_declaration": self._ambient,
            "ERROR": self._error_stmt,
        }
        E = Callable[[tree_sitter.Node, _Fn], int]
        self.expr_handlers: dict[str, E] = {
            "identifier": self._identifier,
            "shorthand_property_identifier": self._identifier,
            "this": self._unbound,
            "super": self._unbound,
            "meta_property": self._unbound,
            "import": self._unbound,
            "number": self._literal,
            "string": self._literal,
            "true": self._literal,
            "false": self._literal,
            "null": self._literal,
            "undefined": self._literal,
            "regex": self._literal,
            "private_property_identifier": self._literal,
            "property_identifier": self._literal,
            "template_string": self._template,
            "binary_expression": self._binary,
            "unary_expression": self._unary,
            "update_expression": self._update,
            "assignment_expression": self._assign,
            "augmented_assignment_expression": self._augmented,
            "call_expression": self._chain,
            "member_expression": self._chain,
            "subscript_expression": self._chain,
            "non_null_expression": self._chain,
            "new_expression": self._new,
            "arrow_function": self._function_expr,
            "function_expression": self._function_expr,
            "function": self._function_expr,
            "generator_function": self._function_expr,
            "class": self._class_expr,
            "ternary_expression": self._ternary,
            "await_expression": self._await,
            "yield_expression": self._yield,
            "spread_element": self._spread,
            "array": self._array,
            "object": self._object_expr,
            "parenthesized_expression": self._paren,
            "sequence_expression": self._sequence,
            "as_expression": self._cast,
            "satisfies_expression": self._cast,
            "type_assertion": self._type_assertion,
            "instantiation_expression": self._paren,
            "jsx_element": self._jsx,
            "jsx_self_closing_element": self._jsx,
            "jsx_expression": self._jsx_expression,
            "jsx_text": self._literal,
            "nested_identifier": self._nested_identifier,
        }

    # ================================================================ helpers
    def text(self, ts: tree_sitter.Node) -> str:
        return self.data[ts.start_byte : ts.end_byte].decode("utf-8", errors="replace")

    def type_text(self, ts: tree_sitter.Node | None) -> str | None:
        """Annotation text without the leading colon, whitespace runs collapsed."""
        return None if ts is None else stored_annotation(self.text(ts), ts.type)

    def unquote(self, ts: tree_sitter.Node) -> str:
        text = self.text(ts)
        if ts.type == "string" and len(text) >= 2:
            return text[1:-1]
        return text

    def prop_name(self, ts: tree_sitter.Node | None) -> str:
        """Name of a method / field / key as written (quotes stripped)."""
        if ts is None:
            return ANONYMOUS
        return self.unquote(ts)

    def anon(self, ctx: _Fn) -> str:
        n = ctx.anon
        ctx.anon += 1
        return f"{ANONYMOUS}{n}"

    def empty_block(self) -> int:
        return self.b.block(None)

    def mods_of(self, ts: tree_sitter.Node) -> list[str]:
        """Modifier tokens (static, async, *, get/set, readonly, ?, accessibility, ...)."""
        out: list[str] = []
        for c in ts.children:
            t = c.type
            if c.is_named:
                if t == "accessibility_modifier":
                    out.append(self.text(c))
                elif t == "override_modifier":
                    out.append("override")
            elif t in _MOD_TOKENS:
                out.append(_MOD_TOKENS[t])
        return out

    def decorators_of(self, ts: tree_sitter.Node) -> list[str]:
        return [self.text(c)[1:].strip() for c in ts.named_children if c.type == "decorator"]

    # ================================================================ module & functions
    def module(self, root: tree_sitter.Node, namespace_block: int) -> int:
        b = self.b
        m = b.method(root, "<module>", f"{self.rel}:<module>")
        b.child(namespace_block, m)
        block = b.add(NodeKind.BLOCK, root)
        scope = Scope(m, block)
        ctx = _Fn(scope, "", [], None)
        stmts: list[int] = []
        for c in root.named_children:
            self.stmt(c, ctx, stmts)
        b.children(block, stmts)
        ret = b.method_return(root, None)
        b.children(m, [block, ret, *ctx.nested])
        b.close(scope)
        return m

    def function(self, ts: tree_sitter.Node, ctx: _Fn, name: str, qual: str, mods: list[str],
                 decorators: list[str] | None = None, cls: _Class | None = None,
                 ctor_class: _Class | None = None) -> int:
        """A METHOD for any function-like node; the caller places it (statement or nested)."""
        b = self.b
        m = b.method(ts, name, f"{self.rel}:{qual}", MODIFIERS=tuple(mods) or None,
                     DECORATORS=tuple(decorators) if decorators else None,
                     TYPE_PARAMETERS=self.type_parameters(ts))
        body_ts = ts.child_by_field_name("body")
        block = b.add(NodeKind.BLOCK, body_ts if body_ts is not None else ts)
        scope = Scope(m, block, parent=ctx.scope)
        fctx = _Fn(scope, qual, [], cls)
        stmts: list[int] = []
        params = self.parameters(ts, fctx, stmts, ctor_class)
        if body_ts is not None:
            self.body(body_ts, fctx, stmts)
        b.children(block, stmts)
        rt = ts.child_by_field_name("return_type")
        ret = b.method_return(rt if rt is not None else ts, self.type_text(rt))
        b.children(m, [*params, block, ret, *fctx.nested])
        b.close(scope)
        return m

    def body(self, body_ts: tree_sitter.Node, fctx: _Fn, out: list[int]) -> None:
        """A function body's statements into `out` (an expression body: its RETURN)."""
        if body_ts.type == "statement_block":
            for c in body_ts.named_children:
                self.stmt(c, fctx, out)
        else:  # expression-bodied arrow
            out.append(self.b.ret(body_ts, self.value(body_ts, fctx)))

    def type_parameters(self, ts: tree_sitter.Node) -> tuple[str, ...] | None:
        """Names of the type parameters `ts` declares (``<T, K extends keyof T>`` -> ("T", "K"))."""
        tp = ts.child_by_field_name("type_parameters")
        if tp is None:
            return None
        names = [self.text(n) for c in tp.named_children if c.type == "type_parameter"
                 for n in [c.child_by_field_name("name")] if n is not None]
        return tuple(names) or None

    def required_type_parameters(self, ts: tree_sitter.Node) -> int | None:
        """How many of the type parameters `ts` declares have no default (``<T, U = number>`` -> 1)."""
        tp = ts.child_by_field_name("type_parameters")
        if tp is None:
            return None
        return sum(1 for c in tp.named_children if c.type == "type_parameter" and c.child_by_field_name("value") is None) \
            or None

    def parameters(self, ts: tree_sitter.Node, fctx: _Fn, prologue: list[int],
                   ctor_class: _Class | None) -> list[int]:
        """METHOD_PARAMETER_IN nodes; destructuring assignments go to `prologue`."""
        b = self.b
        single = ts.child_by_field_name("parameter")  # `x => ...`
        if single is not None:
            return [b.parameter(single, self.text(single), 0, fctx.scope)]
        params_ts = ts.child_by_field_name("parameters")
        if params_ts is None:
            return []
        out: list[int] = []
        for index, (p, pattern, type_ts, default_ts, mods, decorators, variadic) in \
                enumerate(self.parameter_parts(params_ts)):
            simple = pattern.type == "identifier"
            name = self.parameter_name(pattern)
            # positioned on the name (as in the Python front end), CODE keeps the whole parameter
            param = b.parameter(pattern, name, index, fctx.scope, code=self.text(p),
                                TYPE_FULL_NAME=self.type_text(type_ts),
                                IS_VARIADIC=variadic, MODIFIERS=tuple(mods) or None,
                                DECORATORS=tuple(decorators) or None,
                                DEFAULT_VALUE=self.text(default_ts) if default_ts is not None else None)
            out.append(param)
            if default_ts is not None:
                b.child(param, self.expr(default_ts, fctx))
            if not simple:
                prologue.append(self.destructure_parameter(pattern, name, fctx))
            access = [m for m in mods if m in ("private", "protected", "public", "readonly", "override")]
            if ctor_class is not None and access and simple:
                if name not in ctor_class.names:
                    ctor_class.names.add(name)
                    ctor_class.members.append(b.member(p, name, self.type_text(type_ts), MODIFIERS=tuple(access)))
        return out

    def parameter_parts(self, params_ts: tree_sitter.Node) -> list[_Parameter]:
        """The parts of each parameter in a ``formal_parameters`` node that gets a
        METHOD_PARAMETER_IN (not ``this``)."""
        out = []
        for p in params_ts.named_children:
            t = p.type
            if t == "comment":
                continue
            type_ts = default_ts = None
            mods: list[str] = []
            decorators: list[str] = []
            if t in ("required_parameter", "optional_parameter"):
                pattern = p.child_by_field_name("pattern")
                type_ts = p.child_by_field_name("type")
                default_ts = p.child_by_field_name("value")
                mods = self.mods_of(p)
                if t == "optional_parameter" and "optional" not in mods:
                    mods.append("optional")
                decorators = self.decorators_of(p)
            else:
                pattern = p
            if pattern is None:
                continue
            if pattern.type == "this":
                continue
            if pattern.type == "assignment_pattern":  # JS `b = 2`
                default_ts = pattern.child_by_field_name("right")
                pattern = pattern.child_by_field_name("left")
                if pattern is None:
                    continue
            variadic = None
            if pattern.type == "rest_pattern":
                variadic = True
                inner = _first_named(pattern)
                if inner is None:
                    continue
                pattern = inner
            out.append(_Parameter(p, pattern, type_ts, default_ts, mods, decorators, variadic))
        return out

    def parameter_name(self, pattern: tree_sitter.Node) -> str:
        """A parameter's NAME: its identifier, or a destructuring pattern's text on one line."""
        return self.text(pattern) if pattern.type == "identifier" else " ".join(self.text(pattern).split())

    def destructure_parameter(self, pattern: tree_sitter.Node, name: str, fctx: _Fn) -> int:
        """The body's first statements for a destructured parameter: ``{a, b} = <parameter>``."""
        target = self.pattern(pattern, fctx, declare=True)
        source = self.b.identifier(pattern, name=name, scope=fctx.scope)
        return self.b.assignment(pattern, target, source)

    def _function_decl(self, ts: tree_sitter.Node, ctx: _Fn, out: list[int], mods: tuple[str, ...] = (),
                       decorators: list[str] | None = None) -> None:
        name_ts = ts.child_by_field_name("name")
        if name_ts is not None:
            name = self.text(name_ts)
            qual = _join(ctx.qual, name)
        else:  # `export default function () {}`
            name = "default" if "default" in mods else ANONYMOUS
            qual = _join(ctx.qual, name if name != ANONYMOUS else self.anon(ctx))
        fmods = self.mods_of(ts)
        if ts.type == "function_signature":
            fmods.append("signature")
        fmods.extend(mods)
        m = self.function(ts, ctx, name, qual, fmods, decorators)
        if name_ts is not None:
            self.b.declare(ctx.scope, name, name_ts)
        out.append(m)

    def function_value(self, ts: tree_sitter.Node, ctx: _Fn, hint: str | None, prefix: str | None,
                       extra_mods: tuple[str, ...] = (), sink: list[int] | None = None,
                       cls: _Class | None = None) -> int:
        """An arrow / function expression in value position: METHOD in `sink`, METHOD_REF returned."""
        b = self.b
        name_ts = ts.child_by_field_name("name")
        if hint is not None:
            name, qual = hint, _join(ctx.qual if prefix is None else prefix, hint)
        elif name_ts is not None:
            name = self.text(name_ts)
            qual = _join(ctx.qual, name)
        else:
            name, qual = ANONYMOUS, _join(ctx.qual, self.anon(ctx))
        mods = self.mods_of(ts)
        arrow = ts.type == "arrow_function"
        if arrow:
            mods.append("arrow")
        elif ts.type == "generator_function" and "generator" not in mods:
            mods.append("generator")
        mods.extend(extra_mods)
        # arrows keep the enclosing `this`; function expressions get their own
        m = self.function(ts, ctx, name, qual, mods, cls=(ctx.cls if arrow else None) if cls is None else cls)
        (ctx.nested if sink is None else sink).append(m)
        return b.add(NodeKind.METHOD_REF, ts, METHOD_FULL_NAME=f"{self.rel}:{qual}")

    def _function_expr(self, ts: tree_sitter.Node, ctx: _Fn) -> int:
        return self.function_value(ts, ctx, None, None)

    def value(self, ts: tree_sitter.Node, ctx: _Fn, hint: str | None = None, prefix: str | None = None) -> int:
        """An expression that may be named after its target (`hint`): functions, classes, objects."""
        if hint is None:
            return self.expr(ts, ctx)
        t = ts.type
        if t in _FUNC_EXPRS:
            handler = self.function_value
        elif t == "class":
            handler = self.class_value
        elif t == "object":
            if self.depth > MAX_DEPTH:
                return self.b.unknown(ts)
            self.depth += 1
            r = self.object(ts, ctx, _join(ctx.qual if prefix is None else prefix, hint))
            self.depth -= 1
            return r
        elif t in ("parenthesized_expression", "as_expression", "satisfies_expression"):
            inner = _first_named(ts)
            if inner is None or inner.type not in _FUNC_EXPRS and inner.type not in ("class", "object"):
                return self.expr(ts, ctx)
            if t == "parenthesized_expression":
                return self.value(inner, ctx, hint, prefix)
            return self.cast(ts, ctx, inner, hint, prefix)
        else:
            return self.expr(ts, ctx)
        if self.depth > MAX_DEPTH:
            return self.b.unknown(ts)
        self.depth += 1
        r = handler(ts, ctx, hint, prefix)
        self.depth -= 1
        return r

    # ================================================================ classes & types
    def heritage(self, ts: tree_sitter.Node) -> tuple[str, ...]:
        """`extends` and `implements` type texts, in order."""
        bases: list[str] = []
        for c in ts.named_children:
            if c.type == "class_heritage":
                for clause in c.named_children:
                    if clause.type == "extends_clause":
                        # `extends A<T>`: each value with the type arguments after it
                        for v in clause.children_by_field_name("value") or _named(clause)[:1]:
                            end = v.end_byte
                            targs = v.next_named_sibling
                            if targs is not None and targs.type == "type_arguments":
                                end = targs.end_byte
                            bases.append(" ".join(self.data[v.start_byte : end].decode("utf-8", "replace").split()))
                    elif clause.type == "implements_clause":
                        bases.extend(" ".join(self.text(k).split()) for k in _named(clause))
                    elif clause.type != "comment":  # JS: `extends <expression>` directly
                        bases.append(" ".join(self.text(clause).split()))
            elif c.type == "extends_type_clause":  # interfaces
                bases.extend(" ".join(self.text(k).split()) for k in _named(c))
        return tuple(bases)

    def class_node(self, ts: tree_sitter.Node, ctx: _Fn, name: str, qual: str, mods: list[str],
                   decorators: list[str]) -> int:
        """A TYPE_DECL for a class declaration or expression, with MEMBERs and the body BLOCK."""
        b = self.b
        decorators = decorators + self.decorators_of(ts)
        td = b.type_decl(ts, name, f"{self.rel}:{qual}", MODIFIERS=tuple(mods),
                         INHERITS_FROM_TYPE_FULL_NAME=self.heritage(ts) or None,
                         DECORATORS=tuple(decorators) or None, TYPE_PARAMETERS=self.type_parameters(ts),
                         REQUIRED_TYPE_PARAMETERS=self.required_type_parameters(ts))
        body_ts = ts.child_by_field_name("body")
        block = b.add(NodeKind.BLOCK, body_ts if body_ts is not None else ts)
        cscope = Scope(ctx.scope.method, block, parent=ctx.scope, is_class=True)
        cls = _Class()
        body: list[int] = []
        cctx = _Fn(cscope, qual, body, cls)
        if body_ts is not None:
            pending: list[str] = []
            for c in body_ts.named_children:
                t = c.type
                if t == "decorator":
                    pending.append(self.text(c)[1:].strip())
                    continue
                if t == "comment":
                    continue
                decos, pending = pending + self.decorators_of(c), []
                if t == "method_definition":
                    self.method_definition(c, cctx, qual, cls, decos, body)
                elif t in ("public_field_definition", "field_definition"):
                    self.field(c, cctx, qual, cls, decos)
                elif t in ("abstract_method_signature", "method_signature", "function_signature"):
                    name_ts = c.child_by_field_name("name")
                    mname = self.prop_name(name_ts)
                    mods_ = ["method", *self.mods_of(c), "signature"]
                    if mname == "constructor":
                        mods_.append("constructor")
                    body.append(self.function(c, cctx, mname, _join(qual, mname), mods_, decos, cls=cls))
                elif t == "class_static_block":
                    body.append(self.function(c, cctx, "<static>", _join(qual, "<static>"), ["static"], cls=cls))
                elif t == "ERROR":
                    self._error_stmt(c, cctx, body)
                # index signatures, semicolons: not modelled
        b.close(cscope)
        b.children(block, body)
        b.children(td, [*cls.members, block])
        return td

    def method_definition(self, ts: tree_sitter.Node, ctx: _Fn, prefix: str, cls: _Class | None,
                          decorators: list[str], sink: list[int]) -> int:
        name = self.prop_name(ts.child_by_field_name("name"))
        mods = ["method", *self.mods_of(ts)]
        is_ctor = cls is not None and name == "constructor"
        if is_ctor:
            mods.append("constructor")
        m = self.function(ts, ctx, name, _join(prefix, name), mods, decorators, cls=cls,
                          ctor_class=cls if is_ctor else None)
        sink.append(m)
        return m

    def field(self, ts: tree_sitter.Node, ctx: _Fn, qual: str, cls: _Class, decorators: list[str]) -> None:
        """A class property: MEMBER, with its initializer (a METHOD_REF for function values) below."""
        b = self.b
        name_ts = ts.child_by_field_name("name") or ts.child_by_field_name("property")
        name = self.prop_name(name_ts)
        mods = self.mods_of(ts)
        member = b.member(ts, name, self.type_text(ts.child_by_field_name("type")),
                          MODIFIERS=tuple(mods) or None, DECORATORS=tuple(decorators) or None)
        cls.names.add(name)
        cls.members.append(member)
        value_ts = ts.child_by_field_name("value")
        if value_ts is not None:
            if value_ts.type in _FUNC_EXPRS:
                extra = ("static",) if "static" in mods else ()
                init = self.function_value(value_ts, ctx, name, qual, extra_mods=extra, cls=cls)
            else:
                init = self.value(value_ts, ctx, name, qual)
            b.child(member, init)

    def class_value(self, ts: tree_sitter.Node, ctx: _Fn, hint: str | None, prefix: str | None) -> int:
        """A class expression: TYPE_DECL under the enclosing METHOD, TYPE_REF returned."""
        name_ts = ts.child_by_field_name("name")
        if hint is not None:
            name, qual = hint, _join(ctx.qual if prefix is None else prefix, hint)
        elif name_ts is not None:
            name = self.text(name_ts)
            qual = _join(ctx.qual, name)
        else:
            name, qual = ANONYMOUS, _join(ctx.qual, self.anon(ctx))
        td = self.class_node(ts, ctx, name, qual, ["class"], [])
        ctx.nested.append(td)
        return self.b.add(NodeKind.TYPE_REF, ts, TYPE_FULL_NAME=f"{self.rel}:{qual}")

    def _class_expr(self, ts: tree_sitter.Node, ctx: _Fn) -> int:
        return self.class_value(ts, ctx, None, None)

    def _class_decl(self, ts: tree_sitter.Node, ctx: _Fn, out: list[int], mods: tuple[str, ...] = (),
                    decorators: list[str] | None = None) -> None:
        name_ts = ts.child_by_field_name("name")
        cmods = ["class"]
        if ts.type == "abstract_class_declaration":
            cmods.append("abstract")
        cmods.extend(mods)
        if name_ts is not None:
            name = self.text(name_ts)
            qual = _join(ctx.qual, name)
            self.b.declare(ctx.scope, name, name_ts)
        else:
            name = "default" if "default" in mods else ANONYMOUS
            qual = _join(ctx.qual, name if name != ANONYMOUS else self.anon(ctx))
        out.append(self.class_node(ts, ctx, name, qual, cmods, list(decorators or ())))

    def _interface(self, ts: tree_sitter.Node, ctx: _Fn, out: list[int], mods: tuple[str, ...] = (),
                   decorators: list[str] | None = None) -> None:
        b = self.b
        name_ts = ts.child_by_field_name("name")
        name = self.text(name_ts) if name_ts is not None else ANONYMOUS
        td = b.type_decl(ts, name, f"{self.rel}:{_join(ctx.qual, name)}", MODIFIERS=("interface", *mods),
                         INHERITS_FROM_TYPE_FULL_NAME=self.heritage(ts) or None, TYPE_PARAMETERS=self.type_parameters(ts),
                         REQUIRED_TYPE_PARAMETERS=self.required_type_parameters(ts))
        if name_ts is not None:
            b.declare(ctx.scope, name, name_ts)
        body_ts = ts.child_by_field_name("body")
        if body_ts is not None:
            for c in body_ts.named_children:
                t = c.type
                if t == "property_signature":
                    b.child(td, b.member(c, self.prop_name(c.child_by_field_name("name")),
                                         self.type_text(c.child_by_field_name("type")),
                                         MODIFIERS=tuple(self.mods_of(c)) or None))
                elif t == "method_signature":
                    params = c.child_by_field_name("parameters")
                    ret = self.type_text(c.child_by_field_name("return_type")) or "any"
                    sig = f"{' '.join(self.text(params).split()) if params is not None else '()'} => {ret}"
                    b.child(td, b.member(c, self.prop_name(c.child_by_field_name("name")), sig,
                                         MODIFIERS=("method", *self.mods_of(c))))
        out.append(td)

    def _enum(self, ts: tree_sitter.Node, ctx: _Fn, out: list[int], mods: tuple[str, ...] = (),
              decorators: list[str] | None = None) -> None:
        b = self.b
        name_ts = ts.child_by_field_name("name")
        name = self.text(name_ts) if name_ts is not None else ANONYMOUS
        emods = ["enum", *mods]
        if _has_token(ts, "const"):
            emods.append("const")
        td = b.type_decl(ts, name, f"{self.rel}:{_join(ctx.qual, name)}", MODIFIERS=tuple(emods))
        if name_ts is not None:
            b.declare(ctx.scope, name, name_ts)
        body_ts = ts.child_by_field_name("body")
        if body_ts is not None:
            for c in body_ts.named_children:
                if c.type == "enum_assignment":
                    member = b.member(c, self.prop_name(c.child_by_field_name("name")))
                    value_ts = c.child_by_field_name("value")
                    if value_ts is not None:
                        b.child(member, self.expr(value_ts, ctx))
                    b.child(td, member)
                elif c.type in ("property_identifier", "string", "identifier"):
                    b.child(td, b.member(c, self.prop_name(c)))
        out.append(td)

    def _type_alias(self, ts: tree_sitter.Node, ctx: _Fn, out: list[int], mods: tuple[str, ...] = (),
                    decorators: list[str] | None = None) -> None:
        b = self.b
        name_ts = ts.child_by_field_name("name")
        name = self.text(name_ts) if name_ts is not None else ANONYMOUS
        value_ts = ts.child_by_field_name("value")
        td = b.type_decl(ts, name, f"{self.rel}:{_join(ctx.qual, name)}", MODIFIERS=("alias", *mods),
                         ALIAS_TYPE_FULL_NAME=self.type_text(value_ts), TYPE_PARAMETERS=self.type_parameters(ts),
                         REQUIRED_TYPE_PARAMETERS=self.required_type_parameters(ts))
        if name_ts is not None:
            b.declare(ctx.scope, name, name_ts)
        out.append(td)

    def _namespace(self, ts: tree_sitter.Node, ctx: _Fn, out: list[int], mods: tuple[str, ...] = (),
                   decorators: list[str] | None = None) -> None:
        b = self.b
        name_ts = ts.child_by_field_name("name")
        if name_ts is None:
            name = "global" if _has_token(ts, "global") else ANONYMOUS
        else:
            name = self.unquote(name_ts)
        td = b.type_decl(ts, name, f"{self.rel}:{_join(ctx.qual, name)}", MODIFIERS=("namespace", *mods))
        if name_ts is not None and name_ts.type in ("identifier", "nested_identifier"):
            b.declare(ctx.scope, name.split(".", 1)[0], name_ts)
        body_ts = ts.child_by_field_name("body")
        if body_ts is None:
            body_ts = next((c for c in ts.named_children if c.type == "statement_block"), None)
        block = b.add(NodeKind.BLOCK, body_ts if body_ts is not None else ts)
        nscope = Scope(ctx.scope.method, block, parent=ctx.scope)
        nctx = _Fn(nscope, _join(ctx.qual, name), ctx.nested, None)
        stmts: list[int] = []
        if body_ts is not None:
            for c in body_ts.named_children:
                self.stmt(c, nctx, stmts)
        b.close(nscope)
        b.children(block, stmts)
        b.child(td, block)
        out.append(td)

    def _ambient(self, ts: tree_sitter.Node, ctx: _Fn, out: list[int], mods: tuple[str, ...] = (),
                 decorators: list[str] | None = None) -> None:
        """`declare ...`: the inner declaration with MODIFIERS "declare"; `declare global {}`."""
        mods = (*mods, "declare")
        if _has_token(ts, "global"):
            self._namespace(ts, ctx, out, mods)
            return
        for c in ts.named_children:
            if c.type != "comment":
                self.declaration(c, ctx, out, mods, decorators)

    def declaration(self, ts: tree_sitter.Node, ctx: _Fn, out: list[int], mods: tuple[str, ...],
                    decorators: list[str] | None) -> None:
        """A declaration under `export` / `declare`: the statement handler with extra modifiers."""
        handler = self.stmt_handlers.get(ts.type)
        if handler in (self._function_decl, self._class_decl, self._interface, self._enum, self._type_alias,
                       self._namespace, self._ambient):
            handler(ts, ctx, out, mods, decorators)  # type: ignore[call-arg]
        else:
            self.stmt(ts, ctx, out)

    # ================================================================ statements
    def stmt(self, ts: tree_sitter.Node, ctx: _Fn, out: list[int]) -> None:
        """Visit one statement, appending the nodes it produces to `out`."""
        t = ts.type
        handler = self.stmt_handlers.get(t)
        if handler is None:
            if t in _SKIP:
                return
            if t in self.expr_handlers:
                out.append(self.expr(ts, ctx))
            else:
                out.append(self.b.unknown(ts))
            return
        if self.depth > MAX_DEPTH:
            out.append(self.b.unknown(ts))
            return
        self.depth += 1
        handler(ts, ctx, out)
        self.depth -= 1

    def block_of(self, ts: tree_sitter.Node | None, ctx: _Fn) -> int:
        """A BLOCK for a statement_block, or a BLOCK wrapping a single statement."""
        if ts is None:
            return self.empty_block()
        stmts: list[int] = []
        if ts.type == "statement_block":
            for c in ts.named_children:
                self.stmt(c, ctx, stmts)
        else:
            self.stmt(ts, ctx, stmts)
        return self.b.block(ts, stmts)

    def expr_or_empty(self, ts: tree_sitter.Node | None, ctx: _Fn) -> int:
        if ts is None:
            return self.empty_block()
        return self.expr(ts, ctx)

    def _expression_statement(self, ts: tree_sitter.Node, ctx: _Fn, out: list[int]) -> None:
        for c in ts.named_children:
            t = c.type
            if t == "comment":
                continue
            if t in ("internal_module", "module"):
                self._namespace(c, ctx, out)
            else:
                out.append(self.expr(c, ctx))

    def _block_stmt(self, ts: tree_sitter.Node, ctx: _Fn, out: list[int]) -> None:
        out.append(self.block_of(ts, ctx))

    def _error_stmt(self, ts: tree_sitter.Node, ctx: _Fn, out: list[int]) -> None:
        before = len(out)
        for c in ts.named_children:
            t = c.type
            if t in self.stmt_handlers or t in self.expr_handlers:
                self.stmt(c, ctx, out)
        if len(out) == before:
            out.append(self.b.unknown(ts))

    def _var_decl(self, ts: tree_sitter.Node, ctx: _Fn, out: list[int], mods: tuple[str, ...] = (),
                  decorators: list[str] | None = None) -> None:
        b = self.b
        for d in ts.named_children:
            if d.type != "variable_declarator":
                if d.type == "ERROR":
                    self._error_stmt(d, ctx, out)
                continue
            name_ts = d.child_by_field_name("name")
            if name_ts is None:
                continue
            value_ts = d.child_by_field_name("value")
            tfn = self.type_text(d.child_by_field_name("type"))
            if name_ts.type == "identifier":
                name = self.text(name_ts)
                b.declare(ctx.scope, name, name_ts, tfn)
                if value_ts is None:
                    continue
                self.require_imports(d, name_ts, value_ts, ctx, out)
                value = self.value(value_ts, ctx, name)
                target = b.identifier(name_ts, name, scope=ctx.scope, write=True)
                out.append(b.assignment(d, target, value))
            elif value_ts is None:
                for nts in _bound_names(name_ts):
                    b.declare(ctx.scope, self.text(nts), nts)
            else:
                self.require_imports(d, name_ts, value_ts, ctx, out)
                value = self.expr(value_ts, ctx)
                target = self.pattern(name_ts, ctx, declare=True)
                out.append(b.assignment(d, target, value))

    def require_imports(self, ts: tree_sitter.Node, name_ts: tree_sitter.Node, value_ts: tree_sitter.Node,
                        ctx: _Fn, out: list[int]) -> None:
        """IMPORT nodes for `x = require('m')` / `{a, b: c} = require('m')` (the call stays too)."""
        if value_ts.type != "call_expression":
            return
        fn = value_ts.child_by_field_name("function")
        args = value_ts.child_by_field_name("arguments")
        if fn is None or args is None or fn.type != "identifier" or self.text(fn) != "require":
            return
        arg_list = _named(args)
        if len(arg_list) != 1 or arg_list[0].type != "string":
            return
        spec = self.unquote(arg_list[0])
        b = self.b
        if name_ts.type == "identifier":
            out.append(b.add(NodeKind.IMPORT, ts, IMPORTED_ENTITY=f"{spec}:*", IMPORTED_AS=self.text(name_ts),
                             MODIFIERS=("require",)))
        elif name_ts.type == "object_pattern":
            for c in name_ts.named_children:
                if c.type == "shorthand_property_identifier_pattern":
                    key = local = self.text(c)
                elif c.type == "pair_pattern":
                    k, v = c.child_by_field_name("key"), c.child_by_field_name("value")
                    if k is None or v is None or v.type != "identifier":
                        continue
                    key, local = self.prop_name(k), self.text(v)
                else:
                    continue
                out.append(b.add(NodeKind.IMPORT, c, IMPORTED_ENTITY=f"{spec}:{key}", IMPORTED_AS=local,
                                 MODIFIERS=("require",)))

    def _return(self, ts: tree_sitter.Node, ctx: _Fn, out: list[int]) -> None:
        value = _first_named(ts)
        out.append(self.b.ret(ts, self.expr(value, ctx) if value is not None else None))

    def _if(self, ts: tree_sitter.Node, ctx: _Fn, out: list[int]) -> None:
        # `else if` chains are built iteratively (they can be hundreds long)
        chain: list[tuple[tree_sitter.Node, int, int]] = []
        node = ts
        tail: int | None = None
        while True:
            cond = self.expr_or_empty(node.child_by_field_name("condition"), ctx)
            then = self.block_of(node.child_by_field_name("consequence"), ctx)
            chain.append((node, cond, then))
            alt = node.child_by_field_name("alternative")
            if alt is None:
                break
            inner = _first_named(alt) if alt.type == "else_clause" else alt
            if inner is not None and inner.type == "if_statement":
                node = inner
                continue
            tail = self.block_of(inner, ctx) if inner is not None else self.b.block(alt)
            break
        for node, cond, then in reversed(chain):
            tail = self.b.control(node, Control.IF, [cond, then, tail])
        out.append(tail)  # type: ignore[arg-type]

    def _while(self, ts: tree_sitter.Node, ctx: _Fn, out: list[int]) -> None:
        cond = self.expr_or_empty(ts.child_by_field_name("condition"), ctx)
        body = self.block_of(ts.child_by_field_name("body"), ctx)
        out.append(self.b.control(ts, Control.WHILE, [cond, body]))

    def _do(self, ts: tree_sitter.Node, ctx: _Fn, out: list[int]) -> None:
        body = self.block_of(ts.child_by_field_name("body"), ctx)
        cond = self.expr_or_empty(ts.child_by_field_name("condition"), ctx)
        out.append(self.b.control(ts, Control.DO, [body, cond]))

    def _for(self, ts: tree_sitter.Node, ctx: _Fn, out: list[int]) -> None:
        b = self.b
        init_ts = ts.child_by_field_name("initializer")
        if init_ts is None or init_ts.type == "empty_statement":
            init = self.empty_block()
        else:
            nodes: list[int] = []
            self.stmt(init_ts, ctx, nodes)
            init = nodes[0] if len(nodes) == 1 else b.block(init_ts, nodes)
        cond_ts = None
        for c in ts.children_by_field_name("condition"):
            if c.is_named and c.type not in ("empty_statement", "comment"):
                cond_ts = _first_named(c) if c.type == "expression_statement" else c
                break
        cond = self.expr_or_empty(cond_ts, ctx)
        update = self.expr_or_empty(ts.child_by_field_name("increment"), ctx)
        body = self.block_of(ts.child_by_field_name("body"), ctx)
        out.append(b.control(ts, Control.FOR, [init, cond, update, body]))

    def _for_in(self, ts: tree_sitter.Node, ctx: _Fn, out: list[int]) -> None:
        b = self.b
        right = ts.child_by_field_name("right")
        iterable = self.expr_or_empty(right, ctx)
        left = ts.child_by_field_name("left")
        if left is None:
            target = self.empty_block()
        elif ts.child_by_field_name("kind") is not None:
            target = self.pattern(left, ctx, declare=True)
        else:
            target = self.pattern(left, ctx, declare=False)
        body = self.block_of(ts.child_by_field_name("body"), ctx)
        node = b.control(ts, Control.FOR_EACH, [iterable, target, body])
        op = ts.child_by_field_name("operator")
        if op is not None and op.type == "in":
            b.set(node, MODIFIERS=("in",))
        elif _has_token(ts, "await"):
            b.set(node, MODIFIERS=("await",))
        out.append(node)

    def _switch(self, ts: tree_sitter.Node, ctx: _Fn, out: list[int]) -> None:
        b = self.b
        subject = self.expr_or_empty(ts.child_by_field_name("value"), ctx)
        cases: list[int] = []
        body_ts = ts.child_by_field_name("body")
        if body_ts is not None:
            for c in body_ts.named_children:
                if c.type not in ("switch_case", "switch_default"):
                    continue
                test_ts = c.child_by_field_name("value") if c.type == "switch_case" else None
                test = self.expr(test_ts, ctx) if test_ts is not None else None
                stmts: list[int] = []
                for s in c.children_by_field_name("body"):
                    self.stmt(s, ctx, stmts)
                cases.append(b.control(c, Control.CASE, [test, b.block(c, stmts)]))
        out.append(b.control(ts, Control.SWITCH, [subject, *cases]))

    def _try(self, ts: tree_sitter.Node, ctx: _Fn, out: list[int]) -> None:
        b = self.b
        kids = [self.block_of(ts.child_by_field_name("body"), ctx)]
        handler = ts.child_by_field_name("handler")
        if handler is not None:
            param = handler.child_by_field_name("parameter")
            binding = None
            if param is not None:
                if param.type == "identifier":
                    name = self.text(param)
                    b.declare(ctx.scope, name, param, self.type_text(handler.child_by_field_name("type")))
                    binding = b.identifier(param, name, scope=ctx.scope, write=True)
                else:
                    binding = self.pattern(param, ctx, declare=True)
            body = self.block_of(handler.child_by_field_name("body"), ctx)
            kids.append(b.control(handler, Control.CATCH, [binding, body]))
        finalizer = ts.child_by_field_name("finalizer")
        if finalizer is not None:
            kids.append(b.control(finalizer, Control.FINALLY,
                                  [self.block_of(finalizer.child_by_field_name("body"), ctx)]))
        out.append(b.control(ts, Control.TRY, kids))

    def _throw(self, ts: tree_sitter.Node, ctx: _Fn, out: list[int]) -> None:
        value = _first_named(ts)
        out.append(self.b.control(ts, Control.THROW, [self.expr(value, ctx) if value is not None else None]))

    def _break(self, ts: tree_sitter.Node, ctx: _Fn, out: list[int]) -> None:
        out.append(self.b.control(ts, Control.BREAK))

    def _continue(self, ts: tree_sitter.Node, ctx: _Fn, out: list[int]) -> None:
        out.append(self.b.control(ts, Control.CONTINUE))

    def _labeled(self, ts: tree_sitter.Node, ctx: _Fn, out: list[int]) -> None:
        body = ts.child_by_field_name("body")
        if body is not None:
            self.stmt(body, ctx, out)

    def _with(self, ts: tree_sitter.Node, ctx: _Fn, out: list[int]) -> None:
        obj = self.expr_or_empty(ts.child_by_field_name("object"), ctx)
        body = self.block_of(ts.child_by_field_name("body"), ctx)
        out.append(self.b.control(ts, Control.WITH, [obj, body]))

    # ================================================================ imports & exports
    def import_node(self, ts: tree_sitter.Node, ctx: _Fn, entity: str, local: str,
                    local_ts: tree_sitter.Node | None, mods: tuple[str, ...]) -> int:
        if local_ts is not None and local:
            self.b.declare(ctx.scope, local, local_ts)
        return self.b.add(NodeKind.IMPORT, ts, IMPORTED_ENTITY=entity, IMPORTED_AS=local, MODIFIERS=mods or None)

    def _import(self, ts: tree_sitter.Node, ctx: _Fn, out: list[int]) -> None:
        source = ts.child_by_field_name("source")
        mods: tuple[str, ...] = ("type",) if _has_token(ts, "type") else ()
        clause = None
        for c in ts.named_children:
            if c.type in ("import_clause", "import_require_clause"):
                clause = c
                break
        if clause is not None and clause.type == "import_require_clause":
            source = clause.child_by_field_name("source") or source
        spec = self.unquote(source) if source is not None else ""
        if clause is None:
            out.append(self.import_node(ts, ctx, f"{spec}:*", "", None, mods))
            return
        if clause.type == "import_require_clause":
            ident = _first_named(clause)
            if ident is not None and ident.type == "identifier":
                out.append(self.import_node(ts, ctx, f"{spec}:*", self.text(ident), ident, (*mods, "require")))
            return
        for c in clause.named_children:
            t = c.type
            if t == "identifier":
                out.append(self.import_node(c, ctx, f"{spec}:default", self.text(c), c, mods))
            elif t == "namespace_import":
                ident = _first_named(c)
                if ident is not None:
                    out.append(self.import_node(c, ctx, f"{spec}:*", self.text(ident), ident, mods))
            elif t == "named_imports":
                for s in c.named_children:
                    if s.type != "import_specifier":
                        continue
                    name_ts = s.child_by_field_name("name")
                    alias_ts = s.child_by_field_name("alias") or name_ts
                    if name_ts is None or alias_ts is None:
                        continue
                    smods = (*mods, "type") if _has_token(s, "type") and "type" not in mods else mods
                    out.append(self.import_node(s, ctx, f"{spec}:{self.unquote(name_ts)}", self.text(alias_ts),
                                                alias_ts, smods))

    def _import_alias(self, ts: tree_sitter.Node, ctx: _Fn, out: list[int], mods: tuple[str, ...] = (),
                      decorators: list[str] | None = None) -> None:
        """`import A = N.B`: an assignment of the qualified name to the local A."""
        kids = _named(ts)
        if len(kids) < 2 or kids[0].type != "identifier":
            out.append(self.b.unknown(ts))
            return
        name = self.text(kids[0])
        self.b.declare(ctx.scope, name, kids[0])
        value = self.expr(kids[1], ctx)
        target = self.b.identifier(kids[0], name, scope=ctx.scope, write=True)
        out.append(self.b.assignment(ts, target, value))

    def _export(self, ts: tree_sitter.Node, ctx: _Fn, out: list[int]) -> None:
        b = self.b
        default = _has_token(ts, "default")
        mods = ("export", "default") if default else ("export",)
        decorators = self.decorators_of(ts)
        decl = ts.child_by_field_name("declaration")
        if decl is not None:
            self.declaration(decl, ctx, out, mods, decorators)
            return
        source = ts.child_by_field_name("source")
        value = ts.child_by_field_name("value")
        if value is not None and source is None:
            t = value.type
            if t in _FUNC_EXPRS and value.child_by_field_name("name") is None:
                name = "default" if default else ANONYMOUS
                fmods = [*self.mods_of(value), *(["arrow"] if t == "arrow_function" else []), *mods]
                out.append(self.function(value, ctx, name, _join(ctx.qual, name), fmods,
                                         cls=ctx.cls if t == "arrow_function" else None))
            elif t == "class" and value.child_by_field_name("name") is None:
                out.append(self.class_node(value, ctx, "default", _join(ctx.qual, "default"),
                                           ["class", *mods], decorators))
            else:
                out.append(self.value(value, ctx, "default" if default else None))
            return
        spec = self.unquote(source) if source is not None else None
        for c in ts.named_children:
            t = c.type
            if t == "export_clause" and spec is not None:
                for s in c.named_children:
                    if s.type != "export_specifier":
                        continue
                    name_ts = s.child_by_field_name("name")
                    alias_ts = s.child_by_field_name("alias") or name_ts
                    if name_ts is None or alias_ts is None:
                        continue
                    out.append(b.add(NodeKind.IMPORT, s, IMPORTED_ENTITY=f"{spec}:{self.unquote(name_ts)}",
                                     IMPORTED_AS=self.unquote(alias_ts), MODIFIERS=("reexport",)))
            elif t == "namespace_export" and spec is not None:
                ident = _first_named(c)
                out.append(b.add(NodeKind.IMPORT, c, IMPORTED_ENTITY=f"{spec}:*",
                                 IMPORTED_AS=self.unquote(ident) if ident is not None else "",
                                 MODIFIERS=("reexport",)))
            elif t not in ("decorator", "comment", "export_clause", "namespace_export", "string") \
                    and _has_token(ts, "=") and not _has_token(ts, "as"):
                out.append(self.expr(c, ctx))  # `export = x`
        if spec is not None and _has_token(ts, "*") and not any(c.type == "namespace_export"
                                                              for c in ts.named_children):
            out.append(b.add(NodeKind.IMPORT, ts, IMPORTED_ENTITY=f"{spec}:*", IMPORTED_AS="",
                             MODIFIERS=("reexport",)))

    # ================================================================ patterns (assignment targets)
    def pattern(self, ts: tree_sitter.Node, ctx: _Fn, declare: bool) -> int:
        """An assignment target; identifiers are written (and declared when `declare`)."""
        b = self.b
        t = ts.type
        if t in ("identifier", "shorthand_property_identifier_pattern", "shorthand_property_identifier"):
            name = self.text(ts)
            if declare:
                b.declare(ctx.scope, name, ts)
            return b.identifier(ts, name, scope=ctx.scope, write=True)
        if self.depth > MAX_DEPTH:
            return b.unknown(ts)
        self.depth += 1
        try:
            if t == "object_pattern" or t == "object":
                items: list[int] = []
                for c in ts.named_children:
                    ct = c.type
                    if ct in ("shorthand_property_identifier_pattern", "shorthand_property_identifier"):
                        items.append(self.pattern(c, ctx, declare))
                    elif ct in ("pair_pattern", "pair"):
                        key_ts, value_ts = c.child_by_field_name("key"), c.child_by_field_name("value")
                        if key_ts is None or value_ts is None:
                            continue
                        key = self.key(key_ts, ctx)
                        items.append(b.operator(c, Op.KEY_VALUE, key, self.pattern(value_ts, ctx, declare)))
                    elif ct in ("object_assignment_pattern", "assignment_pattern"):
                        items.append(self.pattern(c, ctx, declare))
                    elif ct in ("rest_pattern", "spread_element"):
                        items.append(self.pattern(c, ctx, declare))
                    elif ct != "comment":
                        items.append(self.expr(c, ctx))
                return b.operator(ts, Op.OBJECT_LITERAL, *items)
            if t == "array_pattern" or t == "array":
                items = [self.pattern(c, ctx, declare) for c in ts.named_children if c.type != "comment"]
                return b.operator(ts, Op.TUPLE_LITERAL, *items)
            if t in ("object_assignment_pattern", "assignment_pattern", "assignment_expression"):
                left, right = ts.child_by_field_name("left"), ts.child_by_field_name("right")
                if left is None:
                    return b.unknown(ts)
                target = self.pattern(left, ctx, declare)
                default = self.expr(right, ctx) if right is not None else None
                return b.operator(ts, Op.ASSIGNMENT, target, default)
            if t in ("rest_pattern", "spread_element"):
                inner = _first_named(ts)
                return b.operator(ts, Op.SPREAD, self.pattern(inner, ctx, declare) if inner is not None else None)
            if t == "parenthesized_expression":
                inner = _first_named(ts)
                if inner is not None:
                    return self.pattern(inner, ctx, declare)
            target = self.expr(ts, ctx)
            b.mark_write(target)
            return target
        finally:
            self.depth -= 1

    # ================================================================ expressions
    def expr(self, ts: tree_sitter.Node, ctx: _Fn) -> int:
        """Visit an expression; returns the id of the node that stands for its value."""
        handler = self.expr_handlers.get(ts.type)
        if handler is None or self.depth > MAX_DEPTH:
            return self.b.unknown(ts)
        self.depth += 1
        result = handler(ts, ctx)
        self.depth -= 1
        return result

    def _identifier(self, ts: tree_sitter.Node, ctx: _Fn) -> int:
        return self.b.identifier(ts, scope=ctx.scope)

    def _unbound(self, ts: tree_sitter.Node, ctx: _Fn) -> int:
        return self.b.identifier(ts)

    def _literal(self, ts: tree_sitter.Node, ctx: _Fn) -> int:
        t = ts.type
        tfn = _LITERAL_TYPES.get(t)
        if t == "number" and self.data[ts.end_byte - 1 : ts.end_byte] == b"n":
            tfn = "bigint"
        elif t in ("jsx_text", "property_identifier"):
            tfn = "string"
        return self.b.literal(ts, tfn)

    def _template(self, ts: tree_sitter.Node, ctx: _Fn) -> int:
        subs = []
        for c in ts.named_children:
            if c.type == "template_substitution":
                inner = _first_named(c)
                if inner is not None:
                    subs.append(self.expr(inner, ctx))
        if not subs:
            return self.b.literal(ts, "string")
        return self.b.operator(ts, Op.FORMAT_STRING, *subs)

    def _binary(self, ts: tree_sitter.Node, ctx: _Fn) -> int:
        # left-deep chains (`a + b + c + ...`) are walked iteratively
        spine = []
        node = ts
        while node.type == "binary_expression":
            spine.append(node)
            left = node.child_by_field_name("left")
            if left is None:
                break
            node = left
        cur: int | None = self.expr(node, ctx) if node.type != "binary_expression" else None
        b = self.b
        for n in reversed(spine):
            op_ts = n.child_by_field_name("operator")
            op = op_ts.type if op_ts is not None else "?"
            right_ts = n.child_by_field_name("right")
            right = self.expr(right_ts, ctx) if right_ts is not None else None
            cur = b.operator(n, Op.BINARY.get(op, f"<operator>.{op}"), cur, right)
        return cur  # type: ignore[return-value]

    def _unary(self, ts: tree_sitter.Node, ctx: _Fn) -> int:
        op_ts = ts.child_by_field_name("operator")
        op = op_ts.type if op_ts is not None else "?"
        arg = ts.child_by_field_name("argument")
        return self.b.operator(ts, Op.UNARY.get(op, f"<operator>.{op}"),
                               self.expr(arg, ctx) if arg is not None else None)

    def _update(self, ts: tree_sitter.Node, ctx: _Fn) -> int:
        op_ts = ts.child_by_field_name("operator")
        op = op_ts.type if op_ts is not None else "++"
        arg = ts.child_by_field_name("argument")
        target = self.pattern(arg, ctx, declare=False) if arg is not None else None
        return self.b.operator(ts, Op.UNARY.get(op, f"<operator>.{op}"), target)

    def assignment_hint(self, left: tree_sitter.Node) -> str | None:
        t = left.type
        if t == "identifier":
            return self.text(left)
        if t == "member_expression":
            prop = left.child_by_field_name("property")
            if prop is not None:
                return self.text(prop)
        return None

    def this_member(self, left: tree_sitter.Node, ctx: _Fn) -> None:
        """`this.x = ...` in a method: MEMBER x of the class (first occurrence)."""
        if ctx.cls is None or left.type != "member_expression":
            return
        obj = left.child_by_field_name("object")
        prop = left.child_by_field_name("property")
        if obj is None or prop is None or obj.type != "this":
            return
        name = self.text(prop)
        if self.member_writes is not None:
            self.member_writes.append((ctx.cls, name))
        if name not in ctx.cls.names:
            ctx.cls.names.add(name)
            ctx.cls.members.append(self.b.member(left, name))

    def _assign(self, ts: tree_sitter.Node, ctx: _Fn) -> int:
        b = self.b
        left = ts.child_by_field_name("left")
        right = ts.child_by_field_name("right")
        if left is None:
            return b.unknown(ts)
        value = self.value(right, ctx, self.assignment_hint(left)) if right is not None else None
        self.this_member(left, ctx)
        target = self.pattern(left, ctx, declare=False)
        return b.assignment(ts, target, value)

    def _augmented(self, ts: tree_sitter.Node, ctx: _Fn) -> int:
        b = self.b
        left = ts.child_by_field_name("left")
        right = ts.child_by_field_name("right")
        op_ts = ts.child_by_field_name("operator")
        op = op_ts.type[:-1] if op_ts is not None else "+"
        name = Op.augmented(op) if op in Op.BINARY else Op.AUGMENTED_PREFIX + op
        if left is None:
            return b.unknown(ts)
        target = self.pattern(left, ctx, declare=False)  # read and written: one IDENTIFIER, IS_WRITE
        value = self.expr(right, ctx) if right is not None else None
        return b.assignment(ts, target, value, op=name)

    def args(self, ts: tree_sitter.Node | None, ctx: _Fn) -> list[int]:
        if ts is None:
            return []
        if ts.type == "template_string":  # tagged template
            return [self.expr(ts, ctx)]
        return [self.expr(c, ctx) for c in ts.named_children if c.type != "comment"]

    def _chain(self, ts: tree_sitter.Node, ctx: _Fn) -> int:
        """Calls, member / index accesses and `!`, walked iteratively down the object chain."""
        b = self.b
        spine = []
        node: tree_sitter.Node | None = ts
        while node is not None and node.type in _CHAIN:
            spine.append(node)
            t = node.type
            if t == "call_expression":
                nxt = node.child_by_field_name("function")
            elif t == "non_null_expression":
                nxt = _first_named(node)
            else:
                nxt = node.child_by_field_name("object")
            if nxt is None:
                break
            node = nxt
        i = len(spine) - 1
        base = node
        cur: int | None
        if base is None or base.type in _CHAIN:  # broken tree: chain ends without a base
            cur = None
        elif spine[i].type == "call_expression" and base.type in ("identifier", "super", "import"):
            call_ts = spine[i]
            name = self.text(base)
            cur = b.call(call_ts, name, UNRESOLVED_PREFIX + name, self.args(call_ts.child_by_field_name("arguments"), ctx))
            self.optional_call(call_ts, base, cur)
            i -= 1
        else:
            cur = self.expr(base, ctx)
        while i >= 0:
            n = spine[i]
            t = n.type
            if t == "member_expression":
                prop = n.child_by_field_name("property")
                name = self.text(prop) if prop is not None else ""
                optional = n.child_by_field_name("optional_chain") is not None
                if i > 0 and spine[i - 1].type == "call_expression":
                    call_ts = spine[i - 1]
                    args = self.args(call_ts.child_by_field_name("arguments"), ctx)
                    receiver = cur if cur is not None else b.unknown(n)
                    cur = b.call(call_ts, name, UNRESOLVED_PREFIX + name, args, receiver=receiver)
                    if optional:
                        b.set(cur, MODIFIERS=("optional",))
                    else:
                        self.optional_call(call_ts, n, cur)
                    i -= 2
                    continue
                obj = cur if cur is not None else b.unknown(n)
                cur = b.field_access(n, obj, prop, name, optional=optional)
            elif t == "subscript_expression":
                index_ts = n.child_by_field_name("index")
                index = self.expr(index_ts, ctx) if index_ts is not None else None
                cur = b.operator(n, Op.INDEX_ACCESS, cur, index)
                if n.child_by_field_name("optional_chain") is not None:
                    b.set(cur, MODIFIERS=("optional",))
            elif t == "non_null_expression":
                cur = b.operator(n, Op.CAST, cur)
                b.set(cur, TYPE_FULL_NAME="", MODIFIERS=("nonNull",))
            else:  # call of a computed callee
                args = self.args(n.child_by_field_name("arguments"), ctx)
                receiver = cur if cur is not None else b.unknown(n)
                cur = b.call(n, DYNAMIC, UNRESOLVED_PREFIX + DYNAMIC, args, receiver=receiver)
                fn = n.child_by_field_name("function")
                if fn is not None:
                    self.optional_call(n, fn, cur)
            i -= 1
        return cur if cur is not None else b.unknown(ts)

    def optional_call(self, call_ts: tree_sitter.Node, callee: tree_sitter.Node, call: int) -> None:
        """`f?.(x)`: the `?.` sits between the callee and the arguments."""
        args = call_ts.child_by_field_name("arguments")
        if args is not None and b"?." in self.data[callee.end_byte : args.start_byte]:
            self.b.set(call, MODIFIERS=("optional",))

    def _new(self, ts: tree_sitter.Node, ctx: _Fn) -> int:
        b = self.b
        ctor = ts.child_by_field_name("constructor")
        args = self.args(ts.child_by_field_name("arguments"), ctx)
        if ctor is not None and self.is_name_path(ctor):
            name = " ".join(self.text(ctor).split()).replace(" ", "")
            call = b.call(ts, name, f"{UNRESOLVED_PREFIX}new:{name}", args)
        else:
            receiver = self.expr(ctor, ctx) if ctor is not None else None
            call = b.call(ts, DYNAMIC, f"{UNRESOLVED_PREFIX}new:{DYNAMIC}", args, receiver=receiver)
        b.set(call, MODIFIERS=("new",))
        return call

    def is_name_path(self, ts: tree_sitter.Node) -> bool:
        """`C`, `ns.C`, `a.b.C`: identifiers joined by plain dots."""
        node = ts
        while node.type == "member_expression":
            if node.child_by_field_name("optional_chain") is not None:
                return False
            obj = node.child_by_field_name("object")
            if obj is None:
                return False
            node = obj
        return node.type in ("identifier", "this")

    def _ternary(self, ts: tree_sitter.Node, ctx: _Fn) -> int:
        parts = [ts.child_by_field_name(f) for f in ("condition", "consequence", "alternative")]
        return self.b.operator(ts, Op.CONDITIONAL, *(self.expr_or_empty(p, ctx) for p in parts))

    def _await(self, ts: tree_sitter.Node, ctx: _Fn) -> int:
        inner = _first_named(ts)
        return self.b.operator(ts, Op.AWAIT, self.expr(inner, ctx) if inner is not None else None)

    def _yield(self, ts: tree_sitter.Node, ctx: _Fn) -> int:
        inner = _first_named(ts)
        op = Op.YIELD_FROM if _has_token(ts, "*") else Op.YIELD
        return self.b.operator(ts, op, self.expr(inner, ctx) if inner is not None else None)

    def _spread(self, ts: tree_sitter.Node, ctx: _Fn) -> int:
        inner = _first_named(ts)
        return self.b.operator(ts, Op.SPREAD, self.expr(inner, ctx) if inner is not None else None)

    def _array(self, ts: tree_sitter.Node, ctx: _Fn) -> int:
        return self.b.operator(ts, Op.LIST_LITERAL, *(self.expr(c, ctx) for c in ts.named_children
                                                      if c.type != "comment"))

    def key(self, ts: tree_sitter.Node, ctx: _Fn) -> int:
        """An object key: a LITERAL, or the expression of a computed `[k]` key."""
        if ts.type == "computed_property_name":
            inner = _first_named(ts)
            return self.expr(inner, ctx) if inner is not None else self.b.unknown(ts)
        if ts.type == "number":
            return self.b.literal(ts, "number")
        return self.b.literal(ts, "string")

    def _object_expr(self, ts: tree_sitter.Node, ctx: _Fn) -> int:
        return self.object(ts, ctx, ctx.qual)

    def object(self, ts: tree_sitter.Node, ctx: _Fn, prefix: str) -> int:
        """OBJECT_LITERAL of KEY_VALUE pairs; functions in it are named `prefix.key`."""
        b = self.b
        items: list[int] = []
        for c in ts.named_children:
            t = c.type
            if t == "pair":
                key_ts, value_ts = c.child_by_field_name("key"), c.child_by_field_name("value")
                if key_ts is None or value_ts is None:
                    continue
                key = self.key(key_ts, ctx)
                hint = self.prop_name(key_ts) if key_ts.type != "computed_property_name" else None
                items.append(b.operator(c, Op.KEY_VALUE, key, self.value(value_ts, ctx, hint, prefix)))
            elif t == "shorthand_property_identifier":
                items.append(b.operator(c, Op.KEY_VALUE, b.literal(c, "string"), b.identifier(c, scope=ctx.scope)))
            elif t == "method_definition":
                name_ts = c.child_by_field_name("name")
                key = self.key(name_ts, ctx) if name_ts is not None else b.unknown(c)
                m = self.method_definition(c, ctx, prefix, None, [], ctx.nested)
                ref = b.add(NodeKind.METHOD_REF, c, METHOD_FULL_NAME=b.get(m, Prop.FULL_NAME))
                items.append(b.operator(c, Op.KEY_VALUE, key, ref))
            elif t != "comment":
                items.append(self.expr(c, ctx))
        return b.operator(ts, Op.OBJECT_LITERAL, *items)

    def _paren(self, ts: tree_sitter.Node, ctx: _Fn) -> int:
        inner = _first_named(ts)
        if inner is None:
            return self.b.unknown(ts)
        return self.expr(inner, ctx)

    def _sequence(self, ts: tree_sitter.Node, ctx: _Fn) -> int:
        parts: list[tree_sitter.Node] = []
        node = ts
        while True:  # older grammars nest sequences to the right: flatten iteratively
            kids = _named(node)
            if kids and kids[-1].type == "sequence_expression":
                parts.extend(kids[:-1])
                node = kids[-1]
                continue
            parts.extend(kids)
            break
        return self.b.operator(ts, SEQUENCE, *(self.expr(p, ctx) for p in parts))

    def cast(self, ts: tree_sitter.Node, ctx: _Fn, inner: tree_sitter.Node, hint: str | None = None,
             prefix: str | None = None) -> int:
        """`x as T` / `x satisfies T`: CAST with TYPE_FULL_NAME the text after the keyword."""
        b = self.b
        keyword = "satisfies" if ts.type == "satisfies_expression" else "as"
        type_text = ""
        for c in ts.children:
            if not c.is_named and c.type == keyword:
                type_text = " ".join(self.data[c.end_byte : ts.end_byte].decode("utf-8", "replace").split())
                break
        value = self.value(inner, ctx, hint, prefix)
        call = b.operator(ts, Op.CAST, value)
        b.set(call, TYPE_FULL_NAME=type_text)
        if keyword == "satisfies":
            b.set(call, MODIFIERS=("satisfies",))
        return call

    def _cast(self, ts: tree_sitter.Node, ctx: _Fn) -> int:
        inner = _first_named(ts)
        if inner is None:
            return self.b.unknown(ts)
        return self.cast(ts, ctx, inner)

    def _type_assertion(self, ts: tree_sitter.Node, ctx: _Fn) -> int:
        kids = _named(ts)
        if not kids:
            return self.b.unknown(ts)
        type_text = ""
        if kids[0].type == "type_arguments":
            type_text = " ".join(self.text(kids[0])[1:-1].split())
            kids = kids[1:]
        call = self.b.operator(ts, Op.CAST, self.expr(kids[0], ctx) if kids else None)
        self.b.set(call, TYPE_FULL_NAME=type_text)
        return call

    def _nested_identifier(self, ts: tree_sitter.Node, ctx: _Fn) -> int:
        obj = ts.child_by_field_name("object")
        prop = ts.child_by_field_name("property")
        if obj is None or prop is None:
            return self.b.unknown(ts)
        return self.b.field_access(ts, self.expr(obj, ctx), prop, self.text(prop))

    # ---------------------------------------------------------------- JSX
    def _jsx(self, ts: tree_sitter.Node, ctx: _Fn) -> int:
        b = self.b
        if ts.type == "jsx_element":
            opening = ts.child_by_field_name("open_tag")
            kids = [c for c in ts.named_children if c.type not in ("jsx_opening_element", "jsx_closing_element")]
        else:
            opening = ts
            kids = []
        tag_ts = opening.child_by_field_name("name") if opening is not None else None
        args: list[int | tuple[str, int]] = []
        if tag_ts is None:
            tag_name = ""
            args.append(b.literal(opening if opening is not None else ts, "string"))
        else:
            tag_name = self.text(tag_ts)
            if tag_ts.type == "identifier" and tag_name[:1].islower():
                args.append(b.literal(tag_ts, "string"))  # intrinsic element: <div>
            elif tag_ts.type in ("identifier", "member_expression", "nested_identifier"):
                args.append(self.expr(tag_ts, ctx))
            else:
                args.append(b.literal(tag_ts, "string"))
        if opening is not None:
            for attr in opening.children_by_field_name("attribute"):
                if attr.type == "jsx_attribute":
                    named = _named(attr)
                    if not named:
                        continue
                    attr_name = self.text(named[0])
                    if len(named) > 1:
                        args.append((attr_name, self.jsx_value(named[1], ctx)))
                    else:
                        lit = b.literal(named[0], "boolean")
                        b.set(lit, CODE="true")
                        args.append((attr_name, lit))
                elif attr.type == "jsx_expression":
                    inner = _first_named(attr)
                    if inner is not None:
                        args.append(self.expr(inner, ctx))
        for k in kids:
            t = k.type
            if t in ("jsx_text", "html_character_reference", "comment"):
                continue
            if t == "jsx_expression":
                inner = _first_named(k)
                if inner is not None:
                    args.append(self.expr(inner, ctx))
            else:
                args.append(self.expr(k, ctx))
        full = f"{JSX}.{tag_name}" if tag_name else JSX
        return b.call(ts, JSX, full, args)

    def jsx_value(self, ts: tree_sitter.Node, ctx: _Fn) -> int:
        if ts.type == "jsx_expression":
            inner = _first_named(ts)
            return self.expr(inner, ctx) if inner is not None else self.b.unknown(ts)
        return self.expr(ts, ctx)

    def _jsx_expression(self, ts: tree_sitter.Node, ctx: _Fn) -> int:
        return self.jsx_value(ts, ctx)
