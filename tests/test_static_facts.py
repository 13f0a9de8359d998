"""Static facts (issue 3): each rule on an inline snippet, positive and "unknown when unsure" cases."""

from __future__ import annotations

import pytest

from typeinfer.analyzer.slices import extract_slices
from typeinfer.analyzer.slots import SlotKey
from typeinfer.analyzer.static_facts import StaticFact, infer_static
from typeinfer.cpg.project import build_sources
from typeinfer.cpg.source import source_from_text


def facts(*files: tuple[str, str], use_declared: bool = True) -> dict[tuple[str, str, str], StaticFact | None]:
    """(kind, function or class, name) -> fact, for every slice of the snippet files."""
    cpg = build_sources([source_from_text(text, path) for path, text in files])
    program = extract_slices(cpg)
    out = {}
    for s, fact in zip(program.slices, infer_static(cpg, program, use_declared=use_declared)):
        out[(s.kind, s.function or s.class_name, s.name)] = fact
    return out


def var(result, function: str, name: str) -> str | None:
    fact = result[("variable", function, name)]
    return fact.type if fact else None


def ret(result, function: str) -> str | None:
    fact = result[("return", function, function.rsplit(".", 1)[-1])]
    return fact.type if fact else None


PY_STDLIB = """\
import re, json
from pathlib import Path

def f(p, s):
    h = open(p)
    r = re.compile("a")
    t = Path(p).read_text()
    j = json.loads(s)
    b = open(p, "rb")
"""


def test_issue_stdlib_cases():
    r = facts(("m.py", PY_STDLIB))
    h, rx = r[("variable", "f", "h")], r[("variable", "f", "r")]
    assert (h.type, h.full_type, h.source) == ("TextIOWrapper", "io.TextIOWrapper", "static")
    assert (rx.type, rx.full_type) == ("Pattern[str]", "re.Pattern[str]")
    assert var(r, "f", "t") == "str"
    assert r[("variable", "f", "j")] is None  # json.loads returns Any: unknown, not a guess
    assert var(r, "f", "b") == "BufferedReader"  # overload picked by the mode literal
    assert h.to_json()["source"] == "static" and h.rule


@pytest.mark.parametrize("code, expected", [
    ("1", "int"), ("1.5", "float"), ("'s'", "str"), ("b'x'", "bytes"), ("True", "bool"),
    ("f'{q}'", "str"), ("[1, 2]", "list[int]"), ("{'a': 1}", "dict[str, int]"), ("{1, 2}", "set[int]"),
    ("(1, 'a')", "tuple[int, str]"), ("-1", "int"), ("1 / 2", "float"), ("'a' + 'b'", "str"),
    ("not q", "bool"), ("q in [1]", "bool"), ("1 < 2", "bool"), ("len(q)", "int"), ("str(q)", "str"),
    ("[c for c in 'ab']", "list[str]"),
    # unknown when unsure
    ("[]", None), ("{}", None), ("[1, 'a']", None), ("q == 1", None), ("sorted(q)", None), ("q + 1", None),
    ("dict(a=1)", None), ("2 ** 3", None),
])
def test_python_expressions(code, expected):
    r = facts(("m.py", f"def f(q):\n    x = {code}\n"))
    assert var(r, "f", "x") == expected


@pytest.mark.parametrize("code, expected", [
    ("1", "number"), ("'s'", "string"), ("`a${q}`", "string"), ("true", "boolean"), ("[1, 2]", "number[]"),
    ("q === 1", "boolean"), ("!q", "boolean"), ("typeof q", "string"), ("JSON.stringify(q)", "string"),
    ("Math.floor(q)", "number"), ("new Date()", "Date"), ("new Error('x')", "Error"), ("'ab'.length", "number"),
    ("'ab'.toUpperCase()", "string"), ("[1].join(',')", "string"), ("Promise.resolve(1)", "Promise<number>"),
    # unknown when unsure
    ("JSON.parse(q)", None), ("[]", None), ("{a: 1}", None), ("new Map()", None), ("q.toUpperCase()", None),
    ("null", None), ("undefined", None),
])
def test_typescript_expressions(code, expected):
    r = facts(("m.ts", f"function f(q) {{\n  const x = {code};\n}}\n"))
    assert var(r, "f", "x") == expected


