"""The calls and field reads of one project graph, grouped once for the rules' patterns.

A scan matches some forty regexes (sink calls, source calls, field names) against every call of
the project.  Grouping the calls by language and by name once, and matching each pattern against
the distinct names only, costs one pass over the calls instead of one per pattern.

Needs: a `cpg.query.Project`.  The index reads the graph as it is when built: after inference
re-links calls, `refresh` with the calls whose resolution changed brings it up to date.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field

from typeinfer.analyzer.scan_probable import ProbableCallees
from typeinfer.cpg.graph import CodePropertyGraph, NodeId
from typeinfer.cpg.matching import regex
from typeinfer.cpg.query import Project
from typeinfer.cpg.schema import FIELD_ACCESS_OPS, OPERATOR_PREFIX, UNRESOLVED_PREFIX, NodeKind, Prop



@dataclass
class FieldRead:
    """``obj.field`` read (not written): the access call, its object and its field node."""

    node: NodeId
    obj: NodeId | None
    field: NodeId | None


@dataclass
class CallIndex:
    """Per language: the non-operator calls by METHOD_FULL_NAME and by NAME, and the field reads,
    each list in the project's node order; `open_calls`: those no type resolved."""

    by_full_name: dict[str, dict[str, list[NodeId]]] = field(default_factory=dict)
    by_name: dict[str, dict[str, list[NodeId]]] = field(default_factory=dict)
    field_reads: dict[str, list[FieldRead]] = field(default_factory=dict)
    open_calls: set[NodeId] = field(default_factory=set)
    order: dict[NodeId, int] = field(default_factory=dict)  #: position in the project's node order
    #: per language, the parameters and variables with a type and their qualified type names,
    #: filled by the first typed source that needs them (`analyzer.scan`)
    declared_types: dict[str, list[tuple[NodeId, list[str]]]] = field(default_factory=dict)
    #: (language, source spec) -> the nodes it matched, filled by `analyzer.scan.sources_by_kind`
    spec_matches: dict[tuple[str, str], list[NodeId]] = field(default_factory=dict)
    _qualified_reads: dict[str, list[tuple[NodeId, str | None]]] = field(default_factory=dict, repr=False)
    #: per language, what each qualified read's dotted name starts from (a name, or a call's result)
    _read_roots: dict[str, list[NodeId | None]] = field(default_factory=dict, repr=False)
    _probable: ProbableCallees | None = field(default=None, repr=False)
    _full_names: dict[NodeId, tuple[str, str]] = field(default_factory=dict, repr=False)  #: call -> (language, full)

    @classmethod
    def of(cls, project: Project) -> CallIndex:
        """Index the calls of `project`'s graph as it is now."""
        cpg = project.cpg
        index = cls()
        languages = {path: info.language for path, info in cpg.files.items()}
        for position, n in enumerate(project.calls.ids()):
            props = cpg.props(n)
            language = languages.get(n[0], "")
            name = props.get(Prop.NAME) or ""
            if name.startswith(OPERATOR_PREFIX):
                if name in FIELD_ACCESS_OPS and not props.get(Prop.IS_WRITE):
                    args = cpg.arguments(n)
                    index.field_reads.setdefault(language, []).append(FieldRead(n, args.get(1), args.get(2)))
                continue
            index.order[n] = position
            full = props.get(Prop.METHOD_FULL_NAME) or props.get(Prop.FULL_NAME)
            if full is not None:
                full = str(full)
                index.by_full_name.setdefault(language, {}).setdefault(full, []).append(n)
                index._full_names[n] = (language, full)
                if full.startswith(UNRESOLVED_PREFIX):
                    index.open_calls.add(n)
            index.by_name.setdefault(language, {}).setdefault(name, []).append(n)
        return index

    def refresh(self, project: Project, changed: Iterable[NodeId]) -> None:
        """Bring the index up to date after the `changed` calls were linked again (their
        METHOD_FULL_NAME may differ now); what was found from types is looked for anew."""
        cpg = project.cpg
        renamed = set()
        for n in changed:
            if n not in self._full_names:
                continue  # an operator, or a call the index has not seen
            language, old = self._full_names[n]
            full = str(cpg.get(n, Prop.METHOD_FULL_NAME) or cpg.get(n, Prop.FULL_NAME) or old)
            if full == old:
                continue
            renamed.add(n)
            self.by_full_name[language][old].remove(n)
            if not self.by_full_name[language][old]:
                del self.by_full_name[language][old]
            calls = self.by_full_name[language].setdefault(full, [])
            calls.insert(bisect.bisect(calls, self.order[n], key=self.order.__getitem__), n)
            self._full_names[n] = (language, full)
            if full.startswith(UNRESOLVED_PREFIX):
                self.open_calls.add(n)
            else:
                self.open_calls.discard(n)
        self.declared_types.clear()
        self.spec_matches.clear()
        if renamed:  # `request.args` on a call's result: its callee names it
            for language, reads in self._qualified_reads.items():
                roots = self._read_roots[language]
                for i, (node, _) in enumerate(reads):
                    if roots[i] in renamed:
                        reads[i] = (node, project.qualified_name(node))
        self._probable = None

    def qualified_reads(self, project: Project, language: str) -> list[tuple[NodeId, str | None]]:
        """The field reads of `language` with their dotted names (`Project.qualified_name`:
        ``flask.request.args``), worked out once for every attribute source."""
        if language not in self._qualified_reads:
            reads = self.field_reads.get(language, ())
            self._qualified_reads[language] = [(read.node, project.qualified_name(read.node)) for read in reads]
            self._read_roots[language] = [_dotted_root(project.cpg, read.node) for read in reads]
        return self._qualified_reads[language]

    def probable_callees(self, project: Project) -> ProbableCallees:
        """The open calls a ranked inferred receiver type would resolve (`scan_probable`), found once."""
        if self._probable is None:
            self._probable = ProbableCallees(project, self.open_calls)
        return self._probable

    def calls_full_name(self, language: str, pattern: str) -> list[NodeId]:
        """Non-operator calls of `language` whose METHOD_FULL_NAME fully matches `pattern`."""
        return self._matching(self.by_full_name.get(language, {}), pattern)

    def calls_named(self, language: str, pattern: str) -> list[NodeId]:
        """Non-operator calls of `language` whose NAME fully matches `pattern`."""
        return self._matching(self.by_name.get(language, {}), pattern)

    def _matching(self, table: dict[str, list[NodeId]], pattern: str) -> list[NodeId]:
        rx = regex(pattern)
        groups = [calls for key, calls in table.items() if rx.fullmatch(key)]
        if len(groups) == 1:
            return list(groups[0])
        return sorted((n for calls in groups for n in calls), key=self.order.__getitem__)


def _dotted_root(cpg: CodePropertyGraph, n: NodeId | None) -> NodeId | None:
    """What a chain of field accesses ``a.b.c`` starts from (``a``; ``f()`` in ``f().b``)."""
    while n is not None and cpg.kind(n) == NodeKind.CALL and cpg.get(n, Prop.NAME) in FIELD_ACCESS_OPS:
        n = cpg.arguments(n).get(1)
    return n
