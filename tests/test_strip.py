"""analyzer/strip.py: construct by construct for both languages, re-parsing, idempotence, and the
key property: every removed annotation is found again as an unannotated slice with the same
(file, kind, function, name)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from typeinfer.analyzer import strip as strip_mod
from typeinfer.analyzer.slices import extract_slices
from typeinfer.analyzer.strip import strip_annotations, strip_tree, strip_tree_results
from typeinfer.cpg.project import BuildOptions, build_project
from typeinfer.cpg.source import count_parse_errors, grammar_for_path, parse

# (file name, source, stripped source, removed as {(kind, function, name, annotation)}, kept reasons)
CASES = [
    # ------------------------------------------------------------------ Python
    ("py_param", "m.py", "def f(x: int):\n    pass\n", "def f(x):\n    pass\n",
     {("parameter", "f", "x", "int")}, []),
    ("py_param_default", "m.py", "def f(x: int = 1, y: str='a'):\n    pass\n", "def f(x=1, y='a'):\n    pass\n",
     {("parameter", "f", "x", "int"), ("parameter", "f", "y", "str")}, []),
    ("py_star_args", "m.py", "def f(*args: str, **kw: int):\n    pass\n", "def f(*args, **kw):\n    pass\n",
     {("parameter", "f", "args", "str"), ("parameter", "f", "kw", "int")}, []),
    ("py_return", "m.py", "def f() -> int:\n    return 1\n", "def f():\n    return 1\n",
     {("return", "f", "f", "int")}, []),
    ("py_async_return", "m.py", "async def f() -> list[int]:\n    return []\n", "async def f():\n    return []\n",
     {("return", "f", "f", "list[int]")}, []),
    ("py_module_variable", "m.py", "x: int = 1\n", "x = 1\n", {("variable", "", "x", "int")}, []),
    ("py_function_variable", "m.py", "def f():\n    y: str = ''\n    return y\n", "def f():\n    y = ''\n    return y\n",
     {("variable", "f", "y", "str")}, []),
    ("py_annotation_only", "m.py", "x: int\n", "x: int\n", set(), ["annotation-only statement"]),
    ("py_class_attribute", "m.py", "class A:\n    a: int = 0\n    b: str\n", "class A:\n    a = 0\n    b: str\n",
     {("attribute", "", "a", "int")}, ["annotation-only statement"]),
    ("py_dataclass_field", "m.py", "@dataclass\nclass A:\n    a: int = 0\n", "@dataclass\nclass A:\n    a: int = 0\n",
     set(), ["field declared by its annotation"]),
    ("py_namedtuple_field", "m.py", "class P(typing.NamedTuple):\n    x: int = 0\n",
     "class P(typing.NamedTuple):\n    x: int = 0\n", set(), ["field declared by its annotation"]),
    ("py_pydantic_field", "m.py", "class M(BaseModel):\n    x: int = 0\n", "class M(BaseModel):\n    x: int = 0\n",
     set(), ["field declared by its annotation"]),
    ("py_self_attribute", "m.py", "class A:\n    def __init__(self):\n        self.x: int = 0\n        self.y: str\n",
     "class A:\n    def __init__(self):\n        self.x = 0\n        self.y: str\n",
     {("attribute", "", "x", "int")}, ["annotation-only statement"]),
    ("py_other_attribute", "m.py", "def f(o):\n    o.x: int = 0\n", "def f(o):\n    o.x: int = 0\n",
     set(), ["not a slot (not self.<name> in a method)"]),
    ("py_method_self", "m.py", "class A:\n    def m(self: 'A', v: int) -> None:\n        pass\n",
     "class A:\n    def m(self: 'A', v):\n        pass\n",
     {("parameter", "A.m", "v", "int"), ("return", "A.m", "m", "None")}, ["self parameter (not a slot)"]),
    ("py_overload", "m.py", "@overload\ndef f(x: int) -> int: ...\ndef f(x: int) -> int:\n    return x\n",
     "@overload\ndef f(x: int) -> int: ...\ndef f(x):\n    return x\n",
     {("parameter", "f", "x", "int"), ("return", "f", "f", "int")}, ["overload signature", "overload signature"]),
    ("py_nested", "m.py", "class C:\n    def m(self):\n        def inner(b: int) -> int:\n            return b\n        return inner\n",
     "class C:\n    def m(self):\n        def inner(b):\n            return b\n        return inner\n",
     {("parameter", "C.m.inner", "b", "int"), ("return", "C.m.inner", "inner", "int")}, []),
    ("py_multiline_return", "m.py", "def f() -> dict[\n    str, int]:\n    return {}\n", "def f():\n    return {}\n",
     {("return", "f", "f", "dict[ str, int]")}, []),
    # ------------------------------------------------------------------ TypeScript
    ("ts_param", "m.ts", "function f(x: number) {}\n", "function f(x) {}\n", {("parameter", "f", "x", "number")}, []),
    ("ts_optional_param", "m.ts", "function f(x?: string) {}\n", "function f(x?) {}\n",
     {("parameter", "f", "x", "string")}, []),
    ("ts_pattern_param", "m.ts", "function f({a, b}: P) {}\n", "function f({a, b}) {}\n",
     {("parameter", "f", "{a, b}", "P")}, []),
    ("ts_rest_param", "m.ts", "function f(...r: number[]) {}\n", "function f(...r) {}\n",
     {("parameter", "f", "r", "number[]")}, []),
    ("ts_default_param", "m.ts", "function f(x: number = 1) {}\n", "function f(x = 1) {}\n",
     {("parameter", "f", "x", "number")}, []),
    ("ts_return", "m.ts", "function f(): number { return 1; }\n", "function f() { return 1; }\n",
     {("return", "f", "f", "number")}, []),
    ("ts_arrow", "m.ts", "const g = (x: number): string => '';\n", "const g = (x) => '';\n",
     {("parameter", "g", "x", "number"), ("return", "g", "g", "string")}, []),
    ("ts_method", "m.ts", "class A { m(x: number): void {} }\n", "class A { m(x) {} }\n",
     {("parameter", "A.m", "x", "number"), ("return", "A.m", "m", "void")}, []),
    ("ts_object_method", "m.ts", "const api = { run(x: number): void {} };\n", "const api = { run(x) {} };\n",
     {("parameter", "api.run", "x", "number"), ("return", "api.run", "run", "void")}, []),
    ("ts_function_variable", "m.ts", "function f() { const k: number = 1; return k; }\n",
     "function f() { const k = 1; return k; }\n", {("variable", "f", "k", "number")}, []),
    ("ts_module_variable", "m.ts", "const k: Map<string, number> = new Map();\n", "const k = new Map();\n",
     {("variable", "", "k", "Map<string, number>")}, []),
    ("ts_declaration_only", "m.ts", "let u: string;\n", "let u: string;\n", set(), ["declaration without a value"]),
    ("ts_class_property", "m.ts", "class A { p: number = 1; q: string; }\n", "class A { p = 1; q; }\n",
     {("attribute", "", "p", "number"), ("attribute", "", "q", "string")}, []),
    ("ts_definite_property", "m.ts", "class A { p!: number; declare d: string; }\n",
     "class A { p!: number; declare d: string; }\n", set(),
     ["definite assignment x!: T needs its type", "declare field needs its type"]),
    ("ts_field_arrow", "m.ts", "class A { h = (e: Event): void => {}; }\n", "class A { h = (e) => {}; }\n",
     {("parameter", "A.h", "e", "Event"), ("return", "A.h", "h", "void")}, []),
    ("ts_parameter_property", "m.ts", "class A { constructor(private q: number) {} }\n",
     "class A { constructor(private q) {} }\n",
     {("parameter", "A.constructor", "q", "number"), ("attribute", "", "q", "number")}, []),
    ("ts_signatures", "m.ts", "function s(x: number): void;\ndeclare function d(y: string): void;\n",
     "function s(x: number): void;\ndeclare function d(y: string): void;\n", set(),
     ["signature (no body)"] * 4),
    ("ts_this_and_predicate", "m.ts", "function isS(this: W, x: unknown): x is string { return true; }\n",
     "function isS(this: W, x): x is string { return true; }\n", {("parameter", "isS", "x", "unknown")},
     ["this parameter (not a slot)", "type predicate / assertion"]),
    ("ts_namespace_variable", "m.ts", "namespace N { export const c: number = 1; }\n",
     "namespace N { export const c: number = 1; }\n", set(), ["namespace-level variable (no slice)"]),
    ("ts_default_export_arrow", "m.ts", "export default (a: number): number => a;\n", "export default (a) => a;\n",
     {("parameter", "default", "a", "number"), ("return", "default", "default", "number")}, []),
    ("tsx_component", "c.tsx", "const C = (p: Props): JSX.Element => <div>{p.x}</div>;\n",
     "const C = (p) => <div>{p.x}</div>;\n",
     {("parameter", "C", "p", "Props"), ("return", "C", "C", "JSX.Element")}, []),
]


def _language(path: str) -> str:
    found = grammar_for_path(path)
    assert found is not None
    return found[0]


@pytest.mark.parametrize("path,source,expected,removed,kept", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_strip_construct(path, source, expected, removed, kept):
    result = strip_annotations(source.encode(), path, _language(path))
    assert result.error is None
    assert result.new_bytes.decode() == expected
    assert {(r.kind, r.function, r.name, r.annotation) for r in result.removed} == removed
    assert sorted(k.reason for k in result.kept) == sorted(kept)
    grammar = grammar_for_path(path)[1]
    assert count_parse_errors(parse(result.new_bytes, grammar)) <= count_parse_errors(parse(source.encode(), grammar))
    again = strip_annotations(result.new_bytes, path, _language(path))
    assert again.removed == [] and again.new_bytes == result.new_bytes  # idempotent


def test_lines_are_those_of_the_original_and_of_the_stripped_file():
    source = "def f() -> dict[\n    str,\n    int]:\n    return {}\n\n\ndef g(x: int):\n    pass\n"
    result = strip_annotations(source.encode(), "m.py", "python")
    by_name = {r.name: r for r in result.removed}
    assert (by_name["f"].line, by_name["f"].stripped_line) == (1, 1)
    assert (by_name["x"].line, by_name["x"].stripped_line) == (7, 5)
    assert by_name["x"].column == 6
    assert result.new_bytes.decode().splitlines()[4] == "def g(x):"


def test_class_names_are_recorded():
    source = "class A:\n    class B:\n        def m(self, v: int) -> int:\n            return v\n    c: int = 1\n"
    result = strip_annotations(source.encode(), "m.py", "python")
    assert {(r.kind, r.function, r.class_name) for r in result.removed} == {
        ("parameter", "A.B.m", "A.B"), ("return", "A.B.m", "A.B"), ("attribute", "", "A")}


def test_refuses_when_parse_gets_worse(monkeypatch):
    calls = iter([0, 1])
    monkeypatch.setattr(strip_mod, "count_parse_errors", lambda tree: next(calls))
    source = b"def f(x: int):\n    pass\n"
    result = strip_annotations(source, "m.py", "python")
    assert result.new_bytes == source and result.removed == []
    assert "parse errors" in (result.error or "")


def test_splices_that_break_the_parse_are_left_alone():
    # tree-sitter-typescript cannot parse `b? // c` before `)`: that one annotation stays
    source = "class A {\n  m(a: number, b?: T // c\n  ): void {}\n}\n"
    result = strip_annotations(source.encode(), "m.ts", "typescript")
    assert result.error is None
    assert result.new_bytes.decode() == "class A {\n  m(a, b?: T // c\n  ) {}\n}\n"
    assert {r.name for r in result.removed} == {"a", "m"}
    assert [(k.name, k.reason) for k in result.kept] == [("b", "stripping it breaks the parse")]


def test_file_with_parse_errors_is_still_stripped_where_modelled():
    source = b"def f(x: int) -> int:\n    return x +\n\ndef g(y: str):\n    pass\n"
    result = strip_annotations(source, "m.py", "python")
    assert result.error is None
    assert count_parse_errors(parse(result.new_bytes, "python")) <= count_parse_errors(parse(source, "python"))


def test_language_must_match_the_path():
    with pytest.raises(ValueError):
        strip_annotations(b"x = 1\n", "m.py", "typescript")


def test_strip_tree(tmp_path):
    src = tmp_path / "src"
    (src / "pkg").mkdir(parents=True)
    (src / "pkg" / "a.py").write_text("def f(x: int) -> int:\n    return x\n")
    (src / "pkg" / "a.pyi").write_text("def f(x: int) -> int: ...\n")
    (src / "web").mkdir()
    (src / "web" / "b.ts").write_text("export function g(s: string): number { return s.length; }\n")
    (src / "web" / "b.d.ts").write_text("export declare function g(s: string): number;\n")
    (src / "README.md").write_text("# hi\n")
    (src / "node_modules" / "dep").mkdir(parents=True)
    (src / "node_modules" / "dep" / "i.ts").write_text("export const z: number = 1;\n")
    (src / ".git").mkdir()
    (src / ".git" / "HEAD").write_text("ref\n")
    dst = tmp_path / "dst"
    removed = strip_tree(src, dst)
    assert sorted(removed) == ["pkg/a.py", "web/b.ts"]
    assert len(removed["pkg/a.py"]) == 2 and len(removed["web/b.ts"]) == 2
    assert (dst / "pkg" / "a.py").read_text() == "def f(x):\n    return x\n"
    assert (dst / "pkg" / "a.pyi").read_text() == (src / "pkg" / "a.pyi").read_text()
    assert (dst / "web" / "b.ts").read_text() == "export function g(s) { return s.length; }\n"
    assert (dst / "web" / "b.d.ts").read_text() == (src / "web" / "b.d.ts").read_text()
    assert (dst / "README.md").read_text() == "# hi\n"
    assert not (dst / "node_modules").exists() and not (dst / ".git").exists()


# ---------------------------------------------------------------------- the key property

PY_PROJECT = {
    "shop/models.py": """
        from __future__ import annotations

        import typing
        from dataclasses import dataclass

        DEFAULT_QTY: int = 1
        registry: dict[str, "Item"] = {}


        @dataclass
        class Item:
            name: str
            price: float = 0.0


        class Cart:
            currency: str = "EUR"
            limit: int

            def __init__(self, owner: str, *items: Item, discount: float = 0.0, **meta: str) -> None:
                self.owner: str = owner
                self.items: list[Item] = list(items)
                self.discount = discount
                self.meta = meta

            def total(self) -> float:
                amount: float = 0.0
                for item in self.items:
                    amount += item.price
                return amount * (1 - self.discount)

            @property
            def size(self) -> int:
                return len(self.items)

            @staticmethod
            def parse(text: str) -> "Cart":
                owner: str = text.strip()
                return Cart(owner)

            @classmethod
            def empty(cls, owner: str) -> Cart:
                return cls(owner)

            @typing.overload
            def get(self, key: int) -> Item: ...
            @typing.overload
            def get(self, key: str) -> Item | None: ...
            def get(self, key: int | str) -> Item | None:
                def match(it: Item) -> bool:
                    return it.name == key
                found: list[Item] = [i for i in self.items if match(i)]
                return found[0] if found else None


        async def fetch(url: str, retries: int = 3) -> bytes:
            data: bytes = b""
            return data
    """,
}

TS_PROJECT = {
    "src/cart.ts": """
        import { Item } from './item';

        export const DEFAULT_QTY: number = 1;
        let counter: number;

        export interface Line { item: Item; qty: number; }

        export class Cart {
          currency: string = 'EUR';
          lines: Line[];
          private total!: number;
          constructor(public owner: string, private readonly discount: number = 0) {
            this.lines = [];
          }
          add(item: Item, qty?: number): void {
            const line: Line = { item, qty: qty ?? 1 };
            this.lines.push(line);
          }
          get size(): number { return this.lines.length; }
          onChange = (cb: (c: Cart) => void): void => { cb(this); };
          static parse(text: string): Cart { return new Cart(text.trim()); }
        }

        export function sum(...values: number[]): number {
          let acc: number = 0;
          for (const v of values) { acc += v; }
          return acc;
        }

        export const api = {
          load(id: string): Promise<Cart> { return Promise.resolve(new Cart(id)); },
          save: async ({ owner }: Cart, force: boolean = false): Promise<void> => {},
        };

        function overloaded(x: string): string;
        function overloaded(x: number): number;
        function overloaded(x: any): any { return x; }

        export default function (cart: Cart): number { return cart.size; }
    """,
    "src/item.ts": """
        export class Item {
          constructor(public name: string, public price: number) {}
          label(prefix: string = ''): string { return prefix + this.name; }
        }
    """,
}


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())


@pytest.mark.parametrize("files,minimum", [(PY_PROJECT, 25), (TS_PROJECT, 25)], ids=["python", "typescript"])
def test_every_removed_slot_is_an_unannotated_slice(tmp_path, files, minimum):
    src, dst = tmp_path / "src", tmp_path / "dst"
    _write(src, files)
    results = strip_tree_results(src, dst)
    assert all(r.error is None for r in results.values())
    cpg = build_project(dst, BuildOptions(jobs=1, use_cache=False))
    slices = extract_slices(cpg).slices
    unannotated = {(s.file, s.kind, s.function, s.name) for s in slices if s.declared_type is None}
    removed = [(rel, a) for rel, r in results.items() for a in r.removed]
    assert len(removed) >= minimum
    missing = [a for rel, a in removed if a.key(rel) not in unannotated]
    assert missing == []
    # and what the original declared for that slot is what the record says was removed
    original = extract_slices(build_project(src, BuildOptions(jobs=1, use_cache=False))).slices
    declared: dict[tuple, set] = {}
    for s in original:
        if s.declared_type is not None:
            declared.setdefault((s.file, s.kind, s.function, s.name), set()).add(s.declared_type)
    for rel, a in removed:
        assert a.annotation in declared.get(a.key(rel), set()), a
    # stripping the stripped tree removes nothing more
    assert all(r.removed == [] for r in strip_tree_results(dst, tmp_path / "again").values())
