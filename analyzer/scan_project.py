"""`ScanProject`: the query API's `Project` plus the scan's named source and sink sets.

    p = typeinfer.load("app/", infer=True)          # a ScanProject
    p.sinks("sql").reachable_by(p.sources("python-web"))

``p.sources(NAME)`` is the source nodes of a named set of ``analyzer/rules/sources.yaml``
(``python-web``, ``python-cli``, ``typescript-web``, ``typescript-cli``), found as a rule that
uses the set would find them.  A set named ``python-*`` / ``typescript-*`` is looked up in files
of that language; another name (a user's set) in both.

``p.sinks(NAME)`` is the sink nodes (the arguments tainted data must not reach, as the scan
tracks them) of the rules that NAME selects: a rule is selected when NAME is a substring of its
id (``"sql"`` -> ``py-sql-injection`` and ``ts-sql-injection``; ``"py-ssrf"`` -> one rule) or
equals one of its tags, case-insensitively (``"CWE-78"`` -> both command-injection rules).  The
rules are the built-in ones unless the project was given others.

This lives on the analyzer side: `typeinfer.cpg` never imports `typeinfer.analyzer`; the
`typeinfer.load` function and the ``query`` / ``scan`` commands return a `ScanProject`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from typeinfer.cpg.graph import CodePropertyGraph, NodeId
from typeinfer.cpg.passes.linking import TypeOracle
from typeinfer.cpg.query import Project, Traversal

from .scan import Rule, builtin_source_sets, find_sinks, find_sources, load_rules, parse_rule
from .scan_index import CallIndex

LANGUAGES = ("python", "typescript")


class ScanProject(Project):
    """A `Project` with the scan's named sets: `sources(name)` and `sinks(name)`."""

    def __init__(self, cpg: CodePropertyGraph, oracle: TypeOracle | None = None,
                 inferred_calls: set[NodeId] | None = None, rules: list[Rule] | None = None) -> None:
        super().__init__(cpg, oracle, inferred_calls)
        self._rules = rules
        #: the index of the graph's calls as they are now, when the command built one for the
        #: scan's demand (`analyzer.scan_demand`) and brought it up to date after inference
        self.call_index: CallIndex | None = None

    @classmethod
    def from_project(cls, project: Project, rules: list[Rule] | None = None) -> ScanProject:
        """The `ScanProject` over `project`'s graph, oracle and inferred calls."""
        if isinstance(project, cls) and rules is None:
            return project
        return cls(project.cpg, project.oracle, project.inferred_calls, rules)

    @property
    def rules(self) -> list[Rule]:
        """The rules `sinks` chooses from (the built-in ones unless given)."""
        if self._rules is None:
            self._rules = load_rules()
        return self._rules

    def sources(self, name: str) -> Traversal:
        """Source nodes of the named source set (``analyzer/rules/sources.yaml``), e.g. "python-web"."""
        sets = builtin_source_sets()
        if name not in sets:
            raise KeyError(f"no source set {name!r} (known: {', '.join(sorted(sets))})")
        prefix = name.split("-", 1)[0]
        languages = [prefix] if prefix in LANGUAGES else list(LANGUAGES)
        rules = [parse_rule({"id": f"sources:{name}", "language": lang, "sources": [name], "sinks": []},
                            "<sources>", sets) for lang in languages]
        return self._found(lambda: self._each_rule(rules, find_sources))

    def sinks(self, name: str) -> Traversal:
        """Sink nodes of the rules whose id contains `name` or that are tagged `name`, e.g. "sql", "CWE-78"."""
        rules = self.rules_named(name)
        if not rules:
            known = sorted({r.id for r in self.rules} | {t for r in self.rules for t in r.tags})
            raise KeyError(f"no rule matches {name!r} (rule ids and tags: {', '.join(known)})")
        return self._found(lambda: self._each_rule(rules, find_sinks))

    def _each_rule(self, rules: list[Rule], find: Any) -> Iterator[NodeId]:
        """The nodes `find` (`find_sources` or `find_sinks`) gives for each rule, over one `CallIndex`."""
        index = self.call_index or CallIndex.of(self)
        for rule in rules:
            yield from find(self, rule, index)

    def rules_named(self, name: str) -> list[Rule]:
        """The rules `sinks(name)` uses: `name` is a substring of the id, or one of the tags (any case)."""
        key = name.lower()
        return [r for r in self.rules if key in r.id.lower() or key in (t.lower() for t in r.tags)]

    def _found(self, nodes: Callable[[], Iterable[NodeId]]) -> Traversal:
        """A lazy traversal over `nodes()`: each node once, in file / line / column order."""
        return Traversal(self, lambda: set(nodes())).sorted()
