"""Writing inferred types back into source (issue 6, "Writing source"): the back end of `typeinfer annotate`.

Needs: the bytes of one file and a list of `Annotation` (the pipeline's decisions: which slot gets
which type, where the slot's name is, which imports the type needs).  Does not: decide types,
canonicalize them, or look at any other file; it never imports or runs the analyzed code (Python
annotation texts are parsed with ``ast.parse`` only).  Stubs (``--stub``) are in `analyzer.stubs`,
which shares the slot lookup of this module.

API
===

``annotate_source(data, path, language, annotations) -> EditResult``
    Pure: the new bytes, what was applied (with the name's position in the new bytes), what was
    skipped and why, the import lines added, and ``refused`` when the edited file would no longer
    parse.  Never raises on analyzed data.
``annotate_file(path, annotations, language=None) -> EditResult``
    Reads the file and calls ``annotate_source``.
``write_file_atomically(path, original, new) -> WriteOutcome``
    Re-reads the file and writes only if it still holds ``original``; temp file in the same
    directory, permission bits copied, fsync, ``os.replace``.  Every failure is a message.
``unified_diff(path, old, new) -> str``
    ``a/path`` / ``b/path`` unified diff, decoded with the file's encoding.

JSON forms (``to_json`` / ``from_json``)::

    Annotation: {"kind": "parameter", "name": "x", "function": "Cart.add", "line": 3, "column": 12,
                 "type": "list[User]",
                 "imports": [{"module": "pkg.models", "name": "User", "is_project": true}]}
    EditResult: {"path": "pkg/cart.py", "language": "python", "changed": true, "refused": null,
                 "applied": [{"annotation": {...}, "line": 5, "column": 12}],   # position after the edit
                 "skipped": [{"annotation": {...}, "reason": "already annotated"}],
                 "imports_added": ["from __future__ import annotations", "from pkg.models import User"],
                 "warnings": []}
    WriteOutcome: {"path": "pkg/cart.py", "written": false, "message": "changed on disk during the run"}

Positions: ``line`` is 1-based, ``column`` a 0-based *byte* column (tree-sitter's unit; a UTF-8 BOM
counts on line 1).  The slot is always re-located: the file is parsed again, the node at
(line, column) must be the slot's name; anything else is skipped ("position mismatch"), never
guessed.  Python attributes may be positioned on ``self`` of ``self.x`` or on ``x``; TypeScript
destructured parameters on the pattern, whose name is its text with whitespace runs collapsed.

What is written
===============

Python: parameter ``x`` -> ``x: T``, ``x=1`` -> ``x: T = 1`` (PEP 8), ``*args: T``, ``**kw: T``;
return -> `` -> T`` right after the closing parenthesis of the parameters; variable -> a simple
``name = value`` statement (one target, not chained, not augmented, not a ``for``/``with`` target)
becomes ``name: T = value``, unless the name is annotated anywhere else in the same scope or is
declared ``global``/``nonlocal`` there (an annotated global is a SyntaxError); attribute ->
``self.x = v`` becomes ``self.x: T = v`` (in ``__init__`` or any other method whose first
parameter is the receiver; skipped when the class already declares ``x`` anywhere), or a
class-level ``x = v`` like a variable.  Class-level assignments are *not* annotated in classes that
are decorated or that derive from ``NamedTuple``/``TypedDict``/``Enum``/``BaseModel``/... (see
`FIELD_MAKING_BASES`): there an annotation turns a class variable into a field or changes the
enum, which changes what the program does.  ``lambda`` parameters are never annotated.

TypeScript (``.ts``/``.tsx``; JavaScript files only get stubs): parameter ``x`` -> ``x: T``,
``x?`` -> ``x?: T``, ``{a, b}`` -> ``{a, b}: T``, ``...r`` -> ``...r: T``, ``x => ...`` ->
``(x: T) => ...``; return -> ``): T`` after the parameters of function declarations, function
expressions, methods and arrows (``x => ...`` -> ``(x): T => ...``), positioned on the function's
name, or for an anonymous function on the variable / property / object key it is assigned to;
never for constructors and setters; variable ``const/let/var x = ...`` -> ``const x: T = ...``
(not in destructuring, not ``for (const x of ...)``); class property ``x = 1;`` -> ``x: T = 1;``
(after ``?``/``!``).  ``this.x = v`` is skipped (TypeScript needs a property declaration).

Nothing that already has an annotation is touched.  Everything else stays byte-identical: edits are
byte-offset splices applied from the end; inserted lines use the file's line ending (CRLF/LF) and
encoding (UTF-8, a PEP 263 cookie); a BOM stays.  Type texts are checked before use: they must
parse as a type on their own and contain no newline or comment (``#``, ``//``, ``/*``), else the
annotation is skipped.  Every name a type uses must be a builtin, already bound at module level,
given by a `TypeImport`, a type parameter in scope, or (Python) a `typing`/`collections.abc`/common
stdlib name from `AUTO_IMPORTS`; otherwise the annotation is skipped ("unresolved name").

Imports (decision)
==================

Python: every file that gets an annotation gets ``from __future__ import annotations`` (after the
module docstring and existing ``__future__`` imports, before everything else) when it is missing:
annotations are then never evaluated at run time, so ``list[int]`` and ``X | None`` are valid on
3.7+ and the names they use need not exist at run time.  All imports the annotations need go into
one ``if TYPE_CHECKING:`` block (reused if the module has one, created after the last top-level
import otherwise, with ``from typing import TYPE_CHECKING`` merged into an existing
``from typing import ...`` or added).  These imports never run, so they cannot create an import
cycle, slow down start-up, or fail for a dependency that is only installed for type checking.
Project types are imported by the absolute module path of the `TypeImport` (a relative one, with
leading dots, is written as given): absolute imports do not depend on where the file sits, and
this module does not know the project's package layout.  A name already bound at module level
(imported, defined, assigned, also inside ``if``/``try``) is never imported again; if it is bound
by ``from M import Name`` from a *different* absolute module, the annotation is skipped ("name
conflict").  Within the ``TYPE_CHECKING`` block, names are merged into an existing
``from M import ...`` of the same module.  Caveat (reported as a warning): libraries that evaluate
annotations at run time (pydantic, FastAPI, typer, beartype, ...) cannot see names imported under
``TYPE_CHECKING``; files importing them get a warning in `EditResult.warnings`.

TypeScript: ``import type { Foo } from "./models";`` after the last top-level import (or before
the first statement), merged into an existing ``import type { ... } from`` the same module, quote
style and semicolon copied from the existing imports.  ``import type`` is erased when compiled, so
it cannot create a run-time cycle.  Names already bound in the file are not imported.

Safety: the edited bytes are parsed again with tree-sitter; if they have more ERROR/MISSING nodes
than the original (or, for Python, ``ast.parse`` accepted the original and rejects the result),
the original bytes are returned and ``refused`` says why.  Idempotence: a second run on the output
finds every slot annotated and changes nothing (``annotate_source(out, ...)`` with the positions of
`Applied` skips all as "already annotated"; with the old positions they are skipped too).

Writing: see `write_file_atomically` (changed-on-disk check, read-only files are left alone,
symlinks are followed, hard links are not preserved).

Why one large module: slot lookup, import placement and splicing share the same parse, byte
offsets and helpers for both languages; split, they would pass half a dozen private structures
around.  `analyzer.stubs` (a different output) is separate.
"""

from __future__ import annotations

