"""An edit inside one function's body, applied to the project graph by rebuilding that body only
(`cpg.function_update`), must leave the graph exactly as a whole-file rebuild of the new text
would: the same nodes with the same properties, the same edges.  Edits it cannot prove
confined are refused (None), and the caller rebuilds the file."""

from __future__ import annotations

import random
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from typeinfer.corpus.fetch import fetch_npm, fetch_pypi
from typeinfer.cpg.function_update import ParsedText, parse_edited, update_function_body
from typeinfer.cpg.graph import CodePropertyGraph
from typeinfer.cpg.project import build_sources, update_file
from typeinfer.cpg.schema import NodeKind, Prop
from typeinfer.cpg.source import parser_for, source_from_text

REL = "m.py"


def parsed(text: str, grammar: str = "python") -> ParsedText:
    data = text.encode("utf-8")
    return ParsedText(data, parser_for(grammar).parse(data))


def shape(cpg: CodePropertyGraph, relpath: str) -> tuple[Counter, Counter]:
    """The file's nodes (all properties) and edges (between those), ids left out."""
    def key(props: dict) -> tuple:
        return tuple(sorted((str(k), repr(v)) for k, v in props.items()))

    nodes = {n: key(cpg.props(n)) for n in cpg.file_nodes(relpath)}
    edges: Counter = Counter()
    for n, k in nodes.items():
        for d, kinds in cpg.g._succ[n].items():
            edges.update((k, nodes.get(d, d), str(kind)) for kind in kinds)
    children = Counter((nodes[n], tuple(nodes[c] for c in cpg.ast_children(n))) for n in nodes)
    return Counter(nodes.values()), edges + children


def apply(cpg: CodePropertyGraph, old: str, new: str, rel: str = REL) -> bool:
    """Apply `old` -> `new` as the language server does; True when the body path took it."""
    grammar = "typescript" if rel.endswith(".ts") else "python"
    update = update_function_body(cpg, rel, parsed(old, grammar), parsed(new, grammar))
    if update is None:
        update_file(cpg, rel, new)
    return update is not None


EDITS = {
    "statement": lambda indent: f"{indent}zz_new = len(str(1))",
    "member": lambda indent: f"{indent}self.zz_attr = []",
    "generator": lambda indent: f"{indent}yield 1",
    "lambda": lambda indent: f"{indent}zz_fn = lambda a: a + 1",
    "nested def": lambda indent: f"{indent}def zz_inner(q): return q",
    "import": lambda indent: f"{indent}import json",
    "broken": lambda indent: f"{indent}zz = foo(",  # then undone
}


def edited_graphs_match_whole_builds(text: str, rel: str, edits: int, seed: int, body_line, inserts: dict,
                                     comment: str) -> Counter:
    """`edits` edits one after another at random lines inside function bodies (`body_line`
    picks them): an insertion of each of `inserts` in turn (its indentation given), or a comment
    at a line's end; "broken" is undone at once.  After each, the graph updated as the language
    server does must equal a whole build of the text.  Returns which edits took the body path."""
    rng = random.Random(seed)
    cpg = build_sources([source_from_text(text, rel)])
    taken: Counter = Counter()
    kinds = ["in a line", *inserts]
    for tried in range(edits):
        lines = text.split("\n")
        i = rng.choice([i for i, line in enumerate(lines) if body_line(line)])
        indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
        kind = kinds[tried % len(kinds)]
        if kind == "in a line":
            lines[i] = lines[i] + comment
        else:
            lines.insert(i, inserts[kind](indent))
        new = "\n".join(lines)
        for before, after in ((text, new), (new, text)) if kind == "broken" else ((text, new),):
            if apply(cpg, before, after, rel):
                taken[kind] += 1
            expected = build_sources([source_from_text(after, rel)])
            assert shape(cpg, rel) == shape(expected, rel), f"{kind} at line {i + 1}"
            assert cpg.files[rel] == expected.files[rel]
            for k in (NodeKind.METHOD, NodeKind.CALL, NodeKind.LOCAL, NodeKind.MEMBER):  # the index by kind kept up
                assert list(cpg.nodes(k)) == [n for n in cpg.g if cpg.kind(n) == k]
        if kind != "broken":
            text = new
    return taken


