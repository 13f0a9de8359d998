"""One adapter per language: what differs between Python and TypeScript after the tree-sitter
front end.

Needs: nothing beyond the tables it names (`canonical_types`, the writer's per-language parts,
`cpg.schema.SELF_NAMES`).  Does not: parse, infer or write; modules that used to branch on
``language == "python"`` ask `adapter_for(language)` for the field instead.

``ADAPTERS`` is the one ordered list of registered languages; `adapter_for` refuses any other
name (there is no fallback to TypeScript).
"""

from __future__ import annotations

from .adapter import LanguageAdapter, StaticTables
from .python import PYTHON
from .typescript import TYPESCRIPT

#: every registered adapter, in a fixed order
ADAPTERS: tuple[LanguageAdapter, ...] = (PYTHON, TYPESCRIPT)
_BY_NAME: dict[str, LanguageAdapter] = {a.name: a for a in ADAPTERS}


class UnknownLanguageError(KeyError):
    """A language no adapter is registered for."""

    def __str__(self) -> str:  # KeyError would print the repr of its argument
        return str(self.args[0]) if self.args else ""


def adapter_for(language: str) -> LanguageAdapter:
    """The adapter registered for `language`; `UnknownLanguageError` (a KeyError) for any other."""
    try:
        return _BY_NAME[language]
    except KeyError:
        known = ", ".join(a.name for a in ADAPTERS)
        raise UnknownLanguageError(f"no language adapter for {language!r} (registered: {known})") from None


__all__ = ["ADAPTERS", "LanguageAdapter", "StaticTables", "UnknownLanguageError", "adapter_for"]
