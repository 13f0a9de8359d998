"""What inference reads of a graph's structure alone: the names and edges the build made, never
the types written back.  One `GraphStructure` per inference run, shared by its rounds' slicers
and typers, so that a round does not walk the graph again for what the one before found."""

from __future__ import annotations

from typeinfer.cpg.graph import CodePropertyGraph
from typeinfer.cpg.schema import OPERATOR_PREFIX, EdgeKind, NodeKind, Prop


class GraphStructure:
    """Structural lookups over one graph, each computed on first use."""

    def __init__(self, cpg: CodePropertyGraph) -> None:
        self.cpg = cpg
        self._called: dict[str, set[str]] = {}

    def called_names(self, rel: str) -> set[str]:
        """The names file `rel` calls bare (``f(x)``, not ``o.f(x)``)."""
        if rel not in self._called:
            cpg = self.cpg
            self._called[rel] = {name for n in cpg.file_nodes(rel) if cpg.kind(n) == NodeKind.CALL
                                 and not (name := str(cpg.get(n, Prop.NAME, ""))).startswith(OPERATOR_PREFIX)
                                 and not cpg.out(n, EdgeKind.RECEIVER)}
        return self._called[rel]
