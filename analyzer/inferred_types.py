"""The inferred-type table: what inference found for each slot, keyed by one `SlotKey`.

Every consumer reads inferred types from here: annotate and its rounds, `--verify` and `--stub`,
`typeinfer.load(..., infer=True)`, `scan`, queries and the language server.  The table never
lives in the graph: `graph_types` turns its confident rows into the node-level form that the
one write-back pass (`typeinfer.cpg.passes.type_writeback`) applies to a graph.

JSON form (`InferredTypes.to_json`): ``{"threshold": 0.6, "predictions": [Prediction.to_json(),
...]}``, rows sorted by file, line, column and kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from typeinfer.cpg.graph import NodeId
from typeinfer.cpg.passes.type_writeback import WrittenType

from .slice_schema import UsageSlice
from .slots import SlotKey


@dataclass
class Alternative:
    """A lower-ranked type of a slot."""

    type: str
    confidence: float


@dataclass
class Prediction:
    """One unannotated slot and what was inferred for it.

    JSON form (`to_json`), exactly: ``file, language, kind, function, name, line, column, type,
    confidence, source, alternatives``; ``type`` is "" and ``source`` "none" when nothing was
    inferred.  ``full_type``, ``evidence``, the slice and the graph node stay internal.
    """

    file: str
    language: str
    kind: str
    function: str
    name: str
    line: int
    column: int  #: 0-based, in characters of the line (converted from tree-sitter's bytes)
    type: str
    confidence: float
    source: str  #: "static", "model" or "none"
    alternatives: list[Alternative] = field(default_factory=list)
    full_type: str = ""  #: qualified form for imports and TYPE_FULL_NAME
    evidence: str = ""
    byte_column: int = 0  #: tree-sitter's column, for the source writer
    slice: UsageSlice | None = field(default=None, repr=False)
    node: NodeId | None = field(default=None, repr=False)  #: the slot's node in the graph it was inferred on

    @property
    def key(self) -> SlotKey:
        return SlotKey.of(self)

    def ranked(self) -> tuple[tuple[str, float], ...]:
        """The type and its alternatives, best first."""
        return tuple([(self.type, self.confidence)] + [(a.type, a.confidence) for a in self.alternatives])

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file, "language": self.language, "kind": self.kind, "function": self.function,
            "name": self.name, "line": self.line, "column": self.column, "type": self.type,
            "confidence": round(self.confidence, 4), "source": self.source,
            "alternatives": [{"type": a.type, "confidence": round(a.confidence, 4)} for a in self.alternatives],
        }


class InferredTypes:
    """Each slot's ranked types, source and confidence, keyed by `SlotKey`, with the threshold
    above which a type is confident (written into the graph's TYPE_FULL_NAME and the source)."""

    def __init__(self, threshold: float, predictions: Iterable[Prediction] = ()) -> None:
        self.threshold = threshold
        self._rows: dict[SlotKey, Prediction] = {}
        self.update(predictions)

    def update(self, predictions: Iterable[Prediction]) -> None:
        """Add rows; a row for a key already present replaces it (a later round's answer)."""
        for p in predictions:
            self._rows[p.key] = p

    def get(self, key: SlotKey) -> Prediction | None:
        return self._rows.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._rows

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[Prediction]:
        """The rows in a stable order: file, line, column, kind."""
        return iter(sorted(self._rows.values(), key=lambda p: (p.file, p.line, p.column, p.kind)))

    def is_confident(self, p: Prediction) -> bool:
        """True when `p` is inferred at or above the threshold."""
        return p.source != "none" and p.confidence >= self.threshold

    def confident(self) -> list[Prediction]:
        """The rows whose type is written (into the graph and the source)."""
        return [p for p in self if self.is_confident(p)]

    def to_json(self) -> dict[str, Any]:
        return {"threshold": self.threshold, "predictions": [p.to_json() for p in self]}


def written_type(p: Prediction, confident: bool) -> WrittenType:
    """A row in the write-back pass's node-level form."""
    return WrittenType(type=p.full_type or p.type, source=p.source, confidence=p.confidence,
                       ranked=p.ranked(), confident=confident)


def graph_types(rows: Iterable[Prediction], threshold: float) -> dict[NodeId, WrittenType]:
    """The node-level form of inferred rows (those with a node and a type) for `type_writeback`."""
    return {p.node: written_type(p, p.confidence >= threshold) for p in rows
            if p.node is not None and p.source != "none"}
