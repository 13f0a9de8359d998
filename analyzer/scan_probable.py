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

from dataclasses import dataclass

from typeinfer.cpg.graph import NodeId
from typeinfer.cpg.matching import regex
from typeinfer.cpg.passes.linking import principal_type_name
from typeinfer.cpg.query import Project
from typeinfer.cpg.schema import SELF_NAMES, EdgeKind, NodeKind, Op, Prop

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

    def note(self) -> str:
        """How the finding says where its sink came from."""
        return f"{self.full_name}, if the receiver is the {self.receiver_type} inference ranks first ({self.probability:.2f})"


class ProbableCallees:
    """The open calls of one project whose receiver the model ranked, by candidate full name."""

    def __init__(self, project: Project, open_calls: set[NodeId]) -> None:
        self.by_full_name: dict[str, list[ProbableCallee]] = {}
        self.of_call: dict[NodeId, ProbableCallee] = {}
        for call in sorted(open_calls):
            ranked = receiver_ranking(project, call)
            if not ranked:
                continue
            best, probability = ranked[0][0], float(ranked[0][1])
            if probability < MIN_PROBABILITY:
                continue
            name = project.cpg.get(call, Prop.NAME, "")
            for qualified in qualified_candidates(project, call[0], best):
                found = ProbableCallee(call, f"{qualified}.{name}", best, probability)
                self.by_full_name.setdefault(found.full_name, []).append(found)

    def matching(self, pattern: str) -> list[ProbableCallee]:
        """The calls one of whose candidate full names fully matches `pattern` (a sink's ``call``),
        each once, its first matching candidate."""
        rx = regex(pattern)
        out: dict[NodeId, ProbableCallee] = {}
        for full_name in sorted(self.by_full_name):
            if rx.fullmatch(full_name):
                for found in self.by_full_name[full_name]:
                    out.setdefault(found.call, found)
        return [out[c] for c in sorted(out)]


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
    elif cpg.get(receiver, Prop.NAME) in (Op.FIELD_ACCESS, Op.OPTIONAL_FIELD_ACCESS):
        args = cpg.arguments(receiver)
        obj, field_node = args.get(1), args.get(2)
        if obj is not None and field_node is not None and cpg.get(obj, Prop.NAME) in SELF_NAMES:
            cls = cpg.enclosing(receiver, (NodeKind.TYPE_DECL,))
            attr = cpg.get(field_node, Prop.NAME)
            slot = next((m for m in cpg.ast_children(cls) if cpg.kind(m) == NodeKind.MEMBER
                         and cpg.get(m, Prop.NAME) == attr), None) if cls is not None else None
    if slot is None or cpg.get(slot, Prop.TYPE_SOURCE) != "model":
        return ()
    return tuple(tuple(item) for item in cpg.get(slot, Prop.POSSIBLE_TYPES) or ())


def qualified_candidates(project: Project, rel: str, type_text: str) -> list[str]:
    """The dotted names a ranked type may stand for in file `rel`: through the name the file
    imports (``from requests import Session``), as written when dotted, else under each library
    module the file imports (``import requests``: ``requests.Session``)."""
    name = principal_type_name(type_text)
    if not name:
        return []
    bindings = project.import_bindings(rel)
    head, dot, rest = name.partition(".")
    bound = bindings.get(head)
    if bound:
        return [f"{bound}{dot}{rest}"]
    if dot:
        return [name]
    modules: set[str] = set()
    for entity in bindings.values():
        if not entity or "/" in entity or ":" in entity:
            continue  # a project file or one of its names
        parts = entity.split(".")
        modules.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return [f"{module}.{name}" for module in sorted(modules)]
