"""Caching for the typeshed layer: per-instance memo tables and the guard against recursive aliases.

Does: `memoize` wraps one worker of one instance in a bounded LRU table (`CACHE_SIZE` entries,
keyed by the worker's positional arguments, which must be hashable); `CycleGuard` answers a
fallback when a computation asks for its own key again (a recursive type alias in a stub) instead
of recursing without end.

Does not: decide *what* is cached -- each part memoizes its own workers in its constructor
(`typeshed_lookup.StubLookup`: name lookup, definitions, class info, MRO, rendered names, public
names, class members, module names; `typeshed_facts.Typeshed`: function returns, method returns,
attribute types; overload choice is not cached on its own).  Nothing is shared between instances
(a `Typeshed` for another Python version or platform reads other stubs), nothing outlives the
process, and nothing is ever invalidated: the bundled stubs do not change while it runs.  The one
shared instance is `typeshed_facts.default_typeshed`.

Interplay of the two: when a guarded worker is memoized, the fallback a re-entered call answers is
stored under that key first, and `functools.lru_cache` keeps the first value stored for a key, so
later calls get the fallback too (a recursive alias stays unknown whichever way it is reached).
"""

from __future__ import annotations

import functools
from typing import Callable, Hashable, TypeVar

__all__ = ["CACHE_SIZE", "CycleGuard", "memoize"]

CACHE_SIZE = 8192  #: entries per memoized worker and instance

F = TypeVar("F", bound=Callable)
T = TypeVar("T")


def memoize(worker: F) -> F:
    """`worker` (a bound method) behind its own LRU table of `CACHE_SIZE` entries."""
    return functools.lru_cache(maxsize=CACHE_SIZE)(worker)  # type: ignore[return-value]


class CycleGuard:
    """The keys being computed right now; asked for one of them again, `run` answers the fallback."""

    def __init__(self) -> None:
        self._active: set[Hashable] = set()

    def run(self, key: Hashable, compute: Callable[[], T], fallback: T) -> T:
        if key in self._active:
            return fallback
        self._active.add(key)
        try:
            return compute()
        finally:
            self._active.discard(key)
