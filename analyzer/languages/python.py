"""The Python adapter: builtins, dotted module names and imports of project types."""

from __future__ import annotations

from typeinfer.cpg.schema import SELF_NAMES

from ..canonical_types import PYTHON_BUILTINS
from ..writer import AUTO_IMPORTS
from .adapter import LanguageAdapter


def dotted_name(full_name: str) -> str:
    """``pkg/models.py:User`` -> ``pkg.models.User`` (a leading ``src/`` or ``lib/`` is dropped)."""
    path, _, qual = full_name.partition(":")
    module = path.removesuffix(".py").removesuffix(".pyi").replace("/", ".").removesuffix(".__init__")
    for prefix in ("src.", "lib."):
        module = module.removeprefix(prefix)
    return f"{module}.{qual}" if module else qual


def import_module(full_name: str, decl_file: str, from_file: str) -> str:
    """The module a project type is imported from: its dotted name less the type's own name."""
    return dotted_name(full_name).rsplit(".", 1)[0]


PYTHON = LanguageAdapter(
    name="python",
    builtin_types=PYTHON_BUILTINS | frozenset(AUTO_IMPORTS) | {"None"},
    self_names=SELF_NAMES & {"self", "cls"},
    import_module=import_module,
    dotted_name=dotted_name,
    entity_separator=".",
    dotted_full_types=True,
)
