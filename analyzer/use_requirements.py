"""What the uses of a slot require of its type: a guess that no use admits is vetoed.

`StaticTyper.rejected_value` judges a guess by the values flowing *into* a slot; this module
judges it by where the slot's value flows *out* (Python, guesses made of simple builtins):

* iterated (``for w in colwidths``, a comprehension's ``for`` clause) or the right operand of
  ``in``: the class needs ``__iter__`` (or ``__contains__`` / ``__getitem__``): ``int`` has none;
* an operand of an arithmetic or ordering operator whose other operand has a static scalar type:
  ``indent + "".join(...)`` is no ``int``;
* an argument: of a stdlib or installed-library function or method, the parameter's typeshed
  annotation must admit the class (``format(x, floatfmt)`` makes ``floatfmt`` a ``str``, not a
  ``float``); of a project function, the parameter's declared type must, else what that
  parameter's own uses refuse is refused here too (followed through up to `_MAX_DEPTH` calls).

Uses of a function's return value are its call sites, and the reads of a variable such a call is
the only value of.  A guess is vetoed only when every one of its non-None members is certainly
refused by one use; unknown answers never veto.  `UseRequirements` is built once per inference
round and remembers what each slot's uses refuse.
"""

from __future__ import annotations

from typing import Callable

from typeinfer.cpg.dataflow import argument_for
from typeinfer.cpg.graph import NodeId
from typeinfer.cpg.schema import BINARY_SYMBOLS, OPERATOR_PREFIX, UNRESOLVED_PREFIX, Control, EdgeKind, NodeKind, Op, Prop

from .canonical_types import NUMERIC_PROMOTION, outer_type, split_union
from .static_facts import SIMPLE_BUILTINS, StaticTyper

__all__ = ["UseRequirements"]

#: guesses judged here: classes whose members and operators typeshed and the table below know
_JUDGED = SIMPLE_BUILTINS["python"] - {"None"}
_NUMERIC = frozenset({"bool", "int", "float", "complex"})
_TEXT = frozenset({"str", "bytes"})
_ARITHMETIC = frozenset({"+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^"})
_ORDERING = frozenset({"<", ">", "<=", ">="})

Admits = Callable[[str], "bool | None"]
_MAX_DEPTH = 4  #: project calls followed from a parameter to the parameters it is passed on as


class UseRequirements:
    """Judges guesses by the uses of their slots, for one graph and one inference round (what a
    slot's uses refuse is remembered: a parameter passed on to many calls is judged once)."""

    def __init__(self, typer: StaticTyper) -> None:
        self.typer = typer
        self._refusals: dict[tuple[NodeId, str], str] = {}

    def rejected(self, slot: NodeId, type_text: str) -> str:
        """A use of the slot (a Python LOCAL, METHOD_PARAMETER_IN, or METHOD for its return) that
        refuses every non-None member of `type_text`, as "what: code"; "" when none does or the
        guess is not made of simple builtins."""
        cpg = self.typer.cpg
        if cpg.files[slot[0]].language != "python":
            return ""
        members = {outer_type(m, "python") for m in split_union(type_text, "python")} - {"None"}
        if not members or not members <= _JUDGED:
            return ""
        refusals = [self.refusal(slot, m, 0) for m in sorted(members)]
        return refusals[0] if all(refusals) else ""

    def refusal(self, slot: NodeId, cls: str, depth: int) -> str:
        """The first use of the slot that certainly refuses a value of class `cls`, as "what: code"."""
        key = (slot, cls)
        if key in self._refusals:
            return self._refusals[key]
        if depth > _MAX_DEPTH:
            return ""
        self._refusals[key] = ""  # a parameter passed back to itself: refused by nothing on the way
        typer, cpg = self.typer, self.typer.cpg
        for use in _uses(typer, slot):
            requirement = _requirement(self, use, depth)
            if requirement is not None and requirement[1](cls) is False:
                code = cpg.get(cpg.ast_parent(use) or use, Prop.CODE, "") or ""
                self._refusals[key] = f"{requirement[0]} {code.splitlines()[0][:60] if code else ''}".rstrip()
                break
        return self._refusals[key]


