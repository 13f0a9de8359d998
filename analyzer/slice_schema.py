"""Usage slices: what the slicer produces, the corpus stores and the model reads.

A `UsageSlice` describes one *target* (a parameter, a local variable, a function's return value
or a class attribute) by how it is defined and used, after Joern's ``ObjectUsageSlice``, plus the
uses Joern leaves out and type predictors need (operators, attribute reads and writes,
iteration, ``with``, ``await``, unpacking, type checks, return expressions).

The JSON form is ``dataclasses.asdict`` of these classes with the field names below (snake_case),
validated by ``analyzer/slices.schema.json``.  ``declared_type`` is the label: it is stored for
training and evaluation and must never be part of the model's input.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

TargetKind = Literal["parameter", "return", "variable", "attribute"]
SLICE_VERSION = 1


@dataclass
class Position:
    """Where something is: 1-based line, 0-based column (bytes, tree-sitter's unit)."""

    line: int
    column: int


@dataclass
class Definition:
    """One way the target gets its value (Joern's ``definedBy``)."""

    kind: Literal["call", "constructor", "literal", "identifier", "parameter_default", "operator",
                  "comprehension", "lambda", "await", "other"]
    code: str  #: source text, truncated
    name: str = ""  #: callee short name, identifier name or operator name
    resolved: str = ""  #: callee full name where known (``json.loads``, ``pkg/m.py:Foo``)
    literal_type: str = ""  #: canonical type of a literal (``int``, ``list[str]``)
    line: int = 0
    column: int = 0


@dataclass
class CallUse:
    """A call that takes the target as receiver (``invokedCalls``) or as argument (``argToCalls``)."""

    name: str  #: callee short name (``append``, ``execute``, ``len``)
    resolved: str = ""  #: callee full name where known
    arg_count: int = 0
    position: int | None = None  #: argument position for argToCalls (1-based; 0 = receiver)
    keyword: str = ""  #: keyword name when passed as ``f(key=x)``
    line: int = 0
    column: int = 0


@dataclass
class UsageSlice:
    """Everything the analysis knows about one target's type-relevant uses."""

    name: str  #: parameter / variable / attribute name; the function's own name for returns
    kind: TargetKind
    language: Literal["python", "typescript"]
    file: str  #: relative to the project root
    line: int  #: line of the name (1-based)
    column: int  #: column of the name (0-based bytes)
    function: str  #: dotted qualified name of the enclosing function ("" at module level)
    class_name: str = ""  #: dotted qualified name of the enclosing class, if any
    declared_type: str | None = None  #: annotation as written (the label; hidden from the model)
    param_index: int | None = None  #: position among parameters (self/this excluded)
    default_value: str = ""  #: parameter default, as source text
    is_variadic: bool = False  #: *args / ...rest
    is_keyword_variadic: bool = False  #: **kwargs
    decorators: list[str] = field(default_factory=list)  #: of the enclosing function
    modifiers: list[str] = field(default_factory=list)  #: async, generator, static, ...
    type_params: list[str] = field(default_factory=list)  #: type parameters in scope: the class's, then the function's
    defined_by: list[Definition] = field(default_factory=list)
    invoked_calls: list[CallUse] = field(default_factory=list)
    arg_to_calls: list[CallUse] = field(default_factory=list)
    attribute_reads: list[str] = field(default_factory=list)  #: ``x.foo`` read, not called
    attribute_writes: list[str] = field(default_factory=list)  #: ``x.foo = ...``
    operators: list[str] = field(default_factory=list)  #: short names: ``+``, ``%``, ``[]``, ``<``, ``in``, ``not``
    iterated: bool = False  #: ``for a in x`` / ``for (const a of x)``
    with_context: bool = False  #: ``with x`` / ``with x as y``
    awaited: bool = False  #: ``await x``
    unpacked: bool = False  #: ``a, b = x`` / ``*x`` / ``const {a} = x``
    subscripted_with: list[str] = field(default_factory=list)  #: index kinds: ``int``, ``str``, ``slice``, ``name``
    type_checks: list[str] = field(default_factory=list)  #: ``isinstance(x, Foo)`` -> ``Foo``; ``typeof x === "string"`` -> ``string``
    returns: list[str] = field(default_factory=list)  #: return expressions' source (return slices)
    return_kinds: list[str] = field(default_factory=list)  #: for return slices: literal type or callee of each return
    sibling_names: list[str] = field(default_factory=list)  #: other parameter names of the function
    docstring: str = ""  #: first line of the function's docstring / JSDoc, truncated

    def to_json(self) -> dict[str, Any]:
        """The documented JSON form."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "UsageSlice":
        """Inverse of `to_json` (unknown keys are ignored, so older readers keep working)."""
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in known}
        kwargs["defined_by"] = [Definition(**d) for d in data.get("defined_by", [])]
        kwargs["invoked_calls"] = [CallUse(**c) for c in data.get("invoked_calls", [])]
        kwargs["arg_to_calls"] = [CallUse(**c) for c in data.get("arg_to_calls", [])]
        return cls(**kwargs)


@dataclass
class UserType:
    """A type the project defines (Joern's ``userDefinedTypes``), for the type universe."""

    name: str  #: short name
    full_name: str  #: ``pkg/mod.py:Outer.Inner``
    kind: Literal["class", "interface", "enum", "alias", "typeddict", "dataclass", "protocol"]
    file: str
    line: int
    bases: list[str] = field(default_factory=list)  #: as written
    fields: list[str] = field(default_factory=list)  #: own and inherited
    methods: list[str] = field(default_factory=list)  #: own and inherited


@dataclass(eq=False)
class ProjectCandidates:
    """The type names the candidate scorer may rank for one project, and where each is visible.

    ``names``: the project's own types plus the type names its files import, sorted.  ``own``:
    which of them the project defines (the rest come from elsewhere).  ``visible``: per file, the
    names it defines or imports.  Compared by identity, so a featurizer can cache one candidate set
    per project object.  JSON form (``projects.jsonl`` of the corpus): ``{"user_types": [...],
    "imported_types": [...], "visible": {file: [...]}}``.
    """

    names: tuple[str, ...]
    own: frozenset[str] = frozenset()
    visible: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, own: Any, imported: Any = (), visible: dict[str, Any] | None = None) -> "ProjectCandidates":
        own_set = frozenset(n for n in own if n)
        names = tuple(sorted(own_set | {n for n in imported if n}))
        return cls(names, own_set, {f: frozenset(v) for f, v in (visible or {}).items()})

    def visible_in(self, file: str) -> frozenset[str] | None:
        """The names `file` defines or imports; None when the project records no visibility
        (then every name counts as visible)."""
        return self.visible.get(file, frozenset()) if self.visible else None

    def fingerprint(self) -> str:
        """A digest of the names and which are the project's own (computed once per object)."""
        cached = self.__dict__.get("_fingerprint")
        if cached is None:
            body = "\n".join(n + ("\t*" if n in self.own else "") for n in self.names)
            cached = self.__dict__["_fingerprint"] = hashlib.blake2b(body.encode(), digest_size=16).hexdigest()
        return cached

    def to_json(self) -> dict[str, Any]:
        return {"user_types": sorted(self.own), "imported_types": sorted(set(self.names) - self.own),
                "visible": {f: sorted(v) for f, v in sorted(self.visible.items())}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ProjectCandidates":
        return cls.build(data.get("user_types", []), data.get("imported_types", []), data.get("visible", {}))


@dataclass
class ProgramSlices:
    """All slices of a project (Joern's ``ProgramUsageSlice``): per-method object slices + types."""

    version: int
    slices: list[UsageSlice]
    user_types: list[UserType]

    def to_json(self) -> dict[str, Any]:
        """``{"version", "objectSlices": [{"function", "file", "slices": [...]}], "userDefinedTypes": [...]}``."""
        by_function: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for s in self.slices:
            by_function.setdefault((s.file, s.function), []).append(s.to_json())
        return {
            "version": self.version,
            "objectSlices": [
                {"file": file, "function": function, "slices": items}
                for (file, function), items in by_function.items()
            ],
            "userDefinedTypes": [asdict(t) for t in self.user_types],
        }


CORPUS_VERSION = 1


@dataclass
class TrainingRecord:
    """One annotated slot of the corpus: the slice (with its label) plus where it comes from.

    Files (written by ``typeinfer corpus build``, read by ``typeinfer train``/``eval``), under
    ``<corpus dir>/v1/``: ``records-train.jsonl.gz``, ``records-valid.jsonl.gz``,
    ``records-test.jsonl.gz`` (one JSON object per line: the fields below, ``slice`` in its
    `UsageSlice` JSON form) and ``projects.jsonl.gz`` (one line per project:
    ``{"project", "language", "split", "user_types": [short names of the project's own classes,
    interfaces, enums, aliases]}``) and ``meta.json`` (version, counts).
    """

    project: str  #: ``pypi:attrs==23.2.0`` / ``npm:zod@3.23.8``
    language: Literal["python", "typescript"]
    kind: TargetKind
    file: str  #: relative to the package root
    label: str  #: canonical type (`canonical_types.canonicalize`); never Any/any/unknown
    label_full: str  #: fully qualified where known (``pkg.models.User``), else the annotation as written
    is_user_type: bool  #: the label's outer type is one of the project's own types
    split: Literal["train", "valid", "test"]
    slice: UsageSlice

    def to_json(self) -> dict[str, Any]:
        """The documented JSON form (one line of records-*.jsonl.gz)."""
        out = asdict(self)
        out["slice"] = self.slice.to_json()
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "TrainingRecord":
        return cls(**{**data, "slice": UsageSlice.from_json(data["slice"])})
