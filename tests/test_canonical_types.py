"""Tests of the canonical form of type names (analyzer/canonical_types.py)."""

from __future__ import annotations

import ast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from typeinfer.analyzer import canonical_types as ct

canonicalize = ct.canonicalize

# --------------------------------------------------------------------------
# Python: canonical forms
# --------------------------------------------------------------------------

PY_CASES = [
    # typing aliases and qualifiers
    ("typing.List[int]", "list[int]"),
    ("List[int]", "list[int]"),
    ("list[int]", "list[int]"),
    ("typing_extensions.List[int]", "list[int]"),
    ("Dict[str, int]", "dict[str, int]"),
    ("typing.Dict[str,int]", "dict[str, int]"),
    ("Set[str]", "set[str]"),
    ("FrozenSet[str]", "frozenset[str]"),
    ("Tuple[int, str]", "tuple[int, str]"),
    ("Type[User]", "type[User]"),
    ("DefaultDict[str, List[int]]", "defaultdict[str, list[int]]"),
    ("collections.defaultdict[str, int]", "defaultdict[str, int]"),
    ("Deque[int]", "deque[int]"),
    ("collections.deque", "deque"),
    ("Text", "str"),
    ("typing.Text", "str"),
    ("List[Text]", "list[str]"),
    ("builtins.int", "int"),
    ("builtins.str", "str"),
    ("collections.abc.Iterable[int]", "Iterable[int]"),
    ("collections.abc.Mapping[str, int]", "Mapping[str, int]"),
    ("typing.Iterator[str]", "Iterator[str]"),
    ("collections.OrderedDict[str, int]", "OrderedDict[str, int]"),
    ("AnyStr", "AnyStr"),
    ("NoneType", "None"),
    ("types.NoneType", "None"),
    ("None", "None"),
    ("object", "object"),
    ("int", "int"),
    ("  int  ", "int"),
    # Optional / Union
    ("Optional[int]", "int | None"),
    ("typing.Optional[str]", "str | None"),
    ("Optional[List[int]]", "list[int] | None"),
    ("Union[int, str]", "int | str"),
    ("Union[str, int]", "int | str"),
    ("Union[str, int, None]", "int | str | None"),
    ("Union[None, str]", "str | None"),
    ("None | str", "str | None"),
    ("str | int", "int | str"),
    ("int | str | None | int", "int | str | None"),
    ("Union[int, Optional[Union[str, int]]]", "int | str | None"),
    ("Optional[Optional[int]]", "int | None"),
    ("Optional[int | None]", "int | None"),
    ("Union[int]", "int"),
    ("Union[int, int]", "int"),
    ("Optional[None]", "None"),
    ("List[Optional[int]]", "list[int | None]"),
    ("Dict[str, Union[int, str]]", "dict[str, int | str]"),
    ("Union[List[int], Dict[str, int]]", "dict[str, int] | list[int]"),
    ("Optional[Any]", "Any | None"),
    # string annotations
    ("'User'", "User"),
    ('"User"', "User"),
    ("list['User']", "list[User]"),
    ('List["User"]', "list[User]"),
    ("'List[int]'", "list[int]"),
    ("\"Optional['User']\"", "User | None"),
    ("Dict[str, 'models.User']", "dict[str, User]"),
    ("'int' | None", "int | None"),
    # qualified user / library names
    ("np.ndarray", "ndarray"),
    ("numpy.ndarray", "ndarray"),
    ("re.Pattern[str]", "Pattern[str]"),
    ("typing.Pattern[str]", "Pattern[str]"),
    ("foo.models.User", "User"),
    ("Optional[foo.models.User]", "User | None"),
    ("pd.DataFrame", "DataFrame"),
    ("datetime.datetime", "datetime"),
    ("pathlib.Path", "Path"),
    # parameters that say nothing
    ("List[Any]", "list"),
    ("typing.List[typing.Any]", "list"),
    ("Dict[Any, Any]", "dict"),
    ("Dict[str, Any]", "dict[str, Any]"),
    ("Dict[Any, int]", "dict[Any, int]"),
    ("Type[Any]", "type"),
    ("Tuple[Any, ...]", "tuple"),
    ("Set[Any]", "set"),
    ("List", "list"),
    ("Dict", "dict"),
    ("List[Union[Any]]", "list"),
    ("Callable[..., Any]", "Callable"),
    ("Callable[[Any], Any]", "Callable"),
    ("Callable[[], Any]", "Callable[[], Any]"),
    ("Callable", "Callable"),
    # Callable
    ("Callable[[int], str]", "Callable[[int], str]"),
    ("Callable[[int,str],str]", "Callable[[int, str], str]"),
    ("typing.Callable[[int, str], None]", "Callable[[int, str], None]"),
    ("Callable[[], None]", "Callable[[], None]"),
    ("Callable[..., int]", "Callable[..., int]"),
    ("Callable[[Optional[int]], List[str]]", "Callable[[int | None], list[str]]"),
    ("Callable[Concatenate[int, P], R]", "Callable[Concatenate[int, P], R]"),
    ("collections.abc.Callable[[int], int]", "Callable[[int], int]"),
    # tuples
    ("Tuple[int, ...]", "tuple[int, ...]"),
    ("tuple[int, ...]", "tuple[int, ...]"),
    ("Tuple[()]", "tuple[()]"),
    ("tuple[*Ts]", "tuple[*Ts]"),
    # Literal
    ("Literal['a']", "Literal['a']"),
    ('Literal["a"]', "Literal['a']"),
    ("typing.Literal['r', 'w']", "Literal['r', 'w']"),
    ("Literal['w', 'r']", "Literal['r', 'w']"),
    ("Literal[2, 1, 10]", "Literal[1, 2, 10]"),
    ("Literal[-1, 1]", "Literal[-1, 1]"),
    ("Literal[True]", "Literal[True]"),
    ("Literal[None]", "Literal[None]"),
    ("Literal[b'x']", "Literal[b'x']"),
    ("Literal['a', 'a']", "Literal['a']"),
    ("Literal[Literal['b'], 'a']", "Literal['a', 'b']"),
    ("Literal[Color.RED]", "Literal[Color.RED]"),
    ("Optional[Literal['a']]", "Literal['a'] | None"),
    ("Literal[\"it's\"]", "Literal[\"it's\"]"),
    ("Literal['a'] | Literal['b']", "Literal['a'] | Literal['b']"),
    # Annotated and qualifiers
    ("Annotated[int, Gt(0)]", "int"),
    ("typing.Annotated[List[int], 'meta']", "list[int]"),
    ("Final[int]", "int"),
    ("ClassVar[List[str]]", "list[str]"),
    ("ClassVar[Optional[int]]", "int | None"),
    ("NotRequired[str]", "str"),
    ("Required[int]", "int"),
    ("InitVar[int]", "int"),
    # spacing and layout
    ("dict[ str ,int ]", "dict[str, int]"),
    ("(int)", "int"),
    ("(\n  int\n  | str\n)", "int | str"),
    ("Generator[int, None, None]", "Generator[int, None, None]"),
    ("Foo[[int, str], bool]", "Foo[[int, str], bool]"),
    ("Mapping[str, Sequence[Tuple[int, float]]]", "Mapping[str, Sequence[tuple[int, float]]]"),
]


