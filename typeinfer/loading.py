"""`typeinfer.load`: a project graph with the pipeline's inferred types written back.

Needs: the graph builder (`typeinfer.cpg`) and the inference pipeline (`typeinfer.analyzer`);
this is the one place that joins them for the query API, so that neither imports the other.
"""

from __future__ import annotations

import os
from collections.abc import Collection

from typeinfer.analyzer.inferred_types import InferredTypes
from typeinfer.analyzer.pipeline import InferenceOptions, infer_graph
from typeinfer.analyzer.scan_project import ScanProject
from typeinfer.cpg.graph import CodePropertyGraph, NodeId
from typeinfer.cpg.passes.type_writeback import call_resolution, mark_inferred_calls
from typeinfer.cpg.project import BuildOptions, build_project
from typeinfer.cpg.query import Project, TypesArg, project_from_cpg


class TableOracle:
    """The confident rows of an `InferredTypes` table as a `TypeOracle` over the graph they were inferred on."""

    def __init__(self, types: InferredTypes) -> None:
        self.types: dict[NodeId, tuple[str, float]] = {
            p.node: (p.full_type or p.type, p.confidence) for p in types.confident() if p.node is not None}

    def type_of(self, cpg: CodePropertyGraph, node: NodeId) -> str | None:
        found = self.types.get(node)
        return found[0] if found else None

    def confidence_of(self, cpg: CodePropertyGraph, node: NodeId) -> float | None:
        found = self.types.get(node)
        return found[1] if found else None


def project_with_inference(cpg: CodePropertyGraph, options: InferenceOptions | None = None,
                           demand: Collection[NodeId] | None = None) -> ScanProject:
    """Infer the types of `cpg`'s slots, write them back and re-link (mutates `cpg`); the calls
    whose resolution changed are the project's `inferred_calls`.  With `demand` (slot nodes),
    only those slots are inferred (`analyzer.scan_demand` says which a scan needs)."""
    before = call_resolution(cpg)
    result = infer_graph(cpg, options, demand=demand)
    return ScanProject(cpg, TableOracle(result.types), mark_inferred_calls(cpg, before))


def load(path: str | os.PathLike[str], types: TypesArg = None, *, infer: bool = False,
         options: BuildOptions | None = None, inference: InferenceOptions | None = None) -> ScanProject:
    """Build (or load from cache) the graph of `path`.  With ``infer=True``, infer types (static
    facts and the bundled model; `inference` says how) and link with them; with `types` (a
    `TypeOracle` or a mapping), link with those instead.  The result is a `ScanProject`: the
    query API plus the scan's named sets, ``p.sources("python-web")`` and ``p.sinks("sql")``."""
    cpg = build_project(path, options)
    if infer and types is None:
        return project_with_inference(cpg, inference)
    return ScanProject.from_project(project_from_cpg(cpg, types))
