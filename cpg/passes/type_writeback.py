"""Type write-back: put inferred types on a graph's nodes, then re-link calls.

Needs: a linked project graph (`run_project_passes`) and inferred types per node (the analyzer's
`InferredTypes` table in node form, or a user's oracle).  Does not: infer anything, or decide
which nodes a slot maps to (the caller passes node ids).

After JoernTI: for every node without a declared type, POSSIBLE_TYPES gets the ranked
``(type, probability)`` list and TYPE_SOURCE the source (``"static"`` or ``"model"``); a
confident type also goes into TYPE_FULL_NAME (its qualified form: ``sqlite3.Cursor``,
``pkg.models.User``) with its CONFIDENCE.  Then the linking pass runs again, so that
``cur.execute(...)`` with an inferred ``cur: sqlite3.Cursor`` resolves to
``sqlite3.Cursor.execute``: over the calls the written types can change only
(`relink_written`, `link_scope`), or over everything (`relink`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from ..graph import CodePropertyGraph, NodeId
from ..schema import OPERATOR_PREFIX, UNRESOLVED_PREFIX, EdgeKind, NodeKind, Prop, is_declared
from .link_scope import calls_to_relink
from .linking import TypeOracle, link_project

#: `relink_written`: rounds of following the functions whose callers changed, and the share of the
#: project's calls past which linking them all is as cheap
_SCOPED_ROUNDS = 8
_SCOPED_SHARE = 0.25
#: a call's resolution: its METHOD_FULL_NAME and its callees (CALL edges), sorted
Resolution = tuple[str, tuple[NodeId, ...]]


@dataclass(frozen=True)
class WrittenType:
    """What inference says of one node."""

    type: str  #: the qualified type (TYPE_FULL_NAME when confident)
    source: str  #: "static" or "model"
    confidence: float
    ranked: tuple[tuple[str, float], ...]  #: POSSIBLE_TYPES, best first
    confident: bool  #: at or above the threshold: written into TYPE_FULL_NAME


def write_types(cpg: CodePropertyGraph, types: Mapping[NodeId, WrittenType]) -> set[NodeId]:
    """Store `types` on their nodes (never over a declared type); returns the nodes whose
    TYPE_FULL_NAME changed (what linking reads: `relink_written`'s `written`)."""
    retyped = set()
    for node, t in types.items():
        props = cpg.props(node)
        if is_declared(props):
            continue
        before = props.get(Prop.TYPE_FULL_NAME)
        props[Prop.POSSIBLE_TYPES] = t.ranked
        props[Prop.TYPE_SOURCE] = t.source
        if t.confident:
            props[Prop.TYPE_FULL_NAME] = t.type
            props[Prop.CONFIDENCE] = t.confidence
        else:
            props.pop(Prop.TYPE_FULL_NAME, None)
            props.pop(Prop.CONFIDENCE, None)
        if props.get(Prop.TYPE_FULL_NAME) != before:
            retyped.add(node)
    return retyped


def relink(cpg: CodePropertyGraph, files: Iterable[str] | None = None, oracle: TypeOracle | None = None,
           nodes: Collection[NodeId] | None = None) -> None:
    """Link calls again (over `files`, or `nodes`, only, when given) with the types now on the graph."""
    link_project(cpg, oracle, files=None if files is None else list(files), nodes=nodes)


def relink_written(cpg: CodePropertyGraph, written: Collection[NodeId]) -> dict[NodeId, Resolution]:
    """`relink` after `write_types` changed the types of `written` nodes only (and nothing else
    changed since the last link): the same links, asking again only the calls those types can change
    (`link_scope.calls_to_relink`) and, when that gives a function other callers, the calls its
    parameters reach.  Returns the `call_resolution` each call it linked again had before.

    One difference from a whole re-link remains by design: where callers type parameters through
    a chain of functions deeper than the linker's rounds (`linking.CALLER_ROUNDS`), a whole
    re-link stops where its rounds end, while this one starts from the links the last link's
    rounds made, and so reads those callers as they are now."""
    total = sum(1 for _ in cpg.nodes(NodeKind.CALL))
    scope = calls_to_relink(cpg, written)
    # in the order a whole link visits them: where parameters pass round a cycle, the answers
    # depend on which call is asked first.  The written: their EVAL_TYPE edges
    nodes = cpg.in_file_order({*written, *scope})
    prior: dict[NodeId, Resolution] = {}
    for _ in range(_SCOPED_ROUNDS):
        if len(scope) > _SCOPED_SHARE * total:
            break
        for call, resolution in call_resolution(cpg, scope).items():
            prior.setdefault(call, resolution)
        callees = {c: cpg.out(c, EdgeKind.CALL) for c in scope}
        relink(cpg, nodes=nodes)
        moved = {m for c, old in callees.items() if (new := cpg.out(c, EdgeKind.CALL)) != old for m in (*old, *new)}
        if not moved:
            return prior
        scope = calls_to_relink(cpg, moved)
        nodes = cpg.in_file_order(scope)
    for call, resolution in call_resolution(cpg).items():
        prior.setdefault(call, resolution)
    relink(cpg)
    return prior


def call_resolution(cpg: CodePropertyGraph, calls: Iterable[NodeId] | None = None) -> dict[NodeId, Resolution]:
    """Every call's resolution (or that of `calls`), operators left out."""
    out = {}
    for n in cpg.nodes(NodeKind.CALL) if calls is None else calls:
        props = cpg.props(n)
        if not props.get(Prop.NAME, "").startswith(OPERATOR_PREFIX):
            out[n] = (props.get(Prop.METHOD_FULL_NAME, ""), tuple(sorted(cpg.out(n, EdgeKind.CALL))))
    return out


def mark_inferred_calls(cpg: CodePropertyGraph, before: Mapping[NodeId, Resolution]) -> set[NodeId]:
    """The calls of `before` (`call_resolution` taken before the types were written: of every
    call, or of those linked again since) whose resolution differs now: each is marked
    INFERRED_CALLEE, and the set is returned."""
    now = call_resolution(cpg, before)
    changed = {c for c, res in before.items() if now.get(c) != res}
    for call in changed:
        cpg.props(call)[Prop.INFERRED_CALLEE] = True
    return changed


def resolved_calls(cpg: CodePropertyGraph) -> tuple[int, int]:
    """(calls with a callee, calls): operators left out."""
    resolution = call_resolution(cpg)
    return sum(1 for name, _ in resolution.values() if not name.startswith(UNRESOLVED_PREFIX)), len(resolution)


def apply_types(cpg: CodePropertyGraph, types: Mapping[NodeId, WrittenType], files: Iterable[str] | None = None,
                oracle: TypeOracle | None = None) -> set[NodeId]:
    """Write `types` and re-link; returns the calls whose resolution changed (marked INFERRED_CALLEE)."""
    before = call_resolution(cpg)
    write_types(cpg, types)
    relink(cpg, files, oracle)
    return mark_inferred_calls(cpg, before)