@pytest.mark.parametrize(("annotation", "expected"), PY_CASES)
def test_python_canonical(annotation, expected):
    assert canonicalize(annotation, "python") == expected
    assert canonicalize(expected, "python") == expected  # idempotent


PY_SAYS_NOTHING = [
    "Any",
    "typing.Any",
    "typing_extensions.Any",
    "'Any'",
    "Union[Any]",
    "Union[Any, Any]",
    "Final",
    "ClassVar",
    "Optional",
    "Union",
    "",
    "   ",
    "\n",
]

PY_GARBAGE = [
    "garbage (",
    "1 + 2",
    "lambda: 1",
    "x: int",
    "int,",
    "int, str",
    "f(x)",
    "...",
    "3",
    "'not a type ('",
    "list['(']",
    "Literal[1.5]",
    "Literal[1j]",
    "Literal[int | str]",
    "Optional[int, str]",
    "list[int][str]",
    "a.b()",
    "[int]",
    "{'a': int}",
    "int if x else str",
    "\x00",
    "x" * (ct.MAX_ANNOTATION_CHARS + 1),
    "[" * 500,
    "'" * 10,
    "'\"\"\"\"List\"\"\"\"'",
    "yield",
    "await x",
    "x := 1",
]


@pytest.mark.parametrize("annotation", PY_SAYS_NOTHING + PY_GARBAGE)
def test_python_none(annotation):
    assert canonicalize(annotation, "python") is None
    assert ct.split_union(annotation, "python") == []
    assert ct.referenced_names(annotation, "python") == []
    assert ct.is_builtin_type(annotation, "python") is False


