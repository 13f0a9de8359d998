"""The code property graph schema: node kinds, edge kinds and properties, defined once.

After Joern's codepropertygraph schema, so that Joern's documentation maps onto ours.  Every
other module names kinds through these enums, never through string literals; `validate(graph)`
checks a built graph against the rules written here and is what the tests call.

How the front ends encode code (the contract the passes and the slicer rely on):

* Each file has one FILE node, one NAMESPACE_BLOCK and one METHOD named ``<module>`` that holds
  the top-level statements.  Full names are ``<relpath>:<qualname>`` (``pkg/mod.py:Foo.bar``,
  ``src/a.ts:<module>``).
* METHOD AST children, by ORDER: METHOD_PARAMETER_IN (INDEX 0..n), one BLOCK (the body),
  METHOD_RETURN.  Lambdas and arrow functions are METHODs too; where they occur in an
  expression a METHOD_REF stands in their place and the METHOD hangs under the enclosing METHOD.
* A ``def``/``class``/``function``/``interface`` *statement* is its METHOD/TYPE_DECL node placed
  in the enclosing BLOCK; the CFG treats it as one node that binds its NAME.
* ``new C(a)`` (TypeScript) is a CALL with NAME ``C``, METHOD_FULL_NAME ``<unresolved>.new:C``
  and MODIFIERS ``("new",)``; linking resolves it to the class's constructor.
* Expressions are CALLs.  Operators are CALLs named ``<operator>.*`` (see `Op`).  Arguments are
  AST children with ARGUMENT edges and ARGUMENT_INDEX 1..n (0 is the receiver of a method call,
  which also has a RECEIVER edge).  Keyword arguments carry ARGUMENT_NAME.
* Every IDENTIFIER that is written (assignment target, loop target, ``as`` target, parameter
  default is not one) carries ``IS_WRITE=True``; an augmented assignment target is both read
  and written.  IDENTIFIERs have a REF edge to the LOCAL or METHOD_PARAMETER_IN they name.
* CONTROL_STRUCTURE children by ORDER, per CONTROL_STRUCTURE_TYPE (see `Control`).
* IMPORT nodes sit in the BLOCK where the import statement is and bind IMPORTED_AS.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import networkx as nx


class NodeKind(StrEnum):
    """Node kinds (Joern names)."""

    FILE = "FILE"  #: one per source file; NAME is the path relative to the project root
    NAMESPACE_BLOCK = "NAMESPACE_BLOCK"  #: the file's top-level namespace
    TYPE_DECL = "TYPE_DECL"  #: class, interface, enum, type alias (MODIFIERS say which)
    MEMBER = "MEMBER"  #: a field of a TYPE_DECL (class attribute, TS property, enum member)
    METHOD = "METHOD"  #: function, method, lambda, arrow function, or a file's <module>
    METHOD_PARAMETER_IN = "METHOD_PARAMETER_IN"  #: a formal parameter
    METHOD_RETURN = "METHOD_RETURN"  #: the method's return slot; TYPE_FULL_NAME is the annotation
    LOCAL = "LOCAL"  #: a variable declared (or first assigned) in a method's scope
    BLOCK = "BLOCK"  #: a sequence of statements
    CALL = "CALL"  #: a call or an operator application
    IDENTIFIER = "IDENTIFIER"  #: a use or write of a variable name
    FIELD_IDENTIFIER = "FIELD_IDENTIFIER"  #: the name after the dot in a field access
    LITERAL = "LITERAL"  #: a literal constant
    RETURN = "RETURN"  #: a return statement
    CONTROL_STRUCTURE = "CONTROL_STRUCTURE"  #: if/while/for/try/switch/match/break/...
    IMPORT = "IMPORT"  #: an import (or re-export) of one name
    METHOD_REF = "METHOD_REF"  #: a lambda/arrow/function expression used as a value
    TYPE_REF = "TYPE_REF"  #: a class expression used as a value
    UNKNOWN = "UNKNOWN"  #: a construct the front end does not model (CODE keeps the text)


class EdgeKind(StrEnum):
    """Edge kinds (Joern names)."""

    AST = "AST"  #: syntax tree parent -> child
    CFG = "CFG"  #: control flow successor (intra-procedural)
    REACHING_DEF = "REACHING_DEF"  #: definition -> use; VARIABLE names the variable
    ARGUMENT = "ARGUMENT"  #: call -> argument expression
    RECEIVER = "RECEIVER"  #: call -> receiver expression of a method call
    REF = "REF"  #: identifier -> the LOCAL / METHOD_PARAMETER_IN it names
    CALL = "CALL"  #: call site -> METHOD it invokes (when resolved)
    INHERITS_FROM = "INHERITS_FROM"  #: TYPE_DECL -> base TYPE_DECL (when resolved)
    EVAL_TYPE = "EVAL_TYPE"  #: node -> TYPE_DECL of its (declared or inferred) type


class Prop(StrEnum):
    """Node and edge properties."""

    KIND = "kind"  #: the NodeKind (networkx attribute name for the node label)
    NAME = "NAME"
    FULL_NAME = "FULL_NAME"
    CODE = "CODE"  #: source text, truncated to CODE_LIMIT characters
    FILENAME = "FILENAME"  #: path relative to the project root
    LANGUAGE = "LANGUAGE"  #: "python" or "typescript"
    LINE_NUMBER = "LINE_NUMBER"  #: 1-based
    COLUMN_NUMBER = "COLUMN_NUMBER"  #: 0-based, in bytes (tree-sitter); convert for LSP
    LINE_NUMBER_END = "LINE_NUMBER_END"
    COLUMN_NUMBER_END = "COLUMN_NUMBER_END"
    START_BYTE = "START_BYTE"
    END_BYTE = "END_BYTE"
    ORDER = "ORDER"  #: position among AST siblings, 1-based
    ARGUMENT_INDEX = "ARGUMENT_INDEX"  #: 0 receiver, 1..n positional/keyword order
    ARGUMENT_NAME = "ARGUMENT_NAME"  #: keyword argument name
    INDEX = "INDEX"  #: parameter position, 0-based (self/this included)
    TYPE_FULL_NAME = "TYPE_FULL_NAME"  #: declared annotation text, or the written-back type
    POSSIBLE_TYPES = "POSSIBLE_TYPES"  #: list of (type, probability) from inference
    TYPE_SOURCE = "TYPE_SOURCE"  #: "declared", "static" or "model"
    METHOD_FULL_NAME = "METHOD_FULL_NAME"  #: a CALL's callee, UNRESOLVED_PREFIX + name if unknown
    CONTROL_STRUCTURE_TYPE = "CONTROL_STRUCTURE_TYPE"  #: see Control
    MODIFIERS = "MODIFIERS"  #: tuple of strings: async, generator, static, interface, enum, ...
    INHERITS_FROM_TYPE_FULL_NAME = "INHERITS_FROM_TYPE_FULL_NAME"  #: tuple of base names as written
    ALIAS_TYPE_FULL_NAME = "ALIAS_TYPE_FULL_NAME"  #: right-hand side of a type alias
    IMPORTED_ENTITY = "IMPORTED_ENTITY"  #: what is imported: "os.path.join", "./util:helper"
    IMPORTED_AS = "IMPORTED_AS"  #: the local name it is bound to
    IS_WRITE = "IS_WRITE"  #: IDENTIFIER/fieldAccess that is assigned to
    IS_VARIADIC = "IS_VARIADIC"  #: *args / ...rest parameter
    IS_KEYWORD_VARIADIC = "IS_KEYWORD_VARIADIC"  #: **kwargs parameter
    DEFAULT_VALUE = "DEFAULT_VALUE"  #: a parameter's default value, as source text
    DECORATORS = "DECORATORS"  #: tuple of decorator source texts
    TYPE_PARAMETERS = "TYPE_PARAMETERS"  #: on METHOD / TYPE_DECL: tuple of declared type parameter names (TS generics)
    #: on TYPE_DECL: how many of its type parameters have no default (TS: ``Values<T>`` needs one argument)
    REQUIRED_TYPE_PARAMETERS = "REQUIRED_TYPE_PARAMETERS"
    VARIABLE = "VARIABLE"  #: on REACHING_DEF edges: the variable's name
    PARSE_ERRORS = "PARSE_ERRORS"  #: on FILE: number of ERROR/MISSING nodes
    CONFIDENCE = "CONFIDENCE"  #: probability of TYPE_FULL_NAME when it was inferred
    INFERRED_CALLEE = "INFERRED_CALLEE"  #: True on a CALL whose callee was found only thanks to inferred types


def is_declared(props: Mapping[str, Any]) -> bool:
    """True when a node's TYPE_FULL_NAME is what the code declares (an annotation, a TypeScript type):
    it is set, non-empty, and TYPE_SOURCE is absent or ``"declared"`` (not written back by inference,
    ``"static"`` or ``"model"``)."""
    return bool(props.get(Prop.TYPE_FULL_NAME)) and props.get(Prop.TYPE_SOURCE) in (None, "declared")


class Control(StrEnum):
    """CONTROL_STRUCTURE_TYPE values and the children each one has, by ORDER."""

    IF = "IF"  #: 1 condition, 2 then-block, 3 else (block or nested IF), optional
    WHILE = "WHILE"  #: 1 condition, 2 body, 3 else-block (Python), optional
    DO = "DO"  #: 1 body, 2 condition
    FOR = "FOR"  #: C-style: 1 init, 2 condition, 3 update, 4 body (any may be an empty BLOCK)
    FOR_EACH = "FOR_EACH"  #: 1 iterable, 2 target (IS_WRITE identifiers), 3 body, 4 else, optional
    TRY = "TRY"  #: 1 body, then CATCH*, then ELSE?, then FINALLY?
    CATCH = "CATCH"  #: children: [exception type expr], [binding identifier], body block (last)
    ELSE = "ELSE"  #: try/else block holder: 1 block
    FINALLY = "FINALLY"  #: 1 block
    SWITCH = "SWITCH"  #: TS switch: 1 subject, then CASE*; bodies fall through
    MATCH = "MATCH"  #: Python match: 1 subject, then CASE*; no fall-through
    CASE = "CASE"  #: children: pattern/test exprs (may be none for default), body block (last)
    WITH = "WITH"  #: children: items (expressions or assignments), body block (last)
    BREAK = "BREAK"
    CONTINUE = "CONTINUE"
    THROW = "THROW"  #: 1 exception expression, optional
    YIELD = "YIELD"  #: unused: yield is the operator call Op.YIELD


class Op:
    """Names of operator CALLs (Joern's `<operator>.*` convention)."""

    ASSIGNMENT = "<operator>.assignment"
    #: augmented assignments are "<operator>.assignment" + a suffix from BINARY, e.g. assignmentPlus
    AUGMENTED_PREFIX = "<operator>.assignment"
    FIELD_ACCESS = "<operator>.fieldAccess"  #: 1 object, 2 FIELD_IDENTIFIER
    OPTIONAL_FIELD_ACCESS = "<operator>.optionalFieldAccess"  #: TS a?.b
    INDEX_ACCESS = "<operator>.indexAccess"  #: 1 object, 2 index
    SLICE = "<operator>.slice"
    CONDITIONAL = "<operator>.conditional"  #: 1 condition, 2 then, 3 else
    LOGICAL_AND = "<operator>.logicalAnd"
    LOGICAL_OR = "<operator>.logicalOr"
    LOGICAL_NOT = "<operator>.logicalNot"
    NULLISH = "<operator>.nullishCoalescing"
    AWAIT = "<operator>.await"
    YIELD = "<operator>.yield"
    YIELD_FROM = "<operator>.yieldFrom"
    SPREAD = "<operator>.spread"  #: *x in a call or literal, ...x in TS
    DOUBLE_SPREAD = "<operator>.doubleSpread"  #: **x
    LIST_LITERAL = "<operator>.listLiteral"  #: Python list / TS array literal
    TUPLE_LITERAL = "<operator>.tupleLiteral"  #: also tuple/array destructuring targets
    DICT_LITERAL = "<operator>.dictLiteral"  #: Python dict; children are KEY_VALUE pairs
    OBJECT_LITERAL = "<operator>.objectLiteral"  #: TS object literal / object pattern
    SET_LITERAL = "<operator>.setLiteral"
    KEY_VALUE = "<operator>.keyValue"  #: 1 key, 2 value
    FORMAT_STRING = "<operator>.formatString"  #: f-string / template string; children are the parts
    COMPREHENSION = "<operator>.comprehension"  #: NAME-suffixed: listComprehension, ...
    LAMBDA = "<operator>.lambda"
    TYPEOF = "<operator>.typeOf"
    INSTANCEOF = "<operator>.instanceOf"
    IN = "<operator>.in"
    NOT_IN = "<operator>.notIn"
    IS = "<operator>.is"
    IS_NOT = "<operator>.isNot"
    CAST = "<operator>.cast"  #: TS `x as T`, `<T>x`, `x!`: 1 expression; TYPE_FULL_NAME the type
    DELETE = "<operator>.delete"
    STARRED = "<operator>.starred"
    BINARY = {
        "+": "<operator>.addition",
        "-": "<operator>.subtraction",
        "*": "<operator>.multiplication",
        "/": "<operator>.division",
        "//": "<operator>.floorDivision",
        "%": "<operator>.modulo",
        "**": "<operator>.exponentiation",
        "@": "<operator>.matrixMultiplication",
        "<<": "<operator>.shiftLeft",
        ">>": "<operator>.arithmeticShiftRight",
        ">>>": "<operator>.logicalShiftRight",
        "&": "<operator>.and",
        "|": "<operator>.or",
        "^": "<operator>.xor",
        "==": "<operator>.equals",
        "!=": "<operator>.notEquals",
        "===": "<operator>.strictEquals",
        "!==": "<operator>.strictNotEquals",
        "<": "<operator>.lessThan",
        ">": "<operator>.greaterThan",
        "<=": "<operator>.lessEqualsThan",
        ">=": "<operator>.greaterEqualsThan",
        "and": "<operator>.logicalAnd",
        "&&": "<operator>.logicalAnd",
        "or": "<operator>.logicalOr",
        "||": "<operator>.logicalOr",
        "??": "<operator>.nullishCoalescing",
        "in": "<operator>.in",
        "not in": "<operator>.notIn",
        "is": "<operator>.is",
        "is not": "<operator>.isNot",
        "instanceof": "<operator>.instanceOf",
    }
    UNARY = {
        "-": "<operator>.minus",
        "+": "<operator>.plus",
        "~": "<operator>.not",
        "!": "<operator>.logicalNot",
        "not": "<operator>.logicalNot",
        "typeof": "<operator>.typeOf",
        "void": "<operator>.void",
        "delete": "<operator>.delete",
        "++": "<operator>.increment",
        "--": "<operator>.decrement",
    }

    @staticmethod
    def augmented(op: str) -> str:
        """`+=` -> `<operator>.assignmentAddition` (the binary name's suffix, capitalized)."""
        base = Op.BINARY[op].removeprefix("<operator>.")
        return Op.AUGMENTED_PREFIX + base[0].upper() + base[1:]

    @staticmethod
    def is_assignment(name: str) -> bool:
        """True for plain and augmented assignments."""
        return name.startswith(Op.AUGMENTED_PREFIX)



#: binary operator call name -> its symbol (``<operator>.addition`` -> ``+``)
BINARY_SYMBOLS: dict[str, str] = {name: symbol for symbol, name in Op.BINARY.items()}
#: the operators reading (or writing) a field: ``a.b`` and TypeScript's ``a?.b``
FIELD_ACCESS_OPS = frozenset({Op.FIELD_ACCESS, Op.OPTIONAL_FIELD_ACCESS})

OPERATOR_PREFIX = "<operator>."
UNRESOLVED_PREFIX = "<unresolved>."  #: METHOD_FULL_NAME of a call that no pass resolved
MODULE_METHOD_NAME = "<module>"
#: Receiver names that denote the enclosing instance or class (Python's `self`/`cls`, TypeScript's `this`)
SELF_NAMES = frozenset({"self", "cls", "this"})
CODE_LIMIT = 200

#: Properties every node of a kind must have (checked by `validate`).
REQUIRED_PROPS: dict[NodeKind, tuple[Prop, ...]] = {
    NodeKind.FILE: (Prop.NAME, Prop.LANGUAGE),
    NodeKind.NAMESPACE_BLOCK: (Prop.NAME, Prop.FULL_NAME, Prop.FILENAME),
    NodeKind.TYPE_DECL: (Prop.NAME, Prop.FULL_NAME, Prop.FILENAME, Prop.LINE_NUMBER),
    NodeKind.MEMBER: (Prop.NAME, Prop.LINE_NUMBER),
    NodeKind.METHOD: (Prop.NAME, Prop.FULL_NAME, Prop.FILENAME, Prop.LINE_NUMBER),
    NodeKind.METHOD_PARAMETER_IN: (Prop.NAME, Prop.INDEX, Prop.LINE_NUMBER),
    NodeKind.METHOD_RETURN: (),
    NodeKind.LOCAL: (Prop.NAME,),
    NodeKind.BLOCK: (),
    NodeKind.CALL: (Prop.NAME, Prop.METHOD_FULL_NAME, Prop.LINE_NUMBER, Prop.CODE),
    NodeKind.IDENTIFIER: (Prop.NAME, Prop.LINE_NUMBER, Prop.COLUMN_NUMBER),
    NodeKind.FIELD_IDENTIFIER: (Prop.NAME,),
    NodeKind.LITERAL: (Prop.CODE, Prop.LINE_NUMBER),
    NodeKind.RETURN: (Prop.LINE_NUMBER,),
    NodeKind.CONTROL_STRUCTURE: (Prop.CONTROL_STRUCTURE_TYPE, Prop.LINE_NUMBER),
    NodeKind.IMPORT: (Prop.IMPORTED_ENTITY, Prop.IMPORTED_AS),
    NodeKind.METHOD_REF: (Prop.METHOD_FULL_NAME,),
    NodeKind.TYPE_REF: (Prop.TYPE_FULL_NAME,),
    NodeKind.UNKNOWN: (),
}

#: (source kinds, destination kinds) allowed for each edge kind; None means any.
EDGE_ENDPOINTS: dict[EdgeKind, tuple[frozenset[NodeKind] | None, frozenset[NodeKind] | None]] = {
    EdgeKind.AST: (None, None),
    EdgeKind.CFG: (None, None),
    EdgeKind.REACHING_DEF: (None, None),
    EdgeKind.ARGUMENT: (frozenset({NodeKind.CALL, NodeKind.RETURN, NodeKind.CONTROL_STRUCTURE}), None),
    EdgeKind.RECEIVER: (frozenset({NodeKind.CALL}), None),
    EdgeKind.REF: (
        frozenset({NodeKind.IDENTIFIER}),
        frozenset({NodeKind.LOCAL, NodeKind.METHOD_PARAMETER_IN}),
    ),
    EdgeKind.CALL: (frozenset({NodeKind.CALL}), frozenset({NodeKind.METHOD})),
    EdgeKind.INHERITS_FROM: (frozenset({NodeKind.TYPE_DECL}), frozenset({NodeKind.TYPE_DECL})),
    EdgeKind.EVAL_TYPE: (None, frozenset({NodeKind.TYPE_DECL})),
}


def validate(graph: nx.MultiDiGraph) -> list[str]:
    """Return the schema violations in `graph` (an empty list means valid)."""
    problems: list[str] = []
    for node, data in graph.nodes(data=True):
        kind = data.get(Prop.KIND)
        try:
            kind = NodeKind(kind)
        except ValueError:
            problems.append(f"node {node!r}: unknown kind {kind!r}")
            continue
        for prop in REQUIRED_PROPS[kind]:
            if data.get(prop) is None:
                problems.append(f"node {node!r} ({kind}): missing {prop}")
    for src, dst, key in graph.edges(keys=True):
        try:
            edge_kind = EdgeKind(key)
        except ValueError:
            problems.append(f"edge {src!r}->{dst!r}: unknown kind {key!r}")
            continue
        allowed_src, allowed_dst = EDGE_ENDPOINTS[edge_kind]
        if allowed_src is not None and graph.nodes[src].get(Prop.KIND) not in allowed_src:
            problems.append(f"{edge_kind} edge from {graph.nodes[src].get(Prop.KIND)} {src!r}")
        if allowed_dst is not None and graph.nodes[dst].get(Prop.KIND) not in allowed_dst:
            problems.append(f"{edge_kind} edge to {graph.nodes[dst].get(Prop.KIND)} {dst!r}")
    # every non-FILE node has exactly one AST parent
    for node, data in graph.nodes(data=True):
        if data.get(Prop.KIND) == NodeKind.FILE:
            continue
        parents = sum(1 for _, _, k in graph.in_edges(node, keys=True) if k == EdgeKind.AST)
        if parents != 1:
            problems.append(f"node {node!r} ({data.get(Prop.KIND)}): {parents} AST parents")
    return problems
