"""`LanguageAdapter`: the fields one language fills in (see the package docstring)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping


@dataclass(frozen=True)
class StaticTables:
    """Built-in results the static typer may read off a table (empty for a language without them)."""

    #: global functions / static methods with a fixed result (METHOD_FULL_NAME -> type);
    #: ``None`` marks calls known to say nothing
    global_calls: Mapping[str, str | None] = field(default_factory=dict)
    #: ``new C(...)`` of a non-generic built-in class -> its type
    constructors: Mapping[str, str] = field(default_factory=dict)
    #: receiver kind -> member -> result (``"$elem"``: element type, ``"$self"``: the receiver's type)
    members: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: ``typeof x === "..."`` string -> the type it narrows to
    typeof: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LanguageAdapter:
    """What one language contributes to the language-independent analysis."""

    name: str  #: the language name sources and predictions carry ("python", "typescript")
    builtin_types: frozenset[str]  #: type names usable in an annotation without an import
    self_names: frozenset[str]  #: names that denote the enclosing instance (or class)
    #: (full_name, decl_file, from_file) -> the module specifier an import of a project type uses
    import_module: Callable[[str, str, str], str]
    #: a project full name (``pkg/models.py:User``) -> its dotted name (``pkg.models.User``)
    dotted_name: Callable[[str], str]
    #: what separates module and name in a file's import table (``os.path`` / ``./models:User``)
    entity_separator: str
    #: whether a qualified type ``a.b.C`` names the module ``a.b`` it is imported from
    dotted_full_types: bool
    static_tables: StaticTables = field(default_factory=StaticTables)

    def entity_dotted(self, entity: str) -> str:
        """An imported entity (``./models:User``) as a dotted name (``./models.User``)."""
        return entity.replace(self.entity_separator, ".")

    def split_entity(self, entity: str) -> tuple[str, str]:
        """An imported entity -> (module, original name); the module is "" when there is none."""
        module, _, original = entity.rpartition(self.entity_separator)
        return module, original