import ast
import codecs
import difflib
import os
import re
import stat
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Literal

import tree_sitter

from typeinfer.analyzer.canonical_types import PYTHON_BUILTINS, TYPESCRIPT_BUILTIN_TYPES
from typeinfer.cpg.source import count_parse_errors, grammar_for_path, parse

AnnotationKind = Literal["parameter", "return", "variable", "attribute"]
KINDS = ("parameter", "return", "variable", "attribute")

#: Python names a type may use without a `TypeImport`: the module they are imported from.
#: ABCs come from ``collections.abc`` (PEP 585), the other typing constructs from ``typing``.
AUTO_IMPORTS: dict[str, str] = {
    **{n: "collections.abc" for n in (
        "Callable", "Iterable", "Iterator", "Generator", "AsyncIterable", "AsyncIterator",
        "AsyncGenerator", "Awaitable", "Coroutine", "Sequence", "MutableSequence", "Mapping",
        "MutableMapping", "MutableSet", "Collection", "Container", "Hashable", "Sized",
        "Reversible", "ItemsView", "KeysView", "ValuesView", "MappingView")},
    **{n: "typing" for n in (
        "Any", "Literal", "Union", "Optional", "Annotated", "Final", "ClassVar", "TypeVar",
        "ParamSpec", "TypeVarTuple", "Protocol", "Generic", "NoReturn", "Never", "Self",
        "LiteralString", "TypeGuard", "TypeIs", "Concatenate", "Unpack", "TypeAlias", "AnyStr",
        "IO", "TextIO", "BinaryIO", "SupportsInt", "SupportsFloat", "SupportsIndex", "SupportsAbs",
        "AbstractSet", "ContextManager", "AsyncContextManager", "NamedTuple", "TypedDict")},
    **{n: "collections" for n in ("defaultdict", "deque", "OrderedDict", "Counter", "ChainMap")},
    **{n: "pathlib" for n in ("Path", "PurePath", "PosixPath", "WindowsPath")},
    **{n: "re" for n in ("Pattern", "Match")},
    **{n: "datetime" for n in ("date", "timedelta", "timezone", "tzinfo")},
    "Decimal": "decimal", "Fraction": "fractions", "UUID": "uuid", "Enum": "enum",
    "TracebackType": "types", "ModuleType": "types", "Logger": "logging",
    "AbstractContextManager": "contextlib", "AbstractAsyncContextManager": "contextlib",
}

#: Class bases (last dotted component) whose class-level annotations create fields or members.
FIELD_MAKING_BASES = frozenset({
    "NamedTuple", "TypedDict", "Enum", "IntEnum", "StrEnum", "Flag", "IntFlag", "BaseModel",
    "BaseSettings", "Struct", "Model", "Schema", "SQLModel", "DeclarativeBase", "Document",
})

#: Modules whose presence means annotations may be evaluated at run time.
RUNTIME_ANNOTATION_MODULES = frozenset({
    "pydantic", "fastapi", "typer", "beartype", "typeguard", "strawberry", "sqlmodel", "cattrs",
    "msgspec", "attrs", "attr", "dacite", "marshmallow_dataclass", "litestar", "cyclopts",
})

#: Header line of generated stubs; only files that start with it are overwritten by `write_stub`.
STUB_MARKER = "Generated by typeinfer annotate --stub"


# --------------------------------------------------------------------------------------------
# Contract
# --------------------------------------------------------------------------------------------


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

    kind: AnnotationKind  #: "parameter" | "return" | "variable" | "attribute"
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


# --------------------------------------------------------------------------------------------
# Bytes: encoding, newlines, positions
# --------------------------------------------------------------------------------------------

_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


def file_encoding(data: bytes, language: str) -> str:
    """The codec of a file: a PEP 263 cookie for Python (first two lines), else UTF-8."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if language == "python":
        for line in data.split(b"\n", 2)[:2]:
            m = _COOKIE.match(line)
            if m:
                try:
                    return codecs.lookup(m.group(1).decode("ascii")).name
                except (LookupError, UnicodeDecodeError):
                    return "utf-8"
    return "utf-8"


def file_newline(data: bytes) -> bytes:
    """The line ending of a file: that of its first line (LF when it has none)."""
    i = data.find(b"\n")
    if i > 0 and data[i - 1:i] == b"\r":
        return b"\r\n"
    if i < 0 and b"\r" in data:
        return b"\r"
    return b"\n"


def _line_starts(data: bytes) -> list[int]:
    starts = [0]
    for m in re.finditer(rb"\r\n|\n|\r", data):
        starts.append(m.end())
    return starts


def _offset_to_point(starts: list[int], offset: int) -> tuple[int, int]:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo, offset - starts[lo]


def _node_at(root: tree_sitter.Node, row: int, col: int) -> tree_sitter.Node | None:
    """The smallest named node that starts at or spans (row, col) (point inside [start, end))."""
    point = (row, col)
    node = root
    while True:
        nxt = None
        for child in node.children:
            if tuple(child.start_point) <= point < tuple(child.end_point):
                nxt = child
                break
        if nxt is None:
            break
        node = nxt
    while node is not None and not node.is_named:
        node = node.parent
    if node is None or node.type in ("module", "program"):
        return None
    return node


def _text(node: tree_sitter.Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", errors="replace")


def _line_end(data: bytes, offset: int) -> int:
    """Offset just after the line ending of the line containing `offset` (len(data) at EOF)."""
    i = offset
    while i < len(data) and data[i:i + 1] not in (b"\n", b"\r"):
        i += 1
    if data[i:i + 2] == b"\r\n":
        return i + 2
    return min(i + 1, len(data))


def _line_start(data: bytes, offset: int) -> int:
    """Start of the line containing `offset` (after a BOM on the first line)."""
    i = offset
    while i > 0 and data[i - 1:i] not in (b"\n", b"\r"):
        i -= 1
    if i == 0 and data.startswith(codecs.BOM_UTF8):
        return min(3, offset) if offset >= 3 else 0
    return i


# --------------------------------------------------------------------------------------------
# Edits
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Edit:
    start: int
    end: int  #: == start for an insertion
    text: str
    order: int = 0  #: among insertions at the same offset: lower first
    key: str | None = None  #: edits with the same key are made once ("(" of an arrow parameter)


def _apply_edits(data: bytes, edits: list[_Edit], encoding: str) -> bytes:
    seen: set[str] = set()
    unique = []
    for e in edits:
        if e.key is not None:
            if e.key in seen:
                continue
            seen.add(e.key)
        unique.append(e)
    unique.sort(key=lambda e: (e.start, e.end, e.order))
    out = []
    pos = 0
    for e in unique:
        out.append(data[pos:e.start])
        out.append(e.text.encode(encoding, errors="backslashreplace"))
        pos = max(pos, e.end)
    out.append(data[pos:])
    return b"".join(out)


def _shift(offset: int, edits: list[_Edit], encoding: str) -> int:
    """Where `offset` (the start of a name) is after the edits: edits ending at or before it move it."""
    seen: set[str] = set()
    delta = 0
    for e in edits:
        if e.key is not None:
            if e.key in seen:
                continue
            seen.add(e.key)
        if e.end <= offset:
            delta += len(e.text.encode(encoding, errors="backslashreplace")) - (e.end - e.start)
    return offset + delta


@dataclass
class Slot:
    """A located slot: what an annotation targets (shared with `analyzer.stubs`).

    ``key`` identifies the slot independently of the annotation: ("param", start byte of the
    parameter), ("return", start byte of the function), ("variable", start byte of the
    assignment / declarator), ("attribute", start byte of the class, name).
    """

    key: tuple
    name_node: tree_sitter.Node
    edits: list[_Edit]
    scope: tree_sitter.Node | None = None  #: where type parameters are looked up


class _Skip(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --------------------------------------------------------------------------------------------
# Python slots
# --------------------------------------------------------------------------------------------

_PY_SCOPES = ("function_definition", "class_definition", "module")


def _py_scope(node: tree_sitter.Node) -> tree_sitter.Node:
    p = node.parent
    while p is not None and p.type not in _PY_SCOPES and p.type != "lambda":
        p = p.parent
    return p if p is not None else node


def _walk_scope(scope: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    """Nodes of a scope's own body (nested functions, classes and lambdas not entered)."""
    body = scope.child_by_field_name("body") if scope.type != "module" else scope
    if body is None:
        return
    stack = list(reversed(body.children))
    while stack:
        n = stack.pop()
        yield n
        if n.type in ("function_definition", "class_definition", "lambda"):
            continue
        stack.extend(reversed(n.children))


