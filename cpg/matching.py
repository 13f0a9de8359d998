"""Pattern matching shared by queries, dataflow and scans: Joern's convention that a string
pattern is a regular expression matched against the whole value (``name("exec.*")``).

Needs nothing but `re`; `cpg.query`, `cpg.dataflow` and `analyzer.scan` import it, so neither of
the first two has to import the other for it.
"""

from __future__ import annotations

import functools
import re
from typing import Any

__all__ = ["matches", "regex"]


@functools.lru_cache(maxsize=512)
def regex(pattern: str) -> re.Pattern[str]:
    """The compiled pattern (``.`` also matches newlines), cached."""
    return re.compile(pattern, re.DOTALL)


def matches(pattern: str, value: Any) -> bool:
    """True when `value` (as a string) matches `pattern` as a whole; None never matches."""
    return value is not None and regex(pattern).fullmatch(str(value)) is not None
