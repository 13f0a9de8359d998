"""Static type facts (issue 3, static part): types that deterministic rules settle, never a guess.

Needs: a linked project graph (REF, REACHING_DEF, CALL, EVAL_TYPE edges; `cpg.passes.linking`)
and, for `infer_static`, the slices of that graph (`slices.extract_slices`).
Does not: rank or guess anything (that is the model's job), write types back into the graph,
or look at a slot's own declared annotation (the label).  When a rule is not sure, the answer
is unknown (``None``).  The module is long because the expression typer is one recursive
evaluator (one method per construct) whose rules share its per-node cache and cycle guard;
splitting it would spread that state over several modules.

API
===

``infer_static(cpg, slices, *, use_declared=True) -> list[StaticFact | None]``
    One entry per slice, aligned with ``slices`` (a list of `UsageSlice` or a `ProgramSlices`);
    ``None`` means unknown.  ``slots.SlotKey.of(s)`` gives the slot's key when a dict is wanted.
``StaticTyper(cpg, use_declared=True, settled=())``
    The engine, reusable across many queries on one graph (every result is cached per node):
    ``expression_type(node)`` types a CALL / LITERAL / IDENTIFIER / ... node;
    ``target_fact(node)`` types a slot: METHOD_PARAMETER_IN, METHOD (its return), LOCAL, MEMBER.
``expression_type(cpg, node, typer=None)``
    Convenience wrapper around ``StaticTyper.expression_type``.

``use_declared``: with ``True`` (the normal mode) the annotations *other* slots declare are
facts too (``p: Path`` makes ``p.read_text()`` a ``str``; a callee's ``-> int`` types its calls).
With ``False`` every declared type in the graph is ignored (TYPE_FULL_NAME of parameters,
returns, locals, members and TS casts, and the EVAL_TYPE edges and call resolutions the linker
derived from them), which is how ``bench/bench_static.py`` measures the layer on annotated code
as if the annotations had been removed.

JSON form of a fact (``StaticFact.to_json``)::

    {"type": "Pattern[str]",            # canonical (`canonical_types.canonicalize`)
     "full_type": "re.Pattern[str]",    # qualified where known; project classes:
                                         #   Python pkg/models.py:User -> "pkg.models.User"
                                         #   TypeScript: the TYPE_DECL full name "src/a.ts:User"
     "source": "static",
     "rule": "typeshed-return",         # one of RULES
     "evidence": "re.compile(\"a\") at m.py:3"}   # one line

Rules (ids in `RULES`; each entry says what it does)
======================================================

Values: literals; f-strings and template strings; container literals whose elements all have
one known type (empty or mixed containers are unknown: ``[]`` is ``list[Unknown]`` to a
checker, and annotated empties are what people write ``list[str]`` for); operators with a fixed
result (``not``/``in``/``is``/``isinstance`` -> bool; comparisons of two primitive operands ->
bool; every TS comparison -> boolean; arithmetic on numbers and strings by a small table);
constructor calls of project classes (EVAL_TYPE; generic classes are unknown because their type
arguments are not known) and of non-generic typeshed classes (``pathlib.Path(p)``; a generic one
such as ``collections.Counter()`` is unknown); typeshed returns of stdlib and builtin functions
and of methods on receivers of known type (overloads, Self, TypeVars, LiteralString are
`typeshed_facts`'s job; the call's positional count, keyword names and first string literal are
passed); project functions and methods: their declared return (``use_declared``) or the return
this layer infers for them (calls of async functions are unknown in Python, ``Promise<T>`` in TS;
``await`` unwraps, in Python also for library coroutines and project ``async def`` methods on typed
receivers); TypeScript library calls from the project's node_modules (`ts_declarations`); a small table of TS built-ins (`TS_GLOBAL_CALLS`, `TS_NEW`, `TS_MEMBERS`, kept with the
TypeScript adapter in `languages.typescript`, read through `adapter_for(lang).static_tables`).

Variables: an identifier's type is the union of the types of its reaching definitions, each of
which must be known (one unknown definition makes it unknown; ``x = None`` then ``x = 1`` is
``int | None``).  Definitions: assignments, ``for`` targets (element type through
``__iter__``/``__next__``), comprehension targets, ``with ... as`` (``__enter__``; ``async with``:
the awaited ``__aenter__``), augmented
assignments when the operator keeps the variable's type (``n = 0; n += 1`` is ``int``).
Evaluation is demand-driven and memoized per node, so chains such as ``p = Path(s)``,
``t = p.read_text()``, ``lines = t.splitlines()`` resolve in one pass; a definition that depends
on itself (a loop-carried value other than the augmented case) is unknown, and the result is
the same in whatever order slots are asked.  Narrowing: inside the then-branch of
``if isinstance(x, C):`` / ``if (typeof x === "string")`` / ``if (x instanceof C)`` a use of x
with the same reaching definitions as the test is a C.

Slots:
* variable / attribute - union of all definitions (attributes: class-level assignments and
  initializers, ``self.x = ...`` / ``this.x = ...`` in the class's own methods); unknown if any is
  unknown, and unknown when the only type is None/null/undefined (such a slot is annotated
  ``X | None`` and set where we do not look).
* return - the union of all return expressions (a bare ``return`` is None); a body with no
  return at all is ``None`` / ``void``, except generators, abstract methods, overload
  signatures, protocol/interface methods, stub bodies (only ``...``/``pass``/docstring/
  ``raise``) and functions without a body, which are unknown; async functions: the returned
  value's type in Python (the annotation convention), ``Promise<T>`` in TS.
* parameter - only from a default that is a literal other than None/null/undefined
  (``x=0`` -> int, ``flag=False`` -> bool).  Its measured precision is in bench/RESULTS.md.
"""

from __future__ import annotations

import ast
import re
from dataclasses import asdict, dataclass
from typing import Any, Callable, Collection, Iterable

from typeinfer.cpg.dataflow import argument_for, self_writes
from typeinfer.cpg.graph import CodePropertyGraph, NodeId
from typeinfer.cpg.passes.linking import Linker, python_module_names
from typeinfer.cpg.schema import (FIELD_ACCESS_OPS, MODULE_METHOD_NAME, OPERATOR_PREFIX, SELF_NAMES,
                                  UNRESOLVED_PREFIX, Control, EdgeKind, NodeKind, Op, Prop)

from .canonical_types import NUMERIC_PROMOTION, canonicalize, outer_type, referenced_names, split_union
from .graph_structure import GraphStructure
from .languages import adapter_for
from .languages.python import OPERATOR_DUNDERS, PROTOCOL_CALLS
from .slice_schema import ProgramSlices, UsageSlice
from .slots import declared_type, slot_function
from .ts_declarations import Declarations
from .typeshed_facts import Typeshed, default_typeshed

__all__ = ["RULES", "SIMPLE_BUILTINS", "StaticFact", "StaticTyper", "expression_type", "infer_static"]

#: Rule ids and what each one does (for ``--explain`` and hover).
RULES: dict[str, str] = {
    "literal": "A literal, f-string/template string or container literal with uniform element types.",
    "operator": "An operator whose result type is fixed by its operand types (comparison, not, arithmetic; "
                "on two operands of one stdlib class, that class's typeshed dunder: frozenset | frozenset).",
    "constructor": "A call of a project class, or of a non-generic stdlib class: an instance of it.",
    "typeshed-return": "A stdlib/builtin function or method on a receiver of known type, typed by typeshed.",
    "project-return": "A call of a project function whose return type is declared or inferred here.",
    "ts-builtin": "A TypeScript built-in from the module's tables (JSON.stringify, s.toUpperCase(), arr.length).",
    "declared": "A name whose declaration is annotated (only when use_declared=True).",
    "propagation": "A variable's value: the union of the types of all its reaching definitions.",
    "narrowing": "A use inside `if isinstance(x, C)` / `typeof x === 't'` / `x instanceof C`.",
    "attribute": "An attribute: the union of its class-level value and all self.x / this.x assignments.",
    "return": "A return value: the union of the types of all return expressions.",
    "no-return": "A function body without any return statement: None (Python) / void (TypeScript).",
    "default": "A parameter whose default value is a literal other than None/null/undefined.",
}

_PY_PRIMITIVES = frozenset({"int", "float", "complex", "str", "bytes", "bool", "None"})
_TS_PRIMITIVES = frozenset({"number", "string", "boolean", "bigint"})
_NONE_TYPES = frozenset({"None", "null", "undefined", "void"})
#: Default-value types the ``default`` rule claims for a parameter.  Measured on held-out
#: packages (bench/RESULTS.md): ``x: Optional[int] = 8``, ``style: StyleType = ""`` and
#: ``rate: float = 4`` make str/int/float defaults wrong about a quarter of the time.
_DEFAULT_TYPES = frozenset({"bool", "boolean"})
#: Decorators that leave a function's call signature alone.
_TRANSPARENT_DECORATORS = frozenset({
    "staticmethod", "classmethod", "functools.cache", "cache", "functools.lru_cache", "lru_cache",
    "override", "typing.override", "typing_extensions.override", "final", "typing.final",
    "functools.wraps",
})
_COMPARISONS = frozenset(Op.BINARY[s] for s in ("==", "!=", "<", ">", "<=", ">="))
_ALWAYS_BOOL = frozenset({Op.IN, Op.NOT_IN, Op.IS, Op.IS_NOT, Op.LOGICAL_NOT, Op.INSTANCEOF})
_TS_ALWAYS_BOOLEAN = frozenset(Op.BINARY[s] for s in ("==", "!=", "===", "!==", "<", ">", "<=", ">=")) | {
    Op.LOGICAL_NOT, Op.INSTANCEOF, Op.IN}
_ARITH = {Op.BINARY[s]: s for s in ("+", "-", "*", "/", "//", "%", "**", "<<", ">>", ">>>", "&", "|", "^")}
#: Types a union may combine (with None/null/undefined); any other mix is unknown.
_UNION_MEMBERS = frozenset({"int", "float", "str", "bytes", "bool", "number", "string", "boolean", "bigint"})
_PY_NUMERIC_RANK = {"bool": 0, "int": 1, "float": 2, "complex": 3}
#: Calls whose result is a descriptor, not a value of the attribute's type (``x = property(get)``).
_DESCRIPTOR_FACTORIES = frozenset({"property", "classmethod", "staticmethod", "cached_property"})
#: per language, builtin types no value of another type can be (an annotation made of these is
#: judged against every value it takes, `StaticTyper.rejected_value`, and every use, `use_requirements`)
SIMPLE_BUILTINS = {
    "python": frozenset({"str", "bytes", "int", "float", "bool", "complex", "None", "list", "dict", "set",
                         "tuple", "frozenset", "bytearray"}),
    "typescript": frozenset({"string", "number", "boolean", "bigint", "null", "undefined"}),
}
_SCALARS = frozenset({"str", "bytes", "int", "float", "bool", "complex", "None", "string", "number", "boolean",
                      "bigint", "null", "undefined"})
#: Python displays and comprehensions -> the container they build
_DISPLAYS = {Op.LIST_LITERAL: "list", Op.DICT_LITERAL: "dict", Op.SET_LITERAL: "set", Op.TUPLE_LITERAL: "tuple",
             "<operator>.listComprehension": "list", "<operator>.dictComprehension": "dict",
             "<operator>.setComprehension": "set"}
#: TypeScript object and array literals -> what they build
_TS_DISPLAYS = {Op.OBJECT_LITERAL: "object", Op.LIST_LITERAL: "Array"}
#: per language, the types that ``x += <anything that works>`` keeps
_ABSORBING_PLUS = {"python": frozenset({"float", "complex", "str", "bytes"}), "typescript": frozenset({"string"})}
#: binary operators a stdlib class may define through a dunder (the ``operator`` rule's fallback)
_DUNDER_SYMBOLS = frozenset({"+", "-", "*", "/", "//", "%", "&", "|", "^"})
#: a declared return that narrows its argument where it is called (a user-defined type guard)
_TYPE_PREDICATE = re.compile(r"(asserts\s+\w+|\w+\s+is\s.+|((typing|typing_extensions)\.)?(TypeGuard|TypeIs)\[.+\])$", re.S)
#: calls and operators after which a read of their operand may see a narrowed type
_NARROWING_TESTS = frozenset({"isinstance", "callable", "issubclass", Op.BINARY["is"], Op.BINARY["is not"],
                              Op.BINARY["=="], Op.BINARY["!="]})