def test_python_never_evaluates():
    # `__import__('os')...` is parsed, never run; it is not a type expression
    assert canonicalize("__import__('os').system('false')", "python") is None


def test_python_string_nesting_limit():
    nested = "int"
    for _ in range(10):
        nested = repr(nested)
    assert canonicalize(nested, "python") is None
    assert canonicalize(repr(repr("int")), "python") == "int"


# --------------------------------------------------------------------------
# TypeScript: canonical forms
# --------------------------------------------------------------------------

TS_CASES = [
    # arrays
    ("Array<string>", "string[]"),
    ("string[]", "string[]"),
    ("Array<Array<number>>", "number[][]"),
    ("Array<string | number>", "(number | string)[]"),
    ("(string | number)[]", "(number | string)[]"),
    ("Array<() => void>", "(() => void)[]"),
    ("Array<A & B>", "(A & B)[]"),
    ("Array<any>", "any[]"),
    ("ReadonlyArray<T>", "readonly T[]"),
    ("ReadonlyArray<string | null>", "readonly (string | null)[]"),
    ("readonly string[]", "readonly string[]"),
    ("readonly (A|B)[]", "readonly (A | B)[]"),
    ("Array<ns.Foo>", "Foo[]"),
    ("Array<keyof T>", "(keyof T)[]"),
    # unions and intersections
    ("string | number", "number | string"),
    ("undefined | string | null", "string | null | undefined"),
    ("null | undefined", "null | undefined"),
    ("string | string", "string"),
    ("A | (B | C)", "A | B | C"),
    ("(A | B) | (C | A)", "A | B | C"),
    ("| A | B", "A | B"),
    ("B & A", "A & B"),
    ("A & (B & A)", "A & B"),
    ("(A | B) & C", "(A | B) & C"),
    ("C & B | A", "A | B & C"),
    ("((x: number) => void) | null", "((x: number) => void) | null"),
    ("null | (() => void)", "(() => void) | null"),
    ("'b' | 'a'", '"a" | "b"'),
    ("'a' | \"b\"", '"a" | "b"'),
    ("1 | 2 | -1", "-1 | 1 | 2"),
    ("true | false", "false | true"),
    # qualified names and generics
    ("ns.models.User", "User"),
    ("React.FC<P>", "FC<P>"),
    ("Map< string ,number >", "Map<string, number>"),
    ("Promise<number>", "Promise<number>"),
    ("Promise<any>", "Promise<any>"),
    ("Promise< Array<string> >", "Promise<string[]>"),
    ("Record<string, unknown>", "Record<string, unknown>"),
    ("Map<string, Array<User | null>>", "Map<string, (User | null)[]>"),
    ("Foo<string, >", "Foo<string>"),
    # parentheses
    ("(string)", "string"),
    ("((string))", "string"),
    ("(string | null)", "string | null"),
    ("(() => void)", "() => void"),
    # object literal types
    ("{a:string,b?:number}", "{ a: string; b?: number }"),
    ("{ a: string; b: number }", "{ a: string; b: number }"),
    ("{ a: string, }", "{ a: string }"),
    ("{}", "{}"),
    ("{ }", "{}"),
    ("{ readonly a?: Array<string> }", "{ readonly a?: string[] }"),
    ("{ m(x:number):void }", "{ m(x: number): void }"),
    ("{ [k:string]:number }", "{ [k: string]: number }"),
    ("{ ():void; new ():X }", "{ (): void; new (): X }"),
    ("{ a: { b: string } }", "{ a: { b: string } }"),
    ('{ "a-b": string }', '{ "a-b": string }'),
    ("{ [K in keyof T]: T[K] }", "{ [K in keyof T]: T[K] }"),
    # function and constructor types
    ("(x:number)=>string", "(x: number) => string"),
    ("( x : number , y ?: string ) => void", "(x: number, y?: string) => void"),
    ("(...args: any[]) => void", "(...args: any[]) => void"),
    ("() => Promise<void>", "() => Promise<void>"),
    ("(x) => void", "(x) => void"),
    ("() => string | null", "() => string | null"),
    ("() => () => void", "() => () => void"),
    ("(cb: (err: Error) => void) => void", "(cb: (err: Error) => void) => void"),
    ("<T>(x: T) => T", "<T>(x: T) => T"),
    ("new (x: number) => Foo", "new (x: number) => Foo"),
    ("abstract new () => X", "abstract new () => X"),
    # tuples, literals, operators
    ("[string,number]", "[string, number]"),
    ("[a: string, number?, ...string[]]", "[a: string, number?, ...string[]]"),
    ("[]", "[]"),
    ("'a'", '"a"'),
    ('"a"', '"a"'),
    ("-1", "-1"),
    ("null", "null"),
    ("undefined", "undefined"),
    ("keyof T", "keyof T"),
    ("keyof (A | B)", "keyof (A | B)"),
    ("T['a']", 'T["a"]'),
    ("A extends B ? C : D", "A extends B ? C : D"),
    ("typeof  x", "typeof x"),
    ("keyof typeof x", "keyof typeof x"),
    ("keyof keyof T", "keyof keyof T"),
    ("keyof ReadonlyArray<string>", "keyof (readonly string[])"),
    ("typeof x[]", "(typeof x)[]"),
    ("Array<ReadonlyArray<T>>", "(readonly T[])[]"),
    ("string | readonly string[]", "(readonly string[]) | string"),
    ("A & ReadonlyArray<B>", "A & (readonly B[])"),
    ("(" * 300 + "string" + ")" * 300, "string"),
    ("`a${string}`", "`a${string}`"),
    ("this", "this"),
    # primitives and global types are kept
    ("string", "string"),
    ("number", "number"),
    ("boolean", "boolean"),
    ("void", "void"),
    ("never", "never"),
    ("object", "object"),
    ("Object", "Object"),
    ("any[]", "any[]"),
    ("unique  symbol", "unique symbol"),
    ("Date", "Date"),
]