def _py_scope_names(scope: tree_sitter.Node) -> tuple[set[str], set[str]]:
    """(names annotated in the scope, names declared global/nonlocal in it)."""
    annotated: set[str] = set()
    declared: set[str] = set()
    for n in _walk_scope(scope):
        if n.type == "assignment" and n.child_by_field_name("type") is not None:
            left = n.child_by_field_name("left")
            if left is not None and left.type == "identifier":
                annotated.add(_text(left))
        elif n.type in ("global_statement", "nonlocal_statement"):
            declared.update(_text(c) for c in n.named_children if c.type == "identifier")
    return annotated, declared


def _py_class_fields_matter(cls: tree_sitter.Node) -> str | None:
    """Why class-level annotations would change a class's behaviour, or None."""
    parent = cls.parent
    if parent is not None and parent.type == "decorated_definition":
        return "class-level assignment in a decorated class (an annotation could make it a field)"
    bases = cls.child_by_field_name("superclasses")
    if bases is not None:
        for b in bases.named_children:
            if b.type == "keyword_argument":
                continue
            last = _text(b).split("[")[0].split(".")[-1].strip()
            if last in FIELD_MAKING_BASES:
                return f"class-level assignment in a {last} subclass (an annotation would make it a field)"
    return None


def _py_enclosing_function(node: tree_sitter.Node) -> tree_sitter.Node | None:
    p = node.parent
    while p is not None and p.type not in ("function_definition", "class_definition", "lambda"):
        p = p.parent
    return p if p is not None and p.type == "function_definition" else None


def _check_function(func: tree_sitter.Node | None, ann: Annotation) -> None:
    if not ann.function or func is None:
        return
    want = ann.function.split(".")[-1]
    have = _text(func.child_by_field_name("name"))
    if want and have and want != have and want not in ("<lambda>", "<anonymous>"):
        raise _Skip(f"position mismatch: the name is in function {have!r}, not {ann.function!r}")


def _simple_assignment(assign: tree_sitter.Node, target: tree_sitter.Node) -> None:
    if assign.type != "assignment" or assign.child_by_field_name("left") != target:
        raise _Skip("not a simple assignment")
    if assign.child_by_field_name("type") is not None:
        raise _Skip("already annotated")
    right = assign.child_by_field_name("right")
    stmt = assign.parent
    if right is None or right.type == "assignment" or assign.type != "assignment":
        raise _Skip("not a simple assignment (chained or without value)")
    if stmt is None or stmt.type != "expression_statement" or len(stmt.named_children) != 1:
        raise _Skip("not a simple assignment statement")


def _py_slot(root: tree_sitter.Node, ann: Annotation, t: str) -> Slot:
    node = _node_at(root, ann.line - 1, ann.column)
    if node is None:
        raise _Skip(f"position mismatch: nothing at {ann.line}:{ann.column}")
    if ann.kind == "attribute":
        return _py_attribute(node, ann, t)
    if node.type != "identifier" or _text(node) != ann.name:
        raise _Skip(f"position mismatch: expected {ann.name!r} at {ann.line}:{ann.column}, found {_text(node)[:40]!r}")
    parent = node.parent
    assert parent is not None
    if ann.kind == "parameter":
        if parent.type in ("list_splat_pattern", "dictionary_splat_pattern"):
            splat = parent
            holder = splat.parent
            if holder is not None and holder.type in ("typed_parameter",):
                raise _Skip("already annotated")
            if holder is None or holder.type != "parameters":
                raise _Skip("lambda parameter" if holder is not None and holder.type == "lambda_parameters"
                            else "not a parameter")
            _check_function(holder.parent, ann)
            return Slot(("param", splat.start_byte), node, [_Edit(splat.end_byte, splat.end_byte, f": {t}")], holder.parent)
        if parent.type in ("typed_parameter", "typed_default_parameter"):
            raise _Skip("already annotated")
        if parent.type == "lambda_parameters" or (parent.parent is not None and parent.parent.type == "lambda_parameters"):
            raise _Skip("lambda parameter")
        if parent.type == "parameters":
            _check_function(parent.parent, ann)
            return Slot(("param", node.start_byte), node, [_Edit(node.end_byte, node.end_byte, f": {t}")], parent.parent)
        if parent.type == "default_parameter" and parent.child_by_field_name("name") == node:
            value = parent.child_by_field_name("value")
            holder = parent.parent
            if holder is not None and holder.type == "lambda_parameters":
                raise _Skip("lambda parameter")
            _check_function(holder.parent if holder is not None else None, ann)
            assert value is not None
            gap = root.text[node.end_byte:value.start_byte] if root.text is not None else b""
            if gap.replace(b" ", b"").replace(b"\t", b"") == b"=":
                edit = _Edit(node.end_byte, value.start_byte, f": {t} = ")
            else:
                edit = _Edit(node.end_byte, node.end_byte, f": {t}")
            return Slot(("param", parent.start_byte), node, [edit], holder.parent if holder is not None else None)
        raise _Skip("not a parameter")
    if ann.kind == "return":
        if parent.type != "function_definition" or parent.child_by_field_name("name") != node:
            raise _Skip("not a function name")
        if parent.child_by_field_name("return_type") is not None:
            raise _Skip("already annotated")
        params = parent.child_by_field_name("parameters")
        assert params is not None
        return Slot(("return", parent.start_byte), node, [_Edit(params.end_byte, params.end_byte, f" -> {t}")], parent)
    # variable (or a class-level attribute, handled by _py_attribute)
    return _py_variable(node, ann, t)


def _py_variable(node: tree_sitter.Node, ann: Annotation, t: str) -> Slot:
    assign = node.parent
    assert assign is not None
    if assign.type == "assignment" and assign.child_by_field_name("left") == node and \
            assign.child_by_field_name("type") is not None:
        raise _Skip("already annotated")
    _simple_assignment(assign, node)
    scope = _py_scope(assign)
    if scope.type == "lambda":
        raise _Skip("inside a lambda")
    annotated, declared = _py_scope_names(scope)
    name = _text(node)
    if name in declared:
        raise _Skip(f"{name!r} is declared global/nonlocal here (an annotation would be a SyntaxError)")
    if name in annotated:
        raise _Skip("already annotated elsewhere in the scope")
    if scope.type == "class_definition":
        why = _py_class_fields_matter(scope)
        if why:
            raise _Skip(why)
    key = ("attribute", scope.start_byte, name) if scope.type == "class_definition" else ("variable", assign.start_byte)
    return Slot(key, node, [_Edit(node.end_byte, node.end_byte, f": {t}")], scope)


