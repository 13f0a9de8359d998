"""Passes over the graph, in the order they run.

Per-file passes run in the worker that built the file (they only need that file); project
passes run once after all files are merged.  Each pass module's docstring says what it needs.
`type_writeback` runs later, whenever inferred types are applied to a built graph (it is not a
build pass: it needs the types).
"""

from __future__ import annotations

from typing import Iterable

from ..file_graph import FileGraph
from ..graph import CodePropertyGraph
from .cfg import add_cfg, ast_index
from .reaching_defs import add_reaching_defs


def run_file_passes(fg: FileGraph) -> None:
    """CFG, then reaching definitions."""
    children = ast_index(fg)
    cfgs = add_cfg(fg, children)
    add_reaching_defs(fg, cfgs, children)


def run_project_passes(cpg: CodePropertyGraph, files: Iterable[str] | None = None) -> None:
    """Symbol index, then imports/inheritance/call resolution and type edges (of the nodes of
    `files` only, when given: the rest of the project keeps its links)."""
    from .linking import link_project

    link_project(cpg, files=files)