@pytest.mark.parametrize(("annotation", "expected"), TS_CASES)
def test_typescript_canonical(annotation, expected):
    assert canonicalize(annotation, "typescript") == expected
    assert canonicalize(expected, "typescript") == expected  # idempotent


TS_SAYS_NOTHING = ["any", "unknown", "(any)", "  any ", "", "  "]

TS_GARBAGE = [
    "foo bar",
    "string; let y: number",
    "string = 1",
    "string, y",
    "Foo<>",
    "Array<",
    "{ a: }",
    "(x: number =>",
    "asserts x is T",
    "x" * (ct.MAX_ANNOTATION_CHARS + 1),
    "(" * 300 + "string" + ")" * 299,
    "string // comment",
    "\x00",
    "}",
    ";",
]


@pytest.mark.parametrize("annotation", TS_SAYS_NOTHING + TS_GARBAGE)
def test_typescript_none(annotation):
    assert canonicalize(annotation, "typescript") is None
    assert ct.split_union(annotation, "typescript") == []
    assert ct.referenced_names(annotation, "typescript") == []
    assert ct.is_builtin_type(annotation, "typescript") is False


@pytest.mark.parametrize("language", ["py", "ts", "tsx", "javascript", "js", "Python", "TypeScript"])
def test_language_aliases(language):
    assert canonicalize("int", language) == "int"


