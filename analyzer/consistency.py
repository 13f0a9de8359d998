"""Consistency filter: reject a candidate type that lacks a member the slice uses.

Needs: the slice (its invoked calls and attribute reads), the project's type universe, and
typeshed for library classes.  After JoernTI's check, extended to classes typeshed knows and to
common TypeScript built-ins: ``x.append(1)`` rules out ``str`` and ``dict`` for x, and
``user.email`` rules out a project class ``Order`` that has no ``email``.

When the filter cannot tell (an unknown class, a class with ``__getattr__``, an ``any``), it
accepts: it only removes candidates that are certainly inconsistent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .canonical_types import outer_type, referenced_names, split_union
from .languages import adapter_for
from .languages.python import OPERATOR_DUNDERS
from .slice_schema import UsageSlice
from .type_universe import TypeUniverse
from .typeshed_facts import Typeshed, default_typeshed


def used_members(item: UsageSlice) -> set[str]:
    """Members the slice needs its target to have: called methods and attributes read."""
    return {c.name for c in item.invoked_calls if c.name and not c.name.startswith("<")} | set(item.attribute_reads)


@dataclass
class Verdict:
    """Whether a candidate passed, and why not."""

    ok: bool
    missing: str = ""  #: the first member the type lacks


class ConsistencyFilter:
    """Checks candidate types against the members a slice uses."""

    def __init__(self, universe: TypeUniverse, typeshed: Typeshed | None = None) -> None:
        self.universe = universe
        self.typeshed = typeshed or default_typeshed()

    def check(self, type_text: str, item: UsageSlice, full_type: str = "") -> Verdict:
        """Accept unless some non-None member of the type certainly lacks a used member, the type
        is the slot's own name (`_named_after`), a TypeScript generic written without its type
        arguments, or a binary operator defines the value and the
        type is a builtin class without that operator (`_lacks_operator`)."""
        if _named_after(type_text, item, self.typeshed):
            return Verdict(False, f"<named {item.name}>")
        for name in referenced_names(type_text, item.language):
            shadowing = self.universe.shadowing_import(item.file, name, item.language)
            if shadowing:
                return Verdict(False, f"<{name} is {shadowing} here>")
            if item.language == "typescript" and self.universe.needs_type_arguments(name) \
                    and not re.search(rf"(?<![\w$]){re.escape(name)}\s*<", type_text):
                return Verdict(False, f"<{name} needs type arguments>")
        missing_operator = self._lacks_operator(type_text, item)
        if missing_operator:
            return Verdict(False, missing_operator)
        needed = used_members(item)
        if not needed:
            return Verdict(True)
        members = [m for m in split_union(type_text, item.language) if m not in ("None", "null", "undefined")]
        for member in members:
            known = self.members(outer_type(member, item.language), item.language, full_type)
            if known is None:
                continue
            missing = sorted(needed - known)
            if missing:
                return Verdict(False, missing[0])
        return Verdict(True)

    def _lacks_operator(self, type_text: str, item: UsageSlice) -> str:
        """The dunder a Python builtin class lacks for the binary operator that defines every
        value of the slot (``a | b`` is never a ``float``: float has no ``__or__``), else ""."""
        if item.language != "python" or not item.defined_by or \
                any(d.kind != "operator" or d.name not in _BITWISE_SYMBOLS for d in item.defined_by):
            return ""
        outer = outer_type(type_text, item.language)
        dotted = f"builtins.{outer}"
        if " | " in type_text or not self.typeshed.is_class(dotted):
            return ""
        members = self.typeshed.class_members(dotted)
        for d in item.defined_by:
            dunder = OPERATOR_DUNDERS[d.name]
            if dunder not in members and f"__r{dunder[2:]}" not in members:
                return dunder
        return ""

    def members(self, outer: str, language: str, full_type: str = "") -> set[str] | None:
        """Members of a type by its outer name; None when unknown (then it is accepted)."""
        adapter = adapter_for(language)
        if outer in adapter.any_member_types:
            return None
        project = self.universe.members(outer)
        if project is not None:
            return project | adapter.implicit_members
        known = adapter.builtin_members.get(outer)
        if known is not None:
            return set(known)
        if not adapter.builtins_module:
            return None
        dotted = full_type.split("[", 1)[0] if full_type and "." in full_type else f"{adapter.builtins_module}.{outer}"
        if not self.typeshed.is_class(dotted):
            return None
        members = self.typeshed.class_members(dotted)
        if "__getattr__" in members:
            return None
        return set(members)


#: Binary operators whose result a builtin class can only be if it defines the dunder.
_BITWISE_SYMBOLS = frozenset({"|", "&", "^", "<<", ">>", "@"})
#: TypeScript built-in type names a parameter may carry as its name (Python asks typeshed: ``bytes``, ``str``).
_TS_BUILTIN_TYPES = frozenset({"string", "number", "boolean", "bigint", "symbol", "object", "any", "unknown"})


def _named_after(type_text: str, item: UsageSlice, typeshed: Typeshed) -> bool:
    """A parameter whose name is a builtin type's name, typed as that type: the name alone
    says nothing about the value (``bytes`` parameters are byte counts as often as byte strings).
    Also a TypeScript variable typed as a type of its own name: that type is the value's own
    (``const User = z.object(...); type User = z.infer<typeof User>``), and the annotation
    would make the two refer to each other.
    Static facts (a default, a use) are not checked here; only a ranked candidate is."""
    if item.language == "typescript" and item.kind == "variable" and outer_type(type_text, item.language) == item.name:
        return True
    if item.kind != "parameter" or type_text != item.name:
        return False
    if item.language == "python":
        return typeshed.is_class(f"builtins.{item.name}")
    return item.name in _TS_BUILTIN_TYPES