def python_body_line(line: str) -> bool:
    return line.startswith("        ") and bool(line.strip()) and not line.rstrip().endswith((":", "\\", ",", "(")) \
        and '"""' not in line


@pytest.mark.parametrize("package, version, member, edits", [("bottle", "0.13.4", "bottle.py", 4),
                                                             ("six", "1.16.0", "six.py", 16),
                                                             ("colorama", "0.4.6", "colorama/ansitowin32.py", 16)])
def test_edits_inside_functions_give_the_graph_of_a_whole_file_build(package: str, version: str, member: str,
                                                                     edits: int):
    text = (fetch_pypi(package, version) / member).read_text()
    taken = edited_graphs_match_whole_builds(text, REL, edits, 7, python_body_line, EDITS, "  # x")
    assert sum(taken.values()) >= edits // 2, taken  # most edits inside methods take the body path


SOURCE = '''import os

class Box:
    def __init__(self, items):
        self.items = items

    def size(self):
        n = len(self.items)
        return n

    @property
    def empty(self):
        return not self.items


def helper(x):
    return x + 1
'''


@pytest.mark.parametrize("old, new", [
    ("    def size(self):", "    def size(self, extra):"),  # a header
    ("class Box:", "class Box(object):"),  # a class statement
    ("import os", "import sys"),  # module level
    ("        n = len(self.items)", "        global n\n        n = len(self.items)"),  # binds outside
    ("        n = len(self.items)", "        self.n: int = len(self.items)"),  # types a member
    ("        self.items = items", "        pass"),  # the member's first write moves to size()... or vanishes
    ("    return x + 1", "    return x + 1\nprint(helper(1))"),  # spills out of the body
    ("        return n", "        return (n"),  # an unclosed paren swallows what follows
])
def test_edits_the_body_path_cannot_prove_confined_are_refused(old: str, new: str):
    cpg = build_sources([source_from_text(SOURCE, REL)])
    edited = SOURCE.replace(old, new)
    assert edited != SOURCE
    assert update_function_body(cpg, REL, parsed(SOURCE), parsed(edited)) is None
    assert cpg.files[REL].content_hash == build_sources([source_from_text(SOURCE, REL)]).files[REL].content_hash


def test_a_member_typed_elsewhere_in_its_class_is_left_to_a_whole_file_build():
    source = "class A:\n    def __init__(self):\n        self.x = 1\n\n    x: int = 0\n"
    cpg = build_sources([source_from_text(source, REL)])
    edited = source.replace("self.x = 1", "self.x = 2")
    assert update_function_body(cpg, REL, parsed(source), parsed(edited)) is None


def test_an_edit_inside_a_method_keeps_every_other_node_and_moves_what_follows():
    cpg = build_sources([source_from_text(SOURCE, REL)])
    before = {n: dict(cpg.props(n)) for n in cpg.file_nodes(REL)}
    edited = SOURCE.replace("        n = len(self.items)\n", "        n = len(self.items)\n        n += 1\n")
    update = update_function_body(cpg, REL, parsed(SOURCE), parsed(edited))
    assert update is not None and cpg.props(update.method)["NAME"] == "size"
    assert update.line_delta == 1 and update.byte_delta == len("        n += 1\n")
    helper = next(n for n in cpg.file_nodes(REL) if cpg.props(n).get("NAME") == "helper"
                  and str(cpg.props(n)["kind"]) == "METHOD")
    assert helper in before  # same id
    assert cpg.props(helper)["LINE_NUMBER"] == before[helper]["LINE_NUMBER"] + 1
    assert all(n in before for n in cpg.file_nodes(REL) if n not in update.added)


TS = "m.ts"


def ts(text: str) -> ParsedText:
    return parsed(text, "typescript")