def test_unknown_language_raises():
    with pytest.raises(ValueError):
        canonicalize("int", "rust")


def test_non_string_annotation_is_none():
    assert canonicalize(None, "python") is None  # type: ignore[arg-type]
    assert canonicalize(3, "typescript") is None  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

OUTER_CASES = [
    ("list[int]", "python", "list"),
    ("List[str]", "python", "list"),
    ("dict[str, int]", "python", "dict"),
    ("int", "python", "int"),
    ("None", "python", "None"),
    ("list[int] | None", "python", "list | None"),
    ("Optional[Dict[str, int]]", "python", "dict | None"),
    ("list[int] | list[str]", "python", "list"),
    ("Callable[[int], str]", "python", "Callable"),
    ("Literal['a']", "python", "Literal"),
    ("tuple[int, ...]", "python", "tuple"),
    ("np.ndarray", "python", "ndarray"),
    ("Any", "python", "Any"),
    ("string[]", "typescript", "Array"),
    ("Array<number>", "typescript", "Array"),
    ("readonly string[]", "typescript", "ReadonlyArray"),
    ("Promise<number>", "typescript", "Promise"),
    ("Map<string, number>", "typescript", "Map"),
    ("ns.Foo<T>", "typescript", "Foo"),
    ("string | null", "typescript", "string | null"),
    ("Promise<number> | undefined | null", "typescript", "Promise | null | undefined"),
    ("string[] | number[]", "typescript", "Array"),
    ("(x: number) => string", "typescript", "Function"),
    ("new () => X", "typescript", "Function"),
    ("{ a: string }", "typescript", "Object"),
    ("[string, number]", "typescript", "Tuple"),
    ("B<string> & A", "typescript", "A & B"),
    ('"a"', "typescript", '"a"'),
    ("string", "typescript", "string"),
    ("any", "typescript", "any"),
]


@pytest.mark.parametrize(("annotation", "language", "expected"), OUTER_CASES)
def test_outer_type(annotation, language, expected):
    assert ct.outer_type(annotation, language) == expected


def test_outer_type_matches_up_to_parameters():
    assert ct.outer_type("List[int]", "python") == ct.outer_type("list[str]", "python")
    assert ct.outer_type("Array<string>", "ts") == ct.outer_type("number[]", "ts")
    assert ct.outer_type("list[int]", "python") != ct.outer_type("set[int]", "python")


SPLIT_CASES = [
    ("int", "python", ["int"]),
    ("Optional[int]", "python", ["int", "None"]),
    ("Union[str, List[int], None]", "python", ["list[int]", "str", "None"]),
    ("dict[str, int | None]", "python", ["dict[str, int | None]"]),
    ("Literal['a | b'] | int", "python", ["Literal['a | b']", "int"]),
    ("Callable[[int | str], None] | None", "python", ["Callable[[int | str], None]", "None"]),
    ("string | null", "typescript", ["string", "null"]),
    ("((x: A | B) => void) | undefined", "typescript", ["(x: A | B) => void", "undefined"]),
    ("A & B | C", "typescript", ["A & B", "C"]),
    ("Array<A | B>", "typescript", ["(A | B)[]"]),
    ('"a | b" | "c"', "typescript", ['"a | b"', '"c"']),
]


@pytest.mark.parametrize(("annotation", "language", "expected"), SPLIT_CASES)
def test_split_union(annotation, language, expected):
    members = ct.split_union(annotation, language)
    assert members == expected
    for m in members:
        assert canonicalize(m, language) == m


