"""Type write-back: put inferred types on a graph's nodes, then re-link calls.

Needs: a linked project graph (`run_project_passes`) and inferred types per node (the analyzer's
`InferredTypes` table in node form, or a user's oracle).  Does not: infer anything, or decide
which nodes a slot maps to (the caller passes node ids).

After JoernTI: for every node without a declared type, POSSIBLE_TYPES gets the ranked
``(type, probability)`` list and TYPE_SOURCE the source (``"static"`` or ``"model"``); a
confident type also goes into TYPE_FULL_NAME (its qualified form: ``sqlite3.Cursor``,
``pkg.models.User``) with its CONFIDENCE.  Then the linking pass runs again, so that
``cur.execute(...)`` with an inferred ``cur: sqlite3.Cursor`` resolves to
``sqlite3.Cursor.execute``, and a receiver whose type is an external class the file never binds
(``sqlite3.Cursor`` where only ``connect`` is imported) still gives ``Type.method``.
"""

from __future__ import annotations

import builtins
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from itertools import chain

from ..graph import CodePropertyGraph, NodeId
from ..schema import OPERATOR_PREFIX, UNRESOLVED_PREFIX, EdgeKind, NodeKind, Prop, is_declared
from .linking import TypeOracle, link_project, principal_type_name

_PY_BUILTIN_TYPES = frozenset(n for n in dir(builtins) if isinstance(getattr(builtins, n), type))


@dataclass(frozen=True)
class WrittenType:
    """What inference says of one node."""

    type: str  #: the qualified type (TYPE_FULL_NAME when confident)
    source: str  #: "static" or "model"
    confidence: float
    ranked: tuple[tuple[str, float], ...]  #: POSSIBLE_TYPES, best first
    confident: bool  #: at or above the threshold: written into TYPE_FULL_NAME


def write_types(cpg: CodePropertyGraph, types: Mapping[NodeId, WrittenType]) -> int:
    """Store `types` on their nodes (never over a declared type); returns how many became TYPE_FULL_NAME."""
    written = 0
    for node, t in types.items():
        props = cpg.props(node)
        if is_declared(props):
            continue
        props[Prop.POSSIBLE_TYPES] = t.ranked
        props[Prop.TYPE_SOURCE] = t.source
        if t.confident:
            props[Prop.TYPE_FULL_NAME] = t.type
            props[Prop.CONFIDENCE] = t.confidence
            written += 1
        else:
            props.pop(Prop.TYPE_FULL_NAME, None)
            props.pop(Prop.CONFIDENCE, None)
    return written


def relink(cpg: CodePropertyGraph, files: Iterable[str] | None = None, oracle: TypeOracle | None = None,
           nodes: Collection[NodeId] | None = None) -> None:
    """Link calls again (over `files`, or `nodes`, only, when given) with the types now on the graph."""
    file_list = None if files is None else list(files)
    link_project(cpg, oracle, files=file_list, nodes=nodes)
    if nodes is None:
        nodes = cpg.nodes(NodeKind.CALL) if file_list is None else \
            chain.from_iterable(cpg.file_nodes(f) for f in file_list)
    for n in nodes:
        props = cpg.props(n)
        if props[Prop.KIND] != NodeKind.CALL or not props.get(Prop.METHOD_FULL_NAME, "").startswith(UNRESOLVED_PREFIX):
            continue
        if not cpg.out(n, EdgeKind.RECEIVER) or props.get(Prop.NAME, "").startswith(OPERATOR_PREFIX):
            continue
        receiver = cpg.arguments(n).get(0)
        if receiver is None:
            continue
        typ = _receiver_type_name(cpg, receiver, oracle)
        if typ and "." not in typ and cpg.files[n[0]].language == "python" and typ in _PY_BUILTIN_TYPES:
            typ = f"builtins.{typ}"  # the linker's convention for builtins (builtins.open)
        if typ and "." in typ:
            props[Prop.METHOD_FULL_NAME] = f"{typ}.{props[Prop.NAME]}"


def call_resolution(cpg: CodePropertyGraph) -> dict[NodeId, tuple[str, tuple[NodeId, ...]]]:
    """Every call's resolution: METHOD_FULL_NAME and its CALL edges."""
    out = {}
    for n in cpg.nodes(NodeKind.CALL):
        props = cpg.props(n)
        if not props.get(Prop.NAME, "").startswith(OPERATOR_PREFIX):
            out[n] = (props.get(Prop.METHOD_FULL_NAME, ""), tuple(sorted(cpg.out(n, EdgeKind.CALL))))
    return out


def mark_inferred_calls(cpg: CodePropertyGraph, before: Mapping[NodeId, tuple[str, tuple[NodeId, ...]]]) -> set[NodeId]:
    """The calls whose resolution differs from `before` (`call_resolution` taken before the types
    were written): each is marked INFERRED_CALLEE, and the set is returned."""
    changed = {c for c, res in call_resolution(cpg).items() if before.get(c) != res}
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


def _receiver_type_name(cpg: CodePropertyGraph, receiver: NodeId, oracle: TypeOracle | None) -> str | None:
    props = cpg.props(receiver)
    typ = None
    if props[Prop.KIND] == NodeKind.IDENTIFIER:
        refs = cpg.out(receiver, EdgeKind.REF)
        if refs:
            typ = cpg.get(refs[0], Prop.TYPE_FULL_NAME)
    elif props[Prop.KIND] == NodeKind.CALL and oracle is not None:
        typ = oracle.type_of(cpg, receiver)
    return principal_type_name(typ) if typ else None