TS_EDITS = {
    "statement": lambda indent: f"{indent}const zzNew = String(1).length;",
    "member": lambda indent: f"{indent}this.zzAttr = [];",
    "arrow": lambda indent: f"{indent}const zzFn = (a: number) => a + 1;",
    "function": lambda indent: f"{indent}function zzInner(q) {{ return q; }}",
    "destructure": lambda indent: f"{indent}const {{ zzA, zzB: [zzC] }} = {{ zzA: 1, zzB: [2] }};",
    "class": lambda indent: f"{indent}const ZzK = class {{ m() {{ this.y = 1; }} }};",
    "broken": lambda indent: f"{indent}const zz = foo(",  # then undone
}


@pytest.mark.parametrize("package, version, member, edits", [
    ("zod", "3.25.76", "src/v3/types.ts", 6),
    ("zod", "3.25.76", "src/v3/ZodError.ts", 16),
    ("zod", "3.25.76", "src/v3/helpers/util.ts", 16),
])
def test_typescript_edits_inside_functions_give_the_graph_of_a_whole_file_build(package: str, version: str,
                                                                                 member: str, edits: int):
    text = (fetch_npm(package, version) / member).read_text()
    taken = edited_graphs_match_whole_builds(
        text, TS, edits, 11, lambda line: line.startswith("    ") and line.rstrip().endswith(";")
        and not line.lstrip().startswith(("*", "/", "|", "&", ".")), TS_EDITS, " // x")
    assert sum(taken.values()) >= edits // 3, taken  # most of these lines are in function bodies


TS_SOURCE = """import { z } from "./z";

let counter = 0;

export class Box {
  size = 0;
  constructor(private items: string[]) {
    this.size = items.length;
    this.extra = items;
  }

  count(): number {
    const n = this.items.length;
    return n;
  }

  handlers = { run() { return 1; } };
}

export const helper = (x: number) => {
  return x + 1;
};

function withDefault(f = () => 1) {
  return f();
}
"""


@pytest.mark.parametrize("old, new", [
    ("  count(): number {", "  count(extra: number): number {"),  # a header
    ("export class Box {", "export class Box extends Object {"),  # a class statement
    ("let counter = 0;", "let counter = 1;"),  # module level
    ("    const n = this.items.length;", "    counter = 2;\n    const n = this.items.length;"),  # a module variable
    ("    this.extra = items;", "    const extra = items;"),  # the member this body made is written no more
    ("  return x + 1;", "  return x + 1;\n};\nhelper(1);\nconst again = () => {"),  # spills out of the body
    ("  return f();", "  return f() + 1;"),  # a default parameter holds a function
    ("run() { return 1; }", "run() { this.q = 1; return 1; }"),  # an object's method in a class: `this` unknown
    ("  return f();", "  var f: number = 1;\n  return f;"),  # a parameter declared again in the body
    ("  return x + 1;", "  const g = (counter: number) => counter;\n  counter = 3;\n  return x + 1;"),  # masked write
])
def test_typescript_edits_the_body_path_cannot_prove_confined_are_refused(old: str, new: str):
    cpg = build_sources([source_from_text(TS_SOURCE, TS)])
    edited = TS_SOURCE.replace(old, new)
    assert edited != TS_SOURCE
    assert update_function_body(cpg, TS, ts(TS_SOURCE), ts(edited)) is None


@pytest.mark.parametrize("source, old, new", [
    # a default value reads a name the body declares (the whole walk binds it in the function)
    ("function f(cb = g) {\n  function g() {}\n  return cb;\n}\n", "return cb;", "return cb();"),
    ("let x = 1;\nfunction f(a = x) {\n  return a;\n}\n", "return a;", "let x = 2;\n  return a;"),
    ("namespace N {\n  const y = 1;\n  export const f = () => {\n    return y;\n  };\n}\n", "return y;", "return y + 1;"),
    ("class C {\n  constructor() {\n    this.x = 1;\n  }\n  x: number;\n}\n", "this.x = 1;", "this.y = 1;"),  # two MEMBERs x
    ("function f() {\n  return 1;\n}\n", "return 1;", "return " + "(" * 260 + "1" + ")" * 260 + ";"),  # deep
])
def test_typescript_bodies_a_walk_alone_cannot_reproduce_are_refused(source: str, old: str, new: str):
    cpg = build_sources([source_from_text(source, TS)])
    assert update_function_body(cpg, TS, ts(source), ts(source.replace(old, new))) is None


