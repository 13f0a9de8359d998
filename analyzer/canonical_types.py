"""The one canonical form of type names (issue 4 "Canonical types").

Every part of typeinfer that compares, counts or learns type names -- training
targets, evaluation (exact match, match up to parametric type, built-in vs
user-defined split), static facts and the annotations we print -- goes through
:func:`canonicalize`.  Two annotations denote the same label when their
canonical strings are equal.  This docstring is the reference for the form.

The canonical form drops import paths (``foo.models.User`` becomes ``User``):
callers that write annotations back keep the fully qualified name next to the
canonical one (for the import) and compare on the canonical one.

API
===

``canonicalize(annotation, language) -> str | None``
    The canonical string, or ``None`` when the annotation says nothing
    (``Any``, ``any``, ``unknown``, bare ``Final``/``ClassVar``), is empty,
    longer than :data:`MAX_ANNOTATION_CHARS`, or does not parse as a type.
    It never raises on any annotation text.  ``language`` is ``"python"``
    (also ``"py"``) or ``"typescript"`` (also ``"ts"``, ``"tsx"``,
    ``"javascript"``, ``"js"``); any other language raises ``ValueError``.
    Canonicalizing a canonical string gives the same string (idempotent).
``split_union(annotation, language) -> list[str]``
    The canonical top-level union members (``[]`` when it says nothing).
``outer_type(annotation, language) -> str``
    The outer constructor, for "match up to parametric type".
``referenced_names(annotation, language) -> list[str]``
    Type names used in the canonical form, in textual order, no duplicates
    (for writing imports).
``is_builtin_type(annotation, language) -> bool``
    Built-in/common vs user-defined/library, for splitting evaluation.
``ts_type_node(text, leading_extras=False) -> tree_sitter.Node | None``
    The parsed TypeScript type, or ``None`` when ``text`` is not exactly one
    type: the one TypeScript type-text parser (the source writer uses it too).

The first five accept any annotation text: they canonicalize first (cached with
``functools.lru_cache``), so passing an already canonical string is cheap.

Python
======

The annotation text is parsed with ``ast.parse(text, mode="eval")`` -- parsing
only, nothing is ever evaluated.

==========================================  ==================================
written                                     canonical
==========================================  ==================================
``typing.List[int]``, ``List[int]``         ``list[int]``
``Dict[str, int]``                          ``dict[str, int]``
``Set``/``FrozenSet``/``Tuple``/``Type``    ``set``/``frozenset``/``tuple``/``type``
``DefaultDict[str, int]``, ``Deque[int]``   ``defaultdict[str, int]``, ``deque[int]``
``Text``                                    ``str``
``NoneType``                                ``None``
``Optional[int]``, ``Optional[X]``          ``int | None``, ``X | None``
``Union[str, int, None]``                   ``int | str | None``
``Union[int, Optional[Union[str, int]]]``   ``int | str | None``
``"User"``, ``list["User"]``                ``User``, ``list[User]``
``collections.abc.Iterable[int]``           ``Iterable[int]``
``np.ndarray``, ``foo.models.User``         ``ndarray``, ``User``
``re.Pattern[str]``                         ``Pattern[str]``
``List[Any]``, ``Dict[Any, Any]``           ``list``, ``dict``
``Dict[str, Any]``                          ``dict[str, Any]``
``Callable[..., Any]``                      ``Callable``
``Callable[[int,str],str]``                 ``Callable[[int, str], str]``
``Tuple[int, ...]``, ``Tuple[()]``          ``tuple[int, ...]``, ``tuple[()]``
``Literal["b", "a", 2, 1]``                 ``Literal[1, 2, 'a', 'b']``
``Annotated[int, Gt(0)]``                   ``int``
``Final[int]``, ``ClassVar[int]``           ``int``
``Any``, ``typing.Any``, ``Final``          ``None`` (says nothing)
``Optional[Any]``                           ``Any | None`` (kept: says "optional")
``object``                                  ``object`` (kept)
==========================================  ==================================

Rules, in order:

* Qualified names keep only their last dotted component (``typing.``,
  ``typing_extensions.``, ``builtins.``, ``collections.abc.``, ``np.`` ...
  all go), then the typing aliases of builtins are replaced
  (:data:`PYTHON_ALIASES`).  ``AnyStr`` is kept as ``AnyStr``: it is a type
  variable (``str`` *or* ``bytes``), and rewriting it to ``str`` would change
  the meaning of annotations written back.
* Unions (``Union[...]``, ``Optional[...]``, ``X | Y``) are flattened,
  deduplicated and sorted by their text, ``None`` last, and written with
  `` | ``.  A one-member union is the member.  ``Literal`` members of a
  union are not merged (``Literal['a'] | Literal['b']`` stays two members).
* String annotations are unquoted and canonicalized, at any depth
  (``list["Foo"]``); only inside ``Literal[...]`` strings are values.
* ``Literal`` values are written with Python's ``repr`` (``'a'``, ``b'x'``,
  ``-1``, ``True``, ``None``, ``Color.RED``), deduplicated and sorted (ints
  numerically first, then the rest by their text); nested ``Literal`` is
  flattened.  Float or complex "literals" are not valid and give ``None``.
* The parameter list of a generic is dropped only when *all* parameters say
  nothing (each is ``Any`` or ``...`` or a list of ``Any``, at least one
  ``Any``): ``list[Any]`` -> ``list``, ``tuple[Any, ...]`` -> ``tuple``,
  ``Callable[..., Any]`` -> ``Callable``, but ``dict[str, Any]`` and
  ``Callable[[], Any]`` keep theirs.
* ``Annotated[X, ...]`` is ``X``; the qualifiers ``Final``, ``ClassVar``,
  ``InitVar``, ``Required``, ``NotRequired``, ``ReadOnly`` are dropped
  (``Final[int]`` -> ``int``; bare ``Final`` says nothing).
* Spacing: ``, `` between parameters, `` | `` between union members, nothing
  else.
* A top-level ``Any`` (after all rules) gives ``None``.

TypeScript
==========

The annotation is parsed with tree-sitter-typescript as the type of
``let __x: <annotation>;``; it must be exactly one type, without errors.

=========================================  ===================================
written                                    canonical
=========================================  ===================================
``Array<string>``                          ``string[]``
``Array<string | number>``                 ``(number | string)[]``
``ReadonlyArray<T>``                       ``readonly T[]``
``undefined | string | null``              ``string | null | undefined``
``B & A``                                  ``A & B``
``ns.models.User``, ``React.FC<P>``        ``User``, ``FC<P>``
``Map< string ,number >``                  ``Map<string, number>``
``{a:string,b?:number}``                   ``{ a: string; b?: number }``
``(x:number)=>string``                     ``(x: number) => string``
``((x: number) => void) | null``           ``((x: number) => void) | null``
``'a' | "b"``                              ``"a" | "b"``
``(string)``                               ``string``
``string | ReadonlyArray<string>``         ``(readonly string[]) | string``
``any``, ``unknown``                       ``None`` (says nothing)
``any[]``, ``Promise<any>``                kept (TS generics need arguments)
=========================================  ===================================

Rules: parentheses are removed and put back only where precedence needs them
(function, constructor and conditional types inside unions, intersections and
arrays; unions inside intersections and arrays; ``readonly T[]`` inside
unions, intersections, arrays and ``keyof``; ``typeof x`` inside arrays:
``(typeof x)[]``); unions and intersections
are flattened, deduplicated and sorted by text, ``null`` then ``undefined``
last; ``Array<T>`` is ``T[]`` and ``ReadonlyArray<T>`` is ``readonly T[]``;
qualified names keep their last component; string literal types use double
quotes when their text allows it; object types are ``{ m1; m2 }`` (``{}`` when
empty, members keep their order), function types ``(a: A, b?: B) => R``,
tuples ``[A, B?, ...C[]]``.  Rare forms (mapped types, ``typeof``, template
literal types, type predicates) keep their text with whitespace collapsed.

Outer types and categories
==========================

``outer_type`` gives the constructor without its parameters: Python
``list[int]`` -> ``list``, ``Callable[[int], str]`` -> ``Callable``,
``Literal['a']`` -> ``Literal``; TypeScript ``Promise<number>`` ->
``Promise``, ``string[]`` -> ``Array``, ``readonly string[]`` ->
``ReadonlyArray``, tuple types -> ``Tuple``, function and constructor types
-> ``Function``, object literal types -> ``Object``; literal types,
primitives and other forms are their own outer type.  A union's outer type
is the union of its members' outer types, deduplicated and sorted the same
way: ``list[int] | None`` -> ``list | None``, ``list[int] | list[str]`` ->
``list``.  A TS intersection's outer type is the sorted ``&`` of its parts.
When the annotation says nothing, ``outer_type`` returns the stripped text.

``is_builtin_type`` is true when every union member's outer type (every part
of an intersection) is built-in or common: Python builtins, ``typing`` /
``collections.abc`` names and common stdlib types
(:data:`PYTHON_BUILTIN_TYPES`); TS primitives, literal types, tuple, function
and object literal types, and the global library types
(:data:`TYPESCRIPT_BUILTIN_TYPES`).  So ``User | None`` is user-defined,
``ndarray`` (a library type) is not built-in, and ``list[User]`` /
``User[]`` are built-in (their outer type is ``list`` / ``Array``).  False
when the annotation says nothing.
"""