def _py_class_of_method(func: tree_sitter.Node) -> tree_sitter.Node | None:
    p = func.parent
    if p is not None and p.type == "decorated_definition":
        p = p.parent
    if p is not None and p.type == "block" and p.parent is not None and p.parent.type == "class_definition":
        return p.parent
    return None


def _py_receiver(func: tree_sitter.Node) -> str | None:
    params = func.child_by_field_name("parameters")
    if params is None:
        return None
    for p in params.named_children:
        if p.type == "identifier":
            return _text(p)
        if p.type in ("typed_parameter",) and p.named_children and p.named_children[0].type == "identifier":
            return _text(p.named_children[0])
        return None
    return None


def _py_class_declares(cls: tree_sitter.Node, name: str) -> bool:
    """Whether the class annotates `name` in its body or as `self.name: T` in a method."""
    annotated, _ = _py_scope_names(cls)
    if name in annotated:
        return True
    body = cls.child_by_field_name("body")
    if body is None:
        return False
    stack = list(body.children)
    while stack:
        n = stack.pop()
        if n.type == "class_definition":
            continue
        if n.type == "assignment" and n.child_by_field_name("type") is not None:
            left = n.child_by_field_name("left")
            if left is not None and left.type == "attribute" and _text(left.child_by_field_name("attribute")) == name:
                return True
        stack.extend(n.children)
    return False


def _py_attribute(node: tree_sitter.Node, ann: Annotation, t: str) -> Slot:
    want = ann.name.split(".")[-1]
    parent = node.parent
    if parent is not None and parent.type == "attribute" and node.type == "identifier":
        attr = parent
        name_node = attr.child_by_field_name("attribute")
        obj = attr.child_by_field_name("object")
        if name_node is None or obj is None or _text(name_node) != want or obj.type != "identifier":
            raise _Skip(f"position mismatch: expected {ann.name!r} at {ann.line}:{ann.column}, found {_text(attr)[:40]!r}")
        func = _py_enclosing_function(attr)
        cls = _py_class_of_method(func) if func is not None else None
        if func is None or cls is None or _py_receiver(func) != _text(obj):
            raise _Skip("not an attribute of the method's receiver")
        assign = attr.parent
        if assign is not None and assign.type == "assignment" and assign.child_by_field_name("left") == attr \
                and assign.child_by_field_name("type") is not None:
            raise _Skip("already annotated")
        if assign is None:
            raise _Skip("not a simple assignment")
        _simple_assignment(assign, attr)
        if _py_class_declares(cls, want):
            raise _Skip("already annotated elsewhere in the class")
        return Slot(("attribute", cls.start_byte, want), name_node, [_Edit(attr.end_byte, attr.end_byte, f": {t}")], cls)
    if node.type == "identifier" and _text(node) == want and parent is not None and parent.type == "assignment":
        scope = _py_scope(parent)
        if scope.type != "class_definition":
            raise _Skip("not a class attribute")
        cls_ann = Annotation("variable", want, ann.function, ann.line, ann.column, ann.type, ann.imports)
        return _py_variable(node, cls_ann, t)
    raise _Skip(f"position mismatch: expected {ann.name!r} at {ann.line}:{ann.column}, found {_text(node)[:40]!r}")


# --------------------------------------------------------------------------------------------
# TypeScript slots
# --------------------------------------------------------------------------------------------

_TS_FUNCS = ("function_declaration", "generator_function_declaration", "function_expression",
             "generator_function", "function", "arrow_function", "method_definition",
             "function_signature", "method_signature", "abstract_method_signature")


def _norm(text: str) -> str:
    return " ".join(text.split())


def _ts_return_edits(func: tree_sitter.Node, t: str) -> list[_Edit]:
    single = func.child_by_field_name("parameter")
    if single is not None:  # x => ...   ->   (x): T => ...
        k = f"arrow{single.start_byte}"
        return [_Edit(single.start_byte, single.start_byte, "(", 0, k + "("),
                _Edit(single.end_byte, single.end_byte, ")", 1, k + ")"),
                _Edit(single.end_byte, single.end_byte, f": {t}", 2)]
    params = func.child_by_field_name("parameters")
    if params is None:
        raise _Skip("function without parameter list")
    return [_Edit(params.end_byte, params.end_byte, f": {t}")]


def _ts_slot(root: tree_sitter.Node, ann: Annotation, t: str) -> Slot:
    node = _node_at(root, ann.line - 1, ann.column)
    if node is None:
        raise _Skip(f"position mismatch: nothing at {ann.line}:{ann.column}")
    want = ann.name.split(".")[-1] if ann.kind == "attribute" else ann.name
    if node.type in ("object_pattern", "array_pattern"):
        if _norm(_text(node)) != _norm(ann.name):
            raise _Skip(f"position mismatch: expected {ann.name!r}, found {_norm(_text(node))[:40]!r}")
    elif node.type == "this" and ann.kind == "attribute":
        raise _Skip("`this.x` assignment: TypeScript needs a property declaration (not written)")
    elif _text(node) != want:
        raise _Skip(f"position mismatch: expected {ann.name!r} at {ann.line}:{ann.column}, found {_text(node)[:40]!r}")
    parent = node.parent
    assert parent is not None
    if ann.kind == "parameter":
        if parent.type == "rest_pattern":
            rest, holder = parent, parent.parent
        else:
            rest, holder = node, parent
        if holder is not None and holder.type in ("required_parameter", "optional_parameter") and \
                holder.child_by_field_name("pattern") == rest:
            if holder.child_by_field_name("type") is not None:
                raise _Skip("already annotated")
            at = rest.end_byte
            for c in holder.children:
                if c.type == "?" and c.start_byte >= rest.end_byte:
                    at = c.end_byte
            return Slot(("param", holder.start_byte), node, [_Edit(at, at, f": {t}")], holder)
        # JavaScript (stubs only): parameters are bare patterns in formal_parameters
        if holder is not None and holder.type == "formal_parameters":
            return Slot(("param", rest.start_byte), node, [_Edit(rest.end_byte, rest.end_byte, f": {t}")], holder)
        if parent.type == "assignment_pattern" and parent.child_by_field_name("left") == node and \
                parent.parent is not None and parent.parent.type == "formal_parameters":
            return Slot(("param", parent.start_byte), node, [_Edit(node.end_byte, node.end_byte, f": {t}")], parent)
        if parent.type == "arrow_function" and parent.child_by_field_name("parameter") == node:
            k = f"arrow{node.start_byte}"
            return Slot(("param", node.start_byte), node,
                        [_Edit(node.start_byte, node.start_byte, "(", 0, k + "("),
                         _Edit(node.end_byte, node.end_byte, f": {t}", 0),
                         _Edit(node.end_byte, node.end_byte, ")", 1, k + ")")], parent)
        raise _Skip("not a parameter")
    if ann.kind == "return":
        func = None
        if parent.type in _TS_FUNCS and parent.child_by_field_name("name") == node:
            func = parent
        elif parent.type in ("variable_declarator", "public_field_definition", "pair", "field_definition"):
            name_field = "key" if parent.type == "pair" else ("property" if parent.type == "field_definition" else "name")
            value = parent.child_by_field_name("value")
            if parent.child_by_field_name(name_field) == node and value is not None and value.type in _TS_FUNCS:
                func = value
        if func is None:
            raise _Skip("not a function name")
        if func.type == "method_definition":
            if _text(node) == "constructor":
                raise _Skip("constructor (no return annotation)")
            if any(c.type == "set" for c in func.children):
                raise _Skip("setter (no return annotation)")
        if func.child_by_field_name("return_type") is not None:
            raise _Skip("already annotated")
        return Slot(("return", func.start_byte), node, _ts_return_edits(func, t), func)
    if ann.kind == "variable":
        if parent.type != "variable_declarator" or parent.child_by_field_name("name") != node:
            raise _Skip("not a simple declaration (destructuring, for-of target, ...)")
        if parent.child_by_field_name("type") is not None:
            raise _Skip("already annotated")
        return Slot(("variable", parent.start_byte), node, [_Edit(node.end_byte, node.end_byte, f": {t}")], parent)
    # attribute: a class property
    if parent.type == "member_expression":
        raise _Skip("`this.x` assignment: TypeScript needs a property declaration (not written)")
    if parent.type == "field_definition" and parent.child_by_field_name("property") == node:  # JavaScript
        cls = parent.parent.parent if parent.parent is not None else None
        return Slot(("attribute", cls.start_byte if cls is not None else parent.start_byte, want), node,
                    [_Edit(node.end_byte, node.end_byte, f": {t}")], parent)
    if parent.type != "public_field_definition" or parent.child_by_field_name("name") != node:
        raise _Skip("not a class property")
    if parent.child_by_field_name("type") is not None:
        raise _Skip("already annotated")
    at = node.end_byte
    for c in parent.children:
        if c.type in ("?", "!") and c.start_byte >= node.end_byte:
            at = c.end_byte
    cls = parent.parent.parent if parent.parent is not None else None
    cls_start = cls.start_byte if cls is not None else parent.start_byte
    return Slot(("attribute", cls_start, want), node, [_Edit(at, at, f": {t}")], parent)


