"""What inference reads of a graph's structure alone: the names and edges the build made, never
the types written back.  One `GraphStructure` per inference run, shared by its rounds' slicers
and typers, so that a round does not walk the graph again for what the one before found."""

from __future__ import annotations

from typeinfer.cpg.dataflow import self_accesses
from typeinfer.cpg.graph import CodePropertyGraph, NodeId
from typeinfer.cpg.schema import OPERATOR_PREFIX, EdgeKind, NodeKind, Prop


class GraphStructure:
    """Structural lookups over one graph, each computed on first use."""

    def __init__(self, cpg: CodePropertyGraph) -> None:
        self.cpg = cpg
        self._called: set[tuple[str, str]] | None = None
        self._self_accesses: dict[NodeId, dict[str, list[NodeId]]] = {}
        self._self_writes: dict[NodeId, dict[str, list[NodeId]]] = {}

    def called_names(self) -> set[tuple[str, str]]:
        """(file, name) of every call of a bare name (``f(x)``, not ``o.f(x)``)."""
        if self._called is None:
            cpg = self.cpg
            self._called = {(n[0], name) for n in cpg.nodes(NodeKind.CALL)
                            if not (name := str(cpg.get(n, Prop.NAME, ""))).startswith(OPERATOR_PREFIX)
                            and not cpg.out(n, EdgeKind.RECEIVER)}
        return self._called

    def self_accesses(self, decl: NodeId) -> dict[str, list[NodeId]]:
        """The field accesses through ``self``/``cls``/``this`` in a class's own code (not in
        nested classes), reads and writes, by field name, in AST pre-order."""
        found = self._self_accesses.get(decl)
        if found is None:
            found = self._self_accesses[decl] = self_accesses(self.cpg, decl)
        return found

    def self_writes(self, decl: NodeId) -> dict[str, list[NodeId]]:
        """`self_accesses` that write (``self.x = ...``, ``self.x += ...``), by field name."""
        found = self._self_writes.get(decl)
        if found is None:
            cpg = self.cpg
            found = self._self_writes[decl] = {
                name: writes for name, nodes in self.self_accesses(decl).items()
                if (writes := [n for n in nodes if cpg.get(n, Prop.IS_WRITE)])}
        return found
