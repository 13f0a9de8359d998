"""Server settings, read from initializationOptions and workspace/configuration (section "typeinfer").

What it does: merges a client's JSON object into `Settings`, key by key, ignoring keys it does not
know and values of the wrong type (a bad setting never stops the server).  Keys (camelCase, as
editors write them):

- ``enabled`` (bool, default true): inlay hints, hover and code actions on or off.
- ``minConfidence`` (number 0..1; default: the threshold `typeinfer annotate` uses, the model's
  calibrated one, or 0.5 with static facts only): hide inferences below it.
- ``kinds`` (list of "parameter", "return", "variable", "attribute"; default the first three).
- ``diagnostics`` (bool, default false): report annotations that disagree with an inference.
- ``diagnosticsMinConfidence`` (number, default 0.9): how sure an inference must be to disagree.
- ``useModel`` (bool, default true): use the neural model where static facts say nothing.
- ``buildJobs`` (int, default 1): worker processes for the initial workspace build.
- ``debounceMs`` (int, default 100): quiet time after the last edit before re-analysis; the first
  edit after such a quiet spell is analysed at once when the document's last analysis was a quick
  one inside one function (`state.DocumentState.analysis_delay`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from typeinfer.analyzer.slots import KINDS


@dataclass(frozen=True)
class Settings:
    enabled: bool = True
    min_confidence: float | None = None  #: None: annotate's threshold
    kinds: tuple[str, ...] = ("parameter", "return", "variable")
    diagnostics: bool = False
    diagnostics_min_confidence: float = 0.9
    use_model: bool = True
    build_jobs: int = 1  #: >1 forks worker processes from a threaded server: opt in
    debounce_ms: int = 100

    def merged(self, data: Any) -> "Settings":
        """These settings overridden by the valid keys of `data` (a dict, or {"typeinfer": {...}})."""
        if not isinstance(data, dict):
            return self
        if isinstance(data.get("typeinfer"), dict):
            data = data["typeinfer"]
        changes: dict[str, Any] = {}
        for key, attr in _BOOLS.items():
            if isinstance(data.get(key), bool):
                changes[attr] = data[key]
        for key, attr in _FRACTIONS.items():
            value = data.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and 0.0 <= value <= 1.0:
                changes[attr] = float(value)
        if key_given_as_null(data, "minConfidence"):
            changes["min_confidence"] = None  # cleared in the editor: back to annotate's threshold
        for key, (attr, low, high) in _INTS.items():
            value = data.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
                changes[attr] = value
        kinds = data.get("kinds")
        if isinstance(kinds, list) and all(isinstance(k, str) for k in kinds):
            changes["kinds"] = tuple(k for k in KINDS if k in kinds)
        return replace(self, **changes)


def key_given_as_null(data: dict[str, Any], key: str) -> bool:
    """True when `data` names `key` with the value null (an editor's "unset")."""
    return key in data and data[key] is None


_BOOLS = {"enabled": "enabled", "diagnostics": "diagnostics", "useModel": "use_model"}
_FRACTIONS = {"minConfidence": "min_confidence", "diagnosticsMinConfidence": "diagnostics_min_confidence"}
_INTS = {"buildJobs": ("build_jobs", 0, 64), "debounceMs": ("debounce_ms", 0, 5000)}