def locate(root: tree_sitter.Node, ann: Annotation, language: str, type_text: str | None = None) -> Slot | str:
    """The slot an annotation targets, or why it cannot be annotated (a one-line reason)."""
    t = ann.type if type_text is None else type_text
    try:
        if language == "python":
            return _py_slot(root, ann, t)
        return _ts_slot(root, ann, t)
    except _Skip as s:
        return s.reason
    except (AssertionError, AttributeError, ValueError) as exc:  # an odd tree: skip, never crash
        return f"cannot locate the slot ({type(exc).__name__})"


# --------------------------------------------------------------------------------------------
# Type texts: validity and the names they use
# --------------------------------------------------------------------------------------------


def _type_problem(t: str, language: str) -> str | None:
    """Why a type text cannot be written, or None."""
    if not t.strip():
        return "empty type"
    if "\n" in t or "\r" in t:
        return "type text spans lines"
    if language == "python":
        if "#" in t:
            return "type text contains a comment"
        try:
            ast.parse(t, mode="eval")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return f"not a valid type: {t[:60]!r}"
        return None
    if "//" in t or "/*" in t:
        return "type text contains a comment"
    node = _ts_type_node(t)
    if node is None:
        return f"not a valid type: {t[:60]!r}"
    return None


_TS_TYPE_PREFIX = b"let __x: "


def _ts_type_node(t: str) -> tree_sitter.Node | None:
    src = _TS_TYPE_PREFIX + t.encode("utf-8") + b";"
    tree = parse(src, "typescript")
    if count_parse_errors(tree) or len(tree.root_node.named_children) != 1:
        return None
    decl = tree.root_node.named_children[0]
    declarators = [c for c in decl.named_children if c.type == "variable_declarator"]
    if len(declarators) != 1:
        return None
    ta = declarators[0].child_by_field_name("type")
    if ta is None or ta.end_byte != len(src) - 1 or declarators[0].child_by_field_name("value") is not None:
        return None
    return ta


def type_names(t: str, language: str) -> list[str]:
    """The names a type text needs bound (roots of dotted names), textual order, no duplicates."""
    names: list[str] = []
    if language == "python":
        try:
            tree = ast.parse(t, mode="eval")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return []

        def visit(n: ast.AST) -> None:
            if isinstance(n, ast.Name):
                names.append(n.id)
            elif isinstance(n, ast.Attribute):
                root = n
                while isinstance(root, ast.Attribute):
                    root = root.value  # type: ignore[assignment]
                visit(root)
            elif isinstance(n, ast.Subscript):
                visit(n.value)
                if not (isinstance(n.value, ast.Name) and n.value.id == "Literal"):
                    visit(n.slice)
            elif isinstance(n, ast.Constant):
                return
            else:
                for c in ast.iter_child_nodes(n):
                    visit(c)

        visit(tree.body)
        return list(dict.fromkeys(names))
    node = _ts_type_node(t)
    if node is None:
        return []
    declared: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "type_parameter":
            nm = n.child_by_field_name("name")
            if nm is not None:
                declared.add(_text(nm))
        if n.type == "nested_type_identifier":
            first = n.named_children[0] if n.named_children else None
            while first is not None and first.type == "nested_identifier" and first.named_children:
                first = first.named_children[0]
            if first is not None:
                names.append(_text(first))
            continue
        if n.type == "type_query":  # typeof x: a value, not checked
            continue
        if n.type == "type_identifier":
            names.append(_text(n))
        stack.extend(reversed(n.children))
    return [n for n in dict.fromkeys(names) if n not in declared]


def _scope_type_params(scope: tree_sitter.Node | None) -> set[str]:
    out: set[str] = set()
    n = scope
    while n is not None:
        tp = n.child_by_field_name("type_parameters")
        if tp is not None:
            for c in tp.named_children:
                nm = c.child_by_field_name("name") or (c if c.type in ("identifier", "type_identifier") else None)
                if nm is None and c.named_children:
                    nm = c.named_children[0]
                if nm is not None:
                    out.add(_text(nm))
        n = n.parent
    return out


# --------------------------------------------------------------------------------------------
# Module-level bindings
# --------------------------------------------------------------------------------------------


@dataclass
class _Bindings:
    names: dict[str, str | None] = field(default_factory=dict)  #: name -> module of `from M import name` (else None)
    star: bool = False


def _py_bindings(root: tree_sitter.Node) -> _Bindings:
    b = _Bindings()

    def bind_target(n: tree_sitter.Node) -> None:
        if n.type == "identifier":
            b.names.setdefault(_text(n), None)
        elif n.type in ("pattern_list", "tuple_pattern", "list_pattern", "tuple", "list"):
            for c in n.named_children:
                bind_target(c)

    stack = list(reversed(root.children))
    while stack:
        n = stack.pop()
        t = n.type
        if t == "import_statement":
            for c in n.children_by_field_name("name"):
                if c.type == "aliased_import":
                    b.names[_text(c.child_by_field_name("alias"))] = None
                else:
                    b.names.setdefault(_text(c).split(".")[0], None)
        elif t == "import_from_statement":
            module = _text(n.child_by_field_name("module_name"))
            if any(c.type == "wildcard_import" for c in n.children):
                b.star = True
            for c in n.children_by_field_name("name"):
                if c.type == "aliased_import":
                    b.names[_text(c.child_by_field_name("alias"))] = None
                else:
                    b.names[_text(c)] = module
        elif t in ("class_definition", "function_definition"):
            b.names.setdefault(_text(n.child_by_field_name("name")), None)
        elif t == "decorated_definition":
            d = n.child_by_field_name("definition")
            if d is not None:
                stack.append(d)
        elif t == "expression_statement":
            for c in n.named_children:
                if c.type == "assignment":
                    while c is not None and c.type == "assignment":
                        left = c.child_by_field_name("left")
                        if left is not None:
                            bind_target(left)
                        c = c.child_by_field_name("right")
        elif t == "type_alias_statement":
            left = n.named_children[0] if n.named_children else None
            if left is not None:
                b.names.setdefault(_text(left).split("[")[0], None)
        elif t in ("if_statement", "try_statement", "with_statement", "block", "else_clause",
                   "elif_clause", "except_clause", "finally_clause", "with_clause"):
            stack.extend(reversed(n.children))
    return b