from __future__ import annotations

import ast
import functools
import re
import threading
import warnings
from typing import NamedTuple

__all__ = [
    "MAX_ANNOTATION_CHARS",
    "NUMERIC_PROMOTION",
    "PYTHON_ALIASES",
    "PYTHON_BUILTIN_TYPES",
    "PYTHON_BUILTINS",
    "PYTHON_STDLIB_COMMON",
    "PYTHON_TYPING_NAMES",
    "TYPESCRIPT_BUILTIN_TYPES",
    "TYPESCRIPT_GLOBAL_TYPES",
    "TYPESCRIPT_PRIMITIVES",
    "canonicalize",
    "is_builtin_type",
    "outer_type",
    "referenced_names",
    "split_union",
    "ts_type_node",
]

#: Longer annotation text gives ``None`` (keeps the worst case cheap).
MAX_ANNOTATION_CHARS = 2000

_CACHE_SIZE = 1 << 18

# --------------------------------------------------------------------------
# Name tables
# --------------------------------------------------------------------------

#: Typing aliases replaced by their builtin / collections name (applied to the
#: last dotted component).
PYTHON_ALIASES: dict[str, str] = {
    "List": "list",
    "Dict": "dict",
    "Set": "set",
    "FrozenSet": "frozenset",
    "Tuple": "tuple",
    "Type": "type",
    "DefaultDict": "defaultdict",
    "Deque": "deque",
    "Text": "str",
    "NoneType": "None",
}

