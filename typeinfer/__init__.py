"""typeinfer: static analysis with neural type inference for Python and TypeScript.

The public API.  The pipeline reads top to bottom: parse -> graph (`typeinfer.cpg`) -> slices
and static facts (`typeinfer.analyzer`) -> model (`typeinfer.typemodel`) -> write back ->
outputs (annotate, language server `typeinfer.lsp`, queries).
"""

from __future__ import annotations


def _serve_from_source_checkout() -> None:
    """Make `typeinfer.cpg` & co. importable when this file is imported from a source checkout.

    Installed, `[tool.setuptools.package-dir]` maps `typeinfer.cpg` onto the folder `cpg/` (and so
    on).  Run from the repository root (`python -m typeinfer`, `python -m pytest`), Python finds
    this folder before the installed package; the subpackages then live beside it, so the
    repository root joins the package path.  An installed copy has no `pyproject.toml` beside it
    and is left alone.
    """
    import os

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if os.path.isfile(os.path.join(root, "pyproject.toml")) and os.path.isfile(os.path.join(root, "cpg", "__init__.py")):
        if root not in __path__:
            __path__.append(root)


_serve_from_source_checkout()

from typeinfer.cpg.graph import CodePropertyGraph, FileInfo
from typeinfer.cpg.project import BuildError, BuildOptions, build_project, update_file
from typeinfer.cpg.query import Project, Traversal
from typeinfer.cpg.schema import EdgeKind, NodeKind, Prop
from typeinfer.loading import load, project_with_inference

__version__ = "0.1.0"

__all__ = [
    "BuildError",
    "BuildOptions",
    "CodePropertyGraph",
    "EdgeKind",
    "FileInfo",
    "NodeKind",
    "Project",
    "Prop",
    "Traversal",
    "__version__",
    "build_project",
    "load",
    "project_with_inference",
    "update_file",
]
