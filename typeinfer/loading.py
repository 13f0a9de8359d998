"""`typeinfer.load`: a project graph with the pipeline's inferred types written back.

Needs: the graph builder (`typeinfer.cpg`) and the inference pipeline (`typeinfer.analyzer`);
this is the one place that joins them for the query API, so that neither imports the other.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from typing import TYPE_CHECKING

from typeinfer.cpg.graph import CodePropertyGraph, NodeId
from typeinfer.cpg.passes.type_writeback import mark_inferred_calls
from typeinfer.cpg.project import BuildOptions, build_project
from typeinfer.cpg.query import MappingOracle, TypesArg, project_from_cpg

if TYPE_CHECKING:  # the analyzer is imported when a project is loaded, not when `typeinfer` is
    from typeinfer.analyzer.pipeline import InferenceOptions
    from typeinfer.analyzer.scan_project import ScanProject


def project_with_inference(cpg: CodePropertyGraph, options: InferenceOptions | None = None,
                           demand: Collection[NodeId] | None = None) -> ScanProject:
    """Infer the types of `cpg`'s slots, write them back and re-link (mutates `cpg`); the calls
    whose resolution changed are the project's `inferred_calls`.  With `demand` (slot nodes),
    only those slots are inferred (`analyzer.scan_demand` says which a scan needs)."""
    from typeinfer.analyzer.pipeline import infer_graph
    from typeinfer.analyzer.scan_project import ScanProject

    result = infer_graph(cpg, options, demand=demand)
    # over the whole project, inference re-links through `relink_written`, which says what it linked again
    assert result.relinked_from is not None
    # the confident rows, as the oracle of the graph they were inferred on
    oracle = MappingOracle({p.node: (p.full_type or p.type, p.confidence) for p in result.types.confident()
                            if p.node is not None})
    return ScanProject(cpg, oracle, mark_inferred_calls(cpg, result.relinked_from))


def load(path: str | os.PathLike[str], types: TypesArg = None, *, infer: bool = False,
         options: BuildOptions | None = None, inference: InferenceOptions | None = None) -> ScanProject:
    """Build (or load from cache) the graph of `path`.  With ``infer=True``, infer types (static
    facts and the bundled model; `inference` says how) and link with them; with `types` (a
    `TypeOracle` or a mapping), link with those instead.  The result is a `ScanProject`: the
    query API plus the scan's named sets, ``p.sources("python-web")`` and ``p.sinks("sql")``."""
    from typeinfer.analyzer.scan_project import ScanProject

    cpg = build_project(path, options)
    if infer and types is None:
        return project_with_inference(cpg, inference)
    return ScanProject.from_project(project_from_cpg(cpg, types))