#: Names that alone say nothing; as a whole annotation they give ``None``.
_PY_SAYS_NOTHING = frozenset(
    {"Any", "Final", "ClassVar", "InitVar", "Required", "NotRequired", "ReadOnly",
     "Optional", "Union", "Annotated"}
)
#: Qualifiers whose single parameter is the type.
_PY_QUALIFIERS = frozenset(
    {"Final", "ClassVar", "InitVar", "Required", "NotRequired", "ReadOnly"}
)

#: Python's numeric promotion: a value of the key class fits an annotation of any of these
NUMERIC_PROMOTION: dict[str, frozenset[str]] = {"bool": frozenset({"int", "float", "complex"}),
                                                "int": frozenset({"float", "complex"}), "float": frozenset({"complex"})}

PYTHON_BUILTINS = frozenset(
    {
        "int", "float", "complex", "bool", "str", "bytes", "bytearray", "memoryview",
        "list", "tuple", "dict", "set", "frozenset", "type", "object", "None",
        "range", "slice", "property", "classmethod", "staticmethod", "super",
        "enumerate", "zip", "map", "filter", "reversed",
        "BaseException", "Exception", "ValueError", "TypeError", "KeyError",
        "IndexError", "RuntimeError", "OSError", "IOError", "AttributeError",
        "NotImplementedError", "StopIteration", "AssertionError", "ImportError",
        "LookupError", "ArithmeticError", "ZeroDivisionError", "FileNotFoundError",
        "PermissionError", "TimeoutError", "ConnectionError", "UnicodeError",
        "KeyboardInterrupt", "SystemExit", "Warning", "DeprecationWarning",
        "UserWarning", "ExceptionGroup", "BaseExceptionGroup",
    }
)
PYTHON_TYPING_NAMES = frozenset(
    {
        "Any", "Callable", "Literal", "Union", "Optional", "Annotated", "Final",
        "ClassVar", "Iterable", "Iterator", "Generator", "AsyncIterable",
        "AsyncIterator", "AsyncGenerator", "Awaitable", "Coroutine", "Sequence",
        "MutableSequence", "Mapping", "MutableMapping", "MutableSet", "AbstractSet",
        "Collection", "Container", "Hashable", "Sized", "Reversible", "ItemsView",
        "KeysView", "ValuesView", "MappingView", "ContextManager",
        "AsyncContextManager", "AbstractContextManager", "AbstractAsyncContextManager",
        "SupportsInt", "SupportsFloat", "SupportsIndex", "SupportsAbs", "SupportsBytes",
        "SupportsComplex", "SupportsRound", "IO", "TextIO", "BinaryIO", "Pattern",
        "Match", "NoReturn", "Never", "Self", "LiteralString", "TypeGuard", "TypeIs",
        "Concatenate", "Unpack", "TypeAlias", "NamedTuple", "TypedDict", "Protocol",
        "Generic", "AnyStr", "Buffer", "ByteString",
    }
)
PYTHON_STDLIB_COMMON = frozenset(
    {
        "defaultdict", "deque", "OrderedDict", "Counter", "ChainMap",
        "Path", "PurePath", "PosixPath", "WindowsPath", "PurePosixPath",
        "PureWindowsPath", "datetime", "date", "time", "timedelta", "timezone",
        "tzinfo", "Decimal", "Fraction", "UUID", "Enum", "IntEnum", "StrEnum", "Flag",
        "IntFlag", "Logger", "LoggerAdapter", "Handler", "Formatter", "LogRecord",
        "Thread", "Lock", "RLock", "Event", "Condition", "Semaphore", "Queue",
        "Future", "Task", "AbstractEventLoop", "ModuleType", "FunctionType",
        "MethodType", "TracebackType", "FrameType", "CodeType", "SimpleNamespace",
        "partial", "StringIO", "BytesIO", "TextIOWrapper", "BufferedReader",
        "BufferedWriter", "IOBase", "Namespace", "ArgumentParser", "Popen",
        "CompletedProcess", "Random", "array", "Struct", "ZipFile", "TarFile",
        "Element", "ElementTree", "Connection", "Cursor", "socket", "Process",
        "ThreadPoolExecutor", "ProcessPoolExecutor", "Executor",
    }
)
#: Python names counted as built-in/common by :func:`is_builtin_type`.
PYTHON_BUILTIN_TYPES = PYTHON_BUILTINS | PYTHON_TYPING_NAMES | PYTHON_STDLIB_COMMON