def _ts_bindings(root: tree_sitter.Node) -> _Bindings:
    b = _Bindings()
    stack = list(reversed(root.children))
    while stack:
        n = stack.pop()
        t = n.type
        if t == "import_statement":
            for c in n.children:
                if c.type == "import_clause":
                    for k in c.children:
                        if k.type == "identifier":
                            b.names[_text(k)] = None
                        elif k.type == "namespace_import":
                            ids = [x for x in k.named_children if x.type == "identifier"]
                            if ids:
                                b.names[_text(ids[-1])] = None
                        elif k.type == "named_imports":
                            for s in k.named_children:
                                if s.type == "import_specifier":
                                    nm = s.child_by_field_name("alias") or s.child_by_field_name("name")
                                    b.names[_text(nm)] = None
                elif c.type == "import_require_clause":
                    ids = [x for x in c.named_children if x.type == "identifier"]
                    if ids:
                        b.names[_text(ids[0])] = None
        elif t == "import_alias":
            ids = [x for x in n.named_children if x.type == "identifier"]
            if ids:
                b.names[_text(ids[0])] = None
        elif t == "export_statement":
            stack.extend(reversed(n.named_children))
        elif t in ("class_declaration", "abstract_class_declaration", "interface_declaration",
                   "type_alias_declaration", "enum_declaration", "function_declaration",
                   "generator_function_declaration", "function_signature", "module",
                   "internal_module", "class"):
            nm = n.child_by_field_name("name")
            if nm is not None:
                b.names[_text(nm)] = None
        elif t in ("lexical_declaration", "variable_declaration"):
            for d in n.named_children:
                if d.type == "variable_declarator":
                    nm = d.child_by_field_name("name")
                    if nm is not None and nm.type == "identifier":
                        b.names[_text(nm)] = None
        elif t in ("ambient_declaration", "expression_statement"):
            stack.extend(reversed(n.named_children))
    return b


# --------------------------------------------------------------------------------------------
# Import planning and placement
# --------------------------------------------------------------------------------------------


class _ImportPlan:
    """Names to import, per module, collected while annotations are accepted."""

    def __init__(self, language: str, bindings: _Bindings) -> None:
        self.language = language
        self.bindings = bindings
        self.wanted: dict[str, str] = {}  #: name -> module
        self.project: set[str] = set()  #: modules of the analyzed project

    def resolve(self, ann: Annotation, scope: tree_sitter.Node | None) -> dict[str, str] | str:
        """The imports this annotation adds (name -> module), or why it cannot be written."""
        given = {i.name: i.module for i in ann.imports}
        names = type_names(ann.type, self.language)
        tparams = _scope_type_params(scope)
        out: dict[str, str] = {}
        for name in names:
            if self.language == "python" and (name in PYTHON_BUILTINS or name == "None"):
                continue
            if self.language != "python" and name in TYPESCRIPT_BUILTIN_TYPES:
                continue
            if name in tparams:
                continue
            module = given.get(name)
            if name in self.bindings.names:
                bound_from = self.bindings.names[name]
                if module and bound_from and not module.startswith(".") and not bound_from.startswith(".") \
                        and bound_from != module:
                    return f"name conflict: {name!r} is imported from {bound_from} here, the type needs {module}.{name}"
                continue
            if module is None and self.language == "python":
                module = AUTO_IMPORTS.get(name)
            if module is None:
                if self.bindings.star:
                    continue  # may come from the star import; cannot tell
                return f"unresolved name {name!r} (not bound in the file and no import given)"
            planned = self.wanted.get(name) or out.get(name)
            if planned is not None and planned != module:
                return f"name conflict: {name!r} is already imported from {planned} for another annotation"
            out[name] = module
            if any(i.is_project and i.module == module for i in ann.imports):
                self.project.add(module)
        return out

    def accept(self, adds: dict[str, str]) -> None:
        self.wanted.update(adds)

    def by_module(self) -> dict[str, list[str]]:
        """Modules in isort's order: standard library, third party, project; names sorted."""
        mods: dict[str, list[str]] = {}
        for name, module in self.wanted.items():
            mods.setdefault(module, []).append(name)

        def group(m: str) -> tuple[int, str]:
            if m.startswith(".") or m in self.project:
                return (2, m)
            return (0 if m.split(".")[0] in sys.stdlib_module_names else 1, m)

        return {m: sorted(set(mods[m])) for m in sorted(mods, key=group)}


def _is_docstring(n: tree_sitter.Node) -> bool:
    return n.type == "expression_statement" and len(n.named_children) == 1 and n.named_children[0].type in (
        "string", "concatenated_string")


def _py_type_checking_block(root: tree_sitter.Node) -> tree_sitter.Node | None:
    for n in root.named_children:
        if n.type == "if_statement":
            cond = _text(n.child_by_field_name("condition")).strip()
            block = n.child_by_field_name("consequence")
            if cond.split(".")[-1] == "TYPE_CHECKING" and block is not None and block.named_children \
                    and block.start_point[0] > n.start_point[0]:  # not `if TYPE_CHECKING: import x`
                return block
    return None


def _merge_into(stmt: tree_sitter.Node, names: list[str]) -> _Edit:
    """Add names after the last imported name of a ``from M import a, b`` / ``import type {a}``."""
    if stmt.type == "import_statement":  # TypeScript
        spec = None
        for c in stmt.children:
            if c.type == "import_clause":
                for k in c.children:
                    if k.type == "named_imports":
                        specs = [s for s in k.named_children if s.type == "import_specifier"]
                        if specs:
                            spec = specs[-1]
        assert spec is not None
        return _Edit(spec.end_byte, spec.end_byte, "".join(f", {n}" for n in names))
    last = stmt.children_by_field_name("name")[-1]
    return _Edit(last.end_byte, last.end_byte, "".join(f", {n}" for n in names))