def test_propagation_chain_and_unions():
    r = facts(("m.py", """\
from pathlib import Path

def f(s, c):
    p = Path(s)
    t = p.read_text()
    lines = t.splitlines()
    first = lines[0]
    x = None
    if c:
        x = 1
    y = c()
    if s:
        y = 1
    n = 0
    for _ in lines:
        n += 1
    for line in lines:
        pass
    for i, k in [(1, "a")]:
        pass
"""))
    assert var(r, "f", "p") == "Path" and r[("variable", "f", "p")].full_type == "pathlib.Path"
    assert var(r, "f", "t") == "str"
    assert var(r, "f", "lines") == "list[str]"
    assert var(r, "f", "first") == "str"
    assert var(r, "f", "x") == "int | None"  # every definition known: their union
    assert var(r, "f", "y") is None  # one definition from an unknown call
    assert var(r, "f", "n") == "int"  # augmented assignment that keeps the type
    assert var(r, "f", "line") == "str"
    assert var(r, "f", "i") == "int" and var(r, "f", "k") == "str"


def test_returns_no_return_and_stubs():
    r = facts(("m.py", """\
import abc

def none_implicit(x):
    print(x)

def both(x):
    if x:
        return 1
    return None

def stub():
    ...

def raises():
    raise NotImplementedError

def documented():
    \"\"\"Only a docstring.\"\"\"

def gen():
    yield 1

async def coro():
    return "s"

class A(abc.ABC):
    @abc.abstractmethod
    def m(self):
        pass

def unknown(x):
    return x.y()
"""))
    assert ret(r, "none_implicit") == "None"
    assert r[("return", "none_implicit", "none_implicit")].rule == "no-return"
    assert ret(r, "both") == "int | None"
    assert ret(r, "stub") is None and ret(r, "raises") is None and ret(r, "documented") is None
    assert ret(r, "gen") is None
    assert ret(r, "coro") == "str"  # the annotation convention for async def
    assert ret(r, "A.m") is None
    assert ret(r, "unknown") is None


def test_a_function_whose_every_path_raises_returns_noreturn_not_none():
    r = facts(("m.py", """\
def fail(msg):
    text = "error: " + msg
    raise RuntimeError(text)

def either(x):
    if x:
        raise ValueError(x)
    else:
        raise KeyError(x)

def sometimes(x):
    if x:
        raise ValueError(x)

def placeholder(self):
    name = type(self).__name__
    raise NotImplementedError(name)

def caught(e):
    try:
        raise e
    except Exception:
        pass
"""))
    assert ret(r, "fail") == "NoReturn" and ret(r, "either") == "NoReturn"
    assert ret(r, "sometimes") == "None"
    assert ret(r, "placeholder") is None  # its overrides decide the declared type
    assert ret(r, "caught") == "None"
    ts = facts(("m.ts", 'function fail(msg: string) { const t = "error: " + msg; throw new Error(t); }\n'))
    assert ret(ts, "fail") is None  # TypeScript "throws" helpers are declared never, void or a type


def test_typescript_returns():
    r = facts(("m.ts", """\
function log(x) { console.log(x); }
async function one() { return 1; }
function maybe(x) { if (x) { return "a"; } return "b"; }
class C { m() { return this.n(); } n() { return 2; } }
interface I { f(): void; }
"""))
    assert ret(r, "log") == "void"
    assert ret(r, "one") == "Promise<number>"
    assert ret(r, "maybe") == "string"
    assert ret(r, "C.n") == "number"
    assert ret(r, "C.m") == "number"  # this.n() through the project method's inferred return


def test_project_constructors_and_methods():
    r = facts(("pkg/models.py", """\
class User:
    def __init__(self, name):
        self.name = name
        self.count = 0

    def label(self):
        return f"user {self.name}"

class Box[T]:
    pass
"""), ("pkg/app.py", """\
from pkg.models import User, Box

def make(n):
    u = User(n)
    s = u.label()
    c = u.count
    b = Box()
"""))
    u = r[("variable", "make", "u")]
    assert (u.type, u.full_type, u.rule) == ("User", "pkg.models.User", "propagation")
    assert var(r, "make", "s") == "str"
    assert var(r, "make", "c") == "int"
    assert r[("attribute", "User", "count")].type == "int"
    assert r[("attribute", "User", "name")] is None  # from a parameter
    assert var(r, "make", "b") is None  # generic class: type arguments unknown


def test_typescript_project_class():
    r = facts(("src/a.ts", """\
export class Foo { x = 1; constructor() { this.y = "s"; } get() { return this.y; } }
export function f() {
  const foo = new Foo();
  const v = foo.get();
  return foo;
}
"""))
    foo = r[("variable", "f", "foo")]
    assert (foo.type, foo.full_type) == ("Foo", "src/a.ts:Foo")
    assert var(r, "f", "v") == "string"
    assert ret(r, "f") == "Foo"