TYPESCRIPT_PRIMITIVES = frozenset(
    {
        "string", "number", "boolean", "bigint", "symbol", "unique symbol", "void",
        "null", "undefined", "never", "object", "any", "unknown", "this",
    }
)
TYPESCRIPT_GLOBAL_TYPES = frozenset(
    {
        "Array", "ReadonlyArray", "Promise", "PromiseLike", "Map", "ReadonlyMap", "Set",
        "ReadonlySet", "WeakMap", "WeakSet", "WeakRef", "Record", "Partial",
        "Required", "Readonly", "Pick", "Omit", "Exclude", "Extract", "NonNullable",
        "ReturnType", "Parameters", "ConstructorParameters", "InstanceType",
        "Awaited", "ThisType", "Uppercase", "Lowercase", "Capitalize", "Uncapitalize",
        "Date", "RegExp", "Error", "TypeError", "RangeError", "SyntaxError",
        "ReferenceError", "EvalError", "URIError", "AggregateError", "Function",
        "Object", "String", "Number", "Boolean", "Symbol", "BigInt", "JSON", "Math",
        "Iterable", "Iterator", "IterableIterator", "AsyncIterable", "AsyncIterator",
        "AsyncIterableIterator", "Generator", "AsyncGenerator", "ArrayLike",
        "ArrayBuffer", "SharedArrayBuffer", "DataView", "Int8Array", "Uint8Array",
        "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array",
        "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array",
        "PropertyKey", "TemplateStringsArray", "Tuple",
        # common DOM / Node globals
        "HTMLElement", "Element", "Node", "Event", "Document", "Window", "Response",
        "Request", "Headers", "URL", "URLSearchParams", "Blob", "File", "FormData",
        "AbortSignal", "AbortController", "Buffer", "NodeJS",
    }
)
#: TypeScript names counted as built-in/common by :func:`is_builtin_type`
#: (``Function``, ``Object`` and ``Tuple`` are also the outer types of
#: function, object literal and tuple types).
TYPESCRIPT_BUILTIN_TYPES = TYPESCRIPT_PRIMITIVES | TYPESCRIPT_GLOBAL_TYPES

_LANGUAGES = {
    "python": "python",
    "py": "python",
    "typescript": "typescript",
    "ts": "typescript",
    "tsx": "typescript",
    "javascript": "typescript",
    "js": "typescript",
}


def _lang(language: str) -> str:
    try:
        return _LANGUAGES[language.lower()]
    except (KeyError, AttributeError):
        raise ValueError(f"unknown language {language!r}; use 'python' or 'typescript'") from None


class _Reject(Exception):
    """The annotation is not a type expression."""


class _Member(NamedTuple):
    text: str
    outer: str
    builtin: bool


class _Result(NamedTuple):
    canonical: str
    members: tuple[_Member, ...]


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def canonicalize(annotation: str, language: str) -> str | None:
    """The canonical form of ``annotation``, or ``None`` when it says nothing."""
    result = _analyze(annotation, _lang(language))
    return None if result is None else result.canonical


def split_union(annotation: str, language: str) -> list[str]:
    """Canonical top-level union members (``[]`` when the annotation says nothing)."""
    result = _analyze(annotation, _lang(language))
    return [] if result is None else [m.text for m in result.members]


def outer_type(annotation: str, language: str) -> str:
    """Outer constructor ("match up to parametric type"); see the module docstring."""
    lang = _lang(language)
    result = _analyze(annotation, lang)
    if result is None:
        return annotation.strip() if isinstance(annotation, str) else ""
    outers = sorted({m.outer for m in result.members}, key=_union_key(lang))
    return " | ".join(outers)


def is_builtin_type(annotation: str, language: str) -> bool:
    """True when every member's outer type is built-in or common."""
    result = _analyze(annotation, _lang(language))
    return result is not None and all(m.builtin for m in result.members)


def referenced_names(annotation: str, language: str) -> list[str]:
    """Type names used in the canonical form, textual order, no duplicates."""
    return list(_referenced(annotation, _lang(language)))


# --------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------


def _py_key(text: str) -> tuple[bool, str]:
    return (text == "None", text)


def _ts_key(text: str) -> tuple[int, str]:
    return ({"null": 1, "undefined": 2}.get(text, 0), text)


def _union_key(lang: str):
    return _py_key if lang == "python" else _ts_key


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _analyze(annotation: str, lang: str) -> _Result | None:
    if not isinstance(annotation, str):
        return None
    text = annotation.strip()
    if not text or len(text) > MAX_ANNOTATION_CHARS:
        return None
    try:
        if lang == "python":
            return _py_analyze(text)
        return _ts_analyze(text)
    except (_Reject, RecursionError, MemoryError):
        return None
    except Exception:  # never raise on analyzed data
        return None


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _referenced(annotation: str, lang: str) -> tuple[str, ...]:
    result = _analyze(annotation, lang)
    if result is None:
        return ()
    try:
        if lang == "python":
            names = _py_names(result.canonical)
        else:
            names = _ts_names(result.canonical)
    except Exception:
        return ()
    return tuple(dict.fromkeys(names))