def _py_import_edits(data: bytes, root: tree_sitter.Node, plan: _ImportPlan, nl: str,
                     add_future: bool) -> tuple[list[_Edit], list[str]]:
    """Edits adding the future import, TYPE_CHECKING and the planned imports; and their lines."""
    edits: list[_Edit] = []
    added: list[str] = []
    children = [c for c in root.named_children if c.type != "comment"]
    futures = [c for c in children if c.type == "future_import_statement"]
    doc = children[0] if children and _is_docstring(children[0]) else None

    def anchor_after(node: tree_sitter.Node) -> tuple[int, str]:
        end = _line_end(data, node.end_byte)
        prefix = nl if end == len(data) and not data.endswith((b"\n", b"\r")) else ""
        return end, prefix

    # the head anchor: after futures, after the docstring, or before the first statement
    if futures:
        head, head_prefix = anchor_after(futures[-1])
        head_kind = "future"
    elif doc is not None:
        head, head_prefix = anchor_after(doc)
        head_kind = "doc"
    else:
        first = children[0] if children else None
        head = _line_start(data, first.start_byte) if first is not None else len(data)
        head_prefix = nl if head == len(data) and data and not data.endswith((b"\n", b"\r")) else ""
        head_kind = "top"
    order = 0
    head_text: list[str] = []
    if add_future:
        line = "from __future__ import annotations"
        head_text.append((nl if head_kind == "doc" else "") + line + nl)
        added.append(line)
    modules = plan.by_module()
    if modules:
        block = _py_type_checking_block(root)
        if block is not None:
            stmts = [c for c in block.named_children if c.type != "comment"]
            indent = data[_line_start(data, stmts[0].start_byte):stmts[0].start_byte].decode("utf-8", "replace") \
                if stmts else "    "
            if indent.strip() or not indent:
                indent = "    "
            existing = {_text(s.child_by_field_name("module_name")): s for s in stmts
                        if s.type == "import_from_statement"
                        and not any(c.type == "wildcard_import" for c in s.children)
                        and s.children_by_field_name("name")}
            new_lines = []
            for module, names in modules.items():
                if module in existing:
                    edits.append(_merge_into(existing[module], names))
                    added.append(f"from {module} import {', '.join(names)} (merged)")
                else:
                    line = f"from {module} import {', '.join(names)}"
                    new_lines.append(indent + line + nl)
                    added.append(line)
            if new_lines:
                last = block.children[-1] if block.children else block
                at, prefix = anchor_after(last)
                edits.append(_Edit(at, at, prefix + "".join(new_lines), 5))
        else:
            chunk: list[str] = []
            if "TYPE_CHECKING" not in plan.bindings.names:
                typing_from = [c for c in children if c.type == "import_from_statement"
                               and _text(c.child_by_field_name("module_name")) == "typing"
                               and not any(k.type == "wildcard_import" for k in c.children)
                               and c.children_by_field_name("name")]
                if typing_from:
                    edits.append(_merge_into(typing_from[0], ["TYPE_CHECKING"]))
                    added.append("from typing import TYPE_CHECKING (merged)")
                else:
                    chunk.append("from typing import TYPE_CHECKING" + nl)
                    added.append("from typing import TYPE_CHECKING")
            first_def = next((i for i, c in enumerate(children) if c.type in (
                "function_definition", "class_definition", "decorated_definition")), len(children))
            imports = [c for c in children[:first_def] if c.type in ("import_statement", "import_from_statement")]
            chunk.append(nl + "if TYPE_CHECKING:" + nl)
            for module, names in modules.items():
                line = f"from {module} import {', '.join(names)}"
                chunk.append("    " + line + nl)
                added.append(line)
            if imports:
                at, prefix = anchor_after(imports[-1])
                edits.append(_Edit(at, at, prefix + "".join(chunk), 5))
            else:
                head_text.extend(chunk)
    if head_text:
        text = head_prefix + "".join(head_text)
        nxt = data[head:head + 2]
        if head_kind in ("doc", "top") and nxt[:1] not in (b"\n", b"\r") and head < len(data):
            text += nl  # a blank line before the code that follows
        edits.append(_Edit(head, head, text, order))
    return edits, added


def _ts_import_edits(data: bytes, root: tree_sitter.Node, plan: _ImportPlan, nl: str) -> tuple[list[_Edit], list[str]]:
    edits: list[_Edit] = []
    added: list[str] = []
    modules: dict[str, list[str]] = {}
    for name, module in plan.wanted.items():
        modules.setdefault(module, []).append(name)
    if not modules:
        return edits, added
    imports = [c for c in root.named_children if c.type == "import_statement"]
    type_imports: dict[str, tree_sitter.Node] = {}
    for imp in imports:
        is_type = any(c.type == "type" for c in imp.children)
        clause = next((c for c in imp.children if c.type == "import_clause"), None)
        named = clause is not None and any(k.type == "named_imports" and any(
            s.type == "import_specifier" for s in k.named_children) for k in clause.children)
        only_named = clause is not None and all(k.type in ("named_imports",) for k in clause.named_children)
        src = imp.child_by_field_name("source")
        if is_type and named and only_named and src is not None:
            type_imports.setdefault(_text(src)[1:-1], imp)
    quote, semi = '"', ";"
    if imports:
        src = imports[-1].child_by_field_name("source")
        if src is not None and _text(src)[:1] in ("'", '"'):
            quote = _text(src)[:1]
        semi = ";" if _text(imports[-1]).rstrip().endswith(";") else ""
    lines = []
    for module in sorted(modules):
        names = sorted(set(modules[module]))
        if module in type_imports:
            edits.append(_merge_into(type_imports[module], names))
            added.append(f"import type {{ {', '.join(names)} }} from {quote}{module}{quote} (merged)")
        else:
            line = f"import type {{ {', '.join(names)} }} from {quote}{module}{quote}{semi}"
            lines.append(line + nl)
            added.append(line)
    if lines:
        if imports:
            at = _line_end(data, imports[-1].end_byte)
            prefix = nl if at == len(data) and not data.endswith((b"\n", b"\r")) else ""
            edits.append(_Edit(at, at, prefix + "".join(lines), 5))
        else:
            first = next((c for c in root.named_children if c.type != "comment"), None)
            at = _line_start(data, first.start_byte) if first is not None else len(data)
            text = "".join(lines)
            if first is not None:
                text += nl
            edits.append(_Edit(at, at, text, 5))
    return edits, added


# --------------------------------------------------------------------------------------------
# annotate_source
# --------------------------------------------------------------------------------------------


def _grammar(path: str, language: str) -> str:
    g = grammar_for_path(path)
    if g is not None:
        return g[1]
    return "python" if language == "python" else "typescript"


def _language(language: str) -> str:
    return "python" if language in ("python", "py") else "typescript"


def _ast_ok(data: bytes) -> bool:
    try:
        ast.parse(data)
        return True
    except Exception:  # SyntaxError, ValueError (null bytes), RecursionError, MemoryError...
        return False