NAMES_CASES = [
    ("dict[str, User] | None", "python", ["dict", "str", "User", "None"]),
    ("Optional[Dict[str, models.User]]", "python", ["dict", "str", "User", "None"]),
    ("Callable[[int], Foo]", "python", ["Callable", "int", "Foo"]),
    ("Literal['a', 'b']", "python", ["Literal"]),
    ("Literal[Color.RED]", "python", ["Literal", "Color"]),
    ("list[list[int]]", "python", ["list", "int"]),
    ("tuple[int, ...]", "python", ["tuple", "int"]),
    ("Map<string, User> | null", "typescript", ["Map", "string", "User", "null"]),
    ("Array<ns.User>", "typescript", ["User"]),
    ("(x: Foo) => Bar", "typescript", ["Foo", "Bar"]),
    ("{ a: Foo; b: string }", "typescript", ["Foo", "string"]),
    ("<T>(x: T) => Promise<T>", "typescript", ["Promise"]),
    ("typeof config", "typescript", ["config"]),
    ('"a" | "b"', "typescript", []),
]


@pytest.mark.parametrize(("annotation", "language", "expected"), NAMES_CASES)
def test_referenced_names(annotation, language, expected):
    assert ct.referenced_names(annotation, language) == expected


BUILTIN_CASES = [
    ("int", "python", True),
    ("List[User]", "python", True),
    ("Optional[int]", "python", True),
    ("dict[str, Any]", "python", True),
    ("Callable[[int], str]", "python", True),
    ("Path", "python", True),
    ("pathlib.Path", "python", True),
    ("datetime.datetime", "python", True),
    ("collections.OrderedDict[str, int]", "python", True),
    ("Literal['a']", "python", True),
    ("None", "python", True),
    ("User", "python", False),
    ("Optional[User]", "python", False),
    ("np.ndarray", "python", False),
    ("int | User", "python", False),
    ("Any", "python", False),
    ("string", "typescript", True),
    ("number[]", "typescript", True),
    ("Promise<User>", "typescript", True),
    ("Record<string, number>", "typescript", True),
    ("Date", "typescript", True),
    ("RegExp", "typescript", True),
    ("Error", "typescript", True),
    ("(x: number) => void", "typescript", True),
    ("{ a: string }", "typescript", True),
    ('"a" | "b"', "typescript", True),
    ("[string, number]", "typescript", True),
    ("string | null | undefined", "typescript", True),
    ("User", "typescript", False),
    ("ns.User", "typescript", False),
    ("User | null", "typescript", False),
    ("A & B", "typescript", False),
    ("Observable<number>", "typescript", False),
    ("unknown", "typescript", False),
]


@pytest.mark.parametrize(("annotation", "language", "expected"), BUILTIN_CASES)
def test_is_builtin_type(annotation, language, expected):
    assert ct.is_builtin_type(annotation, language) is expected


def test_builtin_name_sets_are_module_constants():
    assert "list" in ct.PYTHON_BUILTIN_TYPES
    assert "Path" in ct.PYTHON_STDLIB_COMMON
    assert "Iterable" in ct.PYTHON_TYPING_NAMES
    assert "Promise" in ct.TYPESCRIPT_BUILTIN_TYPES
    assert "string" in ct.TYPESCRIPT_PRIMITIVES
    assert isinstance(ct.PYTHON_BUILTIN_TYPES, frozenset)


def test_module_docstring_documents_the_form():
    doc = ct.__doc__
    for fragment in ("list[int]", "X | None", "string[]", "outer_type", "AnyStr"):
        assert fragment in doc


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------

_PY_LEAVES = st.sampled_from(
    [
        "int", "str", "None", "Any", "typing.Any", "Text", "float", "bool", "bytes",
        "object", "User", "foo.bar.Baz", "np.ndarray", "'Fwd'", "NoneType", "AnyStr",
        "Literal['a', 'b']", "Literal[1, -2]", "Literal[True]", "typing.Callable",
    ]
)