# --------------------------------------------------------------------------
# Python
# --------------------------------------------------------------------------

_MAX_STRING_DEPTH = 4


def _py_parse(text: str) -> ast.expr:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ast.parse(text.strip(), mode="eval").body
        except (SyntaxError, ValueError, TypeError) as exc:
            raise _Reject(str(exc)) from None


def _py_analyze(text: str) -> _Result | None:
    members = _py_members(_py_parse(text), 0)
    ordered = _py_sort(members)
    if ordered == ["Any"]:
        return None
    out = []
    for m in ordered:
        outer = m.split("[", 1)[0]
        out.append(_Member(m, outer, outer in PYTHON_BUILTIN_TYPES))
    return _Result(" | ".join(ordered), tuple(out))


def _py_sort(members: list[str]) -> list[str]:
    return sorted(set(members), key=_py_key)


def _py_render(node: ast.expr, depth: int) -> str:
    return " | ".join(_py_sort(_py_members(node, depth)))


def _py_dotted(node: ast.expr) -> list[str]:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        raise _Reject("not a dotted name")
    parts.append(node.id)
    return parts[::-1]


def _py_name(node: ast.expr) -> str:
    last = _py_dotted(node)[-1]
    return PYTHON_ALIASES.get(last, last)


def _py_members(node: ast.expr, depth: int) -> list[str]:
    """Union members (unsorted, maybe repeated) of a type expression."""
    if isinstance(node, ast.Constant):
        value = node.value
        if value is None:
            return ["None"]
        if isinstance(value, str):
            if depth >= _MAX_STRING_DEPTH:
                raise _Reject("string annotation nested too deep")
            return _py_members(_py_parse(value), depth + 1)
        raise _Reject("constant is not a type")
    if isinstance(node, (ast.Name, ast.Attribute)):
        name = _py_name(node)
        if name in _PY_SAYS_NOTHING:
            return ["Any"]
        return [name]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _py_members(node.left, depth) + _py_members(node.right, depth)
    if isinstance(node, ast.Subscript):
        return _py_subscript(node, depth)
    raise _Reject(f"{type(node).__name__} is not a type")


def _py_subscript(node: ast.Subscript, depth: int) -> list[str]:
    base = _py_name(node.value)
    sl = node.slice
    if isinstance(sl, ast.Tuple):
        params = list(sl.elts)
        if not params:
            if base == "tuple":
                return ["tuple[()]"]
            raise _Reject("empty parameter list")
    else:
        params = [sl]

    if base == "Optional":
        if len(params) != 1:
            raise _Reject("Optional takes one parameter")
        return _py_members(params[0], depth) + ["None"]
    if base == "Union":
        out: list[str] = []
        for p in params:
            out.extend(_py_members(p, depth))
        return out
    if base == "Annotated":
        return _py_members(params[0], depth)
    if base in _PY_QUALIFIERS:
        if len(params) != 1:
            raise _Reject(f"{base} takes one parameter")
        return _py_members(params[0], depth)
    if base == "Literal":
        values = _py_literal_values(params)
        return ["Literal[" + ", ".join(v for _, v in sorted(values)) + "]"]

    rendered: list[str] = []
    nothing = True  # every parameter says nothing
    some_any = False
    for p in params:
        text, anyish, is_any = _py_param(p, depth)
        rendered.append(text)
        nothing = nothing and anyish
        some_any = some_any or is_any
    if nothing and some_any:
        return [base]
    return [base + "[" + ", ".join(rendered) + "]"]


def _py_param(node: ast.expr, depth: int) -> tuple[str, bool, bool]:
    """(text, says_nothing, is_any) of one generic parameter."""
    if isinstance(node, ast.Constant) and node.value is Ellipsis:
        return "...", True, False
    if isinstance(node, ast.List):
        items = [_py_render(e, depth) for e in node.elts]
        all_any = bool(items) and all(i == "Any" for i in items)
        return "[" + ", ".join(items) + "]", all_any, all_any
    if isinstance(node, ast.Starred):
        return "*" + _py_render(node.value, depth), False, False
    text = _py_render(node, depth)
    return text, text == "Any", text == "Any"


def _py_literal_values(params: list[ast.expr]) -> set[tuple[tuple, str]]:
    values: set[tuple[tuple, str]] = set()
    for p in params:
        if isinstance(p, ast.Subscript):
            if _py_name(p.value) != "Literal":
                raise _Reject("type inside Literal")
            inner = p.slice
            values |= _py_literal_values(list(inner.elts) if isinstance(inner, ast.Tuple) else [inner])
            continue
        if isinstance(p, (ast.Name, ast.Attribute)):
            text = ".".join(_py_dotted(p))
            values.add(((1, text), text))
            continue
        sign = 1
        if isinstance(p, ast.UnaryOp) and isinstance(p.op, (ast.USub, ast.UAdd)):
            sign = -1 if isinstance(p.op, ast.USub) else 1
            p = p.operand
            if not (isinstance(p, ast.Constant) and type(p.value) is int):
                raise _Reject("bad Literal value")
        if not isinstance(p, ast.Constant):
            raise _Reject("bad Literal value")
        value = p.value
        if type(value) is int:
            value = sign * value
            values.add(((0, value), repr(value)))
        elif value is None or isinstance(value, (str, bytes, bool)):
            text = repr(value)
            values.add(((1, text), text))
        else:
            raise _Reject("bad Literal value")
    return values


