"""One file's piece of the graph, as the front end and the per-file passes leave it.

Front ends run in worker processes; what crosses the process boundary (and what the on-disk
cache holds) is a `FileGraph`: plain lists, cheap to pickle.  `project.py` merges them into
the project graph in one step.  Node ids are local integers here and become
``(path, local_id)`` tuples in the project graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from .schema import EdgeKind

#: One edge: (source id, destination id, kind, extra properties or None).
Edge = tuple[int, int, EdgeKind, dict[str, Any] | None]


@dataclass
class FileGraph:
    """Nodes and edges of one source file, plus what the build learned about the file.

    JSON form (``to_json``): ``{"path", "language", "content_hash", "loc", "parse_errors",
    "error", "nodes": [{"id": int, "kind": str, ...props}], "edges": [[src, dst, kind, props]]}``.
    """

    path: str  #: relative to the project root, forward slashes
    language: str  #: "python" or "typescript"
    content_hash: str  #: sha256 of the bytes that were parsed
    loc: int = 0  #: number of lines
    parse_errors: int = 0  #: ERROR and MISSING nodes in the tree-sitter tree
    error: str | None = None  #: why the file could not be analysed at all (then nodes are empty)
    nodes: dict[int, dict[str, Any]] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)

    def to_networkx(self) -> nx.MultiDiGraph:
        """This file alone as a graph with local integer ids (used by per-file passes and tests)."""
        graph = nx.MultiDiGraph()
        graph.add_nodes_from(self.nodes.items())
        graph.add_edges_from((s, d, k, p or {}) for s, d, k, p in self.edges)
        return graph

    @classmethod
    def from_networkx(cls, graph: nx.MultiDiGraph, template: "FileGraph") -> "FileGraph":
        """Replace nodes and edges of `template` with those of `graph` (after per-file passes)."""
        out = FileGraph(
            path=template.path,
            language=template.language,
            content_hash=template.content_hash,
            loc=template.loc,
            parse_errors=template.parse_errors,
            error=template.error,
        )
        out.nodes = dict(graph.nodes(data=True))
        out.edges = [(s, d, EdgeKind(k), (p or None)) for s, d, k, p in graph.edges(keys=True, data=True)]
        return out

    def to_json(self) -> dict[str, Any]:
        """The documented JSON form."""
        return {
            "path": self.path,
            "language": self.language,
            "content_hash": self.content_hash,
            "loc": self.loc,
            "parse_errors": self.parse_errors,
            "error": self.error,
            "nodes": [{"id": i, **_jsonable(p)} for i, p in self.nodes.items()],
            "edges": [[s, d, str(k), _jsonable(p or {})] for s, d, k, p in self.edges],
        }


def _jsonable(props: dict[str, Any]) -> dict[str, Any]:
    return {str(k): (list(v) if isinstance(v, tuple) else v) for k, v in props.items()}
