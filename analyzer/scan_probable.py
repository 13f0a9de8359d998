"""Calls that the model's likeliest type for their receiver would make sinks.

Needs: a project graph with inferred types written back (POSSIBLE_TYPES, TYPE_SOURCE
``model``: `cpg.passes.type_writeback`).  Does not: infer, or link anything.

A confident type links a call (``cur: sqlite3.Cursor`` makes ``cur.execute`` a sink).  Below the
threshold, or when the model names a type bare (``Session``) in a file that imports its module
(``import requests``), the call stays open, and a sink without a method-name fallback
(``requests.Session.get``: ``get`` alone would match every dict) is missed.  Here the model's
best type for the receiver, qualified through the file's imports, is tried against a sink's
pattern: a call that matches is a sink of low confidence, and its finding says which type and
probability made it one.  Without inference there are no rankings, and nothing is added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from typeinfer.cpg.graph import NodeId
from typeinfer.cpg.matching import regex
from typeinfer.cpg.passes.linking import principal_type_name
from typeinfer.cpg.query import Project
from typeinfer.cpg.schema import FIELD_ACCESS_OPS, SELF_NAMES, EdgeKind, NodeKind, Prop

#: The least probability of the first-ranked type that makes a sink.  Below it the model has no
#: type in mind: its first of hundreds of candidates holds a tenth of the mass or less (a DOM
#: ``HTMLElement`` for a database connection at 0.09), while the receivers it knows come out at
#: 0.2-0.4 even when the name alone is ambiguous (``session``: requests, aiohttp or SQLAlchemy).
MIN_PROBABILITY = 0.15


@dataclass(frozen=True)
class ProbableCallee:
    """What an open call would invoke if its receiver had the model's best type."""

    call: NodeId
    full_name: str  #: ``requests.Session.get``
    receiver_type: str  #: the model's type, as ranked (``Session``)
    probability: float
    #: the type's module is a guess: one the file imports (``import requests``), not the one the
    #: name is imported from; a sink's pattern must then spell the type's name itself
    module_guessed: bool = False

    def note(self) -> str:
        """How the finding says where its sink came from."""
        return f"{self.full_name}, if the receiver is the {self.receiver_type} inference ranks first ({self.probability:.2f})"


#: the slots `receiver_ranking` reads the model's ranking from
_RANKED_KINDS = (NodeKind.LOCAL, NodeKind.METHOD_PARAMETER_IN, NodeKind.MEMBER)


class ProbableCallees:
    """The open calls of one project whose receiver the model ranked, by candidate full name."""

    def __init__(self, project: Project, open_calls: set[NodeId]) -> None:
        self.by_full_name: dict[str, list[ProbableCallee]] = {}
        self._matching: dict[str, dict[NodeId, ProbableCallee]] = {}
        cpg = project.cpg
        if not any(cpg.get(n, Prop.TYPE_SOURCE) == "model" for kind in _RANKED_KINDS for n in cpg.nodes(kind)):
            return  # no slot the model ranked (--no-infer, or a scan's demand before inference)
        for call in sorted(open_calls):
            ranked = receiver_ranking(project, call)
            if not ranked:
                continue
            best, probability = ranked[0][0], float(ranked[0][1])
            if probability < MIN_PROBABILITY:
                continue
            name = project.cpg.get(call, Prop.NAME, "")
            for qualified, guessed in qualified_candidates(project, call[0], best):
                found = ProbableCallee(call, f"{qualified}.{name}", best, probability, guessed)
                self.by_full_name.setdefault(found.full_name, []).append(found)

    def matching(self, pattern: str) -> dict[NodeId, ProbableCallee]:
        """The calls one of whose candidate full names fully matches `pattern` (a sink's ``call``),
        each once, its first matching candidate.  A candidate whose module is guessed must have its
        type's name spelled in the pattern (``requests\\.Session\\.get`` for ``Session``), not only
        let through by a wildcard (``axios(\\.[\\w.]+)?\\.get`` would take ``Headers``, ``Map``...)."""
        if pattern not in self._matching:
            rx = regex(pattern)
            spelled = set(re.findall(r"[A-Za-z_$][\w$]*", pattern))
            out: dict[NodeId, ProbableCallee] = {}
            for full_name in sorted(self.by_full_name):
                if rx.fullmatch(full_name):
                    for found in self.by_full_name[full_name]:
                        if not found.module_guessed or principal_type_name(found.receiver_type) in spelled:
                            out.setdefault(found.call, found)
            self._matching[pattern] = out
        return self._matching[pattern]


def receiver_ranking(project: Project, call: NodeId) -> tuple[tuple[str, float], ...]:
    """The model's ranked types for a method call's receiver: a variable or parameter, or an
    attribute of ``self``/``this`` (the class's MEMBER); empty when no model ranked it."""
    cpg = project.cpg
    if not cpg.out(call, EdgeKind.RECEIVER):
        return ()
    receiver = cpg.arguments(call).get(0)
    if receiver is None:
        return ()
    slot = None
    if cpg.kind(receiver) == NodeKind.IDENTIFIER:
        slot = project.decl_of(receiver)
    elif cpg.get(receiver, Prop.NAME) in FIELD_ACCESS_OPS:
        args = cpg.arguments(receiver)
        obj, field_node = args.get(1), args.get(2)
        if obj is not None and field_node is not None and cpg.get(obj, Prop.NAME) in SELF_NAMES:
            slot = _member(project, cpg.enclosing(receiver, (NodeKind.TYPE_DECL,)), cpg.get(field_node, Prop.NAME))
    if slot is None or cpg.get(slot, Prop.TYPE_SOURCE) != "model":
        return ()
    return tuple(tuple(item) for item in cpg.get(slot, Prop.POSSIBLE_TYPES) or ())


def _member(project: Project, cls: NodeId | None, attr: str) -> NodeId | None:
    """The MEMBER `attr` of a class or, failing that, of its project bases (nearest first)."""
    cpg = project.cpg
    queue, seen = ([cls] if cls is not None else []), set()
    while queue:
        owner = queue.pop(0)
        if owner in seen:
            continue
        seen.add(owner)
        found = cpg.attribute_member(owner, attr)
        if found is not None:
            return found
        queue.extend(cpg.out(owner, EdgeKind.INHERITS_FROM))
    return None


def qualified_candidates(project: Project, rel: str, type_text: str) -> list[tuple[str, bool]]:
    """The dotted names a ranked type may stand for in file `rel`, each with whether its module is
    a guess: through the name the file imports (``from requests import Session``), as written
    when dotted, else (guessed) under each library module the file imports (``import requests``:
    ``requests.Session``)."""
    name = principal_type_name(type_text)
    if not name:
        return []
    if "." in name or project.import_bindings(rel).get(name):
        return [(project.imported_name(rel, name), False)]
    modules: set[str] = set()
    for entity in project.import_bindings(rel).values():
        if not entity or entity in project.cpg.files or entity.partition(":")[0] in project.cpg.files:
            continue  # a project file or one of its names
        parts = entity.split(".")
        modules.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return [(f"{module}.{name}", True) for module in sorted(modules)]
