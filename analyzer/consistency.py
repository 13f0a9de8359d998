"""Consistency filter: reject a candidate type that lacks a member the slice uses.

Needs: the slice (its invoked calls and attribute reads), the project's type universe, and
typeshed for library classes.  After JoernTI's check, extended to classes typeshed knows and to
common TypeScript built-ins: ``x.append(1)`` rules out ``str`` and ``dict`` for x, and
``user.email`` rules out a project class ``Order`` that has no ``email``.

When the filter cannot tell (an unknown class, a class with ``__getattr__``, an ``any``), it
accepts: it only removes candidates that are certainly inconsistent.
"""

from __future__ import annotations

from dataclasses import dataclass

from .canonical_types import outer_type, split_union
from .languages import adapter_for
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
        """Accept unless some non-None member of the type certainly lacks a used member."""
        needed = used_members(item)
        if not needed:
            return Verdict(True)
        members = [m for m in split_union(type_text, item.language) if m not in ("None", "null", "undefined")]
        for member in members:
            known = self._members(outer_type(member, item.language), item.language, full_type)
            if known is None:
                continue
            missing = sorted(needed - known)
            if missing:
                return Verdict(False, missing[0])
        return Verdict(True)

    def _members(self, outer: str, language: str, full_type: str) -> set[str] | None:
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