#: variables and parameters followed back from a value to the values it was bound to
_VALUE_DEPTH = 4


@dataclass(frozen=True)
class StaticFact:
    """A type settled by a deterministic rule (JSON form: see the module docstring)."""

    type: str  #: canonical form
    full_type: str  #: qualified where known (``re.Pattern[str]``, ``pkg.models.User``)
    rule: str  #: one of `RULES`
    evidence: str  #: one line saying why
    source: str = "static"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class StaticTyper:
    """Types expressions and slots of one graph; results are cached per node."""

    def __init__(self, cpg: CodePropertyGraph, *, use_declared: bool = True, typeshed: Typeshed | None = None,
                 max_depth: int = 80, settled: Collection[NodeId] = frozenset(),
                 declarations: Declarations | None = None, structure: GraphStructure | None = None) -> None:
        self.cpg = cpg
        self.use_declared = use_declared
        self.settled = settled  #: nodes whose inferred type an earlier inference round settled: read as declared
        self.ts = typeshed or default_typeshed()
        self.declarations = declarations  #: TypeScript library types from node_modules, when the project has them
        self.linker = Linker(cpg)  # index only: resolve names and class hierarchies, no re-linking
        self.max_depth = max_depth
        self._depth = 0
        self._expr_cache: dict[NodeId, StaticFact | None] = {}
        self._target_cache: dict[NodeId, StaticFact | None] = {}
        self._active: set[NodeId] = set()
        self._writes: dict[NodeId, list[NodeId]] = {}
        self.structure = structure or GraphStructure(cpg)
        self._guarded: dict[str, set[NodeId | None]] | None = None
        self._checked_cache: dict[NodeId, frozenset[str]] = {}
        self._returns_cache: dict[NodeId, list[NodeId] | None] = {}
        self._decl_by_full: dict[str, NodeId] = {}
        self._generic_cache: dict[str, bool] = {}

    # ================================================================ public
    def expression_type(self, node: NodeId) -> StaticFact | None:
        """The type of an expression node, or None when no rule settles it."""
        cache = self._expr_cache
        if node in cache:
            return cache[node]
        if node in self._active or self._depth > self.max_depth:
            return None  # a value that depends on itself, or a chain too long: unknown
        self._active.add(node)
        self._depth += 1
        try:
            fact = self._expr(node)
        except RecursionError:
            fact = None
        finally:
            self._depth -= 1
            self._active.discard(node)
        cache[node] = fact
        return fact

    def target_fact(self, node: NodeId) -> StaticFact | None:
        """The type of a slot: METHOD_PARAMETER_IN, METHOD (return value), LOCAL or MEMBER."""
        if node in self._target_cache:
            return self._target_cache[node]
        if node in self._active or self._depth > self.max_depth:
            return None
        self._active.add(node)
        self._depth += 1
        try:
            kind = self.cpg.kind(node)
            if kind == NodeKind.METHOD_PARAMETER_IN:
                fact = self._param_fact(node)
            elif kind == NodeKind.METHOD:
                fact = self._return_fact(node)
            elif kind == NodeKind.LOCAL:
                fact = self._local_fact(node)
            elif kind == NodeKind.MEMBER:
                fact = self._member_fact(node)
            else:
                fact = None
        except RecursionError:
            fact = None
        finally:
            self._depth -= 1
            self._active.discard(node)
        self._target_cache[node] = fact
        return fact

    # ================================================================ helpers
    def _lang(self, n: NodeId) -> str:
        return self.cpg.files[n[0]].language

    def _fact(self, text: str, lang: str, rule: str, evidence: str, full: str | None = None) -> StaticFact | None:
        canonical = canonicalize(text, lang)
        if canonical is None or canonical in ("Any", "any", "unknown", "object", "never", "Never"):
            return None
        return StaticFact(canonical, full or text, rule, evidence[:160].replace("\n", " "))

    def _where(self, n: NodeId) -> str:
        code = (self.cpg.get(n, Prop.CODE, "") or "").split("\n", 1)[0][:60]
        return f"{code} at {n[0]}:{self.cpg.get(n, Prop.LINE_NUMBER, 0)}"

    def _declared(self, n: NodeId) -> str | None:
        if not self.use_declared:
            return None
        return declared_type(self.cpg.props(n), n, self.settled)

    def _declared_fact(self, n: NodeId, evidence: str) -> StaticFact | None:
        text = self._declared(n)
        if not text:
            return None
        lang = self._lang(n)
        for decl in self.cpg.out(n, EdgeKind.EVAL_TYPE):
            full = self._class_full(decl)
            self._decl_by_full[full] = decl
            canonical = canonicalize(text, lang)
            if canonical == canonicalize(self.cpg.get(decl, Prop.NAME, ""), lang):
                return self._fact(text, lang, "declared", evidence, full)
        full = None
        if lang == "python" and re.fullmatch(r"[A-Za-z_][\w.]*", text.strip()):
            target = self.linker.resolve_type(n[0], self._scope(n), text.strip())
            full = target.external if target is not None else None
        return self._fact(text, lang, "declared", evidence, full)

    def _class_full(self, decl: NodeId) -> str:
        """Qualified name of a project class: ``pkg/models.py:User`` -> ``pkg.models.User`` (Python)."""
        full = self.cpg.get(decl, Prop.FULL_NAME, "")
        if self._lang(decl) != "python":
            return full
        rel, _, qual = full.partition(":")
        names = python_module_names(rel)
        module = names[-1] if names else ""
        return f"{module}.{qual}" if module else qual

    def _class_fact(self, decl: NodeId, rule: str, evidence: str) -> StaticFact | None:
        """An instance of a project class (unknown for generic classes, interfaces and aliases)."""
        cpg = self.cpg
        mods = cpg.get(decl, Prop.MODIFIERS) or ()
        if any(m in mods for m in ("interface", "alias", "protocol", "typeddict")):
            return None
        lang = self._lang(decl)
        if lang == "python":
            bases = cpg.get(decl, Prop.INHERITS_FROM_TYPE_FULL_NAME) or ()
            first_line = (cpg.get(decl, Prop.CODE, "") or "").split("\n", 1)[0]
            if any("[" in b for b in bases) or re.match(r"\s*class\s+\w+\s*\[", first_line):
                return None
        else:
            head = (cpg.get(decl, Prop.CODE, "") or "").split("{", 1)[0]
            if re.search(r"\bclass\s+[\w$]+\s*<", head):
                return None
        full = self._class_full(decl)
        self._decl_by_full[full] = decl
        qual = cpg.get(decl, Prop.FULL_NAME, "").partition(":")[2]
        return self._fact(qual, lang, rule, evidence, full)

    def _is_generic(self, full: str) -> bool:
        """Whether a typeshed class takes type parameters (its bare constructor type is then unknown)."""
        cached = self._generic_cache.get(full)
        if cached is None:
            base = self.ts.constructor_type(full)
            one = self.ts.constructor_type(full, ("int",))
            two = self.ts.constructor_type(full, ("int", "int"))
            cached = base is None or (one is not None and one.full_type != base.full_type) or \
                (two is not None and two.full_type != base.full_type)
            self._generic_cache[full] = cached
        return cached

    def _join(self, facts: list[StaticFact | None], lang: str, rule: str, evidence: str) -> StaticFact | None:
        """Union of facts, all of which must be known."""
        if not facts or any(f is None for f in facts):
            return None
        known = [f for f in facts if f is not None]
        first = known[0]
        if all(f.type == first.type for f in known):
            return StaticFact(first.type, first.full_type, rule, evidence[:160].replace("\n", " ")) \
                if rule != first.rule else first
        types: list[str] = []
        fulls: list[str] = []
        for f in known:
            if f.type not in types:
                types.append(f.type)
                fulls.append(f.full_type)
        if not all(t in _UNION_MEMBERS for t in types if t not in _NONE_TYPES) and \
                sum(t not in _NONE_TYPES for t in types) > 1:
            return None  # Pretty | Styled, tuple[str] | tuple[str, str]: declared as a common supertype
        union = " | ".join(types)
        full = " | ".join(fulls)
        return self._fact(union, lang, rule, evidence, full if canonicalize(full, lang) == canonicalize(union, lang) else union)

    def _writes_of(self, decl: NodeId) -> list[NodeId]:
        """IDENTIFIERs with IS_WRITE that REF `decl`, in graph order."""
        found = self._writes.get(decl)
        if found is None:
            found = self._writes[decl] = [i for i in self.cpg.references(decl) if self.cpg.get(i, Prop.IS_WRITE)]
        return found

    # ================================================================ expressions
    def _expr(self, n: NodeId) -> StaticFact | None:
        cpg = self.cpg
        props = cpg.props(n)
        kind = props[Prop.KIND]
        lang = self._lang(n)
        if kind == NodeKind.LITERAL:
            text = props.get(Prop.TYPE_FULL_NAME) or ""
            return self._fact(text, lang, "literal", self._where(n)) if text else None
        if kind == NodeKind.IDENTIFIER:
            return self._identifier(n, lang)
        if kind != NodeKind.CALL:
            return None
        name = props.get(Prop.NAME, "")
        if name.startswith(OPERATOR_PREFIX):
            return self._operator(n, name, lang)
        return self._call(n, lang)

    def _operator(self, n: NodeId, name: str, lang: str) -> StaticFact | None:
        cpg = self.cpg
        args = cpg.arguments(n)
        where = self._where(n)
        adapter = adapter_for(lang)
        boolean = adapter.bool_type
        if name == Op.ASSIGNMENT:
            value = args.get(2)
            return self.expression_type(value) if value is not None else None
        if name == Op.FORMAT_STRING:
            return self._fact(adapter.str_type, lang, "literal", where)
        if name in (Op.LIST_LITERAL, Op.TUPLE_LITERAL, Op.SET_LITERAL, Op.DICT_LITERAL, Op.OBJECT_LITERAL):
            return self._container(n, name, lang)
        if lang == "python":
            if name in _ALWAYS_BOOL:
                return self._fact("bool", lang, "operator", where)
            if name in _COMPARISONS:
                left, right = args.get(1), args.get(2)
                lt = self.expression_type(left) if left is not None else None
                rt = self.expression_type(right) if right is not None else None
                if lt and rt and lt.type in _PY_PRIMITIVES and rt.type in _PY_PRIMITIVES:
                    return self._fact("bool", lang, "operator", where)
                return None
        elif name in _TS_ALWAYS_BOOLEAN:
            return self._fact(boolean, lang, "operator", where)
        if name == Op.TYPEOF and lang != "python":
            return self._fact("string", lang, "operator", where)
        if name == Op.CONDITIONAL:
            return self._join([self.expression_type(a) if a is not None else None for a in (args.get(2), args.get(3))],
                              lang, "operator", where)
        if name in (Op.LOGICAL_AND, Op.LOGICAL_OR, Op.NULLISH):
            left, right = args.get(1), args.get(2)
            lt = self.expression_type(left) if left is not None else None
            rt = self.expression_type(right) if right is not None else None
            if lt and rt and lt.type == rt.type and lt.type not in _NONE_TYPES:
                return StaticFact(lt.type, lt.full_type, "operator", where)
            return None
        if name in _ARITH:
            return self._arith(n, _ARITH[name], lang)
        if name in (Op.UNARY["-"], Op.UNARY["+"], Op.UNARY["~"]):
            inner = self.expression_type(args.get(1)) if args.get(1) is not None else None
            if inner is None:
                return None
            result = adapter.static_tables.unary_numeric.get(inner.type)
            return self._fact(result, lang, "operator", where) if result else None
        if name == Op.AWAIT:
            return self._await(n, args.get(1), lang)
        if name in FIELD_ACCESS_OPS:
            return self._field(n, args, lang) if name == Op.FIELD_ACCESS else None
        if name == Op.INDEX_ACCESS:
            return self._subscript(n, args, lang)
        if name == Op.CAST:
            text = self.cpg.get(n, Prop.TYPE_FULL_NAME) if self.use_declared else None
            return self._fact(text, lang, "declared", where) if text else None
        if name.endswith("Comprehension") and lang == "python":
            kids = self.cpg.ast_children(n)
            if not kids:
                return None
            container = {"<operator>.listComprehension": "list", "<operator>.setComprehension": "set",
                         "<operator>.dictComprehension": "dict"}.get(name)
            if container is None:
                return None
            if container == "dict":
                kv = self.cpg.ast_children(kids[0])
                if self.cpg.get(kids[0], Prop.NAME) != Op.KEY_VALUE or len(kv) != 2:
                    return None
                k, v = self.expression_type(kv[0]), self.expression_type(kv[1])
                if k is None or v is None:
                    return None
                return self._fact(f"dict[{k.full_type}, {v.full_type}]", lang, "literal", where)
            elem = self.expression_type(kids[0])
            return self._fact(f"{container}[{elem.full_type}]", lang, "literal", where) if elem else None
        return None

    def _container(self, n: NodeId, name: str, lang: str) -> StaticFact | None:
        cpg = self.cpg
        where = self._where(n)
        elements = cpg.ast_children(n)
        if any(cpg.get(e, Prop.NAME) in (Op.SPREAD, Op.STARRED, Op.DOUBLE_SPREAD) for e in elements):
            return None
        if name == Op.OBJECT_LITERAL or not elements:
            return None  # TS object literal types are structural; empty containers say nothing
        if name == Op.DICT_LITERAL:
            keys, values = [], []
            for pair in elements:
                kv = cpg.ast_children(pair)
                if cpg.get(pair, Prop.NAME) != Op.KEY_VALUE or len(kv) != 2:
                    return None
                keys.append(self.expression_type(kv[0]))
                values.append(self.expression_type(kv[1]))
            k, v = self._uniform(keys), self._uniform(values)
            if k is None or v is None:
                return None
            return self._fact(f"dict[{k.full_type}, {v.full_type}]", lang, "literal", where)
        facts = [self.expression_type(e) for e in elements]
        if any(f is None for f in facts):
            return None
        if name == Op.TUPLE_LITERAL and lang == "python":
            return self._fact(f"tuple[{', '.join(f.full_type for f in facts)}]", lang, "literal", where)  # type: ignore[union-attr]
        elem = self._uniform(facts)
        if elem is None:
            return None
        if lang == "python":
            container = "list" if name == Op.LIST_LITERAL else "set" if name == Op.SET_LITERAL else None
            return self._fact(f"{container}[{elem.full_type}]", lang, "literal", where) if container else None
        if name != Op.LIST_LITERAL:
            return None
        inner = elem.type if re.fullmatch(r"[\w$.]+(\[\])*", elem.type) else f"({elem.type})"
        return self._fact(f"{inner}[]", lang, "literal", where)

    @staticmethod
    def _uniform(facts: list[StaticFact | None]) -> StaticFact | None:
        if not facts or any(f is None for f in facts):
            return None
        first = facts[0]
        assert first is not None
        if first.type in _NONE_TYPES or any(f.type != first.type for f in facts if f is not None):
            return None
        return first

    def _arith(self, n: NodeId, symbol: str, lang: str) -> StaticFact | None:
        args = self.cpg.arguments(n)
        left, right = args.get(1), args.get(2)
        lt = self.expression_type(left) if left is not None else None
        rt = self.expression_type(right) if right is not None else None
        if lt is None or rt is None:
            return None
        return self._arith_facts(lt, rt, symbol, lang, self._where(n))

    def _arith_facts(self, lt: StaticFact, rt: StaticFact, symbol: str, lang: str, where: str) -> StaticFact | None:
        """Result of a binary arithmetic operator on two typed operands (a small table)."""
        a, b = lt.type, rt.type
        if lang == "python":
            if a in _PY_NUMERIC_RANK and b in _PY_NUMERIC_RANK:
                if symbol in ("<<", ">>", "&", "|", "^"):
                    if a == b == "bool" and symbol in ("&", "|", "^"):
                        return self._fact("bool", lang, "operator", where)
                    return self._fact("int", lang, "operator", where) if "float" not in (a, b) and "complex" not in (a, b) else None
                rank = max(_PY_NUMERIC_RANK[a], _PY_NUMERIC_RANK[b], 1)
                if symbol == "/":
                    rank = max(rank, 2)
                if symbol == "**" and rank == 1:
                    return None  # int ** int is int or float depending on the sign
                return self._fact(["bool", "int", "float", "complex"][rank], lang, "operator", where)
            if symbol == "+" and a == b and (a in ("str", "bytes") or re.fullmatch(r"(list|tuple)\[.*\]", a)):
                return StaticFact(lt.type, lt.full_type, "operator", where)
            if symbol == "%" and a in ("str", "bytes"):
                return self._fact(a, lang, "operator", where)
            if symbol == "*" and ((a in ("str", "bytes") and b in ("int", "bool")) or (b in ("str", "bytes") and a in ("int", "bool"))):
                return self._fact(a if a in ("str", "bytes") else b, lang, "operator", where)
            if symbol == "*" and re.fullmatch(r"list\[.*\]", a) and b in ("int", "bool"):
                return StaticFact(lt.type, lt.full_type, "operator", where)
            if symbol == "*" and re.fullmatch(r"list\[.*\]", b) and a in ("int", "bool"):
                return StaticFact(rt.type, rt.full_type, "operator", where)
            return self._dunder(lt, rt, symbol, where)
        if symbol == "+" and (a == "string" or b == "string") and a in _TS_PRIMITIVES and b in _TS_PRIMITIVES:
            return self._fact("string", lang, "operator", where)
        if a == b == "number" and symbol != "//":
            return self._fact("number", lang, "operator", where)
        if a == b == "bigint" and symbol not in ("//", ">>>"):
            return self._fact("bigint", lang, "operator", where)
        return None

    def _dunder(self, lt: StaticFact, rt: StaticFact, symbol: str, where: str) -> StaticFact | None:
        """``a | b`` on a stdlib class typed by its typeshed dunder (``frozenset.__or__`` ->
        ``frozenset[...]``): when both operands are the same class (no ``__radd__`` of the right
        operand can win) and neither is numeric (the table above handles those), or, for two
        classes, as `_dunder_admitting` says."""
        dunder = OPERATOR_DUNDERS.get(symbol) if symbol in _DUNDER_SYMBOLS else None
        if dunder is None or lt.type in _PY_NUMERIC_RANK:
            return None
        if lt.full_type.split("[", 1)[0] != rt.full_type.split("[", 1)[0]:
            return self._dunder_admitting(lt, rt, dunder, where)
        if rt.type in _PY_NUMERIC_RANK:
            return None
        fact = self._typeshed_method(lt, dunder, 1, (), None, where)
        if fact is not None:
            return StaticFact(fact.type, fact.full_type, "operator", where)
        if lt.full_type != rt.full_type or lt.type in _NONE_TYPES or " | " in lt.type:
            return None
        # set[T] | set[T]: the dunder is generic in the other operand (-> set[T | S]); with S = T it
        # is the receiver's own type, when the dunder returns the receiver's class at all
        partial = self.ts.method_return(lt.full_type, dunder, (), 1, (), None, partial=True)
        if partial is None or partial.full_type != lt.full_type.split("[", 1)[0]:
            return None
        return StaticFact(lt.type, lt.full_type, "operator", where)

    def _dunder_admitting(self, lt: StaticFact, rt: StaticFact, dunder: str, where: str) -> StaticFact | None:
        """``Path(...) / "x"``: operands of two classes, the right one a builtin scalar (``str``,
        ``int``, ...), typed by the left one's dunder when typeshed says that dunder admits the
        right operand.  A checker tries the left dunder first, and a builtin scalar is no subclass
        of the left class, so its reflected dunder cannot go first."""
        if rt.type not in _PY_PRIMITIVES or lt.type in _NONE_TYPES or " | " in lt.type:
            return None
        if self.ts.parameter_admits(dunder, 0, "", rt.type, receiver=lt.full_type) is not True:
            return None
        fact = self._typeshed_method(lt, dunder, 1, (), None, where)
        return StaticFact(fact.type, fact.full_type, "operator", where) if fact is not None else None

    def _await(self, n: NodeId, inner: NodeId | None, lang: str) -> StaticFact | None:
        if inner is None or self.cpg.kind(inner) != NodeKind.CALL:
            return None
        where = self._where(n)
        callee = self.project_callee(inner)
        if callee is not None:
            return self._awaited_project_call(callee, where)
        if lang != "python":
            fact = self.expression_type(inner)
            if fact is not None:
                m = re.fullmatch(r"Promise<(.*)>", fact.type)
                if m:
                    return self._fact(m.group(1), lang, "ts-builtin", where)
            return None
        return self._call(inner, lang, awaited=True)  # a library coroutine, or a method on a typed receiver

    # ---------------------------------------------------------------- identifiers
    def _identifier(self, n: NodeId, lang: str) -> StaticFact | None:
        cpg = self.cpg
        if self._type_guarded(n):
            return None  # a type predicate narrows it somewhere in this function: which type a read sees is not known here
        refs = cpg.out(n, EdgeKind.REF)
        if refs:
            decl = refs[0]
            declared = self._declared_fact(decl, f"declared type of {cpg.get(decl, Prop.NAME, '')}")
            if declared is not None:
                return declared
            constant = self._ts_constant(decl, lang)
            if constant is not None:
                return constant
        narrowed = self._narrowed(n, lang)
        if narrowed is not None:
            return narrowed
        if cpg.get(n, Prop.NAME) in SELF_NAMES:
            return None
        defs = cpg.into(n, EdgeKind.REACHING_DEF)
        if not defs:
            target = self._comprehension_target(n)
            if target is not None:
                return self._write_value(target)
            return self._read(self._module_global(refs[0], lang)) if refs else None
        return self._read(self._join([self._definition(d) for d in defs], lang, "propagation",
                          f"{cpg.get(n, Prop.NAME, '')}: {len(defs)} definition(s), at {n[0]}:{cpg.get(n, Prop.LINE_NUMBER, 0)}"))

    def _type_guarded(self, ident: NodeId) -> bool:
        """Whether some call in the identifier's function passes a variable of its name to a
        project type predicate (``isAsync(x): x is AsyncParseReturnType<T>``, ``asserts v is T``,
        ``TypeGuard[T]``/``TypeIs[T]``).  The predicates' call sites are collected once, by
        variable name, so that most reads are answered without looking for their function."""
        cpg = self.cpg
        if self._guarded is None:
            guarded: dict[str, set[NodeId | None]] = {}
            for ret in cpg.nodes(NodeKind.METHOD_RETURN):
                if not _TYPE_PREDICATE.match(cpg.get(ret, Prop.TYPE_FULL_NAME) or ""):
                    continue
                method = cpg.ast_parent(ret)
                for call in cpg.into(method, EdgeKind.CALL) if method is not None else ():
                    for arg in cpg.arguments(call).values():
                        if cpg.kind(arg) == NodeKind.IDENTIFIER and cpg.get(arg, Prop.ARGUMENT_INDEX, 0) >= 1:
                            guarded.setdefault(cpg.get(arg, Prop.NAME, ""), set()).add(
                                cpg.enclosing(call, (NodeKind.METHOD,)))
            self._guarded = guarded
        functions = self._guarded.get(cpg.get(ident, Prop.NAME, ""))
        return bool(functions) and cpg.enclosing(ident, (NodeKind.METHOD,)) in functions

    @staticmethod
    def _read(fact: StaticFact | None) -> StaticFact | None:
        """A read of a possibly-None value is unknown: ``if x is not None: return x`` narrows it."""
        if fact is None:
            return None
        members = fact.type.split(" | ")
        return None if len(members) > 1 and any(m in _NONE_TYPES for m in members) else fact

    def _definition(self, d: NodeId) -> StaticFact | None:
        """The type a definition node gives its variable."""
        cpg = self.cpg
        kind = cpg.kind(d)
        if kind == NodeKind.IDENTIFIER and cpg.get(d, Prop.IS_WRITE):
            return self._write_value(d)
        if kind == NodeKind.METHOD_PARAMETER_IN:
            return self._declared_fact(d, f"declared type of parameter {cpg.get(d, Prop.NAME, '')}")
        return None  # imports, nested def/class: modules, callables and classes are not typed here

    def _tuple_item(self, fact: StaticFact, index: int, lang: str) -> StaticFact | None:
        """Item `index` of a tuple type; of a union of tuples, the union of their items
        (``sys.exc_info()[1]``: ``BaseException | None``)."""
        items = []
        for member in split_union(fact.full_type, lang):
            m = re.fullmatch(r"tuple\[(.+)\]", member)
            if not m:
                return None
            parts = _split_args(m.group(1))
            if "..." in parts or index >= len(parts):
                return None
            items.append(self._fact(parts[index], lang, "propagation", fact.evidence))
        return self._join(items, lang, "propagation", fact.evidence) if items else None

    def _comprehension_target(self, n: NodeId) -> NodeId | None:
        """The comprehension target a read inside the comprehension names (no REACHING_DEF there)."""
        cpg = self.cpg
        name = cpg.get(n, Prop.NAME)
        node = cpg.ast_parent(n)
        while node is not None and cpg.kind(node) == NodeKind.CALL:
            if (cpg.get(node, Prop.NAME, "") or "").endswith("Comprehension"):
                for d in cpg.ast_descendants(node, stop_at=(NodeKind.METHOD,)):
                    if d != n and cpg.kind(d) == NodeKind.IDENTIFIER and cpg.get(d, Prop.IS_WRITE) \
                            and cpg.get(d, Prop.NAME) == name:
                        return d
                return None
            node = cpg.ast_parent(node)
        return None

    def _write_value(self, ident: NodeId) -> StaticFact | None:
        """Type of the value a written IDENTIFIER receives."""
        cpg = self.cpg
        lang = self._lang(ident)
        parent = cpg.ast_parent(ident)
        if parent is None:
            return None
        path: list[int] = []
        while lang == "python" and cpg.get(parent, Prop.NAME) in (Op.TUPLE_LITERAL, Op.LIST_LITERAL):
            index = cpg.get(ident, Prop.ARGUMENT_INDEX)
            if not isinstance(index, int) or any(cpg.get(k, Prop.NAME) == Op.STARRED for k in cpg.ast_children(parent)):
                return None  # `first, *rest, last = ...`: positions after the star count from the end
            path.append(index - 1)
            ident, parent = parent, cpg.ast_parent(parent)
            if parent is None:
                return None
        if path:
            whole = self._write_value(ident)
            for index in reversed(path):
                whole = self._tuple_item(whole, index, lang) if whole is not None else None
            return whole
        pname = cpg.get(parent, Prop.NAME, "")
        pkind = cpg.kind(parent)
        where = self._where(parent)
        if pkind == NodeKind.CALL and pname == Op.ASSIGNMENT:
            args = cpg.arguments(parent)
            if args.get(1) != ident or args.get(2) is None:
                return None
            value = self.expression_type(args[2])
            grand = cpg.ast_parent(parent)
            if grand is not None and cpg.get(grand, Prop.CONTROL_STRUCTURE_TYPE) == Control.WITH and lang == "python":
                if value is None:
                    return None
                is_async = "async" in (cpg.get(grand, Prop.MODIFIERS) or ())  # async with: await x.__aenter__()
                enter = "__aenter__" if is_async else "__enter__"
                decl = self._decl_by_full.get(value.full_type)
                if decl is not None:  # a project class's own context manager methods
                    method = self.linker.find_method(decl, enter)
                    if method is None:
                        return None
                    if self._returns_self(method):  # `return self`: the managed object itself
                        return StaticFact(value.type, value.full_type, "with", where)
                    return self._awaited_project_call(method, where) if is_async else self._call_of(method, lang, where)
                return self._typeshed_method(value, enter, 0, (), None, where, awaited=is_async)
            return value
        if pkind == NodeKind.CALL and Op.is_assignment(pname):
            return self._augmented(ident, parent, pname, lang)
        if pkind == NodeKind.CONTROL_STRUCTURE and cpg.get(parent, Prop.CONTROL_STRUCTURE_TYPE) == Control.FOR_EACH:
            kids = cpg.ast_children(parent)
            if len(kids) < 2 or kids[1] != ident:
                return None
            if lang != "python" and not re.match(r"for\s*(await\s*)?\(.*\bof\b", cpg.get(parent, Prop.CODE, "") or "", re.S):
                return None
            return self._element(kids[0], lang, where)
        if pkind == NodeKind.CALL and pname.endswith("Comprehension") and lang == "python":
            index = cpg.get(ident, Prop.ARGUMENT_INDEX)
            iterable = cpg.arguments(parent).get(index + 1) if isinstance(index, int) else None
            return self._element(iterable, lang, where) if iterable is not None else None
        return None

    def _augmented(self, ident: NodeId, assign: NodeId, pname: str, lang: str) -> StaticFact | None:
        """``x op= v``: the variable's type when its plain definitions agree and op keeps that type."""
        cpg = self.cpg
        refs = cpg.out(ident, EdgeKind.REF)
        value_node = cpg.arguments(assign).get(2)
        if not refs or value_node is None:
            return None
        plain = [w for w in self._writes_of(refs[0])
                 if not Op.is_assignment(cpg.get(cpg.ast_parent(w), Prop.NAME, "") or "") or
                 cpg.get(cpg.ast_parent(w), Prop.NAME) == Op.ASSIGNMENT]
        if not plain:
            return None
        base = self._join([self._write_value(w) for w in plain], lang, "propagation", self._where(assign))
        if base is None:
            return None
        suffix = pname.removeprefix(Op.AUGMENTED_PREFIX)
        op_name = OPERATOR_PREFIX + suffix[:1].lower() + suffix[1:]
        symbol = _ARITH.get(op_name)
        if symbol is None:
            return None
        value = self.expression_type(value_node)
        if value is None:
            # ``total = 0.0; total += item.price``: whatever a float, a complex or a string takes
            # with + it stays one (a TypeScript string absorbs anything), and the checker infers
            # it so; an int could become a float
            return base if symbol == "+" and base.type in _ABSORBING_PLUS[lang] else None
        result = self._arith_facts(base, value, symbol, lang, self._where(assign))
        return base if result is not None and result.type == base.type else None

    def _element(self, iterable: NodeId, lang: str, where: str) -> StaticFact | None:
        """Element type when iterating over `iterable`."""
        fact = self.expression_type(iterable)
        if fact is None:
            return None
        if lang != "python":
            if fact.type == "string":
                return self._fact("string", lang, "ts-builtin", where)
            m = re.fullmatch(r"(?:readonly )?(.+)\[\]", fact.type)
            if m:
                inner = m.group(1)
                inner = inner[1:-1] if inner.startswith("(") and inner.endswith(")") else inner
                return self._fact(inner, lang, "ts-builtin", where)
            return None
        if fact.full_type in self._decl_by_full:
            return None
        it = self._typeshed_method(fact, "__iter__", 0, (), None, where)
        if it is None:
            return None
        return self._typeshed_method(it, "__next__", 0, (), None, where)

    def _narrowed(self, n: NodeId, lang: str) -> StaticFact | None:
        """`isinstance(x, C)` / `typeof x === "t"` / `x instanceof C` guarding the then-branch."""
        cpg = self.cpg
        name = cpg.get(n, Prop.NAME)
        child, node = n, cpg.ast_parent(n)
        while node is not None and cpg.kind(node) not in (NodeKind.METHOD, NodeKind.TYPE_DECL):
            if cpg.kind(node) == NodeKind.CONTROL_STRUCTURE and cpg.get(node, Prop.CONTROL_STRUCTURE_TYPE) == Control.IF:
                kids = cpg.ast_children(node)
                if len(kids) >= 2 and kids[1] == child:
                    fact = self._guard(kids[0], name, n, lang)
                    if fact is not None:
                        return fact
            child, node = node, cpg.ast_parent(node)
        return None

    def _guard(self, cond: NodeId, name: str, use: NodeId, lang: str) -> StaticFact | None:
        cpg = self.cpg
        cname = cpg.get(cond, Prop.NAME, "")
        args = cpg.arguments(cond)
        subject, type_node, text = None, None, ""
        if lang == "python" and cname == "isinstance" and cpg.get(cond, Prop.METHOD_FULL_NAME) == "builtins.isinstance":
            subject, type_node = args.get(1), args.get(2)
        elif lang != "python" and cname == Op.INSTANCEOF:
            subject, type_node = args.get(1), args.get(2)
        elif lang != "python" and cname in (Op.BINARY["==="], Op.BINARY["=="]):
            left, right = args.get(1), args.get(2)
            if left is not None and right is not None and cpg.get(left, Prop.NAME) == Op.TYPEOF and cpg.kind(right) == NodeKind.LITERAL:
                subject = cpg.arguments(left).get(1)
                text = adapter_for(lang).static_tables.typeof.get((cpg.get(right, Prop.CODE, "") or "").strip("'\"`"), "")
                if not text:
                    return None
        if subject is None or cpg.kind(subject) != NodeKind.IDENTIFIER or cpg.get(subject, Prop.NAME) != name:
            return None
        if set(cpg.into(subject, EdgeKind.REACHING_DEF)) != set(cpg.into(use, EdgeKind.REACHING_DEF)):
            return None  # reassigned between the test and the use
        where = f"narrowed by {self._where(cond)}"
        if text:
            return self._fact(text, lang, "narrowing", where)
        if type_node is None or cpg.kind(type_node) != NodeKind.IDENTIFIER:
            return None
        return self._class_by_name(type_node, cpg.get(type_node, Prop.NAME, ""), lang, "narrowing", where)

    def _class_by_name(self, at: NodeId, cls_name: str, lang: str, rule: str, where: str) -> StaticFact | None:
        """An instance of the class a name denotes at `at`: project class, builtin or stdlib class."""
        scope = self._scope(at)
        target = self.linker.resolve_name(at[0], scope, cls_name)
        if target is not None and target.node is not None:
            if self.cpg.kind(target.node) == NodeKind.TYPE_DECL:
                return self._class_fact(target.node, rule, where)
            return None
        if lang != "python":
            constructors = adapter_for(lang).static_tables.constructors
            return self._fact(constructors[cls_name], lang, rule, where) if cls_name in constructors and target is None else None
        if target is not None and target.external:
            full = target.external
        elif target is None and not self.cpg.out(at, EdgeKind.REF):
            full = f"builtins.{cls_name}"
        else:
            return None
        if not self.ts.is_class(full) or self._is_generic(full):
            return None
        fact = self.ts.constructor_type(full)
        return StaticFact(fact.type, fact.full_type, rule, where) if fact else None

    def _scope(self, n: NodeId) -> str:
        method = self.cpg.enclosing(n, (NodeKind.METHOD,))
        return self.cpg.get(method, Prop.FULL_NAME, "").partition(":")[2] if method is not None else ""

    # ---------------------------------------------------------------- attribute reads and subscripts
    def _field(self, n: NodeId, args: dict[int, NodeId], lang: str) -> StaticFact | None:
        obj, field_node = args.get(1), args.get(2)
        if obj is None or field_node is None:
            return None
        attr = self.cpg.get(field_node, Prop.NAME, "")
        where = self._where(n)
        if self.cpg.get(obj, Prop.NAME) in SELF_NAMES and self.cpg.kind(obj) == NodeKind.IDENTIFIER:
            cls = self.linker._enclosing_class(obj)
            member = self.cpg.attribute_member(cls, attr) if cls is not None else None
            return self._read(self._member_type(member)) if member is not None else None
        owner = self.expression_type(obj)
        if owner is None:
            return None
        decl = self._decl_by_full.get(owner.full_type)
        if decl is not None:
            for cls in self.linker.mro(decl):
                member = self.cpg.attribute_member(cls, attr)
                if member is not None:
                    return self._read(self._member_type(member))
            return None
        if lang != "python":
            return self._ts_member(owner, attr, where)
        fact = self.ts.attribute_type(owner.full_type, attr)
        return StaticFact(fact.type, fact.full_type, "typeshed-return", where) if fact else None

    def _subscript(self, n: NodeId, args: dict[int, NodeId], lang: str) -> StaticFact | None:
        obj, key = args.get(1), args.get(2)
        if obj is None or key is None:
            return None
        owner = self.expression_type(obj)
        if owner is None:
            return None
        where = self._where(n)
        t = owner.type
        if lang != "python":
            return None  # index signatures and noUncheckedIndexedAccess make T[] indexing unsure
        is_slice = self.cpg.get(key, Prop.NAME) == Op.SLICE
        key_fact = None if is_slice else self.expression_type(key)
        if is_slice:
            if t in ("str", "bytes") or re.fullmatch(r"(list|tuple)\[[^,\[\]]+(, \.\.\.)?\]", t):
                return StaticFact(owner.type, owner.full_type, "operator", where)
            return None
        if key_fact is None:
            return None
        if len(split_union(owner.full_type, lang)) > 1:
            # ``sys.exc_info()[1]``: each tuple's item, joined; other unions are not indexed here
            if self.cpg.kind(key) != NodeKind.LITERAL or key_fact.type != "int":
                return None
            try:
                index = int(self.cpg.get(key, Prop.CODE, ""))
            except ValueError:
                return None
            item = self._tuple_item(owner, index, lang) if index >= 0 else None
            return StaticFact(item.type, item.full_type, "operator", where) if item is not None else None
        if t == "str" and key_fact.type == "int":
            return self._fact("str", lang, "operator", where)
        m = re.fullmatch(r"list\[(.+)\]", owner.full_type)
        if m and key_fact.type == "int":
            return self._fact(m.group(1), lang, "operator", where)
        m = re.fullmatch(r"dict\[(.+)\]", owner.full_type)
        if m:
            parts = _split_args(m.group(1))
            if len(parts) == 2 and canonicalize(parts[0], lang) == key_fact.type:
                return self._fact(parts[1], lang, "operator", where)
        m = re.fullmatch(r"tuple\[(.+)\]", owner.full_type)
        if m and self.cpg.kind(key) == NodeKind.LITERAL and key_fact.type == "int":
            parts = _split_args(m.group(1))
            try:
                index = int(self.cpg.get(key, Prop.CODE, ""))
            except ValueError:
                return None
            if "..." not in parts and -len(parts) <= index < len(parts):
                return self._fact(parts[index], lang, "operator", where)
        return None

    # ---------------------------------------------------------------- calls
    def _call(self, n: NodeId, lang: str, awaited: bool = False) -> StaticFact | None:
        """Type of a call; with `awaited` (Python), of ``await`` on it."""
        cpg = self.cpg
        props = cpg.props(n)
        name = props.get(Prop.NAME, "")
        full = props.get(Prop.METHOD_FULL_NAME, "") or ""
        where = self._where(n)
        receiver = cpg.arguments(n).get(0) if cpg.out(n, EdgeKind.RECEIVER) else None
        is_new = "new" in (props.get(Prop.MODIFIERS) or ())
        trusted = receiver is None or self.is_static_ref(receiver) or \
            (cpg.kind(receiver) == NodeKind.IDENTIFIER and cpg.get(receiver, Prop.NAME) in SELF_NAMES)
        if trusted and not awaited:  # awaited project callees: `_await` already asked
            for decl in cpg.out(n, EdgeKind.EVAL_TYPE):
                return self._class_fact(decl, "constructor", where)
            callee = self.project_callee(n)
            if callee is not None:
                return self._call_of(callee, lang, where)
        if full.startswith(UNRESOLVED_PREFIX) or not full:
            full = ""
        if lang != "python":
            return self._ts_call(n, name, full, receiver, is_new, trusted, where)
        count, keywords, literal, literal_index = self._call_shape(n)
        if trusted and full and ":" not in full:
            if receiver is None or self.is_static_ref(receiver):
                if self.ts.is_class(full) and not awaited:
                    if self._is_generic(full):
                        return None
                    fact = self.ts.constructor_type(full)
                    return StaticFact(fact.type, fact.full_type, "constructor", where) if fact else None
                if full in PROTOCOL_CALLS and count and not awaited:
                    first = cpg.arguments(n).get(1)
                    owner = self.expression_type(first) if first is not None else None
                    return self._typeshed_method(owner, PROTOCOL_CALLS[full], count - 1, (), None, where) \
                        if owner is not None else None
                fact = self.ts.function_return(full, count, keywords, literal, literal_index=literal_index,
                                               awaited=awaited)
                return StaticFact(fact.type, fact.full_type, "typeshed-return", where) if fact else None
        if receiver is None or trusted:
            return None
        return self._method_on(receiver, name, lang, where, lambda owner: self._typeshed_method(
            owner, name, count, keywords, literal, where, literal_index, awaited), awaited)

    def _method_on(self, receiver: NodeId, name: str, lang: str, where: str,
                   library: Callable[[StaticFact], StaticFact | None], awaited: bool = False) -> StaticFact | None:
        """`receiver.name(...)` (`awaited`: ``await`` on it): a project class's method, else
        what `library` says of the type."""
        owner = self.expression_type(receiver)
        if owner is None:
            return None
        decl = self._decl_by_full.get(owner.full_type)
        if decl is not None:
            method = self.linker.find_method(decl, name)
            if method is None:
                return None
            if awaited:
                return self._awaited_project_call(method, where)
            return self._call_of(method, lang, where)
        return library(owner)

    def _awaited_project_call(self, method: NodeId, where: str) -> StaticFact | None:
        """``await`` on a call of a project ``async def`` (Python): its return."""
        mods = self.cpg.get(method, Prop.MODIFIERS) or ()
        if "async" not in mods or "generator" in mods or not self._transparent(method):
            return None
        ret = self._callee_return(method)
        return StaticFact(ret.type, ret.full_type, "project-return", where) if ret else None

    def project_callee(self, call: NodeId) -> NodeId | None:
        """The one project function or method `call` invokes, when its receiver (if any) is a
        module, a class or ``self``; None otherwise (a method on an instance is resolved
        through the receiver's type)."""
        callees = self.cpg.out(call, EdgeKind.CALL)
        if len(callees) != 1:
            return None
        receiver = self.cpg.arguments(call).get(0) if self.cpg.out(call, EdgeKind.RECEIVER) else None
        if receiver is not None and not self.is_static_ref(receiver) and not (
                self.cpg.kind(receiver) == NodeKind.IDENTIFIER and self.cpg.get(receiver, Prop.NAME) in SELF_NAMES):
            return None  # resolved through the receiver's (possibly declared) type: _call re-derives it
        return callees[0]

    def _transparent(self, method: NodeId) -> bool:
        decorators = self.cpg.get(method, Prop.DECORATORS) or ()
        return all(re.sub(r"\(.*$", "", d, flags=re.S).strip() in _TRANSPARENT_DECORATORS for d in decorators)

    def _call_of(self, method: NodeId, lang: str, where: str) -> StaticFact | None:
        """Type of calling a project function or method."""
        mods = self.cpg.get(method, Prop.MODIFIERS) or ()
        if "generator" in mods or not self._transparent(method) or "property" in mods:
            return None
        if self.cpg.get(method, Prop.NAME) in ("__init__", "constructor", "__new__"):
            return None
        ret = self._callee_return(method)
        if ret is None:
            return None
        if "async" in mods:
            if lang == "python":
                return None  # a coroutine
            return ret if ret.type.startswith("Promise<") else self._fact(f"Promise<{ret.type}>", lang, "project-return", where)
        return StaticFact(ret.type, ret.full_type, "project-return", where)

    def _callee_return(self, method: NodeId) -> StaticFact | None:
        ret_node = next((c for c in self.cpg.ast_children(method) if self.cpg.kind(c) == NodeKind.METHOD_RETURN), None)
        if ret_node is not None:
            declared = self._declared_fact(ret_node, f"declared return of {self.cpg.get(method, Prop.FULL_NAME, '')}")
            if declared is not None:
                if "async" in (self.cpg.get(method, Prop.MODIFIERS) or ()) and self._lang(method) != "python":
                    m = re.fullmatch(r"Promise<(.*)>", declared.type)
                    return self._fact(m.group(1), "typescript", "declared", declared.evidence) if m else None
                return declared
            if self._declared(ret_node) is not None:
                return None
        fact = self.target_fact(method)
        if fact is None:
            return None
        if "async" in (self.cpg.get(method, Prop.MODIFIERS) or ()) and self._lang(method) != "python":
            m = re.fullmatch(r"Promise<(.*)>", fact.type)
            return self._fact(m.group(1), "typescript", fact.rule, fact.evidence) if m else None
        return fact

    def is_static_ref(self, n: NodeId) -> bool:
        """A module or class object reference (``re``, ``os.path``, ``str``, ``JSON``), not an instance."""
        cpg = self.cpg
        kind = cpg.kind(n)
        if kind == NodeKind.IDENTIFIER:
            if cpg.get(n, Prop.NAME) in SELF_NAMES:
                return False
            refs = cpg.out(n, EdgeKind.REF)
            if not refs:
                return True
            defs = cpg.into(n, EdgeKind.REACHING_DEF)
            if defs:
                return all(cpg.kind(d) in (NodeKind.IMPORT, NodeKind.TYPE_DECL) for d in defs)
            if self._writes_of(refs[0]):
                return False  # a variable of an enclosing scope that some statement assigns
            target = self.linker.resolve_name(n[0], self._scope(n), cpg.get(n, Prop.NAME, ""))
            return target is not None and (target.external is not None or target.module_file is not None or (
                target.node is not None and cpg.kind(target.node) == NodeKind.TYPE_DECL))
        if kind == NodeKind.CALL and cpg.get(n, Prop.NAME) == Op.FIELD_ACCESS:
            obj = cpg.arguments(n).get(1)
            return obj is not None and self.is_static_ref(obj)
        return False

    def _call_shape(self, call: NodeId) -> tuple[int | None, tuple[str, ...], str | None, int | None]:
        """(positional count or None with unpacking, keyword names, first str literal, its index)."""
        cpg = self.cpg
        args = sorted((a for a in cpg.out(call, EdgeKind.ARGUMENT) if cpg.get(a, Prop.ARGUMENT_INDEX, 0) >= 1),
                      key=lambda a: cpg.get(a, Prop.ARGUMENT_INDEX, 0))
        count: int | None = 0
        keywords: list[str] = []
        literal: str | None = None
        literal_index: int | None = None
        for a in args:
            if cpg.get(a, Prop.NAME) in (Op.STARRED, Op.SPREAD, Op.DOUBLE_SPREAD):
                count = None
                continue
            keyword = cpg.get(a, Prop.ARGUMENT_NAME)
            if keyword:
                keywords.append(keyword)
                continue
            if literal is None and cpg.kind(a) == NodeKind.LITERAL and cpg.get(a, Prop.TYPE_FULL_NAME) == "str":
                literal = _string_value(cpg.get(a, Prop.CODE, ""))
                literal_index = count if literal is not None else None
            if count is not None:
                count += 1
        return count, tuple(keywords), literal, literal_index

    def _typeshed_method(self, owner: StaticFact, name: str, count: int | None, keywords: tuple[str, ...],
                         literal: str | None, where: str, literal_index: int | None = None,
                         awaited: bool = False) -> StaticFact | None:
        if owner.type in _NONE_TYPES or " | " in owner.type or owner.full_type in self._decl_by_full:
            return None
        fact = self.ts.method_return(owner.full_type, name, (), count, keywords, literal, literal_index=literal_index,
                                     awaited=awaited)
        return StaticFact(fact.type, fact.full_type, "typeshed-return", where) if fact else None

    # ---------------------------------------------------------------- TypeScript built-ins
    def _ts_call(self, n: NodeId, name: str, full: str, receiver: NodeId | None, is_new: bool, trusted: bool,
                 where: str) -> StaticFact | None:
        lang = "typescript"
        tables = adapter_for(lang).static_tables
        if is_new:
            if full in tables.constructors and receiver is None:
                return self._fact(tables.constructors[full], lang, "ts-builtin", where)
            return self._ts_library(full, where, construct=True) if trusted and full else None
        if trusted and full:
            if full in tables.global_calls:
                text = tables.global_calls[full]
                return self._fact(text, lang, "ts-builtin", where) if text else None
            if full.startswith("Math.") and receiver is not None:
                return self._fact("number", lang, "ts-builtin", where)
            if full == "Promise.resolve":
                arg = self.cpg.arguments(n).get(1)
                inner = self.expression_type(arg) if arg is not None else None
                if inner is None or set(referenced_names(inner.type, lang)) & self._ts_alias_names():
                    return None  # Promise<Awaited<T>>: an alias may be a union with a Promise in it
                return self._fact(f"Promise<{inner.type}>", lang, "ts-builtin", where)
            return self._ts_library(full, where)
        if receiver is None or trusted:
            return None
        return self._method_on(receiver, name, lang, where, lambda owner: self._ts_member(owner, name, where))

    def _ts_alias_names(self) -> frozenset[str]:
        """Names of the project's TypeScript type aliases, built once."""
        return self.cpg.derived("ts_alias_names", lambda: frozenset(
            self.cpg.get(d, Prop.NAME, "") for d in self.cpg.nodes(NodeKind.TYPE_DECL)
            if "alias" in (self.cpg.get(d, Prop.MODIFIERS) or ())))

    def _ts_library(self, full: str, where: str, construct: bool = False) -> StaticFact | None:
        """A call (or ``new``) of an installed package's export, typed by its declarations."""
        if self.declarations is None:
            return None
        found = self.declarations.call_return(full, construct=construct)
        return self._fact(found[0], "typescript", "ts-library", where, found[1]) if found else None

    def _ts_member(self, owner: StaticFact, member: str, where: str) -> StaticFact | None:
        t = owner.type
        table_key = "array" if re.fullmatch(r".+\[\]", t) and not t.startswith("[") else t
        result = adapter_for("typescript").static_tables.members.get(table_key, {}).get(member)
        if result is None:
            if self.declarations is None:
                return None
            found = self.declarations.method_return(owner.full_type, member)
            return self._fact(found[0], "typescript", "ts-library", where, found[1]) if found else None
        if result == "$self":
            return StaticFact(owner.type, owner.full_type, "ts-builtin", where)
        return self._fact(result, "typescript", "ts-builtin", where)

    # ================================================================ slots
    def _param_fact(self, param: NodeId) -> StaticFact | None:
        cpg = self.cpg
        if cpg.get(param, Prop.IS_VARIADIC) or cpg.get(param, Prop.IS_KEYWORD_VARIADIC):
            return None
        defaults = cpg.ast_children(param)
        if len(defaults) != 1:
            return None
        value = defaults[0]
        if cpg.kind(value) != NodeKind.LITERAL and cpg.get(value, Prop.NAME) not in (Op.UNARY["-"], Op.FORMAT_STRING):
            return None
        fact = self.expression_type(value)
        if fact is None or fact.type not in _DEFAULT_TYPES:
            return None
        return StaticFact(fact.type, fact.full_type, "default", f"default {self._where(param)}")

    def returned_values(self, method: NodeId) -> list[StaticFact | None] | None:
        """The type of each ``return`` statement's value in a METHOD (a bare ``return`` is
        None/undefined; None where unknown); None for a generator or a method without a body."""
        returns = self._method_returns(method)
        if returns is None:
            return None
        lang = self._lang(method)
        return [self._returned_value(r, lang) for r in returns]

    def _returns_self(self, method: NodeId) -> bool:
        """Whether every return statement of `method` returns its ``self`` parameter."""
        cpg = self.cpg
        returns = self._method_returns(method)
        if not returns:
            return False
        for ret in returns:
            values = cpg.ast_children(ret)
            if len(values) != 1 or cpg.kind(values[0]) != NodeKind.IDENTIFIER or \
                    cpg.get(values[0], Prop.NAME) not in SELF_NAMES:
                return False
        return True

    def _method_returns(self, method: NodeId) -> list[NodeId] | None:
        """RETURN nodes of a METHOD's body (`_return_statements`); None without a body."""
        body = next((c for c in self.cpg.ast_children(method) if self.cpg.kind(c) == NodeKind.BLOCK), None)
        return self._return_statements(body) if body is not None else None

    def _return_statements(self, body: NodeId) -> list[NodeId] | None:
        """RETURN nodes of a body, those of nested functions and classes left out; None for a
        generator (once per body: the return fact and the vetoes of a return type all ask)."""
        if body in self._returns_cache:
            return self._returns_cache[body]
        cpg = self.cpg
        returns: list[NodeId] | None = []
        for node in cpg.ast_descendants(body, stop_at=(NodeKind.METHOD, NodeKind.TYPE_DECL)):
            kind = cpg.kind(node)
            if kind == NodeKind.RETURN:
                returns.append(node)  # type: ignore[union-attr]
            elif kind == NodeKind.CALL and cpg.get(node, Prop.NAME) in (Op.YIELD, Op.YIELD_FROM):
                returns = None
                break
        self._returns_cache[body] = returns
        return returns

    def _returned_value(self, ret: NodeId, lang: str) -> StaticFact | None:
        values = self.cpg.ast_children(ret)
        if not values:
            return self._fact(adapter_for(lang).bare_return_type, lang, "return", self._where(ret))
        return self.expression_type(values[0])

    def assigned_values(self, local: NodeId) -> list[StaticFact | None]:
        """The type of each value assigned to a LOCAL (None where unknown)."""
        return [self._write_value(w) for w in self._writes_of(local)]

    # ---------------------------------------------------------------- slots not to annotate
    def value_nodes(self, slot: NodeId) -> list[NodeId | None]:
        """The value expression of each write of a LOCAL or MEMBER (initializer, class-level value,
        ``self.x =``); None for a write that is not a plain assignment (augmented, unpacking, for)."""
        cpg = self.cpg
        kind = cpg.kind(slot)
        writes: list[NodeId] = []
        values: list[NodeId | None] = []
        if kind == NodeKind.LOCAL:
            writes = self._writes_of(slot)
        elif kind == NodeKind.MEMBER:
            decl = cpg.ast_parent(slot)
            if decl is None or cpg.kind(decl) != NodeKind.TYPE_DECL:
                return []
            name = cpg.get(slot, Prop.NAME, "")
            values.extend(cpg.ast_children(slot))
            body = next((c for c in cpg.ast_children(decl) if cpg.kind(c) == NodeKind.BLOCK), None)
            for local in cpg.ast_children(body) if body is not None else ():
                if cpg.kind(local) == NodeKind.LOCAL and cpg.get(local, Prop.NAME) == name:
                    writes.extend(self._writes_of(local))
            writes.extend(self_writes(cpg, decl).get(name, ()))
        else:
            return []
        for w in writes:
            parent = cpg.ast_parent(w)
            args = cpg.arguments(parent) if parent is not None and cpg.get(parent, Prop.NAME) == Op.ASSIGNMENT else {}
            values.append(args.get(2) if args.get(1) == w else None)
        return values

    def not_annotatable(self, slot: NodeId) -> tuple[str, str] | None:
        """Why a variable or attribute slot gets no annotation, as (scope, reason), or None.

        scope ``"any"``: no annotation from any source.  Python: a name bound to a function (a
        lambda, a ``def``), a class, a module or ``property(...)``/``classmethod(...)``/
        ``staticmethod(...)``: a variable annotation would be wrong (``exists: bool = os.path.exists``)
        or inexact.  TypeScript: a variable written once (a ``const``, or a ``let`` never
        reassigned) whose value is a literal, an ``as const`` or a function/arrow: the checker
        infers it exactly, and more precisely (``const WHITE = 'w'`` has type ``'w'``; annotating
        ``string`` widens it and breaks a ``'w' | 'b'`` union).

        scope ``"model"``: only a static fact may annotate it.  Python: an attribute of a module or
        class (``ENTITY = Node.ENTITY_NODE``): typeshed or the project's declaration knows its type
        exactly, a guess from the name does not.

        scope ``"same:<type>"``: a TypeScript variable whose first value is a literal of <type>
        (``let n = 0``, reassigned later): the checker infers <type>; annotate only a different type.
        """
        cpg = self.cpg
        if cpg.kind(slot) not in (NodeKind.LOCAL, NodeKind.MEMBER):
            return None
        values = self.value_nodes(slot)
        if not values:
            return None
        lang = self._lang(slot)
        if lang == "python":
            attribute = None
            for v in values:
                if v is None:
                    continue
                why = self._callable_value(v)
                if why:
                    return "any", why
                if attribute is None and cpg.kind(v) == NodeKind.CALL and cpg.get(v, Prop.NAME) == Op.FIELD_ACCESS:
                    obj = cpg.arguments(v).get(1)
                    if obj is not None and self.is_static_ref(obj):
                        attribute = f"bound to {cpg.get(v, Prop.CODE, '')[:60]}, an attribute of a module or class"
            if attribute:
                return "model", attribute
            if cpg.kind(slot) == NodeKind.LOCAL and cpg.get(slot, Prop.NAME, "") in self.structure.called_names(slot[0]):
                return "model", "called as a function: a callable, which its name and uses do not type"
            return None
        if cpg.kind(slot) != NodeKind.LOCAL:
            what = next((w for v in values if v is not None and (w := self._ts_exact_value(v)) in ("a function", "a method")),
                        None)
            # a field holding a function or a method (`step = this.multipleOf`)
            return ("any", f"bound to {what}: the checker infers its type exactly") if what else None
        first = values[0]
        if first is None:
            return None
        what = self._ts_exact_value(first)
        if what is None:
            return None
        if len(values) == 1:
            return "any", f"written once with {what}: the checker infers its type exactly"
        fact = self.expression_type(first)
        return (f"same:{fact.type}", f"initialised with {what}: the checker infers {fact.type}") if fact else None

    def rejected_value(self, slot: NodeId, type_text: str) -> str:
        """A value the slot takes that an annotation `type_text` would reject, as "what: code";
        "" when every value fits or cannot be told.  The values: of a variable or parameter,
        every write (``char = c_char(char)`` after ``char: str``; an item of an unpacked tuple); of a parameter also its
        default and the argument of every call site in the project (``fmt`` called with "g" is
        no float); of a function, every returned value.  Judged only where the annotation's
        members are all simple builtins, which no value of another static type can be."""
        cpg = self.cpg
        kind = cpg.kind(slot)
        if kind == NodeKind.METHOD:
            values = [("returns", v) for r in self._method_returns(slot) or () for v in cpg.ast_children(r)[:1]]
        elif kind in (NodeKind.LOCAL, NodeKind.METHOD_PARAMETER_IN):
            values = []
            for w in self._writes_of(slot):
                parent = cpg.ast_parent(w)
                if parent is not None and cpg.get(parent, Prop.NAME) == Op.ASSIGNMENT and cpg.arguments(parent).get(1) == w \
                        and 2 in cpg.arguments(parent):
                    values.append(("reassigned with", cpg.arguments(parent)[2]))
                elif parent is not None and cpg.get(parent, Prop.NAME) in (Op.TUPLE_LITERAL, Op.LIST_LITERAL):
                    values.append(("unpacked from", w))  # typed by `_write_value`: an item of the value's tuple
            if kind == NodeKind.METHOD_PARAMETER_IN:
                values.extend(("default", d) for d in cpg.ast_children(slot)[:1])
                values.extend(("called with", arg) for arg in self.call_arguments(slot))
        else:
            return ""
        lang = self._lang(slot)
        members = {outer_type(m, lang) for m in split_union(type_text, lang)}
        if not values or not members or not members <= SIMPLE_BUILTINS[lang]:
            return ""
        scalar = members <= _SCALARS  # a container may hold a subclass (``defaultdict`` for ``dict``)
        for what, value in values:
            unpacked = self._write_value(value) if what == "unpacked from" else None
            classes = [outer_type(m, lang) for m in split_union(unpacked.type, lang)] if unpacked is not None \
                else [] if what == "unpacked from" else self._value_classes(value, lang)
            for outer in classes:
                if outer not in members and not (NUMERIC_PROMOTION.get(outer, frozenset()) & members) \
                        and (scalar or outer in SIMPLE_BUILTINS[lang]):
                    shown = unpacked.evidence if unpacked is not None else cpg.get(value, Prop.CODE, '')
                    return f"{what} {shown[:60]}"
        return ""

    def call_arguments(self, param: NodeId) -> list[NodeId]:
        """The argument each project call site binds to the parameter `param`."""
        cpg = self.cpg
        method = cpg.ast_parent(param)
        args = (argument_for(cpg, call, method, param) for call in cpg.callers(method)) \
            if method is not None else ()
        return [a for a in args if a is not None]

    def _value_classes(self, value: NodeId, lang: str, depth: int = 0) -> list[str]:
        """Outer classes the value may have, as far as the checker sees them (possibly not all
        of them; [] when none is known): its static type; a display or comprehension's container
        even when its elements are unknown (``[w + 2 for w in ws]`` is a list), also repeated or
        concatenated (``[x] * n``); for a variable, the values of its reaching definitions; for a
        parameter, its static fact, else the arguments its project call sites pass."""
        cpg = self.cpg
        fact = self.expression_type(value)
        if fact is not None:
            return [outer_type(m, lang) for m in split_union(fact.type, lang)]
        name = cpg.get(value, Prop.NAME, "")
        if lang != "python":
            # an object, array or function literal is none of the simple builtins (`string`, ...)
            if cpg.kind(value) == NodeKind.METHOD_REF:
                return ["Function"]
            return [_TS_DISPLAYS[name]] if name in _TS_DISPLAYS else []
        if depth > _VALUE_DEPTH:
            return []
        if name in _DISPLAYS:
            return [_DISPLAYS[name]]
        if name in (Op.BINARY["*"], Op.BINARY["+"]):
            for operand in cpg.arguments(value).values():
                if self._value_classes(operand, lang, depth + 1) == ["list"]:
                    return ["list"]
            return []
        if cpg.kind(value) != NodeKind.IDENTIFIER:
            return []
        defs = cpg.into(value, EdgeKind.REACHING_DEF)
        if len(defs) != 1 or name in self._checked_names(cpg.enclosing(value, (NodeKind.METHOD,))) \
                or self._type_guarded(value):
            return []  # merged or narrowed values: which of them reach here is not known
        return [c for c in dict.fromkeys(self._definition_classes(defs[0], lang, depth + 1)) if c != "None"]

    def _checked_names(self, method: NodeId | None) -> frozenset[str]:
        """Names a function tests with ``isinstance``, ``is``/``is not``, ``==``/``!=`` or
        ``callable`` (a read after such a test may see a narrowed type), built once per function."""
        if method is None:
            return frozenset()
        if method not in self._checked_cache:
            cpg = self.cpg
            names = set()
            for n in cpg.ast_descendants(method, stop_at=(NodeKind.METHOD,)):
                if cpg.kind(n) == NodeKind.CALL and cpg.get(n, Prop.NAME) in _NARROWING_TESTS:
                    names.update(cpg.get(a, Prop.NAME, "") for a in cpg.arguments(n).values()
                                 if cpg.kind(a) == NodeKind.IDENTIFIER)
            self._checked_cache[method] = frozenset(names)
        return self._checked_cache[method]

    def _definition_classes(self, d: NodeId, lang: str, depth: int) -> list[str]:
        """`_value_classes` of what a reaching definition binds: an assignment's value; a
        parameter's static fact, else its project call sites' arguments."""
        cpg = self.cpg
        if cpg.kind(d) == NodeKind.METHOD_PARAMETER_IN:
            fact = self.target_fact(d)
            if fact is not None:
                return [outer_type(m, lang) for m in split_union(fact.type, lang)]
            return [c for arg in self.call_arguments(d) for c in self._value_classes(arg, lang, depth)]
        if cpg.kind(d) != NodeKind.IDENTIFIER:
            return []
        parent = cpg.ast_parent(d)
        args = cpg.arguments(parent) if parent is not None and cpg.get(parent, Prop.NAME) == Op.ASSIGNMENT else {}
        return self._value_classes(args[2], lang, depth) if args.get(1) == d and 2 in args else []

    def members_read_on_results(self, method: NodeId) -> set[str]:
        """The members the project's callers read on what `method` returns: ``f().x``, and
        ``r = f(); r.x`` (a return type must have them)."""
        cpg = self.cpg
        out: set[str] = set()
        for call in cpg.callers(method):
            parent = cpg.ast_parent(call)
            if parent is None:
                continue
            name = cpg.get(parent, Prop.NAME)
            args = cpg.arguments(parent)
            if name in FIELD_ACCESS_OPS and args.get(1) == call and 2 in args:
                out.add(cpg.get(args[2], Prop.NAME, ""))
            elif name == Op.ASSIGNMENT and args.get(2) == call and args.get(1) is not None \
                    and cpg.kind(args[1]) == NodeKind.IDENTIFIER:
                for use in cpg.out(args[1], EdgeKind.REACHING_DEF):
                    use_parent = cpg.ast_parent(use)
                    use_args = cpg.arguments(use_parent) if use_parent is not None else {}
                    if use_parent is not None and cpg.get(use_parent, Prop.NAME) in FIELD_ACCESS_OPS \
                            and use_args.get(1) == use and 2 in use_args:
                        out.add(cpg.get(use_args[2], Prop.NAME, ""))
        out.discard("")
        return out

    def _ts_constant(self, decl: NodeId, lang: str) -> StaticFact | None:
        """A TypeScript variable written once with a literal or an ``as const`` (left unannotated,
        `not_annotatable`): its value's type wherever it is read, closures included (what the
        checker infers; before, only the annotation an earlier round settled carried it there)."""
        if lang != "typescript" or self.cpg.kind(decl) != NodeKind.LOCAL:
            return None
        values = self.value_nodes(decl)
        if len(values) != 1 or values[0] is None or self._ts_exact_value(values[0]) in (None, "a function"):
            return None
        return self.expression_type(values[0])

    def _module_global(self, decl: NodeId, lang: str) -> StaticFact | None:
        """A Python module variable read from a function: the union of the values its module
        assigns it (``CSI = '\\033['`` -> ``str``), as the checker infers an unannotated global;
        unknown when one write is not a plain assignment or its value has no static type."""
        cpg = self.cpg
        if lang != "python" or cpg.kind(decl) != NodeKind.LOCAL:
            return None
        scope = cpg.enclosing(decl, (NodeKind.METHOD,))
        if scope is None or cpg.get(scope, Prop.NAME) != MODULE_METHOD_NAME:
            return None
        values = self.value_nodes(decl)
        if not values or any(v is None for v in values):
            return None
        return self._join([self.expression_type(v) for v in values], lang, "global",
                          f"module variable {cpg.get(decl, Prop.NAME, '')} at {decl[0]}")

    def _callable_value(self, v: NodeId) -> str:
        """Why a Python value is a function, class, module or descriptor (not an instance), else ""."""
        cpg = self.cpg
        kind = cpg.kind(v)
        if kind == NodeKind.METHOD_REF:
            return "bound to a function"
        if kind == NodeKind.IDENTIFIER:
            defs = cpg.into(v, EdgeKind.REACHING_DEF)
            if defs and any(cpg.kind(d) == NodeKind.METHOD for d in defs):
                return f"bound to the function {cpg.get(v, Prop.NAME, '')}"
            if cpg.get(v, Prop.NAME) not in SELF_NAMES and self.is_static_ref(v):
                return f"bound to the class or module {cpg.get(v, Prop.NAME, '')}"
            return ""
        if kind == NodeKind.CALL and cpg.get(v, Prop.NAME) in _DESCRIPTOR_FACTORIES:
            return f"bound to {cpg.get(v, Prop.NAME)}(...), a descriptor"
        if kind == NodeKind.CALL and cpg.get(v, Prop.NAME) == Op.FIELD_ACCESS and self._referenced_method(v) is not None:
            return f"bound to the method {cpg.get(v, Prop.CODE, '')[:40]}"
        if kind == NodeKind.CALL:
            fact = self.expression_type(v)
            if fact is not None and fact.type in _DESCRIPTOR_FACTORIES:  # a helper returning property(...)
                return f"bound to {cpg.get(v, Prop.CODE, '')[:40]}, a {fact.type} descriptor"
        return ""

    def _ts_exact_value(self, v: NodeId) -> str | None:
        """What a TypeScript value is when the checker infers its type exactly, else None."""
        cpg = self.cpg
        kind = cpg.kind(v)
        if kind == NodeKind.METHOD_REF:
            return "a function"
        if kind == NodeKind.LITERAL:
            return "a literal"
        if kind != NodeKind.CALL:
            return None
        name = cpg.get(v, Prop.NAME, "")
        if name == Op.CAST and re.search(r"\bas\s+const\s*$", cpg.get(v, Prop.CODE, "") or ""):
            return "an `as const`"
        if name == Op.FORMAT_STRING:
            return "a literal"  # (an object or array literal may still get a named type: `const o: Order = {...}`)
        if name in (Op.UNARY["-"], Op.UNARY["+"]):
            inner = cpg.arguments(v).get(1)
            return "a literal" if inner is not None and cpg.kind(inner) == NodeKind.LITERAL else None
        if name == Op.FIELD_ACCESS and self._referenced_method(v) is not None:
            return "a method"  # `step = this.multipleOf`, `make = ZodRecord.create`: not called
        return None

    def _referenced_method(self, access: NodeId) -> NodeId | None:
        """The project method (not a getter or setter) that ``obj.name`` reads without calling it,
        where obj is ``this``/``self``, a class, or a value of a project class."""
        cpg = self.cpg
        args = cpg.arguments(access)
        obj, field = args.get(1), args.get(2)
        if obj is None or field is None:
            return None
        decl = None
        if cpg.kind(obj) == NodeKind.IDENTIFIER and cpg.get(obj, Prop.NAME) in SELF_NAMES:
            decl = cpg.enclosing(access, (NodeKind.TYPE_DECL,))
        elif cpg.kind(obj) == NodeKind.IDENTIFIER and self.is_static_ref(obj):
            target = self.linker.resolve_name(obj[0], self._scope(obj), cpg.get(obj, Prop.NAME, ""))
            decl = target.node if target is not None else None
        else:
            fact = self.expression_type(obj)
            decl = self._decl_by_full.get(fact.full_type) if fact is not None else None
        if decl is None or cpg.kind(decl) != NodeKind.TYPE_DECL:
            return None
        method = self.linker.find_method(decl, cpg.get(field, Prop.NAME, ""))
        if method is None or {"getter", "setter", "property", "accessor"} & set(cpg.get(method, Prop.MODIFIERS) or ()):
            return None
        return method

    def _local_fact(self, local: NodeId) -> StaticFact | None:
        values = self.assigned_values(local)
        if not values:
            return None
        lang = self._lang(local)
        fact = self._join(values, lang, "propagation",
                          f"{self.cpg.get(local, Prop.NAME, '')}: {len(values)} assignment(s) in {local[0]}")
        return None if fact is None or fact.type in _NONE_TYPES else fact

    def _member_type(self, member: NodeId) -> StaticFact | None:
        """Type of reading an attribute: its declared type (use_declared), else its slot fact."""
        declared = self._declared_fact(member, f"declared type of attribute {self.cpg.get(member, Prop.NAME, '')}")
        return declared if declared is not None else self.target_fact(member)

    def _member_fact(self, member: NodeId) -> StaticFact | None:
        facts = self.member_values(member)
        if not facts:
            return None
        cpg = self.cpg
        decl = cpg.ast_parent(member)
        name = cpg.get(member, Prop.NAME, "")
        fact = self._join(facts, self._lang(member), "attribute",
                          f"{name}: {len(facts)} assignment(s) in {cpg.get(decl, Prop.FULL_NAME, '')}")
        return None if fact is None or fact.type in _NONE_TYPES else fact

    def member_values(self, member: NodeId) -> list[StaticFact | None] | None:
        """The type of each value assigned to a MEMBER (initializer, class-level value, ``self.x =``;
        None where unknown); None when no method assigns it (a class-level value alone is a default)."""
        cpg = self.cpg
        decl = cpg.ast_parent(member)
        if decl is None or cpg.kind(decl) != NodeKind.TYPE_DECL:
            return None
        name = cpg.get(member, Prop.NAME, "")
        facts: list[StaticFact | None] = [self.expression_type(v) for v in cpg.ast_children(member)]
        body = next((c for c in cpg.ast_children(decl) if cpg.kind(c) == NodeKind.BLOCK), None)
        if body is not None:
            for local in cpg.ast_children(body):  # Python class-level `name = value`
                if cpg.kind(local) == NodeKind.LOCAL and cpg.get(local, Prop.NAME) == name:
                    facts.extend(self._write_value(w) for w in self._writes_of(local))
        writes = self_writes(cpg, decl).get(name, ())
        if not writes:
            return None  # a class-level value alone is a default (dataclass, NamedTuple, ClassVar)
        for node in writes:
            parent = cpg.ast_parent(node)
            if parent is None or cpg.get(parent, Prop.NAME) != Op.ASSIGNMENT:
                facts.append(None)  # augmented or unpacking write
                continue
            value = cpg.arguments(parent).get(2)
            facts.append(self.expression_type(value) if value is not None else None)
        return facts

    def _return_fact(self, method: NodeId) -> StaticFact | None:
        cpg = self.cpg
        props = cpg.props(method)
        lang = self._lang(method)
        mods = props.get(Prop.MODIFIERS) or ()
        if props.get(Prop.NAME) == MODULE_METHOD_NAME or "generator" in mods or "abstract" in mods \
                or "overload" in mods or "declare" in mods:
            return None
        if any(re.sub(r"\(.*$", "", d, flags=re.S).strip().endswith(("overload", "abstractmethod"))
               for d in props.get(Prop.DECORATORS) or ()):
            return None
        body = next((c for c in cpg.ast_children(method) if cpg.kind(c) == NodeKind.BLOCK), None)
        if body is None:
            return None
        owner = self.linker._enclosing_class(method) if lang == "python" else _ts_owner(cpg, method)
        if owner is not None and any(m in (cpg.get(owner, Prop.MODIFIERS) or ()) for m in ("protocol", "interface")):
            return None
        returns = self._return_statements(body)
        if returns is None:
            return None
        async_ts = "async" in mods and adapter_for(lang).async_wraps_return
        where = f"{props.get(Prop.FULL_NAME, '')}"
        if not returns:
            if self._is_stub_body(body, lang):
                return None
            if not self._completes_normally(method):
                # every path raises: NoReturn, unless it is a placeholder (NotImplementedError) whose
                # declared type is the one its overrides return; TS "throws" helpers vary too much
                if lang != "python" or "NotImplemented" in (cpg.get(method, Prop.CODE) or ""):
                    return None
                return self._fact("NoReturn", lang, "no-return", f"every path of {where} raises")
            text = "None" if lang == "python" else ("Promise<void>" if async_ts else "void")
            return self._fact(text, lang, "no-return", f"no return statement in {where}")
        facts = [self._returned_value(r, lang) for r in returns]
        if lang == "python":
            ends = self._falls_off_the_end(method)
            if ends is None:
                return None  # it may end in a call that never returns: the checker knows, we do not
            if ends:
                facts.append(self._fact("None", lang, "return", f"{where} can end without a return"))
        fact = self._join(facts, lang, "return", f"{len(returns)} return(s) in {where}")
        if fact is None:
            return None
        if lang != "python" and "undefined" in split_union(fact.type, lang) and len(split_union(fact.type, lang)) == 1:
            fact = self._fact("void", lang, "return", fact.evidence)
            if fact is None:
                return None
        if async_ts:
            return self._fact(f"Promise<{fact.type}>", lang, fact.rule, fact.evidence)
        return fact

    def _falls_off_the_end(self, method: NodeId) -> bool | None:
        """Whether a path reaches the method's exit without a return statement (returning None):
        True, False, or None when such a path ends in a call (``sys.exit()`` never returns)."""
        cpg = self.cpg
        exit_ = next((c for c in cpg.ast_children(method) if cpg.kind(c) == NodeKind.METHOD_RETURN), None)
        if exit_ is None:
            return False
        unsure = False
        for pred in cpg.into(exit_, EdgeKind.CFG):
            kind = cpg.kind(pred)
            if kind in (NodeKind.RETURN, NodeKind.METHOD):
                continue
            if kind == NodeKind.LITERAL and (cpg.get(pred, Prop.CODE) or "") in ("True", "1"):
                continue  # ``while True:`` only leaves through its body
            if kind == NodeKind.CALL and not str(cpg.get(pred, Prop.NAME, "")).startswith(OPERATOR_PREFIX):
                unsure = True
                continue
            return True
        return None if unsure else False

    def may_return_none(self, method: NodeId) -> str:
        """Why a Python function may return None (a path without a return, a bare ``return``, a
        value that may be None), "" when it is not known to: a return type without None is wrong then."""
        cpg = self.cpg
        if self._lang(method) != "python" or cpg.kind(method) != NodeKind.METHOD:
            return ""
        returns = self._method_returns(method)
        if not returns:
            return ""  # no return statement, or a generator: the static facts decide
        if self._falls_off_the_end(method):
            return "a path ends without a return statement"
        for r in returns:
            values = cpg.ast_children(r)
            if not values:
                return "a bare return"
            if self._may_be_none(values[0], 0):
                return f"it returns {cpg.get(values[0], Prop.CODE, '')[:40]}, which may be None"
        return ""

    def _may_be_none(self, expr: NodeId, depth: int) -> bool:
        cpg = self.cpg
        if depth > 4:
            return False
        kind, name = cpg.kind(expr), cpg.get(expr, Prop.NAME, "")
        if kind == NodeKind.LITERAL:
            return (cpg.get(expr, Prop.CODE) or "") == "None"
        if kind == NodeKind.CALL and name == Op.LOGICAL_OR:
            args = cpg.arguments(expr)
            return bool(args) and self._may_be_none(args[max(args)], depth + 1)
        if kind == NodeKind.CALL and name == Op.CONDITIONAL:
            args = cpg.arguments(expr)
            return any(self._may_be_none(args[i], depth + 1) for i in (2, 3) if i in args)
        if kind == NodeKind.IDENTIFIER:
            for d in cpg.into(expr, EdgeKind.REACHING_DEF):
                parent = cpg.ast_parent(d) if cpg.kind(d) == NodeKind.IDENTIFIER else None
                if parent is not None and cpg.get(parent, Prop.NAME) == Op.ASSIGNMENT:
                    value = cpg.arguments(parent).get(2)
                    if value is not None and cpg.arguments(parent).get(1) == d and self._may_be_none(value, depth + 1):
                        return True
            return False
        fact = self.expression_type(expr)
        return fact is not None and "None" in split_union(fact.type, "python")

    def _completes_normally(self, method: NodeId) -> bool:
        """Can control reach the method's exit without an exception?  (The CFG ends a path at a
        ``raise``/``throw`` outside a ``try``, so an exit with no CFG predecessor is never reached.)"""
        cpg = self.cpg
        exit_ = next((c for c in cpg.ast_children(method) if cpg.kind(c) == NodeKind.METHOD_RETURN), None)
        if exit_ is None or cpg.into(exit_, EdgeKind.CFG):
            return True
        # a raise caught by a handler is only partly modelled (calls in a try may jump to it): trust
        # "never completes" only in try-free bodies
        return any(cpg.kind(n) == NodeKind.CONTROL_STRUCTURE and cpg.get(n, Prop.CONTROL_STRUCTURE_TYPE) == Control.TRY
                   for n in cpg.ast_descendants(method, stop_at=(NodeKind.METHOD, NodeKind.TYPE_DECL)))

    def _is_stub_body(self, body: NodeId, lang: str) -> bool:
        """Only ``...``, ``pass``, a docstring, or ``raise``: a stub / abstract body, not "returns None"."""
        cpg = self.cpg
        stmts = [c for c in cpg.ast_children(body) if cpg.kind(c) != NodeKind.LOCAL]
        if not stmts:
            return True
        for s in stmts:
            kind = cpg.kind(s)
            if kind == NodeKind.LITERAL:
                continue  # docstring or `...`
            if kind == NodeKind.CONTROL_STRUCTURE and cpg.get(s, Prop.CONTROL_STRUCTURE_TYPE) == Control.THROW:
                continue
            if kind == NodeKind.UNKNOWN and (cpg.get(s, Prop.CODE, "") or "").strip() in ("pass", "..."):
                continue
            return False
        return True