@pytest.mark.parametrize("source, old, new", [
    # a value is walked before its target: the inner member is made first
    ("class C {\n  constructor() {\n    this.onClick = () => { this.clicked = true; };\n  }\n}\n", "true", "false"),
    ("class C {\n  a() {\n    this.x = this.y = 0;\n  }\n  b() {\n    return 1;\n  }\n}\n", "return 1;",
     "this.z = 1; return 1;"),
])
def test_typescript_members_keep_the_order_the_whole_walk_gives(source: str, old: str, new: str):
    cpg = build_sources([source_from_text(source, TS)])
    edited = source.replace(old, new)
    assert update_function_body(cpg, TS, ts(source), ts(edited)) is not None
    assert shape(cpg, TS) == shape(build_sources([source_from_text(edited, TS)]), TS)


def test_a_typescript_edit_inside_a_method_keeps_every_other_node():
    cpg = build_sources([source_from_text(TS_SOURCE, TS)])
    before = set(cpg.file_nodes(TS))
    edited = TS_SOURCE.replace("    const n = this.items.length;\n", "    const n = this.items.length;\n    this.last = n;\n")
    update = update_function_body(cpg, TS, ts(TS_SOURCE), ts(edited))
    assert update is not None and cpg.props(update.method)["NAME"] == "count"
    assert shape(cpg, TS) == shape(build_sources([source_from_text(edited, TS)]), TS)
    assert all(n in before for n in cpg.file_nodes(TS) if n not in update.added)


def test_an_incremental_parse_gives_the_tree_of_a_whole_parse(tmp_path: Path):
    old = parsed(SOURCE)
    for new in (SOURCE.replace("n = len", "count = len"), SOURCE.replace("return x + 1", "return x + 1 if x else 0"),
                "", SOURCE + "\n\nz = 'é'\n"):
        again = parse_edited(parser_for("python"), old, new.encode())
        assert str(again.tree.root_node) == str(parsed(new).tree.root_node)
        assert str(old.tree.root_node) == str(parsed(SOURCE).tree.root_node)  # the old tree is left as it was


def test_an_edit_of_what_a_method_assigns_an_attribute_relinks_the_calls_on_it_elsewhere():
    source = textwrap.dedent('''\
        import httpx
        import requests


        class Fetcher:
            def __init__(self):
                self.session = requests.Session()

            def fetch(self, url):
                return self.session.get(url)
        ''')
    edited = source.replace("self.session = requests.Session()", "self.session = httpx.Client()")
    cpg = build_sources([source_from_text(source, REL)])
    assert apply(cpg, source, edited)  # the body path took it
    gets = [cpg.get(n, Prop.METHOD_FULL_NAME) for n in cpg.nodes(NodeKind.CALL) if cpg.get(n, Prop.NAME) == "get"]
    assert gets == ["httpx.Client.get"]
    assert shape(cpg, REL) == shape(build_sources([source_from_text(edited, REL)]), REL)


def test_calls_reached_through_an_assigned_attribute_are_relinked_too():
    source = textwrap.dedent('''\
        import httpx
        import requests


        class WrapA:
            def __init__(self):
                self.client = requests.Session()


        class WrapB:
            def __init__(self):
                self.client = httpx.Client()


        class Fetcher:
            def __init__(self):
                self.session = WrapA()

            def fetch(self, url):
                return self.session.client.get(url)
        ''')
    edited = source.replace("self.session = WrapA()", "self.session = WrapB()")
    cpg = build_sources([source_from_text(source, REL)])
    assert apply(cpg, source, edited)
    gets = [cpg.get(n, Prop.METHOD_FULL_NAME) for n in cpg.nodes(NodeKind.CALL) if cpg.get(n, Prop.NAME) == "get"]
    assert gets == ["httpx.Client.get"]
    assert shape(cpg, REL) == shape(build_sources([source_from_text(edited, REL)]), REL)
