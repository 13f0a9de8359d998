"""Source writer and stubs (analyzer/writer/, analyzer/stubs.py): construct by construct, golden files, safety.

Golden files live in tests/golden/writer/: ``<name>.in`` (input), ``<name>.annotations.json``,
``<name>.out`` (annotated source), ``<name>.diff`` and ``<name>.stub`` (.pyi / .d.ts).
Regenerate them with ``TYPEINFER_UPDATE_GOLDEN=1 pytest tests/test_writer.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from pathlib import Path

import pytest

from typeinfer.analyzer.canonical_types import ts_type_node
from typeinfer.analyzer.stubs import stub_for
from typeinfer.analyzer.writer.contract import Annotation, EditResult, TypeImport
from typeinfer.analyzer.writer.files import stub_path, unified_diff, write_file_atomically, write_stub
from typeinfer.analyzer.writer.source import annotate_source
from typeinfer.analyzer.writer import files as writer_files
from typeinfer.analyzer.writer import source as writer_source
from typeinfer.analyzer.writer import type_texts as writer_type_texts
from typeinfer.cpg.source import count_parse_errors, parse

GOLDEN = Path(__file__).parent / "golden" / "writer"
UPDATE = os.environ.get("TYPEINFER_UPDATE_GOLDEN") == "1"


def at(src: str, token: str, nth: int = 0) -> tuple[int, int]:
    """(line, byte column) of the nth occurrence of `token` (as a whole word) in `src`."""
    data = src.encode()
    pattern = re.escape(token.encode())
    if re.match(rb"\w", token.encode()):
        pattern = rb"(?<!\w)" + pattern
    if re.search(rb"\w$", token.encode()):
        pattern += rb"(?!\w)"
    off = [m.start() for m in re.finditer(pattern, data)][nth]
    line = data.count(b"\n", 0, off) + 1
    return line, off - (data.rfind(b"\n", 0, off) + 1)


def ann(src: str, kind: str, name: str, type_: str, token: str | None = None, nth: int = 0,
        function: str = "", imports: tuple[TypeImport, ...] = ()) -> Annotation:
    line, col = at(src, token if token is not None else name, nth)
    return Annotation(kind, name, function, line, col, type_, imports)  # type: ignore[arg-type]


def body(result: EditResult) -> str:
    """The annotated source without the import header the writer adds (for per-construct tables)."""
    text = result.data.decode()
    marker = "from __future__ import annotations\n"
    if marker in text:
        text = text.split(marker, 1)[1].lstrip("\n")
    return text


def reannotate(result: EditResult, path: str, language: str) -> EditResult:
    """A second run with the positions the first run reports for the applied annotations."""
    again = [replace(a.annotation, line=a.line, column=a.column) for a in result.applied]
    return annotate_source(result.data, path, language, again)


# --------------------------------------------------------------------------------------------
# Python, construct by construct
# --------------------------------------------------------------------------------------------

# (source, kind, name, token, nth, type, expected source) -- `token`/`nth` locate the name
PY_CASES = [
    ("def f(x):\n    pass\n", "parameter", "x", "x", 0, "int", "def f(x: int):\n    pass\n"),
    ("def f(x=1):\n    pass\n", "parameter", "x", "x", 0, "int", "def f(x: int = 1):\n    pass\n"),
    ("def f(x = 1):\n    pass\n", "parameter", "x", "x", 0, "int", "def f(x: int = 1):\n    pass\n"),
    ("def f(*args):\n    pass\n", "parameter", "args", "args", 0, "str", "def f(*args: str):\n    pass\n"),
    ("def f(**kw):\n    pass\n", "parameter", "kw", "kw", 0, "int", "def f(**kw: int):\n    pass\n"),
    ("def f(a, /, b, *, c=None):\n    pass\n", "parameter", "c", "c", 0, "str | None",
     "def f(a, /, b, *, c: str | None = None):\n    pass\n"),
    ("def f(x):\n    return x\n", "return", "f", "f", 0, "int", "def f(x) -> int:\n    return x\n"),
    ("async def f():\n    pass\n", "return", "f", "f", 0, "int", "async def f() -> int:\n    pass\n"),
    ("def f(\n    a,  # first\n    b,\n):  # end\n    pass\n", "return", "f", "f", 0, "int",
     "def f(\n    a,  # first\n    b,\n) -> int:  # end\n    pass\n"),
    ("@dec\ndef f(x):\n    pass\n", "return", "f", "f", 0, "str", "@dec\ndef f(x) -> str:\n    pass\n"),
    ("def f():\n    y = g()\n    return y\n", "variable", "y", "y", 0, "list[str]",
     "def f():\n    y: list[str] = g()\n    return y\n"),
    ("x = []  # empty\n", "variable", "x", "x", 0, "list[str]", "x: list[str] = []  # empty\n"),
    ("x = 1, 2\n", "variable", "x", "x", 0, "tuple[int, int]", "x: tuple[int, int] = 1, 2\n"),
    ("class C:\n    def __init__(self, v):\n        self.v = v\n", "attribute", "v", "self.v", 0, "int",
     "class C:\n    def __init__(self, v):\n        self.v: int = v\n"),
    ("class C:\n    def __init__(self, v):\n        self.v = v\n", "attribute", "v", "v =", 0, "int",
     "class C:\n    def __init__(self, v):\n        self.v: int = v\n"),
    ("class C:\n    size = 3\n", "attribute", "size", "size", 0, "int", "class C:\n    size: int = 3\n"),
]

# (source, kind, name, token, nth, type, reason fragment): left alone
PY_SKIPS = [
    ("def f(x: int):\n    pass\n", "parameter", "x", "x", 0, "str", "already annotated"),
    ("def f(x: int = 1):\n    pass\n", "parameter", "x", "x", 0, "str", "already annotated"),
    ("def f(*a: int):\n    pass\n", "parameter", "a", "a", 0, "str", "already annotated"),
    ("def f() -> int:\n    pass\n", "return", "f", "f", 0, "str", "already annotated"),
    ("g = lambda x: x\n", "parameter", "x", "x", 0, "int", "lambda"),
    ("g = lambda x=1: x\n", "parameter", "x", "x", 0, "int", "lambda"),
    ("a = b = 1\n", "variable", "a", "a", 0, "int", "not a simple assignment"),
    ("a, b = 1, 2\n", "variable", "a", "a", 0, "int", "not a simple assignment"),
    ("n = 0\nn += 1\n", "variable", "n", "n", 1, "int", "not a simple assignment"),
    ("for i in range(3):\n    pass\n", "variable", "i", "i", 0, "int", "not a simple assignment"),
    ("with open(p) as fh:\n    pass\n", "variable", "fh", "fh", 0, "IO", "not a simple assignment"),
    ("x: int\nx = 1\n", "variable", "x", "x", 1, "int", "already annotated elsewhere"),
    ("def f():\n    global x\n    x = 1\n", "variable", "x", "x =", 0, "int", "global/nonlocal"),
    ("class C:\n    x: int\n    def __init__(self):\n        self.x = 1\n", "attribute", "x", "self.x", 0, "int",
     "already annotated elsewhere in the class"),
    ("@dataclass\nclass C:\n    x = 1\n", "attribute", "x", "x =", 0, "int", "decorated class"),
    ("class C(Enum):\n    RED = 1\n", "attribute", "RED", "RED", 0, "int", "Enum subclass"),
    ("def f(x):\n    pass\n", "parameter", "y", "x", 0, "int", "position mismatch"),
    ("def f(x):\n    pass\n", "parameter", "x", "f", 0, "int", "position mismatch"),
    ("def f(x):\n    pass\n", "parameter", "x", "x", 0, "Mystery", "unresolved name 'Mystery'"),
    ("def f(x):\n    pass\n", "parameter", "x", "x", 0, "int)(", "not a valid type"),
    ("def f(x):\n    pass\n", "parameter", "x", "x", 0, "int  # oops", "comment"),
    ("from a import User\ndef f(x):\n    pass\n", "parameter", "x", "x", 0, "User", "name conflict"),
    ("if PY3:\n    pass\nelse:\n    bytes = str\ndef f(x):\n    pass\n", "parameter", "x", "x", 0, "bytes | None",
     "'bytes' is rebound in this file"),
]


@pytest.mark.parametrize("src,kind,name,token,nth,type_,expected", PY_CASES)
def test_python_construct(src, kind, name, token, nth, type_, expected):
    a = ann(src, kind, name, type_, token, nth, function="f" if kind in ("parameter", "return") else "")
    result = annotate_source(src.encode(), "m.py", "python", [a])
    assert result.skipped == [] and result.refused is None
    assert body(result) == expected
    assert count_parse_errors(parse(result.data, "python")) == 0
    again = reannotate(result, "m.py", "python")
    assert not again.changed
    assert [s.reason for s in again.skipped] == ["already annotated"]


@pytest.mark.parametrize("src,kind,name,token,nth,type_,reason", PY_SKIPS)
def test_python_left_alone(src, kind, name, token, nth, type_, reason):
    imports = (TypeImport("b", "User"),) if "conflict" in reason else ()
    a = ann(src, kind, name, type_, token, nth, imports=imports)
    result = annotate_source(src.encode(), "m.py", "python", [a])
    assert result.data == src.encode()
    assert len(result.skipped) == 1 and reason in result.skipped[0].reason, result.skipped


# --------------------------------------------------------------------------------------------
# TypeScript, construct by construct
# --------------------------------------------------------------------------------------------

TS_CASES = [
    ("function f(x) {}\n", "parameter", "x", "x", 0, "number", "function f(x: number) {}\n"),
    ("function f(x?) {}\n", "parameter", "x", "x", 0, "number", "function f(x?: number) {}\n"),
    ("function f(x = 1) {}\n", "parameter", "x", "x", 0, "number", "function f(x: number = 1) {}\n"),
    ("function f(...r) {}\n", "parameter", "r", "r", 0, "string[]", "function f(...r: string[]) {}\n"),
    ("function f({a, b}) {}\n", "parameter", "{a, b}", "{", 0, "{ a: number; b: number }",
     "function f({a, b}: { a: number; b: number }) {}\n"),
    ("const g = x => x;\n", "parameter", "x", "x", 0, "number", "const g = (x: number) => x;\n"),
    ("const g = (x) => x;\n", "parameter", "x", "x", 0, "number", "const g = (x: number) => x;\n"),
    ("function f(x) { return x; }\n", "return", "f", "f", 0, "number",
     "function f(x): number { return x; }\n"),
    ("async function f() {}\n", "return", "f", "f", 0, "Promise<void>", "async function f(): Promise<void> {}\n"),
    ("const g = x => x;\n", "return", "g", "g", 0, "number", "const g = (x): number => x;\n"),
    ("const g = function (a) {};\n", "return", "g", "g", 0, "void", "const g = function (a): void {};\n"),
    ("class C {\n  m(a) { return 1; }\n}\n", "return", "m", "m", 0, "number",
     "class C {\n  m(a): number { return 1; }\n}\n"),
    ("class C {\n  get n() { return 1; }\n}\n", "return", "n", "n", 0, "number",
     "class C {\n  get n(): number { return 1; }\n}\n"),
    ("const x = 1;\n", "variable", "x", "x", 0, "number", "const x: number = 1;\n"),
    ("let x;\n", "variable", "x", "x", 0, "string", "let x: string;\n"),
    ("export const a = 1, b = 'b';\n", "variable", "b", "b", 0, "string", "export const a = 1, b: string = 'b';\n"),
    ("class C {\n  x = 1;\n}\n", "attribute", "x", "x", 0, "number", "class C {\n  x: number = 1;\n}\n"),
    ("class C {\n  x?;\n}\n", "attribute", "x", "x", 0, "number", "class C {\n  x?: number;\n}\n"),
    ("class C {\n  static x = 1;\n}\n", "attribute", "x", "x", 0, "number", "class C {\n  static x: number = 1;\n}\n"),
]

TS_SKIPS = [
    ("function f(x: number) {}\n", "parameter", "x", "x", 0, "string", "already annotated"),
    ("function f(): number {}\n", "return", "f", "f", 0, "string", "already annotated"),
    ("const x: number = 1;\n", "variable", "x", "x", 0, "string", "already annotated"),
    ("class C {\n  constructor(a) {}\n}\n", "return", "constructor", "constructor", 0, "void", "constructor"),
    ("class C {\n  set v(a) {}\n}\n", "return", "v", "v", 0, "void", "setter"),
    ("const { a } = o;\n", "variable", "a", "a", 0, "number", "not a simple declaration"),
    ("for (const k of ks) {}\n", "variable", "k", "k", 0, "string", "not a simple declaration"),
    ("class C {\n  constructor() { this.v = 1; }\n}\n", "attribute", "v", "v", 0, "number", "property declaration"),
    ("function f(x) {}\n", "parameter", "x", "x", 0, "Widget", "unresolved name 'Widget'"),
    ("function f(x) {}\n", "parameter", "x", "x", 0, "number)(", "not a valid type"),
    ("function f(x) {}\n", "parameter", "x", "f", 0, "number", "position mismatch"),
    ("const s = Symbol.for('x');\n", "variable", "s", "s", 0, "unique symbol", "`unique symbol` types only a const"),
]


@pytest.mark.parametrize("src,kind,name,token,nth,type_,expected", TS_CASES)
def test_typescript_construct(src, kind, name, token, nth, type_, expected):
    a = ann(src, kind, name, type_, token, nth)
    result = annotate_source(src.encode(), "m.ts", "typescript", [a])
    assert result.skipped == [] and result.refused is None
    assert result.data.decode() == expected
    assert result.imports_added == []
    again = reannotate(result, "m.ts", "typescript")
    assert not again.changed and [s.reason for s in again.skipped] == ["already annotated"]


@pytest.mark.parametrize("src,kind,name,token,nth,type_,reason", TS_SKIPS)
def test_typescript_left_alone(src, kind, name, token, nth, type_, reason):
    a = ann(src, kind, name, type_, token, nth)
    result = annotate_source(src.encode(), "m.ts", "typescript", [a])
    assert result.data == src.encode()
    assert len(result.skipped) == 1 and reason in result.skipped[0].reason, result.skipped


@pytest.mark.parametrize("text,writable,canonical", [
    ("Map<string, User[]>", True, True),
    ("  number", True, False),  # white space before the type: written as given, not a canonical span
    ("number ", False, False),
    ("number = 1", False, False),
    ("number, y", False, False),
    ("x; let y: string", False, False),
    ("number)(", False, False),
])
def test_typescript_type_texts_share_the_canonical_parser(text, writable, canonical):
    # one parser of TypeScript type texts: canonical_types.ts_type_node; the writer admits leading blanks
    assert (writer_type_texts.ts_type_problem(text) is None) == writable
    assert (ts_type_node(text, leading_extras=True) is not None) == writable
    assert (ts_type_node(text) is not None) == canonical
    if writable:
        assert writer_type_texts.ts_type_names(text) == [n for n in ("Map", "User") if n in text]


def test_typescript_arrow_parameter_and_return_together():
    src = "const g = x => x;\n"
    anns = [ann(src, "parameter", "x", "number"), ann(src, "return", "g", "string")]
    result = annotate_source(src.encode(), "m.ts", "typescript", anns)
    assert result.data.decode() == "const g = (x: number): string => x;\n"
    assert not reannotate(result, "m.ts", "typescript").changed


def test_javascript_is_not_annotated_inline():
    src = "function f(x) {}\n"
    result = annotate_source(src.encode(), "m.js", "typescript", [ann(src, "parameter", "x", "number")])
    assert not result.changed and "JavaScript" in result.skipped[0].reason


# --------------------------------------------------------------------------------------------
# Imports
# --------------------------------------------------------------------------------------------

USER = TypeImport("app.models", "User", True)


def test_python_future_after_docstring_and_type_checking_block_created():
    src = '"""Doc."""\nimport os\n\n\ndef f(u):\n    pass\n'
    result = annotate_source(src.encode(), "m.py", "python",
                             [ann(src, "parameter", "u", "User | None", imports=(USER,))])
    assert result.data.decode() == (
        '"""Doc."""\n\nfrom __future__ import annotations\n\nimport os\nfrom typing import TYPE_CHECKING\n\n'
        'if TYPE_CHECKING:\n    from app.models import User\n\n\ndef f(u: User | None):\n    pass\n')
    assert result.imports_added == ["from __future__ import annotations", "from typing import TYPE_CHECKING",
                                    "from app.models import User"]


def test_python_future_after_existing_future_and_shebang_kept_first():
    src = "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nfrom __future__ import division\ndef f(x):\n    pass\n"
    result = annotate_source(src.encode(), "m.py", "python", [ann(src, "parameter", "x", "int")])
    assert result.data.decode() == ("#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nfrom __future__ import division\n"
                                    "from __future__ import annotations\ndef f(x: int):\n    pass\n")


def test_python_no_docstring_no_imports():
    src = "# licence\n\ndef f(x):\n    pass\n"
    result = annotate_source(src.encode(), "m.py", "python", [ann(src, "parameter", "x", "Sequence[int]")])
    assert result.data.decode() == (
        "# licence\n\nfrom __future__ import annotations\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
        "    from collections.abc import Sequence\n\ndef f(x: Sequence[int]):\n    pass\n")


def test_python_type_checking_block_reused_and_merged():
    src = ("from __future__ import annotations\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
           "    from app.models import Item\n\n\ndef f(u, p):\n    pass\n")
    anns = [ann(src, "parameter", "u", "User", imports=(USER,)),
            ann(src, "parameter", "p", "Path", token="p)")]
    result = annotate_source(src.encode(), "m.py", "python", anns)
    assert result.data.decode() == (
        "from __future__ import annotations\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
        "    from app.models import Item, User\n    from pathlib import Path\n\n\ndef f(u: User, p: Path):\n    pass\n")
    assert result.data.decode().count("TYPE_CHECKING") == 2


def test_python_type_checking_merged_into_existing_typing_import():
    src = "from typing import cast\n\ndef f(x):\n    pass\n"
    result = annotate_source(src.encode(), "m.py", "python", [ann(src, "parameter", "x", "User", imports=(USER,))])
    assert result.data.decode() == (
        "from __future__ import annotations\n\nfrom typing import cast, TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
        "    from app.models import User\n\ndef f(x: User):\n    pass\n")


def test_python_bound_names_are_not_imported_again():
    src = "from app.models import User\nfrom typing import Any\n\nclass Cart:\n    pass\n\ndef f(u, c, a):\n    pass\n"
    anns = [ann(src, "parameter", "u", "User", imports=(USER,)), ann(src, "parameter", "c", "Cart", token="c,"),
            ann(src, "parameter", "a", "Any", token="a)"), ann(src, "return", "f", "None", token="f(")]
    result = annotate_source(src.encode(), "m.py", "python", anns)
    assert result.imports_added == ["from __future__ import annotations"]
    assert "TYPE_CHECKING" not in result.data.decode()
    assert "def f(u: User, c: Cart, a: Any) -> None:" in result.data.decode()


def test_python_runtime_annotation_library_warns():
    src = "import pydantic\n\ndef f(x):\n    pass\n"
    result = annotate_source(src.encode(), "m.py", "python", [ann(src, "parameter", "x", "User", imports=(USER,))])
    assert result.changed and result.warnings and "pydantic" in result.warnings[0]


def test_typescript_import_type_added_after_last_import_with_its_quotes():
    src = "import { a } from './a';\nimport b from './b';\n\nexport function f(u) {}\n"
    result = annotate_source(src.encode(), "m.ts", "typescript",
                             [ann(src, "parameter", "u", "User", imports=(TypeImport("./models", "User", True),))])
    assert result.data.decode() == ("import { a } from './a';\nimport b from './b';\nimport type { User } from './models';"
                                    "\n\nexport function f(u: User) {}\n")


def test_typescript_import_type_merged_and_no_duplicates():
    src = 'import type { Item } from "./models";\nimport { Shop } from "./shop";\n\nfunction f(u, i, s, o) {}\n'
    imp = (TypeImport("./models", "User", True),)
    anns = [ann(src, "parameter", "u", "User", token="u,", imports=imp),
            ann(src, "parameter", "i", "Item", token="i,", imports=(TypeImport("./models", "Item", True),)),
            ann(src, "parameter", "s", "Shop", token="s,", imports=(TypeImport("./shop", "Shop", True),)),
            ann(src, "parameter", "o", "User[]", token="o)", imports=imp)]
    result = annotate_source(src.encode(), "m.ts", "typescript", anns)
    assert result.data.decode() == ('import type { Item, User } from "./models";\nimport { Shop } from "./shop";\n\n'
                                    "function f(u: User, i: Item, s: Shop, o: User[]) {}\n")


def test_typescript_no_imports_at_all():
    src = "// header\nexport const x = make();\n"
    result = annotate_source(src.encode(), "m.ts", "typescript",
                             [ann(src, "variable", "x", "Widget", imports=(TypeImport("./w", "Widget", True),))])
    assert result.data.decode() == ('// header\nimport type { Widget } from "./w";\n\nexport const x: Widget = make();\n')


# --------------------------------------------------------------------------------------------
# Bytes: CRLF, BOM, encodings; safety
# --------------------------------------------------------------------------------------------


def test_crlf_and_bom_preserved():
    src = '\ufeff"""Doc."""\r\nimport os\r\n\r\ndef f(x):  \r\n    return x\r\n'
    data = src.encode("utf-8")
    anns = [ann(src, "parameter", "x", "Path"), ann(src, "return", "f", "Path")]
    result = annotate_source(data, "m.py", "python", anns)
    out = result.data
    assert out.startswith(b"\xef\xbb\xbf")
    assert b"\n" not in out.replace(b"\r\n", b"")
    assert out.decode("utf-8-sig") == (
        '"""Doc."""\r\n\r\nfrom __future__ import annotations\r\n\r\nimport os\r\nfrom typing import TYPE_CHECKING\r\n'
        '\r\nif TYPE_CHECKING:\r\n    from pathlib import Path\r\n\r\ndef f(x: Path) -> Path:  \r\n    return x\r\n')
    assert not reannotate(result, "m.py", "python").changed


def test_crlf_typescript():
    src = 'import { a } from "./a";\r\nfunction f(x) {}\r\n'
    result = annotate_source(src.encode(), "m.ts", "typescript",
                             [ann(src, "parameter", "x", "W", imports=(TypeImport("./w", "W"),))])
    assert result.data == b'import { a } from "./a";\r\nimport type { W } from "./w";\r\nfunction f(x: W) {}\r\n'


def test_latin1_file_keeps_its_encoding():
    src = "# -*- coding: latin-1 -*-\n# caf\xe9\ndef f(x):\n    return x\n"
    data = src.encode("latin-1")
    line, col = 3, data.split(b"\n")[2].index(b"x")
    result = annotate_source(data, "m.py", "python", [Annotation("parameter", "x", "f", line, col, "int")])
    assert b"caf\xe9" in result.data and b"def f(x: int):" in result.data
    assert "caf\xe9" in unified_diff("m.py", data, result.data)


def test_multibyte_columns_are_bytes():
    src = 's = "\u00e9t\u00e9"; t = 1\n'
    result = annotate_source(src.encode(), "m.py", "python", [ann(src, "variable", "t", "int", token="t =")])
    # `t = 1` follows a `;`: not a statement of its own line, but still a simple assignment statement
    assert result.data.decode() == 'from __future__ import annotations\n\ns = "\u00e9t\u00e9"; t: int = 1\n'


def test_an_annotation_that_breaks_parsing_is_dropped(monkeypatch):
    from typeinfer.analyzer.writer.source import BREAKS_PARSING

    src = "def f(x, y):\n    pass\n"
    monkeypatch.setattr(writer_source, "type_problem", lambda t, language: None)  # let garbage through
    result = annotate_source(src.encode(), "m.py", "python",
                             [ann(src, "parameter", "x", "int)("), ann(src, "parameter", "y", "int", token="y")])
    assert result.refused is None
    assert [(s.annotation.name, s.reason) for s in result.skipped] == [("x", BREAKS_PARSING)]
    assert result.data == b"from __future__ import annotations\n\ndef f(x, y: int):\n    pass\n"
    result = annotate_source(src.encode(), "m.py", "python", [ann(src, "parameter", "x", "int)(")])
    assert result.data == src.encode() and not result.changed and result.refused is None
    ts = "function f(x) {}\n"
    result = annotate_source(ts.encode(), "m.ts", "typescript", [ann(ts, "parameter", "x", "number)(")])
    assert result.data == ts.encode() and [s.reason for s in result.skipped] == [BREAKS_PARSING]


def test_python_edits_are_judged_by_cpython_not_tree_sitter():
    # tree-sitter misreads `def f(k) -> None: y[k] = 1`; CPython accepts it, so it is written
    src = "y = {}\ndef f(k): y[k] = 1\n"
    result = annotate_source(src.encode(), "m.py", "python", [ann(src, "return", "f", "None", token="f(")])
    assert result.refused is None and result.skipped == []
    assert result.data == b"from __future__ import annotations\n\ny = {}\ndef f(k) -> None: y[k] = 1\n"


def test_files_that_do_not_decode_or_have_syntax_errors_are_refused():
    src = b's = "caf\xe9"\ndef f(x):\n    pass\n'  # Latin-1 without a coding cookie
    result = annotate_source(src, "m.py", "python", [ann(src.decode("latin-1"), "parameter", "x", "int")])
    assert result.refused == "not valid utf-8 text (bad byte at offset 8); the file is left unchanged"
    assert result.data == src
    cookie = b"# -*- coding: latin-1 -*-\n" + src  # declared: decodes, and is written in Latin-1
    result = annotate_source(cookie, "m.py", "python", [ann(cookie.decode("latin-1"), "parameter", "x", "int")])
    assert result.refused is None and b"def f(x: int):" in result.data and b"caf\xe9" in result.data
    broken = "def g(:\n    pass\ndef f(x):\n    pass\n"
    result = annotate_source(broken.encode(), "m.py", "python", [ann(broken, "parameter", "x", "int")])
    assert result.refused is not None and result.refused.startswith("has syntax errors (line 1: ")
    result = annotate_source(broken.encode(), "m.py", "python", [ann(broken, "parameter", "x", "int")], force=True)
    assert result.refused is None and b"def f(x: int):" in result.data


def test_existing_annotations_never_touched():
    src = ("def f(a: 'Foo', b: int = 2, *c: str, **d: bytes) -> 'Bar':\n"
           "    e: list[int] = []\n    return e\n")
    anns = [ann(src, "parameter", n, "float", token=n) for n in ("a", "b", "c", "d")]
    anns += [ann(src, "return", "f", "float"), ann(src, "variable", "e", "float", token="e:")]
    result = annotate_source(src.encode(), "m.py", "python", anns)
    assert not result.changed and {s.reason for s in result.skipped} == {"already annotated"}


def test_duplicate_annotation_for_one_slot():
    src = "def f(x):\n    pass\n"
    result = annotate_source(src.encode(), "m.py", "python",
                             [ann(src, "parameter", "x", "int"), ann(src, "parameter", "x", "str")])
    assert "x: int" in result.data.decode() and "duplicate" in result.skipped[0].reason


def test_json_round_trip():
    a = Annotation("parameter", "x", "Cart.add", 3, 12, "list[User]", (USER,))
    assert Annotation.from_json(json.loads(json.dumps(a.to_json()))) == a
    src = "def f(x):\n    pass\n"
    result = annotate_source(src.encode(), "m.py", "python", [ann(src, "parameter", "x", "int")])
    obj = json.loads(json.dumps(result.to_json()))
    assert obj["changed"] is True and obj["applied"][0]["line"] == 3 and obj["refused"] is None
    with pytest.raises(ValueError):
        Annotation.from_json({**a.to_json(), "kind": "bogus"})


# --------------------------------------------------------------------------------------------
# Golden files: a realistic module in each language
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name,language", [("cart.py", "python"), ("cart.ts", "typescript")])
def test_golden(name, language):
    data = (GOLDEN / f"{name}.in").read_bytes()
    anns = [Annotation.from_json(o) for o in json.loads((GOLDEN / f"{name}.annotations.json").read_text())]
    result = annotate_source(data, name, language, anns)
    assert result.refused is None
    diff = unified_diff(name, data, result.data)
    stub = stub_for(data, name, language, anns)
    report = "".join(f"{s.annotation.kind} {s.annotation.name} ({s.annotation.line}:{s.annotation.column}): "
                     f"{s.reason}\n" for s in result.skipped)
    outputs = {f"{name}.out": result.data, f"{name}.diff": diff.encode(), f"{name}.stub": stub.encode(),
               f"{name}.skipped": report.encode()}
    for fname, content in outputs.items():
        path = GOLDEN / fname
        if UPDATE:
            path.write_bytes(content)
        assert path.read_bytes() == content, f"{fname} differs; TYPEINFER_UPDATE_GOLDEN=1 regenerates it"
    assert count_parse_errors(parse(result.data, "python" if language == "python" else "typescript")) == 0
    stub_grammar = "python" if language == "python" else "typescript"
    assert count_parse_errors(parse(stub.encode(), stub_grammar)) == 0
    if language == "python":
        compile(result.data, name, "exec", flags=0x400, dont_inherit=True)  # ast only (PyCF_ONLY_AST)
    again = reannotate(result, name, language)
    assert not again.changed and all(s.reason == "already annotated" for s in again.skipped)
    assert not annotate_source(result.data, name, language, anns).changed  # old positions: no change either


# --------------------------------------------------------------------------------------------
# Stubs
# --------------------------------------------------------------------------------------------


def test_python_stub_keeps_existing_adds_inferred_and_imports():
    src = ("import os\n\nLIMIT = 3\n\n\n@app.get('/')\ndef f(a, b: int = 2, *c, **d) -> str:\n    return ''\n\n\n"
           "class C(Base):\n    kind = 'c'\n\n    def __init__(self, owner):\n        self.owner = owner\n"
           "        self.n: int = 0\n\n    @property\n    def size(self):\n        return 0\n")
    anns = [ann(src, "parameter", "a", "Path", token="a,"), ann(src, "variable", "LIMIT", "int"),
            ann(src, "attribute", "owner", "User", token="self.owner", imports=(USER,)),
            ann(src, "return", "size", "int")]
    assert stub_for(src.encode(), "m.py", "python", anns) == (
        "# Generated by typeinfer annotate --stub\n\nfrom _typeshed import Incomplete\nimport os\n"
        "from pathlib import Path\nfrom app.models import User\n\nLIMIT: int\n\n"
        "def f(a: Path, b: int = ..., *c, **d) -> str: ...\n\nclass C(Base):\n    kind: Incomplete\n"
        "    owner: User\n    n: int\n    def __init__(self, owner): ...\n    @property\n"
        "    def size(self) -> int: ...\n")


def test_python_stub_dataclass_fields_keep_defaults():
    src = "@dataclass\nclass P:\n    x: int = 0\n    y: str\n"
    assert stub_for(src.encode(), "m.py", "python", []) == (
        "# Generated by typeinfer annotate --stub\n\n@dataclass\nclass P:\n    x: int = ...\n    y: str\n")


def test_typescript_stub_exports_only():
    src = ("import { B } from './b';\ninterface Opts { a: number }\nfunction hidden() {}\n"
           "export function f(x, y = 1, ...r) { return 1; }\nexport const k = 3;\n"
           "export class C extends B {\n  v = 1;\n  private s = 2;\n  constructor(public o, n: number) { super(); }\n"
           "  m(a) { return a; }\n  get g() { return 1; }\n  set g(v) {}\n}\n")
    anns = [ann(src, "parameter", "x", "number", token="x,"), ann(src, "return", "f", "number", token="f("),
            ann(src, "variable", "k", "number"), ann(src, "attribute", "v", "number", token="v ="),
            ann(src, "parameter", "o", "User", token="o,", imports=(TypeImport("./u", "User"),))]
    assert stub_for(src.encode(), "m.ts", "typescript", anns) == (
        "// Generated by typeinfer annotate --stub\n\nimport { B } from './b';\nimport type { User } from \"./u\";\n\n"
        "interface Opts { a: number }\nexport declare function f(x: number, y?: any, ...r: any[]): number;\n"
        "export declare const k: number;\nexport declare class C extends B {\n    v: number;\n    private s;\n"
        "    public o: User;\n    constructor(o: User, n: number);\n    m(a: any): any;\n    get g(): any;\n"
        "    set g(v: any);\n}\n")


def test_javascript_stub():
    src = "export function f(a, b = 2) { return a + b; }\nexport class K { x = 1; }\n"
    anns = [ann(src, "parameter", "a", "number", token="a,"), ann(src, "return", "f", "number", token="f(")]
    assert stub_for(src.encode(), "m.js", "typescript", anns) == (
        "// Generated by typeinfer annotate --stub\n\nexport declare function f(a: number, b?: any): number;\n"
        "export declare class K {\n    x: any;\n}\n")


def test_stub_path_and_write_stub(tmp_path):
    assert stub_path(Path("a/m.py")) == Path("a/m.pyi")
    assert stub_path(Path("a/m.ts")) == Path("a/m.d.ts")
    assert stub_path(Path("a/m.js")) == Path("a/m.d.ts")
    target = tmp_path / "m.pyi"
    target.write_text("# hand written\n")
    assert not write_stub(target, "# Generated by typeinfer annotate --stub\n").written
    assert target.read_text() == "# hand written\n"
    target.unlink()
    assert write_stub(target, "# Generated by typeinfer annotate --stub\nx: int\n").written
    assert write_stub(target, "# Generated by typeinfer annotate --stub\nx: str\n").written
    assert target.read_text().endswith("x: str\n")


# --------------------------------------------------------------------------------------------
# Writing to disk
# --------------------------------------------------------------------------------------------


def _leftovers(directory: Path) -> list[str]:
    return [p.name for p in directory.iterdir() if p.name.endswith(".typeinfer-tmp")]


def test_write_atomically(tmp_path):
    f = tmp_path / "m.py"
    f.write_bytes(b"def f(x):\n    pass\n")
    os.chmod(f, 0o640)
    out = write_file_atomically(f, b"def f(x):\n    pass\n", b"def f(x: int):\n    pass\n")
    assert out.written and f.read_bytes() == b"def f(x: int):\n    pass\n"
    assert (f.stat().st_mode & 0o777) == 0o640
    assert _leftovers(tmp_path) == []


def test_write_skips_a_file_changed_on_disk(tmp_path):
    f = tmp_path / "m.py"
    original = b"def f(x):\n    pass\n"
    f.write_bytes(original)
    result = annotate_source(original, "m.py", "python", [Annotation("parameter", "x", "f", 1, 6, "int")])
    f.write_bytes(b"def f(x):\n    pass  # edited meanwhile\n")  # someone edits while we run
    out = write_file_atomically(f, original, result.data)
    assert not out.written and "changed on disk during the run" in out.message
    assert f.read_bytes() == b"def f(x):\n    pass  # edited meanwhile\n"
    assert _leftovers(tmp_path) == []


def test_write_skips_a_file_changed_just_before_the_rename(tmp_path, monkeypatch):
    f = tmp_path / "m.py"
    f.write_bytes(b"a = 1\n")
    real_mkstemp = writer_files.tempfile.mkstemp

    def mkstemp_then_edit(*args, **kwargs):
        fd, name = real_mkstemp(*args, **kwargs)
        f.write_bytes(b"a = 2  # edited meanwhile\n")
        return fd, name

    monkeypatch.setattr(writer_files.tempfile, "mkstemp", mkstemp_then_edit)
    out = write_file_atomically(f, b"a = 1\n", b"a: int = 1\n")
    assert not out.written and "changed on disk" in out.message
    assert f.read_bytes() == b"a = 2  # edited meanwhile\n"
    assert _leftovers(tmp_path) == []


def test_write_failure_leaves_original_and_no_temp_file(tmp_path, monkeypatch):
    f = tmp_path / "m.py"
    f.write_bytes(b"a = 1\n")

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(writer_files.os, "replace", refuse)
    out = write_file_atomically(f, b"a = 1\n", b"a: int = 1\n")
    assert not out.written and "Permission denied" in out.message and "original untouched" in out.message
    assert f.read_bytes() == b"a = 1\n"
    assert _leftovers(tmp_path) == []


def test_write_read_only_file_is_left_alone(tmp_path):
    f = tmp_path / "m.py"
    f.write_bytes(b"a = 1\n")
    os.chmod(f, 0o444)  # no write bit: refused even as root (root ignores the mode when writing)
    try:
        out = write_file_atomically(f, b"a = 1\n", b"a: int = 1\n")
        assert not out.written and "read-only" in out.message
        assert f.read_bytes() == b"a = 1\n"
        assert _leftovers(tmp_path) == []
    finally:
        os.chmod(f, 0o644)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores directory permissions")
def test_write_in_read_only_directory(tmp_path):
    d = tmp_path / "ro"
    d.mkdir()
    f = d / "m.py"
    f.write_bytes(b"a = 1\n")
    os.chmod(d, 0o555)
    try:
        out = write_file_atomically(f, b"a = 1\n", b"a: int = 1\n")
        assert not out.written and "cannot write" in out.message
        assert f.read_bytes() == b"a = 1\n"
    finally:
        os.chmod(d, 0o755)


def test_write_follows_symlinks(tmp_path):
    real = tmp_path / "real.py"
    real.write_bytes(b"a = 1\n")
    link = tmp_path / "link.py"
    link.symlink_to(real)
    assert write_file_atomically(link, b"a = 1\n", b"a: int = 1\n").written
    assert link.is_symlink() and real.read_bytes() == b"a: int = 1\n"


def test_unified_diff_headers():
    diff = unified_diff("pkg/m.py", b"a = 1\n", b"a: int = 1\n")
    assert diff.startswith("--- a/pkg/m.py\n+++ b/pkg/m.py\n")
    assert "-a = 1\n+a: int = 1\n" in diff
    assert unified_diff("m.py", b"x", b"x") == ""
    assert "\\ No newline at end of file" in unified_diff("m.py", b"a = 1", b"a: int = 1")


def test_bom_without_docstring_stays_first():
    for path, src, a in [
        ("m.py", "\ufeffimport os\ndef f(x):\n    pass\n", ("parameter", "x", "Path")),
        ("m.ts", "\ufefffunction f(x) {}\n", ("parameter", "x", "W")),
    ]:
        imports = (TypeImport("./w", "W"),) if path.endswith(".ts") else ()
        result = annotate_source(src.encode(), path, "python" if path.endswith(".py") else "typescript",
                                 [ann(src, a[0], a[1], a[2], imports=imports)])
        assert result.changed and result.data.startswith(b"\xef\xbb\xbf")
        assert result.data.count(b"\xef\xbb\xbf") == 1
        assert result.data[3:].startswith(b"from __future__" if path.endswith(".py") else b"import type")