def _py_names(canonical: str) -> list[str]:
    names: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Name):
            names.append(node.id)
        elif isinstance(node, ast.Constant):
            if node.value is None:
                names.append("None")
        elif isinstance(node, ast.Attribute):
            names.append(_py_dotted(node)[0])
        elif isinstance(node, ast.Subscript):
            visit(node.value)
            if isinstance(node.value, ast.Name) and node.value.id == "Literal":
                sl = node.slice
                for v in sl.elts if isinstance(sl, ast.Tuple) else [sl]:
                    if isinstance(v, (ast.Name, ast.Attribute)):
                        visit(v)
            else:
                visit(node.slice)
        elif isinstance(node, ast.BinOp):
            visit(node.left)
            visit(node.right)
        elif isinstance(node, (ast.Tuple, ast.List)):
            for e in node.elts:
                visit(e)
        elif isinstance(node, ast.Starred):
            visit(node.value)

    visit(_py_parse(canonical))
    return names


# --------------------------------------------------------------------------
# TypeScript
# --------------------------------------------------------------------------

_TS_PREFIX = b"let __x: "
_tls = threading.local()

# precedence classes, loosest first
_FUNC, _UNION, _INTER, _READONLY, _PREFIX, _PRIMARY = range(6)


class _R(NamedTuple):
    text: str
    prec: int
    outer: str
    builtin: bool
    parts: tuple = ()  # members of a union / parts of an intersection


def _ts_parser():
    parser = getattr(_tls, "parser", None)
    if parser is None:
        from tree_sitter import Language, Parser
        import tree_sitter_typescript

        parser = Parser(Language(tree_sitter_typescript.language_typescript()))
        _tls.parser = parser
    return parser


def ts_type_node(text: str, *, leading_extras: bool = False):
    """The tree-sitter node of the one TypeScript type `text` is, or None (the one parser of TS type texts).

    `text` is parsed as the type of ``let __x: <text>;``: no syntax error, one declaration, one
    declarator without a value, and the type ends where `text` ends.  It must also start where
    `text` starts, unless ``leading_extras``: then white space and comments may come first (the
    source writer's check of a type text; canonical forms need the exact span).
    """
    body = text.encode("utf-8")
    src = _TS_PREFIX + body + b";"
    tree = _ts_parser().parse(src)
    root = tree.root_node
    if root.has_error or root.named_child_count != 1:
        return None
    decl = root.named_children[0]
    declarators = [c for c in decl.named_children if c.type == "variable_declarator"]
    if decl.type != "lexical_declaration" or len(declarators) != 1:
        return None
    annotation = declarators[0].child_by_field_name("type")
    if annotation is None or annotation.type != "type_annotation":
        return None
    kids = [c for c in annotation.named_children if c.type not in ("comment", "html_comment")]
    if len(kids) != 1:
        return None
    node = kids[0]
    if node.end_byte != len(_TS_PREFIX) + len(body):
        return None
    if node.start_byte != len(_TS_PREFIX) and not leading_extras:
        return None
    return node


def _ts_type_node(text: str):
    node = ts_type_node(text)
    if node is None:
        raise _Reject("not one TypeScript type")
    return node


def _ts_analyze(text: str) -> _Result | None:
    r = _ts(_ts_type_node(text))
    if r.text in ("any", "unknown"):
        return None
    members = r.parts if r.prec == _UNION else (r,)
    return _Result(r.text, tuple(_Member(m.text, m.outer, m.builtin) for m in members))


def _kids(node) -> list:
    return [c for c in node.named_children if c.type != "comment"]


def _txt(node) -> str:
    return node.text.decode("utf-8", "replace")


def _ws(node) -> str:
    return " ".join(_txt(node).split())


def _wrap(r: _R, min_prec: int) -> str:
    return f"({r.text})" if r.prec < min_prec else r.text


def _ts_name(node) -> str:
    if node.type == "nested_type_identifier":
        name = node.child_by_field_name("name")
        if name is None:
            name = _kids(node)[-1]
        return _txt(name)
    return _txt(node)


def _ts_array(elem: _R, readonly: bool = False) -> _R:
    text = _wrap(elem, _PRIMARY) + "[]"
    if readonly:
        return _R("readonly " + text, _READONLY, "ReadonlyArray", True)
    return _R(text, _PRIMARY, "Array", True)


def _ts_flatten(node, prec: int) -> list[_R]:
    out: list[_R] = []
    for c in _kids(node):
        r = _ts(c)
        if r.prec == prec and r.parts:
            out.extend(r.parts)
        else:
            out.append(r)
    return out