def _uses(typer: StaticTyper, slot: NodeId) -> list[NodeId]:
    """The expressions that carry the slot's value: reads of a variable or parameter; call sites
    of a plain (not async, not generator, undecorated) function, and the reads of a variable
    such a call is the only value of (``n = f(); zip(xs, n)``)."""
    cpg = typer.cpg
    kind = cpg.kind(slot)
    if kind in (NodeKind.LOCAL, NodeKind.METHOD_PARAMETER_IN):
        if cpg.get(slot, Prop.IS_VARIADIC) or cpg.get(slot, Prop.IS_KEYWORD_VARIADIC):
            return []
        return [r for r in cpg.into(slot, EdgeKind.REF) if not cpg.get(r, Prop.IS_WRITE)]
    if kind != NodeKind.METHOD:
        return []
    mods = cpg.get(slot, Prop.MODIFIERS) or ()
    if "async" in mods or "generator" in mods or cpg.get(slot, Prop.DECORATORS):
        return []
    uses: list[NodeId] = []
    for call in cpg.callers(slot):
        uses.append(call)
        parent = cpg.ast_parent(call)
        if parent is None or cpg.get(parent, Prop.NAME) != Op.ASSIGNMENT or cpg.arguments(parent).get(2) != call:
            continue
        target = cpg.arguments(parent).get(1)
        local = cpg.out(target, EdgeKind.REF) if target is not None and cpg.kind(target) == NodeKind.IDENTIFIER else []
        if len(local) == 1 and cpg.kind(local[0]) == NodeKind.LOCAL and typer.value_nodes(local[0]) == [call]:
            uses.extend(r for r in cpg.into(local[0], EdgeKind.REF) if not cpg.get(r, Prop.IS_WRITE))
    return uses


def _requirement(checker: UseRequirements, use: NodeId, depth: int) -> tuple[str, Admits] | None:
    """(what the use is, which classes it admits) for a use whose requirement is known."""
    typer = checker.typer
    cpg = typer.cpg
    parent = cpg.ast_parent(use)
    if parent is None:
        return None
    kind = cpg.kind(parent)
    if kind == NodeKind.CONTROL_STRUCTURE:
        kids = cpg.ast_children(parent)
        if cpg.get(parent, Prop.CONTROL_STRUCTURE_TYPE) == Control.FOR_EACH and kids and kids[0] == use:
            return "iterated in", _has_any(typer, ("__iter__", "__getitem__"))
        return None
    if kind != NodeKind.CALL:
        return None
    name = cpg.get(parent, Prop.NAME, "")
    index = cpg.get(use, Prop.ARGUMENT_INDEX)
    if name.endswith("Comprehension") or name == "<operator>.generatorExpression":
        return ("iterated in", _has_any(typer, ("__iter__", "__getitem__"))) if _is_clause_iterable(typer, parent, use) \
            else None
    if name in (Op.IN, Op.NOT_IN):
        return ("searched by", _has_any(typer, ("__contains__", "__iter__", "__getitem__"))) if index == 2 else None
    symbol = BINARY_SYMBOLS.get(name)
    if symbol in _ARITHMETIC or symbol in _ORDERING:
        return _operand_requirement(typer, parent, use, symbol, index)
    if name.startswith(OPERATOR_PREFIX) or not isinstance(index, int) or index < 1:
        return None
    return _argument_requirement(checker, parent, use, depth)


def _has_any(typer: StaticTyper, dunders: tuple[str, ...]) -> Admits:
    def admits(cls: str) -> bool | None:
        if not typer.ts.is_class(f"builtins.{cls}"):
            return None
        return bool(typer.ts.class_members(f"builtins.{cls}") & set(dunders))
    return admits


def _is_clause_iterable(typer: StaticTyper, comprehension: NodeId, use: NodeId) -> bool:
    """Whether `use` is the iterable of a ``for`` clause.  The children are the element, then per
    ``for`` clause its target and its iterable, per ``if`` clause its condition."""
    cpg = typer.cpg
    kids = cpg.ast_children(comprehension)
    i = 1
    while i < len(kids):
        if _is_target(typer, kids[i]) and i + 1 < len(kids):
            if kids[i + 1] == use:
                return True
            i += 2
        else:
            i += 1
    return False


def _is_target(typer: StaticTyper, node: NodeId) -> bool:
    """A ``for`` clause's target: a written name, or a tuple or list of targets."""
    cpg = typer.cpg
    if cpg.get(node, Prop.IS_WRITE):
        return True
    kids = cpg.ast_children(node)
    return cpg.get(node, Prop.NAME) in (Op.TUPLE_LITERAL, Op.LIST_LITERAL) and bool(kids) \
        and all(_is_target(typer, k) or cpg.get(k, Prop.NAME) == Op.STARRED for k in kids)