def test_narrowing():
    r = facts(("m.py", """\
def f(x):
    if isinstance(x, str):
        y = x.upper()
    z = x
"""), ("m.ts", """\
function g(x) {
  if (typeof x === "string") { const y = x.trim(); }
  const z = x;
}
"""))
    assert var(r, "f", "y") == "str"
    assert var(r, "f", "z") is None
    assert var(r, "g", "y") == "string"
    assert var(r, "g", "z") is None


def test_parameters_from_defaults_only_when_measured_safe():
    r = facts(("m.py", "def f(a, flag=False, n=0, s='x', o=None):\n    pass\n"))
    assert r[("parameter", "f", "flag")].type == "bool"
    assert r[("parameter", "f", "a")] is None
    assert r[("parameter", "f", "o")] is None
    # int/str defaults are dropped: `width: Optional[int] = 80` made them wrong too often
    assert r[("parameter", "f", "n")] is None and r[("parameter", "f", "s")] is None


def test_declared_types_of_other_slots_and_use_declared_false():
    src = ("m.py", """\
from pathlib import Path

def helper() -> int:
    ...

def f(p: Path):
    t = p.read_text()
    n = helper()
""")
    on = facts(src)
    assert var(on, "f", "t") == "str" and var(on, "f", "n") == "int"
    off = facts(src, use_declared=False)
    assert var(off, "f", "t") is None and var(off, "f", "n") is None


def test_slot_own_annotation_is_never_the_fact():
    r = facts(("m.py", "def f():\n    x: float = 1\n    return x\n"))
    assert var(r, "f", "x") == "int"  # the value's type; the label float is not looked at


def test_slice_key_and_alignment():
    cpg = build_sources([source_from_text("def f(a=True):\n    return 1\n", "m.py")])
    program = extract_slices(cpg)
    result = infer_static(cpg, program.slices)
    assert len(result) == len(program.slices)
    keys = {SlotKey.of(s) for s in program.slices}
    assert len(keys) == len(program.slices)


def test_await_and_async_with_give_the_awaited_type():
    code = """\
import asyncio


class Repo:
    async def load(self, key: str) -> bytes:
        return key.encode()

    def plain(self) -> int:
        return 1


async def read(reader: asyncio.StreamReader, repo: Repo):
    chunk = await reader.read()
    data = await repo.load("k")
    proc = await asyncio.create_subprocess_exec("ls")
    pending = reader.read()
    odd = await repo.plain()
    async with asyncio.timeout(1) as scope:
        pass
    return chunk
"""
    result = facts(("a.py", code))
    assert var(result, "read", "chunk") == "bytes"  # a library coroutine method
    assert var(result, "read", "data") == "bytes"  # a project async method on a typed receiver
    assert var(result, "read", "proc") == "Process"  # a library coroutine function
    assert var(result, "read", "scope") == "Timeout"  # async with: awaited __aenter__
    assert var(result, "read", "pending") is None  # not awaited: a coroutine, not bytes
    assert var(result, "read", "odd") is None  # awaiting what is not a coroutine: unknown


def test_with_on_a_project_context_manager_gives_what_its_enter_returns():
    code = """\
class Session:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class Pool:
    async def __aenter__(self) -> Session:
        return Session()

    async def __aexit__(self, *exc):
        return False


class Bare:
    pass


def use():
    with Session() as s:
        pass
    with Bare() as b:
        pass
    return s


async def ause():
    async with Pool() as conn:
        pass
    return conn
"""
    result = facts(("a.py", code))
    assert var(result, "use", "s") == "Session"
    assert var(result, "ause", "conn") == "Session"
    assert var(result, "use", "b") is None  # no __enter__: unknown, not the class


def test_an_operator_on_a_library_class_and_a_builtin_goes_through_the_left_operands_dunder():
    result = facts(("m.py", """\
import datetime
from decimal import Decimal
from pathlib import Path


class Mine:
    pass


def f(base: Path, name: str, n: int, step: datetime.timedelta, mine: Mine):
    a = base / name
    b = base / "static" / name
    c = step * n
    d = Decimal("1.5") + n
    e = base / n
    g = mine / name
    return a
"""))
    assert (var(result, "f", "a"), var(result, "f", "b"), ret(result, "f")) == ("Path", "Path", "Path")
    assert (var(result, "f", "c"), var(result, "f", "d")) == ("timedelta", "Decimal")
    # typeshed's Path.__truediv__ takes no int; a project class has no typeshed dunder: unknown
    assert var(result, "f", "e") is None and var(result, "f", "g") is None