def annotate_source(data: bytes, path: str, language: str, annotations: list[Annotation]) -> EditResult:
    """Write `annotations` into `data` (the bytes of `path`); see the module docstring for the rules."""
    lang = _language(language)
    result = EditResult(path=path, language=lang, original=data, data=data)
    grammar = _grammar(path, lang)
    if lang != "python" and grammar == "javascript":
        for a in annotations:
            result.skipped.append(Skipped(a, "JavaScript file: inline type annotations are not valid (use --stub)"))
        return result
    if path.endswith(".d.ts") or path.endswith(".pyi"):
        for a in annotations:
            result.skipped.append(Skipped(a, "declaration/stub file: not annotated"))
        return result
    encoding = file_encoding(data, lang)
    nl = file_newline(data).decode("ascii")
    try:
        tree = parse(data, grammar)
    except Exception as exc:  # pragma: no cover - tree-sitter does not raise on bytes
        for a in annotations:
            result.skipped.append(Skipped(a, f"cannot parse ({exc})"))
        return result
    root = tree.root_node
    bindings = _py_bindings(root) if lang == "python" else _ts_bindings(root)
    plan = _ImportPlan(lang, bindings)
    edits: list[_Edit] = []
    accepted: list[tuple[Annotation, Slot]] = []
    taken: set[tuple] = set()
    for ann in annotations:
        problem = _type_problem(ann.type, lang)
        if problem is not None:
            result.skipped.append(Skipped(ann, problem))
            continue
        slot = locate(root, ann, lang)
        if isinstance(slot, str):
            result.skipped.append(Skipped(ann, slot))
            continue
        if slot.key in taken:
            result.skipped.append(Skipped(ann, "duplicate: the slot already gets a type in this run"))
            continue
        adds = plan.resolve(ann, slot.scope)
        if isinstance(adds, str):
            result.skipped.append(Skipped(ann, adds))
            continue
        plan.accept(adds)
        taken.add(slot.key)
        accepted.append((ann, slot))
        edits.extend(slot.edits)
    if not accepted:
        return result
    if lang == "python":
        has_future = any(c.type == "future_import_statement" and "annotations" in
                         [_text(n) for n in c.children_by_field_name("name")] for c in root.named_children)
        import_edits, added = _py_import_edits(data, root, plan, nl, add_future=not has_future)
        runtime = sorted(m for m in RUNTIME_ANNOTATION_MODULES if _imports_module(root, m))
        if runtime:
            result.warnings.append(f"{path}: imports {', '.join(runtime)}, which may evaluate annotations at "
                                   "run time; names imported under TYPE_CHECKING are not available then")
    else:
        import_edits, added = _ts_import_edits(data, root, plan, nl)
    all_edits = edits + import_edits
    new = _apply_edits(data, all_edits, encoding)
    before = count_parse_errors(tree)
    new_tree = parse(new, grammar)
    after = count_parse_errors(new_tree)
    if after > before:
        result.refused = f"the edit would add {after - before} syntax error(s)"
        return result
    if lang == "python" and _ast_ok(data) and not _ast_ok(new):
        result.refused = "the edited file is rejected by the Python parser"
        return result
    result.data = new
    result.imports_added = added
    starts = _line_starts(new)
    for ann, slot in accepted:
        off = _shift(slot.name_node.start_byte, all_edits, encoding)
        row, col = _offset_to_point(starts, off)
        result.applied.append(Applied(ann, row + 1, col))
    return result


def _imports_module(root: tree_sitter.Node, module: str) -> bool:
    for n in root.named_children:
        if n.type == "import_statement":
            for c in n.children_by_field_name("name"):
                dotted = c.child_by_field_name("name") if c.type == "aliased_import" else c
                if _text(dotted).split(".")[0] == module:
                    return True
        elif n.type == "import_from_statement":
            if _text(n.child_by_field_name("module_name")).split(".")[0] == module:
                return True
    return False


def annotate_file(path: Path, annotations: list[Annotation], language: str | None = None,
                  display: str | None = None) -> EditResult:
    """Read `path` and annotate it (``display`` is the path shown in messages and diffs)."""
    shown = display or str(path)
    lang = language or (grammar_for_path(path) or ("python", "python"))[0]
    try:
        data = path.read_bytes()
    except OSError as exc:
        result = EditResult(shown, _language(lang), b"", b"")
        for a in annotations:
            result.skipped.append(Skipped(a, f"cannot read ({exc.strerror or exc})"))
        return result
    return annotate_source(data, str(path) if display is None else display, lang, annotations)


# --------------------------------------------------------------------------------------------
# Writing and diffs
# --------------------------------------------------------------------------------------------


def write_file_atomically(path: Path, original: bytes | None, new: bytes) -> WriteOutcome:
    """Replace `path` with `new` if it still holds `original`; never raises.

    ``original=None`` means "no check" (used for generated stubs, see `write_stub`).  The file is
    re-read just before writing; a file whose bytes (or, right before the rename, size and
    modification time) changed is skipped with "changed on disk during the run".  A file without
    any write permission bit is treated as read-only and left alone, also when running as root.
    The new bytes go to a temp file in the same directory (same file system), get the original's
    permission bits (and owner, when running as root), are fsynced, and replace the file with
    ``os.replace``; on any failure the temp file is removed and the original is untouched.
    """
    shown = str(path)
    target = Path(os.path.realpath(path))
    st = None
    if original is not None:
        try:
            st = os.stat(target)
            current = target.read_bytes()
        except OSError as exc:
            return WriteOutcome(shown, False, f"{shown}: cannot read ({exc.strerror or exc}); not written")
        if current != original:
            return WriteOutcome(shown, False, f"{shown}: changed on disk during the run; not written")
        if new == original:
            return WriteOutcome(shown, False, f"{shown}: unchanged")
        if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            return WriteOutcome(shown, False, f"{shown}: read-only file; not written")
    else:
        try:
            st = os.stat(target)
        except FileNotFoundError:
            st = None
        except OSError as exc:
            return WriteOutcome(shown, False, f"{shown}: cannot stat ({exc.strerror or exc}); not written")
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".typeinfer-tmp", dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(new)
            fh.flush()
            os.fsync(fh.fileno())
        if st is not None:
            os.chmod(tmp, stat.S_IMODE(st.st_mode))
            if hasattr(os, "geteuid") and os.geteuid() == 0:
                try:
                    os.chown(tmp, st.st_uid, st.st_gid)
                except OSError:
                    pass
        if original is not None and st is not None:
            now = os.stat(target)
            if (now.st_size, now.st_mtime_ns) != (st.st_size, st.st_mtime_ns):
                os.unlink(tmp)
                tmp = None
                return WriteOutcome(shown, False, f"{shown}: changed on disk during the run; not written")
        os.replace(tmp, target)
        tmp = None
        _fsync_dir(target.parent)
        return WriteOutcome(shown, True, f"{shown}: written")
    except OSError as exc:
        return WriteOutcome(shown, False, f"{shown}: cannot write ({exc.strerror or exc}); original untouched")
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_stub(path: Path, text: str) -> WriteOutcome:
    """Write a generated stub; an existing stub not made by us (no `STUB_MARKER`) is left alone."""
    if path.exists():
        try:
            head = path.read_bytes()[:200].decode("utf-8", "replace")
        except OSError as exc:
            return WriteOutcome(str(path), False, f"{path}: cannot read ({exc.strerror or exc}); not written")
        if STUB_MARKER not in head:
            return WriteOutcome(str(path), False, f"{path}: exists and was not generated by typeinfer; not written")
    return write_file_atomically(path, None, text.encode("utf-8"))


def stub_path(path: Path) -> Path:
    """Where the stub of a source file goes: ``m.py`` -> ``m.pyi``, ``m.ts``/``m.js`` -> ``m.d.ts``."""
    if path.suffix == ".py":
        return path.with_suffix(".pyi")
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    return path.with_name(stem + ".d.ts")


def unified_diff(path: str, old: bytes, new: bytes, language: str | None = None) -> str:
    """A unified diff with ``a/path`` / ``b/path`` headers ("" when nothing changed)."""
    if old == new:
        return ""
    lang = _language(language or (grammar_for_path(path) or ("python", "python"))[0])
    enc = file_encoding(old, lang)
    a = old.decode(enc, errors="replace").splitlines(keepends=True)
    b = new.decode(enc, errors="replace").splitlines(keepends=True)
    out = []
    for line in difflib.unified_diff(a, b, fromfile=f"a/{path}", tofile=f"b/{path}"):
        out.append(line)
        if not line.endswith(("\n", "\r")):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)
