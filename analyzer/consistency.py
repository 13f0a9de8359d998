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
from .slice_schema import UsageSlice
from .type_universe import TypeUniverse
from .typeshed_facts import Typeshed, default_typeshed

#: Members of TypeScript built-in types (lib.es2022 + DOM-free), by the outer type `outer_type` gives.
_TS_MEMBERS: dict[str, frozenset[str]] = {
    "string": frozenset("""length at charAt charCodeAt codePointAt concat endsWith includes indexOf lastIndexOf
        localeCompare match matchAll normalize padEnd padStart repeat replace replaceAll search slice split
        startsWith substring substr toLowerCase toUpperCase toLocaleLowerCase toLocaleUpperCase trim trimEnd
        trimStart toString valueOf""".split()),
    "number": frozenset("toFixed toExponential toPrecision toString toLocaleString valueOf".split()),
    "boolean": frozenset("toString valueOf".split()),
    "Array": frozenset("""length at concat copyWithin entries every fill filter find findIndex findLast
        findLastIndex flat flatMap forEach includes indexOf join keys lastIndexOf map pop push reduce
        reduceRight reverse shift slice some sort splice toString unshift values toReversed toSorted
        toSpliced with""".split()),
    "ReadonlyArray": frozenset("""length at concat entries every filter find findIndex flat flatMap forEach
        includes indexOf join keys lastIndexOf map reduce reduceRight slice some values""".split()),
    "Map": frozenset("size clear delete entries forEach get has keys set values".split()),
    "Set": frozenset("size add clear delete entries forEach has keys values".split()),
    "Promise": frozenset("then catch finally".split()),
    "Date": frozenset("""getTime getDate getDay getFullYear getHours getMilliseconds getMinutes getMonth
        getSeconds setDate setFullYear setHours setMinutes setMonth setSeconds setTime toISOString toJSON
        toDateString toLocaleDateString toLocaleString toLocaleTimeString toString toUTCString valueOf
        getTimezoneOffset getUTCDate getUTCFullYear getUTCHours getUTCMonth getUTCDay""".split()),
    "RegExp": frozenset("exec test source flags global lastIndex".split()),
}
_PY_ANY_MEMBER = frozenset({"Any", "object", "type", "Callable", "Protocol"})


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
        if language == "typescript":
            project = self.universe.members(outer)
            if project is not None:
                return project
            known = _TS_MEMBERS.get(outer)
            return set(known) if known is not None else None
        if outer in _PY_ANY_MEMBER:
            return None
        project = self.universe.members(outer)
        if project is not None:
            return project | {"__class__", "__dict__"}
        dotted = full_type.split("[", 1)[0] if full_type and "." in full_type else f"builtins.{outer}"
        if not self.typeshed.is_class(dotted):
            return None
        members = self.typeshed.class_members(dotted)
        if "__getattr__" in members:
            return None
        return set(members)
