"""Partial static evidence: types a slot's type must admit, where the static layer cannot settle it.

`static_facts` settles a slot only when every value that reaches it has a known type.  Often only
some do: a function returns ``None`` on one path and an unknown call's result on another; every
resolved call of a helper passes a ``Path``, but the helper is also called from outside the
project.  Such a slot is left to the model, and the known values are still evidence: its type
must admit ``None`` (or ``Path``).  This module collects that evidence and conditions the model's
ranking on it.

Needs: a linked graph, the `StaticTyper` the static stage used (its cache is reused) and the
slots the static layer left unknown.  Does not: settle a slot (a type that admits the evidence is
the model's choice) or look at the slot's own annotation.

Evidence, per kind of slot:

* parameter - the argument bound to it at each resolved call site (`cpg.dataflow.argument_for`);
* return - each ``return`` expression (a bare ``return`` is None); generators and TypeScript
  async functions are skipped (their type wraps the returned values);
* variable - each assignment;
* attribute - its initializer, class-level value and each ``self.x = ...`` / ``this.x = ...``
  in the class's methods (only when a method assigns it, as for the static fact).

Unknown values are ignored.  Besides the values, the code's own tests are evidence: a parameter
or local that is compared with ``None`` (``x is None``, ``x is not None``, ``x == None``; in
TypeScript ``x === null`` / ``x !== null``) is expected to hold it, so its type should admit it.
A slot with neither known values nor such tests has no evidence.

Conditioning (`condition`): a ranked type that admits every evidence type keeps its probability,
one that does not is multiplied by `MISMATCH_WEIGHT` (and by `CHECK_WEIGHT` when it does not admit
a tested-for type), and the ranking is rescaled to its previous total mass (the mass of the types
outside the ranking is unchanged).  This is Bayes' rule with P(evidence | type) = 1 or the weight:
the evidence itself can be wrong (an ``int`` passed where ``float`` is declared is admitted; a
subclass instance passed where a protocol is declared is not; a None check can be defensive).  A
type admits an evidence type when the evidence is one of its union members, is ``int`` where it
has ``float`` (``undefined`` where it has ``void``), is a project class whose bases include a
member, or is a container whose outer type matches a bare member (``list[str]`` for ``list``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from typeinfer.cpg.dataflow import argument_for
from typeinfer.cpg.graph import CodePropertyGraph, NodeId
from typeinfer.cpg.schema import EdgeKind, NodeKind, Op, Prop

from .canonical_types import outer_type, split_union
from .languages import adapter_for
from .slice_schema import UsageSlice
from .static_facts import SlotIndex, StaticFact, StaticTyper
from .type_universe import TypeUniverse

#: P(evidence | type) for a type that does not admit the evidence; the best of eight values on 13
#: projects of the valid split (bench/RESULTS.md, "Model accuracy", "With partial evidence").
MISMATCH_WEIGHT = 0.02
#: P(test | type) for a type that does not admit what the code tests the slot against (a None check
#: on a parameter whose type has no ``None``: defensive code); tuned like MISMATCH_WEIGHT
#: (bench/RESULTS.md, "With None checks as evidence").
CHECK_WEIGHT = 0.05
_MAX_SITES = 64  #: call sites looked at per parameter
_UNINFORMATIVE = frozenset({"Any", "any", "unknown", "object", "Unknown"})

Ranking = list[tuple[str, float]]


@dataclass(frozen=True)
class Evidence:
    """Known types of the values that reach one slot.

    JSON form: ``{"types": ["None", "int"], "known": 2, "values": 3, "checked": ["None"]}``: the
    distinct canonical types, how many values had a known type, how many values were looked at,
    and the types the code compares the slot against (``x is None``).
    """

    types: tuple[str, ...]
    known: int
    values: int
    checked: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"types": list(self.types), "known": self.known, "values": self.values,
                "checked": list(self.checked)}


def collect_evidence(cpg: CodePropertyGraph, targets: Sequence[UsageSlice], facts: Sequence[StaticFact | None],
                     typer: StaticTyper, index: SlotIndex | None = None) -> list[Evidence | None]:
    """Evidence for each target the static layer left unknown (aligned with `targets`)."""
    index = index or SlotIndex(cpg)
    out: list[Evidence | None] = []
    for item, fact in zip(targets, facts):
        node = index.slot(item) if fact is None else None
        out.append(_evidence(cpg, typer, node, item.kind) if node is not None else None)
    return out


def _evidence(cpg: CodePropertyGraph, typer: StaticTyper, node: NodeId, kind: str) -> Evidence | None:
    language = cpg.files[node[0]].language
    if kind == "variable" and cpg.kind(node) == NodeKind.LOCAL:
        return _summarize(typer.assigned_values(node), language, _null_checks(cpg, node, language))
    if kind == "attribute" and cpg.kind(node) == NodeKind.MEMBER:
        return _summarize(typer.member_values(node) or [], language)
    if kind == "return" and cpg.kind(node) == NodeKind.METHOD:
        return _summarize(_returns(cpg, typer, node) or [], language)
    if kind == "parameter" and cpg.kind(node) == NodeKind.METHOD_PARAMETER_IN:
        return _summarize([typer.expression_type(v) for v in _arguments(cpg, node)], language,
                          _null_checks(cpg, node, language))
    return None


def _summarize(facts: list[StaticFact | None], language: str, checked: tuple[str, ...] = ()) -> Evidence | None:
    types: list[str] = []
    for f in facts:
        if f is None:
            continue
        for member in split_union(f.type, language):
            if member not in types and member not in _UNINFORMATIVE:
                types.append(member)
    known = sum(f is not None for f in facts)
    return Evidence(tuple(types), known, len(facts), checked) if types or checked else None


#: comparisons that test a value against the null literal, per language (``== null`` in TypeScript
#: also matches ``undefined``, which an optional ``x?: T`` holds without declaring it: left out)
_NULL_TESTS = {
    "python": ({Op.BINARY["is"], Op.BINARY["is not"], Op.BINARY["=="], Op.BINARY["!="]}, "None"),
    "typescript": ({Op.BINARY["==="], Op.BINARY["!=="]}, "null"),
}


def _null_checks(cpg: CodePropertyGraph, decl: NodeId, language: str) -> tuple[str, ...]:
    """``("None",)`` when some reference to `decl` is compared with the null literal, else ``()``."""
    operators, null = _NULL_TESTS.get(language, (set(), ""))
    for ident in cpg.into(decl, EdgeKind.REF):
        test = cpg.ast_parent(ident)
        if test is None or cpg.get(test, Prop.NAME) not in operators:
            continue
        if any(cpg.kind(other) == NodeKind.LITERAL and cpg.get(other, Prop.CODE) == null
               for other in cpg.ast_children(test) if other != ident):
            return (null,)
    return ()


def _arguments(cpg: CodePropertyGraph, param: NodeId) -> list[NodeId]:
    if cpg.get(param, Prop.IS_VARIADIC) or cpg.get(param, Prop.IS_KEYWORD_VARIADIC):
        return []
    method = next(iter(cpg.into(param, EdgeKind.AST)), None)
    if method is None:
        return []
    sites = cpg.callers(method)[:_MAX_SITES]
    values = [argument_for(cpg, site, method, param) for site in sites]
    # a missing argument means the default was used: that is not evidence about the parameter
    return [v for v in values if v is not None and cpg.get(v, Prop.NAME) not in (Op.STARRED, Op.DOUBLE_SPREAD, Op.SPREAD)]


def _returns(cpg: CodePropertyGraph, typer: StaticTyper, method: NodeId) -> list[StaticFact | None] | None:
    mods = cpg.get(method, Prop.MODIFIERS) or ()
    if "generator" in mods or ("async" in mods and adapter_for(cpg.files[method[0]].language).async_wraps_return):
        return None  # the type wraps the returned values
    return typer.returned_values(method)


def admits(type_text: str, evidence_type: str, language: str, universe: TypeUniverse) -> bool:
    """Whether a value of `evidence_type` may be stored in a slot of `type_text` (see the module docstring)."""
    members = split_union(type_text, language)
    if evidence_type in members or type_text in _UNINFORMATIVE:
        return True
    if (evidence_type == "int" and "float" in members) or (evidence_type == "undefined" and "void" in members):
        return True
    outer = outer_type(evidence_type, language)
    if outer != evidence_type and outer in members:
        return True
    return bool(_ancestors(outer, universe) & set(members))


def _ancestors(name: str, universe: TypeUniverse, depth: int = 0) -> set[str]:
    out: set[str] = set()
    if depth > 8:
        return out
    for t in universe.by_short_name(name):
        for base in t.bases:
            short = re.split(r"[\[<(]", base, maxsplit=1)[0].strip().rsplit(".", 1)[-1]
            if short and short not in out:
                out.add(short)
                out |= _ancestors(short, universe, depth + 1)
    return out


def _likelihood(type_text: str, evidence: Evidence, language: str, universe: TypeUniverse, weight: float) -> float:
    """P(evidence | the slot has `type_text`), up to a constant."""
    p = 1.0
    if not all(admits(type_text, e, language, universe) for e in evidence.types):
        p *= weight
    if not all(admits(type_text, c, language, universe) for c in evidence.checked):
        p *= CHECK_WEIGHT
    return p


def condition(ranking: Ranking, evidence: Evidence | None, language: str, universe: TypeUniverse,
              weight: float | None = None) -> Ranking:
    """`ranking` conditioned on `evidence` (see the module docstring); unchanged without evidence."""
    weight = MISMATCH_WEIGHT if weight is None else weight
    if evidence is None or not ranking or (weight >= 1.0 and not evidence.checked):
        return ranking
    mass = sum(p for _, p in ranking)
    scaled = [(t, p * _likelihood(t, evidence, language, universe, weight)) for t, p in ranking]
    total = sum(p for _, p in scaled)
    if total <= 0.0:
        return ranking
    return sorted(((t, p * mass / total) for t, p in scaled), key=lambda kv: -kv[1])