def _ts_setop(node, prec: int, sep: str) -> _R:
    items: dict[str, _R] = {}
    for r in _ts_flatten(node, prec):
        items.setdefault(r.text, r)
    members = [items[k] for k in sorted(items, key=_ts_key)]
    if len(members) == 1:
        return members[0]
    # ``readonly`` is wrapped too: tree-sitter reads ``readonly A[] | B`` as
    # ``readonly (A[] | B)``.
    text = sep.join(f"({m.text})" if m.prec <= prec or m.prec == _READONLY else m.text for m in members)
    outers = {f"({m.outer})" if m.prec == _UNION and prec == _INTER else m.outer for m in members}
    outer = sep.join(sorted(outers, key=_ts_key))
    return _R(text, prec, outer, all(m.builtin for m in members), tuple(members))


def _ts_string(node) -> str:
    raw = _txt(node)
    inner = raw[1:-1]
    if raw[:1] == "'" and '"' not in inner and "\\" not in inner:
        return f'"{inner}"'
    return raw


def _ts_annot(node) -> str:
    """Text of a type annotation node (``: T``) without the colon."""
    if node.type == "type_annotation":
        kids = _kids(node)
        if len(kids) == 1:
            return _ts(kids[0]).text
    return _ws(node).lstrip(":").strip()


def _ts_params(node) -> str:
    out = []
    for p in _kids(node):
        if p.type in ("required_parameter", "optional_parameter"):
            pattern = p.child_by_field_name("pattern") or p.child_by_field_name("name")
            if pattern is None:
                out.append(_ws(p))
                continue
            text = _ws(pattern) + ("?" if p.type == "optional_parameter" else "")
            ann = [c for c in _kids(p) if c.type == "type_annotation"]
            if ann:
                text += ": " + _ts_annot(ann[0])
            out.append(text)
        else:
            out.append(_ws(p))
    return ", ".join(out)


def _ts_signature(node) -> str:
    """``<T>(params): R`` part shared by method, call and construct signatures."""
    tp = node.child_by_field_name("type_parameters")
    params = node.child_by_field_name("parameters")
    ret = node.child_by_field_name("return_type") or node.child_by_field_name("type")
    text = (_ws(tp) if tp is not None else "") + "(" + (_ts_params(params) if params is not None else "") + ")"
    if ret is not None:
        text += ": " + _ts_annot(ret)
    return text


def _ts_member(node) -> str:
    t = node.type
    tokens = [c.type for c in node.children]
    if t == "property_signature":
        name = node.child_by_field_name("name")
        ann = [c for c in _kids(node) if c.type == "type_annotation"]
        if name is None or set(tokens) - {"readonly", "?", name.type, "type_annotation"}:
            return _ws(node)
        text = ("readonly " if "readonly" in tokens else "") + _ws(name) + ("?" if "?" in tokens else "")
        if ann:
            text += ": " + _ts_annot(ann[0])
        return text
    if t == "method_signature":
        name = node.child_by_field_name("name")
        if name is None:
            return _ws(node)
        return _ws(name) + ("?" if "?" in tokens else "") + _ts_signature(node)
    if t == "call_signature":
        return _ts_signature(node)
    if t == "construct_signature":
        return "new " + _ts_signature(node)
    if t == "index_signature":
        name = node.child_by_field_name("name")
        index = node.child_by_field_name("index_type")
        ann = [c for c in _kids(node) if c.type == "type_annotation"]
        if name is None or index is None or len(ann) != 1 or set(tokens) - {
            "readonly", "[", "]", ":", name.type, index.type, "type_annotation"
        }:
            return _ws(node)
        prefix = "readonly " if "readonly" in tokens else ""
        return f"{prefix}[{_ws(name)}: {_ts(index).text}]: {_ts_annot(ann[0])}"
    return _ws(node)