def _py_extend(children):
    names1 = st.sampled_from(
        ["List", "list", "typing.List", "Set", "FrozenSet", "Type", "Deque", "Iterable",
         "Sequence", "Optional", "Final", "collections.abc.Iterator", "Awaitable"]
    )
    names2 = st.sampled_from(["Dict", "dict", "typing.Dict", "Mapping", "DefaultDict", "Foo"])
    return st.one_of(
        st.builds(lambda n, a: f"{n}[{a}]", names1, children),
        st.builds(lambda n, a, b: f"{n}[{a}, {b}]", names2, children, children),
        st.builds(lambda xs: f"Union[{', '.join(xs)}]", st.lists(children, min_size=1, max_size=4)),
        st.builds(lambda a, b: f"{a} | {b}", children, children),
        st.builds(lambda a: f"({a})", children),
        st.builds(lambda a: f"'{a}'", children.filter(lambda s: "'" not in s)),
        st.builds(lambda xs, r: f"Callable[[{', '.join(xs)}], {r}]", st.lists(children, max_size=3), children),
        st.builds(lambda r: f"Callable[..., {r}]", children),
        st.builds(lambda a: f"Tuple[{a}, ...]", children),
        st.builds(lambda xs: f"tuple[{', '.join(xs)}]", st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda a: f"Annotated[{a}, 'meta']", children),
    )


PY_TYPES = st.recursive(_PY_LEAVES, _py_extend, max_leaves=8)

_TS_LEAVES = st.sampled_from(
    [
        "string", "number", "boolean", "null", "undefined", "any", "unknown", "void",
        "never", "Foo", "ns.Bar", "'a'", '"b"', "1", "-2", "true", "object", "{}", "T",
    ]
)


def _ts_extend(children):
    return st.one_of(
        st.builds(lambda n, a: f"{n}<{a}>", st.sampled_from(["Array", "ReadonlyArray", "Promise", "Set", "ns.Box"]), children),
        st.builds(lambda a, b: f"Map<{a}, {b}>", children, children),
        st.builds(lambda a: f"({a})[]", children),
        st.builds(lambda a: f"readonly ({a})[]", children),
        st.builds(lambda a, b: f"({a}) | ({b})", children, children),
        st.builds(lambda a, b: f"({a}) & ({b})", children, children),
        st.builds(lambda a, b: f"{{ a: {a}; b?: {b} }}", children, children),
        st.builds(lambda a, b: f"(x: {a}, y?: {b}) => {b}", children, children),
        st.builds(lambda a, b: f"[{a}, ({b})?]", children, children),
        st.builds(lambda a: f"keyof ({a})", children),
    )


TS_TYPES = st.recursive(_TS_LEAVES, _ts_extend, max_leaves=8)

_PROP = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_PROP
@given(PY_TYPES)
def test_python_idempotent(annotation):
    once = canonicalize(annotation, "python")
    if once is not None:
        assert canonicalize(once, "python") == once
        ast.parse(once, mode="eval")  # valid Python annotation text
        assert "typing." not in once and "Optional" not in once and "Union" not in once
        assert ct.split_union(once, "python") == ct.split_union(annotation, "python")


@_PROP
@given(TS_TYPES)
def test_typescript_idempotent(annotation):
    once = canonicalize(annotation, "typescript")
    if once is not None:
        assert canonicalize(once, "typescript") == once
        assert "Array<" not in once
        assert ct.split_union(once, "typescript") == ct.split_union(annotation, "typescript")


_SOUP = st.lists(
    st.sampled_from(
        list("[](){}<>|&,.:;?'\"`=-+*!@#$%^ \n\t\\\x00é")
        + ["int", "List", "Any", "str", "None", "=>", "string", "any", "Literal", "..."]
    ),
    max_size=30,
).map("".join)


@_PROP
@given(st.one_of(st.text(max_size=60), _SOUP), st.sampled_from(["python", "typescript"]))
def test_never_raises(text, language):
    result = canonicalize(text, language)
    assert result is None or isinstance(result, str)
    ct.outer_type(text, language)
    ct.split_union(text, language)
    ct.referenced_names(text, language)
    assert isinstance(ct.is_builtin_type(text, language), bool)
    if result is not None:
        assert canonicalize(result, language) == result
