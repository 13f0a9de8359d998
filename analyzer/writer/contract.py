"""The source writer's contract: what the pipeline hands it and what it hands back.

`Annotation` (one type for one slot, with the imports it needs), `TypeImport`, and the results
`EditResult` / `Applied` / `Skipped` / `WriteOutcome`, with their JSON forms (see the package
docstring).  Does not: locate slots, edit bytes or touch files; the kinds of slot are those of
`analyzer.slots` (`SlotKind`, `KINDS`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from typeinfer.analyzer.slots import KINDS


@dataclass(frozen=True)
class TypeImport:
    """One name a type needs: ``from <module> import <name>`` (Python) or ``import type`` (TS)."""

    module: str  #: "pkg.models", ".models", "./models", "pathlib"
    name: str  #: "User"
    is_project: bool = False  #: a module of the analyzed project (else stdlib / third party)

    def to_json(self) -> dict[str, Any]:
        return {"module": self.module, "name": self.name, "is_project": self.is_project}

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> TypeImport:
        return cls(str(obj["module"]), str(obj["name"]), bool(obj.get("is_project", False)))


@dataclass(frozen=True)
class Annotation:
    """One type to write: the pipeline's decision for one slot (see the module docstring)."""

    kind: str  #: a `SlotKind` value: "parameter" | "return" | "variable" | "attribute"
    name: str  #: parameter/variable/attribute name; the function's own name for "return"
    function: str  #: dotted qualified name of the enclosing function ("" at module level)
    line: int  #: 1-based line of the name (returns: of the function's name)
    column: int  #: 0-based byte column of the name
    type: str  #: canonical type text to write
    imports: tuple[TypeImport, ...] = ()  #: what the type needs

    def __post_init__(self) -> None:
        object.__setattr__(self, "imports", tuple(self.imports))

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "function": self.function, "line": self.line,
                "column": self.column, "type": self.type,
                "imports": [i.to_json() for i in self.imports]}

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Annotation:
        kind = obj["kind"]
        if kind not in KINDS:
            raise ValueError(f"unknown annotation kind {kind!r}")
        return cls(kind, str(obj["name"]), str(obj.get("function", "")), int(obj["line"]),
                   int(obj["column"]), str(obj["type"]),
                   tuple(TypeImport.from_json(i) for i in obj.get("imports", ())))


@dataclass(frozen=True)
class Applied:
    """An annotation that was written; ``line``/``column`` locate its name in the new bytes."""

    annotation: Annotation
    line: int
    column: int

    def to_json(self) -> dict[str, Any]:
        return {"annotation": self.annotation.to_json(), "line": self.line, "column": self.column}


@dataclass(frozen=True)
class Skipped:
    """An annotation that was not written, and why (one line)."""

    annotation: Annotation
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"annotation": self.annotation.to_json(), "reason": self.reason}


@dataclass
class EditResult:
    """The outcome of `annotate_source` for one file."""

    path: str
    language: str
    original: bytes
    data: bytes  #: the new bytes (== original when nothing changed or when refused)
    applied: list[Applied] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    imports_added: list[str] = field(default_factory=list)  #: one entry per import line or name merged
    refused: str | None = None  #: why the edit was thrown away (it broke parsing); no path in it
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.data != self.original

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "language": self.language, "changed": self.changed,
                "refused": self.refused, "applied": [a.to_json() for a in self.applied],
                "skipped": [s.to_json() for s in self.skipped],
                "imports_added": list(self.imports_added), "warnings": list(self.warnings)}


@dataclass(frozen=True)
class WriteOutcome:
    """What `write_file_atomically` did."""

    path: str
    written: bool
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "written": self.written, "message": self.message}