def _ts_owner(cpg: CodePropertyGraph, method: NodeId) -> NodeId | None:
    node = cpg.ast_parent(method)
    while node is not None and cpg.kind(node) == NodeKind.BLOCK:
        node = cpg.ast_parent(node)
    return node if node is not None and cpg.kind(node) == NodeKind.TYPE_DECL else None


def _string_value(code: str) -> str | None:
    """The value of a plain Python string literal (parsed, never evaluated); None for f/b-strings."""
    text = code.strip()
    if not text or text[0] not in "'\"rRuU":
        return None
    try:
        node = ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError):
        return None
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _split_args(text: str) -> list[str]:
    """Top-level comma split of type arguments (``str, list[int]`` -> ``["str", "list[int]"]``)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "[(<":
            depth += 1
        elif ch in "])>":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts


def expression_type(cpg: CodePropertyGraph, node: NodeId, typer: StaticTyper | None = None) -> StaticFact | None:
    """The static type of one expression node (builds a `StaticTyper` when none is given)."""
    return (typer or StaticTyper(cpg)).expression_type(node)


# ==================================================================== slices -> slots
class SlotIndex:
    """Finds the graph node of a slice's slot: (file, function) -> METHOD; (file, class) -> TYPE_DECL."""

    def __init__(self, cpg: CodePropertyGraph) -> None:
        self.cpg = cpg
        self.methods: dict[tuple[str, str], list[NodeId]] = {}
        self.classes: dict[tuple[str, str], list[NodeId]] = {}
        self._method_slots: dict[NodeId, tuple[dict[str, NodeId], dict[str, NodeId]]] = {}
        for n in cpg.nodes(NodeKind.METHOD):
            self.methods.setdefault((n[0], slot_function(cpg.props(n))), []).append(n)
        for n in cpg.nodes(NodeKind.TYPE_DECL):
            self.classes.setdefault((n[0], cpg.get(n, Prop.FULL_NAME, "").partition(":")[2]), []).append(n)

    def slot(self, s: UsageSlice) -> NodeId | None:
        cpg = self.cpg
        if s.kind == "attribute":
            for decl in self.classes.get((s.file, s.class_name), ()):
                for m in cpg.ast_children(decl):
                    if cpg.kind(m) == NodeKind.MEMBER and cpg.get(m, Prop.NAME) == s.name:
                        return m
            return None
        candidates = self.methods.get((s.file, s.function), [])
        if s.function == "" and s.kind != "variable":
            return None
        best: NodeId | None = None
        for method in candidates:
            found = self._in_method(method, s)
            if found is None:
                continue
            line = cpg.get(method if s.kind == "return" else found, Prop.LINE_NUMBER, 0)
            if s.kind == "variable" or line == s.line:
                return found
            best = best or found
        return best

    def _in_method(self, method: NodeId, s: UsageSlice) -> NodeId | None:
        if s.kind == "return":
            return method
        params, locals_ = self._slots_of(method)
        return (params if s.kind == "parameter" else locals_).get(s.name)

    def _slots_of(self, method: NodeId) -> tuple[dict[str, NodeId], dict[str, NodeId]]:
        """A method's parameters and its body's LOCALs by name (the first of each name), built once:
        a module of thousands of statements would otherwise be scanned once per slot."""
        found = self._method_slots.get(method)
        if found is None:
            cpg = self.cpg
            params: dict[str, NodeId] = {}
            locals_: dict[str, NodeId] = {}
            children = cpg.ast_children(method)
            for c in children:
                if cpg.kind(c) == NodeKind.METHOD_PARAMETER_IN:
                    params.setdefault(cpg.get(c, Prop.NAME), c)
            body = next((c for c in children if cpg.kind(c) == NodeKind.BLOCK), None)
            for c in cpg.ast_children(body) if body is not None else ():
                if cpg.kind(c) == NodeKind.LOCAL:
                    locals_.setdefault(cpg.get(c, Prop.NAME), c)
            found = self._method_slots[method] = (params, locals_)
        return found


def infer_static(cpg: CodePropertyGraph, slices: ProgramSlices | Iterable[UsageSlice], *,
                 use_declared: bool = True, typer: StaticTyper | None = None,
                 index: SlotIndex | None = None) -> list[StaticFact | None]:
    """Static facts for the slots of `slices`, aligned with them (None = unknown)."""
    items = slices.slices if isinstance(slices, ProgramSlices) else list(slices)
    typer = typer or StaticTyper(cpg, use_declared=use_declared)
    index = index or SlotIndex(cpg)
    out: list[StaticFact | None] = []
    for s in items:
        node = index.slot(s)
        out.append(typer.target_fact(node) if node is not None else None)
    return out