def _operand_requirement(typer: StaticTyper, op: NodeId, use: NodeId, symbol: str, index: object) \
        -> tuple[str, Admits] | None:
    """An operand of a binary operator whose other operand has one static scalar type."""
    args = typer.cpg.arguments(op)
    other_node = args.get(2 if index == 1 else 1)
    other = typer.expression_type(other_node) if other_node is not None and index in (1, 2) else None
    if other is None or other.type not in _NUMERIC | _TEXT:
        return None
    left = index == 1

    def admits(cls: str) -> bool | None:
        if cls not in _NUMERIC | _TEXT:
            return None
        return _scalar_operator_works(cls if left else other.type, other.type if left else cls, symbol)
    return f"an operand of {symbol} in", admits


def _scalar_operator_works(left: str, right: str, symbol: str) -> bool:
    """Whether ``left <symbol> right`` is defined for two scalar builtin classes."""
    if left in _NUMERIC and right in _NUMERIC:
        return True
    if symbol == "%":
        return left in _TEXT
    if symbol == "*":
        return (left in _TEXT and right in ("int", "bool")) or (right in _TEXT and left in ("int", "bool"))
    if symbol == "+" or symbol in _ORDERING:
        return left == right
    return False


def _argument_requirement(checker: UseRequirements, call: NodeId, use: NodeId, depth: int) \
        -> tuple[str, Admits] | None:
    """An argument of a call whose parameter's type is known: a project function's declared or
    static type, a library function's or method's typeshed annotation."""
    typer = checker.typer
    cpg = typer.cpg
    callee = typer.project_callee(call)
    if callee is not None:
        return _project_parameter(checker, call, callee, use, depth)
    keyword = cpg.get(use, Prop.ARGUMENT_NAME) or ""
    position = None if keyword else _position(typer, call, use)
    if not keyword and position is None:
        return None
    full = cpg.get(call, Prop.METHOD_FULL_NAME, "") or ""
    receiver = cpg.arguments(call).get(0) if cpg.out(call, EdgeKind.RECEIVER) else None
    ts = typer.ts
    if receiver is None or typer.is_static_ref(receiver):
        if not full or full.startswith(UNRESOLVED_PREFIX) or ":" in full or cpg.out(call, EdgeKind.CALL):
            return None
        return f"passed to {full} in", lambda cls: ts.parameter_admits(full, position, keyword, cls)
    owner = typer.expression_type(receiver)
    if owner is None or " | " in owner.type or owner.full_type in ("None", ""):
        return None
    method = cpg.get(call, Prop.NAME, "")
    return f"passed to {owner.type}.{method} in", \
        lambda cls: ts.parameter_admits(method, position, keyword, cls, receiver=owner.full_type)


def _position(typer: StaticTyper, call: NodeId, use: NodeId) -> int | None:
    """0-based position of a positional argument among the call's positional arguments (the
    receiver not counted); None after a ``*args`` unpacking."""
    cpg = typer.cpg
    index = cpg.get(use, Prop.ARGUMENT_INDEX)
    position = 0
    for i, arg in sorted(cpg.arguments(call).items()):
        if i < 1 or i >= index:
            continue
        if cpg.get(arg, Prop.NAME) in (Op.STARRED, Op.DOUBLE_SPREAD):
            return None
        if not cpg.get(arg, Prop.ARGUMENT_NAME):
            position += 1
    return position


def _project_parameter(checker: UseRequirements, call: NodeId, callee: NodeId, use: NodeId, depth: int) \
        -> tuple[str, Admits] | None:
    """The parameter of a project function that `use` binds: typed by the annotation the user
    wrote, else (or where an earlier round settled it) by what its own uses refuse."""
    typer = checker.typer
    cpg = typer.cpg
    for param in cpg.ast_children(callee):
        if cpg.kind(param) != NodeKind.METHOD_PARAMETER_IN or argument_for(cpg, call, callee, param) != use:
            continue
        if cpg.get(param, Prop.IS_VARIADIC) or cpg.get(param, Prop.IS_KEYWORD_VARIADIC):
            return None
        what = f"passed as {cpg.get(param, Prop.NAME, '')} to {cpg.get(callee, Prop.NAME, '')} in"
        fact = typer.target_fact(param) if param not in typer.settled else None
        if fact is None or fact.rule != "declared":  # a default's type says what it starts as, not what it takes
            return what, lambda cls: False if checker.refusal(param, cls, depth + 1) else None
        expected = {outer_type(m, "python") for m in split_union(fact.type, "python")}
        if not expected <= _JUDGED | {"None"}:
            return None
        return what, lambda cls: cls in expected or bool(NUMERIC_PROMOTION.get(cls, frozenset()) & expected)
    return None
