"""typeinfer: static analysis with neural type inference for Python and TypeScript.

The public API.  The pipeline reads top to bottom: parse -> graph (`typeinfer.cpg`) -> slices
and static facts (`typeinfer.analyzer`) -> model (`typeinfer.typemodel`) -> write back ->
outputs (annotate, language server `typeinfer.lsp`, queries).
"""

from __future__ import annotations

from typeinfer.cpg.graph import CodePropertyGraph, FileInfo
from typeinfer.cpg.project import BuildError, BuildOptions, build_project, update_file
from typeinfer.cpg.schema import EdgeKind, NodeKind, Prop

__version__ = "0.1.0"

__all__ = [
    "BuildError",
    "BuildOptions",
    "CodePropertyGraph",
    "EdgeKind",
    "FileInfo",
    "NodeKind",
    "Prop",
    "__version__",
    "build_project",
    "update_file",
]
