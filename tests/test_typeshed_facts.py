"""Tests for analyzer/typeshed_facts.py: stdlib/builtin type facts from typeshed (issue 3)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from typeinfer.analyzer.typeshed_facts import TypeFact, Typeshed, default_typeshed


@pytest.fixture(scope="module")
def ts() -> Typeshed:
    return default_typeshed()


def test_default_instance_is_cached_and_construction_is_cheap():
    assert default_typeshed() is default_typeshed()
    Typeshed()  # no stub is parsed until asked


# --------------------------------------------------------------------------- resolve

RESOLVE = [
    ("os.path.join", "posixpath.join"),  # re-export through os.path -> posixpath (import *)
    ("pathlib.Path", "pathlib.Path"),
    ("collections.OrderedDict", "collections.OrderedDict"),
    ("typing.List", "builtins.list"),  # typing alias
    ("typing.DefaultDict", "collections.defaultdict"),
    ("typing.Text", "builtins.str"),  # plain alias assignment
    ("len", "builtins.len"),
    ("builtins.open", "builtins.open"),
    ("io.TextIOWrapper", "io.TextIOWrapper"),  # defined in _io, shown under its public module
    ("re.Pattern", "re.Pattern"),
    ("json.loads", "json.loads"),
    ("os.path", "os.path"),
    ("str.join", "builtins.str.join"),  # member of a builtin class
    ("pathlib.Path.read_text", "pathlib.Path.read_text"),
    ("", None),
    ("...", None),
    ("nonexistent_module.thing", None),
    ("os.no_such_function", None),
    ("os.len", None),  # builtins are not a fallback inside a module
    ("no_such_builtin", None),
]


@pytest.mark.parametrize("dotted, expected", RESOLVE)
def test_resolve(ts, dotted, expected):
    assert ts.resolve(dotted) == expected


@pytest.mark.parametrize(
    "name, expected",
    [
        ("pathlib.Path", True),
        ("str", True),
        ("builtins.dict", True),
        ("typing.List", True),
        ("collections.Counter", True),
        ("list[int]", True),
        ("len", False),
        ("os.path", False),
        ("", False),
        ("nonexistent.Cls", False),
    ],
)
def test_is_class(ts, name, expected):
    assert ts.is_class(name) is expected


# --------------------------------------------------------------------------- function_return

# (name, arg_count, keywords, first_arg_literal, expected canonical type or None, expected full_type)
FUNCTIONS = [
    # the four cases in the issue text (Path(...).read_text() is in METHODS)
    ("open", 1, (), None, "TextIOWrapper", "io.TextIOWrapper"),
    ("re.compile", 1, (), "a+", "Pattern[str]", "re.Pattern[str]"),
    ("json.loads", 1, (), None, None, None),  # -> Any: unknown, never a guess
    # overloads picked by a literal mode argument
    ("open", 2, (), "r", "TextIOWrapper", "io.TextIOWrapper"),
    ("open", 2, (), "rb", "BufferedReader", "io.BufferedReader"),
    ("open", 2, (), "wb", "BufferedWriter", "io.BufferedWriter"),
    ("open", 1, ("mode",), "ab+", "BufferedRandom", "io.BufferedRandom"),
    ("open", 2, ("encoding",), "w", "TextIOWrapper", "io.TextIOWrapper"),
    ("builtins.open", 1, (), None, "TextIOWrapper", "io.TextIOWrapper"),
    ("open", 3, (), "rb", None, None),  # buffering decides (FileIO vs BufferedReader): unknown
    ("open", 2, (), None, None, None),  # mode not a literal: unknown
    ("open", None, (), None, None, None),  # argument count unknown: overloads disagree
    ("open", 0, (), None, None, None),  # required `file` missing: no overload applies
    ("open", 1, ("no_such_kw",), None, None, None),
    # TypeVars
    ("re.compile", 1, (), None, None, None),  # AnyStr unbound
    ("re.match", 2, (), "a", "Match[str] | None", "re.Match[str] | None"),
    ("sorted", 1, (), None, None, None),  # list[T]: T unbound
    # single signatures
    ("len", 1, (), None, "int", "int"),
    ("json.dumps", 1, (), None, "str", "str"),
    ("os.getcwd", 0, (), None, "str", "str"),
    ("input", 0, (), None, "str", "str"),
    ("print", 1, (), None, "None", "None"),
    # overloads that all agree / LiteralString -> str
    ("os.path.join", 2, (), "a", "str", "str"),
    ("os.path.join", 2, (), None, None, None),  # str or bytes: unknown
    ("os.listdir", 0, (), None, "list[str]", "list[str]"),
    # keyword-selected overloads (keywords are complete when arg_count is given)
    ("subprocess.run", 1, (), None, "CompletedProcess[bytes]", "subprocess.CompletedProcess[bytes]"),
    ("subprocess.run", 1, ("text",), None, None, None),  # text=<unknown bool>: str or bytes
    # Literal[...] results are widened to their value type
    ("json.detect_encoding", 1, (), None, "str", "str"),
    # Class.method(...) called through the class
    ("str.join", 2, (), None, "str", "str"),  # the first argument is the receiver
    ("datetime.datetime.now", 0, (), None, "datetime", "datetime.datetime"),  # classmethod -> Self
    # calling a class
    ("dict", 0, (), None, "dict", "dict"),
    ("pathlib.Path", 1, (), None, "Path", "pathlib.Path"),
    # unknown names
    ("no_such_builtin", 1, (), None, None, None),
    ("nonexistent_module.f", 1, (), None, None, None),
    ("", None, (), None, None, None),
    ("...", None, (), None, None, None),
]


@pytest.mark.parametrize("name, n, kws, lit, expected, full", FUNCTIONS)
def test_function_return(ts, name, n, kws, lit, expected, full):
    fact = ts.function_return(name, n, kws, lit)
    if expected is None:
        assert fact is None
    else:
        assert fact is not None and (fact.type, fact.full_type) == (expected, full)
        assert fact.origin.startswith("typeshed:")


def test_function_return_origin(ts):
    assert ts.function_return("re.compile", 1, (), "x") == TypeFact(
        "Pattern[str]", "re.Pattern[str]", "typeshed:re.compile"
    )
    assert ts.function_return("os.path.join", 2, (), "a").origin == "typeshed:posixpath.join"


def test_literal_index_and_partial(ts):
    assert ts.function_return("open", 2, (), "rb", literal_index=1).type == "BufferedReader"
    # the literal is the file name, not the mode
    assert ts.function_return("open", 1, (), "data.txt", literal_index=0).type == "TextIOWrapper"
    # partial=True erases unknown type arguments instead of giving up
    assert ts.function_return("sorted", 1, partial=True).type == "list"
    assert ts.function_return("json.loads", 1, partial=True) is None  # bare Any stays unknown


# --------------------------------------------------------------------------- constructor_type

@pytest.mark.parametrize(
    "cls, args, expected, full",
    [
        ("pathlib.Path", None, "Path", "pathlib.Path"),
        ("dict", None, "dict", "dict"),
        ("collections.Counter", None, "Counter", "collections.Counter"),
        ("collections.OrderedDict", None, "OrderedDict", "collections.OrderedDict"),
        ("typing.List", None, "list", "list"),
        ("dict", ("str", "int"), "dict[str, int]", "dict[str, int]"),
        ("dict", ("str",), "dict", "dict"),  # wrong number of type args: dropped
        ("len", None, None, None),
        ("nonexistent.Cls", None, None, None),
        ("", None, None, None),
    ],
)
def test_constructor_type(ts, cls, args, expected, full):
    fact = ts.constructor_type(cls, args)
    if expected is None:
        assert fact is None
    else:
        assert (fact.type, fact.full_type) == (expected, full)


# --------------------------------------------------------------------------- method_return

# (class, method, receiver type args, arg_count, literal, expected canonical or None)
METHODS = [
    ("pathlib.Path", "read_text", (), 0, None, "str"),  # issue case
    ("str", "split", (), None, None, "list[str]"),  # LiteralString overload agrees after -> str
    ("str", "join", (), 1, None, "str"),
    ("str", "upper", (), 0, None, "str"),
    ("bytes", "decode", (), 0, None, "str"),
    ("dict", "keys", ("str", "int"), 0, None, "dict_keys[str, int]"),
    ("dict", "keys", (), 0, None, None),  # _KT/_VT unbound
    ("list", "pop", ("int",), 0, None, "int"),  # TypeVar substitution
    ("list[int]", "pop", (), 0, None, "int"),  # receiver spelled with its arguments
    ("list", "pop", (), 0, None, None),
    ("dict", "copy", ("str", "int"), 0, None, "dict[str, int]"),
    ("list", "__iter__", ("int",), 0, None, "Iterator[int]"),
    # Self
    ("pathlib.Path", "resolve", (), 0, None, "Path"),
    ("pathlib.Path", "with_suffix", (), 1, None, "Path"),  # inherited from PurePath, Self = Path
    ("datetime.datetime", "now", (), 0, None, "datetime"),
    # inherited through the MRO, with substitution through the bases
    ("collections.OrderedDict", "get", ("str", "int"), 1, None, "int | None"),
    ("collections.defaultdict", "items", ("str", "int"), 0, None, "dict_items[str, int]"),
    ("collections.Counter", "keys", ("str",), 0, None, "dict_keys[str, int]"),
    ("collections.Counter", "most_common", ("str",), 0, None, "list[tuple[str, int]]"),
    ("io.TextIOWrapper", "read", (), 0, None, "str"),
    ("io.TextIOWrapper", "readlines", (), 0, None, "list[str]"),
    ("datetime.datetime", "strftime", (), 1, None, "str"),
    # overloads on the receiver's type parameter (self: Pattern[str] / Pattern[bytes])
    ("re.Pattern", "match", ("str",), 1, None, "Match[str] | None"),
    ("re.Pattern", "match", ("bytes",), 1, None, "Match[bytes] | None"),
    ("re.Match", "group", ("str",), 0, None, "str"),
    ("re.Match", "group", ("str",), 1, None, None),  # group(0) -> str, group(1) -> str | None: unknown
    ("re.Match", "group", ("str",), 2, None, "tuple[str | None, ...]"),  # AnyStr | MaybeNone
    ("os._Environ", "get", ("str",), 1, None, "str | None"),
    # literal mode on a method
    ("pathlib.Path", "open", (), 0, None, "TextIOWrapper"),
    ("pathlib.Path", "open", (), 1, "rb", "BufferedReader"),
    # unknown
    ("str", "no_such_method", (), 0, None, None),
    ("pathlib.Path", "name", (), 0, None, None),  # a property, not a method
    ("nonexistent.Cls", "f", (), 0, None, None),
    ("", "", (), None, None, None),
    ("...", "...", (), None, None, None),
]


@pytest.mark.parametrize("cls, method, targs, n, lit, expected", METHODS)
def test_method_return(ts, cls, method, targs, n, lit, expected):
    fact = ts.method_return(cls, method, targs, n, first_arg_literal=lit)
    if expected is None:
        assert fact is None
    else:
        assert fact is not None and fact.type == expected


def test_method_full_type_and_origin(ts):
    fact = ts.method_return("pathlib.Path", "with_suffix", arg_count=1)
    assert (fact.full_type, fact.origin) == ("pathlib.Path", "typeshed:pathlib.PurePath.with_suffix")
    assert ts.method_return("dict", "keys", ("str", "int")).full_type.endswith("dict_keys[str, int]")


# --------------------------------------------------------------------------- attributes, members, modules

@pytest.mark.parametrize(
    "cls, attr, targs, expected",
    [
        ("pathlib.Path", "name", (), "str"),  # property
        ("pathlib.Path", "parent", (), "Path"),  # property returning Self
        ("re.Pattern", "pattern", ("str",), "str"),
        ("re.Pattern", "pattern", (), None),  # AnyStr unbound
        ("datetime.datetime", "year", (), "int"),  # inherited property
        ("subprocess.CompletedProcess", "returncode", (), "int"),  # annotated attribute
        ("str", "upper", (), None),  # a method
        ("str", "no_such_attr", (), None),
        ("nonexistent.Cls", "x", (), None),
    ],
)
def test_attribute_type(ts, cls, attr, targs, expected):
    fact = ts.attribute_type(cls, attr, targs)
    assert (fact.type if fact else None) == expected


@pytest.mark.parametrize(
    "name, expected",
    [("sys.argv", "list[str]"), ("os.environ", "_Environ[str]"), ("math.pi", "float"), ("os.sep", "str"), ("typing.List", None), ("", None)],
)
def test_variable_type(ts, name, expected):
    fact = ts.variable_type(name)
    assert (fact.type if fact else None) == expected


def test_class_members(ts):
    od = ts.class_members("collections.OrderedDict")
    assert {"move_to_end", "keys", "get", "items", "__iter__", "__len__"} <= od  # own + dict + Mapping
    path = ts.class_members("pathlib.Path")
    assert {"read_text", "exists", "with_suffix", "name", "parent", "__fspath__"} <= path
    assert "append" not in path
    assert {"split", "join", "__len__", "__contains__", "__hash__"} <= ts.class_members("str")
    assert "read" in ts.class_members("io.TextIOWrapper")  # through _io base classes
    assert ts.class_members("list[int]") == ts.class_members("list")
    assert ts.class_members("nonexistent.Cls") == frozenset()
    assert ts.class_members("") == frozenset()


def test_module_names(ts):
    assert {"join", "exists", "basename"} <= ts.module_names("os.path")
    assert {"loads", "dumps"} <= ts.module_names("json")
    assert "compile" in ts.module_names("re")
    assert ts.module_names("nonexistent_module") == frozenset()
    assert ts.module_names("") == frozenset()


# --------------------------------------------------------------------------- never raises

ODD = ["", ".", "...", "a..b", "os.", ".os", "1abc", "[", "list[", "dict[str,", "str.", "None", "🐍", " ", "\x00"]


@pytest.mark.parametrize("text", ODD)
def test_odd_input_never_raises(ts, text):
    assert ts.resolve(text) is None or isinstance(ts.resolve(text), str)
    ts.is_class(text)
    ts.function_return(text, 1, (text,), text)
    ts.function_return("open", 2, (text,), text, literal_index=5)
    ts.constructor_type(text, (text,))
    ts.method_return(text, text, (text,), 1, (text,), text)
    ts.method_return("str", text)
    ts.attribute_type(text, text)
    ts.class_members(text)
    ts.module_names(text)
    ts.variable_type(text)


@settings(max_examples=60, deadline=None)
@given(
    name=st.text(alphabet="abcdeiorsptj._[], ", max_size=16),
    n=st.one_of(st.none(), st.integers(-2, 6)),
    lit=st.one_of(st.none(), st.text(max_size=4)),
)
def test_fuzz_never_raises(ts, name, n, lit):
    for result in (
        ts.function_return(name, n, (), lit),
        ts.method_return("str", name, (), n, (), lit),
        ts.method_return(name, "split", (name,), n),
        ts.constructor_type(name),
        ts.attribute_type(name, name),
    ):
        assert result is None or isinstance(result, TypeFact)


# --------------------------------------------------------------------------- the layer's parts

PARTS = ["typeshed_lookup", "typeshed_overloads", "typeshed_nodes", "typeshed_cache"]


@pytest.mark.parametrize("part", PARTS)
def test_each_part_says_what_it_does_and_does_not(part):
    import importlib

    doc = importlib.import_module(f"typeinfer.analyzer.{part}").__doc__ or ""
    assert "Does:" in doc and "Does not:" in doc


def test_the_public_api_stays_in_typeshed_facts():
    import typeinfer.analyzer.typeshed_facts as facade

    assert facade.__all__ == ["TypeFact", "Typeshed", "default_typeshed", "typeshed_for"]
    assert TypeFact.__module__ == Typeshed.__module__ == "typeinfer.analyzer.typeshed_facts"


def test_a_memoized_guarded_worker_keeps_the_fallback_of_a_recursive_call():
    """A recursive alias is unknown however it is reached: the re-entered call's fallback is the
    value the memo table keeps for the key."""
    from typeinfer.analyzer.typeshed_cache import CycleGuard, memoize

    class Worker:
        def __init__(self):
            self.guard, self.calls = CycleGuard(), 0
            self.get = memoize(self._get_uncached)

        def _get_uncached(self, key):
            self.calls += 1
            return self.guard.run(key, lambda: ("resolved", self.get(key)), "unknown")

    w = Worker()
    assert w.get("alias") == ("resolved", "unknown")
    assert w.get("alias") == "unknown" and w.calls == 2
    assert w.guard.run("x", lambda: 1, 0) == 1  # nothing left active


@pytest.mark.parametrize("function,position,keyword,cls,receiver,expected", [
    ("builtins.format", 1, "", "float", "", False),   # format_spec: str
    ("builtins.format", 1, "", "str", "", True),
    ("builtins.format", None, "format_spec", "int", "", None),  # positional-only: no overload takes it
    ("builtins.sorted", None, "reverse", "str", "", False),
    ("builtins.len", 0, "", "int", "", False),        # Sized: int has no __len__
    ("builtins.len", 0, "", "str", "", True),
    ("builtins.zip", 1, "", "int", "", False),        # a class: its __new__ overloads, Iterable
    ("builtins.zip", 1, "", "list", "", True),
    ("builtins.range", 0, "", "float", "", False),    # SupportsIndex
    ("builtins.range", 0, "", "bool", "", True),
    ("builtins.round", 0, "", "float", "", True),
    ("os.path.join", 1, "", "int", "", False),
    ("builtins.print", 3, "", "int", "", True),       # *values: object
    ("builtins.isinstance", 0, "", "float", "", True),
    ("append", 0, "", "int", "list[str]", False),     # the receiver's type argument
    ("append", 0, "", "str", "list[str]", True),
    ("append", 0, "", "str", "list[Foo]", None),      # a class the stubs do not know
    ("split", 0, "", "None", "str", True),
    ("startswith", 0, "", "int", "str", False),
    ("nosuchmethod", 0, "", "int", "str", None),
    ("builtins.nosuchfunction", 0, "", "int", "", None),
])
def test_parameter_admits(ts, function, position, keyword, cls, receiver, expected):
    assert ts.parameter_admits(function, position, keyword, cls, receiver=receiver) is expected