def _ts(node) -> _R:
    t = node.type
    kids = _kids(node)
    if t == "parenthesized_type" and len(kids) == 1:
        return _ts(kids[0])
    if t == "predefined_type":
        text = _ws(node)
        return _R(text, _PRIMARY, text, True)
    if t in ("type_identifier", "nested_type_identifier"):
        name = _ts_name(node)
        return _R(name, _PRIMARY, name, name in TYPESCRIPT_BUILTIN_TYPES)
    if t == "this_type":
        return _R("this", _PRIMARY, "this", True)
    if t == "generic_type":
        name_node = node.child_by_field_name("name")
        args_node = node.child_by_field_name("type_arguments")
        if name_node is None or args_node is None:
            return _fallback(node)
        name = _ts_name(name_node)
        args = [_ts(a) for a in _kids(args_node)]
        if name == "Array" and len(args) == 1:
            return _ts_array(args[0])
        if name == "ReadonlyArray" and len(args) == 1:
            return _ts_array(args[0], readonly=True)
        text = name + "<" + ", ".join(a.text for a in args) + ">"
        return _R(text, _PRIMARY, name, name in TYPESCRIPT_BUILTIN_TYPES)
    if t == "array_type" and len(kids) == 1:
        return _ts_array(_ts(kids[0]))
    if t == "readonly_type" and len(kids) == 1:
        inner = _ts(kids[0])
        outer = {"Array": "ReadonlyArray"}.get(inner.outer, inner.outer)
        return _R("readonly " + _wrap(inner, _PRIMARY), _READONLY, outer, inner.builtin)
    if t == "union_type":
        return _ts_setop(node, _UNION, " | ")
    if t == "intersection_type":
        return _ts_setop(node, _INTER, " & ")
    if t == "literal_type" and node.named_child_count <= 1:
        inner = node.children[0] if node.child_count else node
        if inner.type == "string":
            text = _ts_string(inner)
        else:
            text = "".join(_txt(inner).split())
        return _R(text, _PRIMARY, text, True)
    if t == "function_type":
        tp = node.child_by_field_name("type_parameters")
        params = node.child_by_field_name("parameters")
        ret = node.child_by_field_name("return_type")
        if params is None or ret is None:
            return _fallback(node)
        text = (_ws(tp) if tp is not None else "") + f"({_ts_params(params)}) => {_ts(ret).text}"
        return _R(text, _FUNC, "Function", True)
    if t == "constructor_type":
        tp = node.child_by_field_name("type_parameters")
        params = node.child_by_field_name("parameters")
        ret = node.child_by_field_name("type") or (kids[-1] if kids else None)
        if params is None or ret is None or ret == params:
            return _fallback(node)
        abstract = "abstract " if any(c.type == "abstract" for c in node.children) else ""
        text = abstract + "new " + (_ws(tp) if tp is not None else "") + f"({_ts_params(params)}) => {_ts(ret).text}"
        return _R(text, _FUNC, "Function", True)
    if t == "object_type":
        members = [_ts_member(c) for c in kids]
        text = "{ " + "; ".join(members) + " }" if members else "{}"
        return _R(text, _PRIMARY, "Object", True)
    if t == "tuple_type":
        items = []
        for c in kids:
            if c.type in ("required_parameter", "optional_parameter"):
                items.append(_ts_tuple_member(c))
            elif c.type == "optional_type" and len(_kids(c)) == 1:
                items.append(_wrap(_ts(_kids(c)[0]), _PRIMARY) + "?")
            elif c.type == "rest_type" and len(_kids(c)) == 1:
                items.append("..." + _wrap(_ts(_kids(c)[0]), _PRIMARY))
            else:
                items.append(_ts(c).text)
        return _R("[" + ", ".join(items) + "]", _PRIMARY, "Tuple", True)
    if t == "index_type_query" and len(kids) == 1:
        inner = _ts(kids[0])
        text = "keyof " + _wrap(inner, _PREFIX)
        return _R(text, _PREFIX, text, inner.builtin)
    if t == "lookup_type" and len(kids) == 2:
        obj, idx = _ts(kids[0]), _ts(kids[1])
        text = f"{_wrap(obj, _PRIMARY)}[{idx.text}]"
        return _R(text, _PRIMARY, text, obj.builtin)
    if t == "conditional_type" and len(kids) == 4:
        left, right, yes, no = (_ts(k) for k in kids)
        text = f"{_wrap(left, _UNION)} extends {_wrap(right, _UNION)} ? {yes.text} : {no.text}"
        return _R(text, _FUNC, text, False)
    if t == "template_literal_type":
        text = _txt(node)
        return _R(text, _PRIMARY, text, True)
    if t == "type_query":
        text = _ws(node)
        return _R(text, _PREFIX, text, False)
    return _fallback(node)


def _ts_tuple_member(p) -> str:
    """A named tuple member ``a: T`` / ``a?: T``."""
    name = p.child_by_field_name("name") or p.child_by_field_name("pattern")
    ann = [c for c in _kids(p) if c.type == "type_annotation"]
    if name is None or len(ann) != 1:
        return _ws(p)
    return _ws(name) + ("?" if p.type == "optional_parameter" else "") + ": " + _ts_annot(ann[0])


def _fallback(node) -> _R:
    text = _ws(node)
    return _R(text, _FUNC, text, False)


_TS_DECLARING = ("type_parameter", "mapped_type_clause", "infer_type")


def _ts_names(canonical: str) -> list[str]:
    names: list[str] = []
    declared: set[str] = set()

    def visit(node) -> None:
        t = node.type
        if t in _TS_DECLARING:
            kids = _kids(node)
            first = node.child_by_field_name("name") or (kids[0] if kids else None)
            if first is not None:
                declared.add(_txt(first))
        if t in ("type_identifier", "predefined_type"):
            names.append(_ws(node))
            return
        if t == "nested_type_identifier":
            names.append(_ts_name(node))
            return
        if t == "literal_type" and node.child_count == 1 and node.children[0].type in ("null", "undefined"):
            names.append(node.children[0].type)
            return
        if t == "type_query":
            m = re.match(r"typeof\s+([A-Za-z_$][\w$]*)", _txt(node))
            if m:
                names.append(m.group(1))
            return
        if t == "generic_type":
            name = node.child_by_field_name("name")
            if name is not None:
                names.append(_ts_name(name))
            args = node.child_by_field_name("type_arguments")
            if args is not None:
                visit(args)
            return
        for c in node.named_children:
            visit(c)

    visit(_ts_type_node(canonical))
    return [n for n in names if n not in declared]
