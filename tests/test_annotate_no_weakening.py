"""What annotate writes must not be weaker than, or contradict, the code in front of it: slots the
pipeline leaves without a type (`StaticTyper.not_annotatable`), the static `operator` rule on
stdlib dunders, and the consistency filter's name, operator and shadowing checks."""

from __future__ import annotations

import textwrap

from fixed_predictor import FixedPredictor

from typeinfer.analyzer.consistency import ConsistencyFilter
from typeinfer.analyzer.pipeline import InferenceOptions, infer_graph
from typeinfer.analyzer.slice_schema import Definition, UsageSlice
from typeinfer.analyzer.type_universe import build_type_universe
from typeinfer.cpg.project import build_sources
from typeinfer.cpg.source import source_from_text


def graph(files):
    return build_sources(source_from_text(textwrap.dedent(code), path) for path, code in files.items())


def rows(files, ranking=None):
    cpg = graph(files)
    options = InferenceOptions(use_model=ranking is not None)
    result = infer_graph(cpg, options, predictor=FixedPredictor(ranking) if ranking else None)
    return {(p.kind, p.name): p for p in result.predictions}


TS = {"src/color.ts": """
    export const WHITE = 'w';
    export const BLACK = 'b';
    export type Color = 'w' | 'b';
    export const NUMS = [1, 2] as const;
    export const inc = (x: number) => x + 1;
    export const named = function (y: number) { return y; };
    let count = 0;
    let label = 'a';
    label = 'b';
    let mixed = 0;
    mixed = 'x' as any as number | string;
    let computed = count + 1;
"""}


def test_typescript_consts_with_literals_functions_and_as_const_get_no_annotation():
    r = rows(TS)
    for name in ("WHITE", "BLACK", "NUMS", "inc", "named", "count"):
        p = r["variable", name]
        assert p.source == "none" and p.type == "", name
        assert p.evidence.startswith("not annotated:"), name
    # the model is not asked to fill them in either
    r = rows(TS, [("string", 0.9)])
    assert r["variable", "WHITE"].type == "" and r["variable", "inc"].type == ""


def test_typescript_let_keeps_a_type_only_when_it_differs_from_the_initialiser():
    r = rows(TS)
    assert r["variable", "label"].type == ""  # string, as `let label = 'a'` infers
    assert r["variable", "computed"].type == "number"  # not a literal: unchanged


PY = {"m.py": """
    import os
    import os.path
    from xml.dom import Node

    def _get(self):
        return 1

    exists = os.path.exists
    position = property(_get)
    ENTITY = Node.ENTITY_NODE
    klass = int
    mod = os
    fn = _get
    square = lambda x: x * x
    count = 0

    class Point:
        x = property(_get)
        helper = staticmethod(_get)
"""}


def test_python_names_bound_to_functions_classes_modules_and_descriptors_get_no_annotation():
    r = rows(PY, [("bool", 0.9), ("int", 0.05)])
    for kind, name in [("variable", "exists"), ("variable", "position"), ("variable", "ENTITY"),
                       ("variable", "klass"), ("variable", "mod"), ("variable", "fn"), ("variable", "square"),
                       ("attribute", "x"), ("attribute", "helper")]:
        p = r.get((kind, name))
        if p is None:
            continue  # not a slot at all is as good
        assert p.source == "none" and p.type == "", (kind, name, p.type)
    assert r["variable", "count"].type == "int"
    assert r["variable", "exists"].evidence.startswith("not annotated:")


def test_python_attribute_of_a_class_keeps_an_exact_static_fact():
    r = rows({"m.py": """
        import sys
        size = sys.maxsize
    """})
    assert r["variable", "size"].type in ("int", "")  # typeshed's int, or nothing; never a guess


def test_operator_on_two_operands_of_one_stdlib_class_uses_its_dunder():
    r = rows({"m.py": """
        def f(a: frozenset[str], b: frozenset[str], c: set[int], d: dict[str, int]):
            u = a | b
            v = c - {1}
            w = d | d
            return u, v, w
    """})
    assert r["variable", "u"].type == "frozenset[str]"
    assert r["variable", "v"].type == "set[int]"
    assert r["variable", "w"].type == "dict[str, int]"


def test_a_bitwise_operator_result_is_never_a_builtin_without_that_operator():
    r = rows({"m.py": """
        def f(a, b):
            spaces = a | b
            return spaces
    """}, [("float", 0.8), ("frozenset", 0.15)])
    assert r["variable", "spaces"].type == "frozenset"
    item = UsageSlice(name="x", kind="variable", language="python", file="m.py", line=1, column=0, function="",
                      defined_by=[Definition("operator", "a | b", name="|")])
    checker = ConsistencyFilter(build_type_universe(graph({"m.py": "x = 1\n"})))
    assert not checker.check("float", item).ok
    assert not checker.check("str", item).ok
    assert checker.check("int", item).ok and checker.check("set[int]", item).ok


def test_a_parameter_named_after_a_builtin_type_is_not_typed_as_it_by_the_model():
    r = rows({"m.py": """
        def fmt(bytes, text):
            return f"{bytes} {text}"
    """}, [("bytes", 0.8), ("int", 0.15)])
    assert r["parameter", "bytes"].type == "int"
    assert r["parameter", "text"].type == "bytes"  # another name: the ranking stands
    r = rows({"src/a.ts": "export function f(string, n) { return string + n; }\n"}, [("string", 0.9)])
    assert r["parameter", "string"].type == ""


def test_an_import_shadowing_a_project_class_is_not_used_as_a_type():
    files = {
        "pkg/__init__.py": "",
        "pkg/nodes.py": """
            class Node:
                def walk(self):
                    return 1
        """,
        "pkg/dom.py": """
            from xml.dom import Node

            def visit(node):
                return node.walk()
        """,
        "pkg/other.py": """
            from pkg.nodes import Node

            def visit(node):
                return node.walk()
        """,
    }
    cpg = graph(files)
    result = infer_graph(cpg, InferenceOptions(use_model=True), predictor=FixedPredictor([("Node", 0.9)]))
    got = {(p.file, p.kind, p.name): p.type for p in result.predictions}
    assert got["pkg/dom.py", "parameter", "node"] == ""
    assert got["pkg/other.py", "parameter", "node"] == "Node"
    assert result.universe.shadowing_import("pkg/dom.py", "Node", "python") == "xml.dom.Node"
    assert result.universe.shadowing_import("pkg/other.py", "Node", "python") is None


def test_an_unannotated_typescript_constant_still_types_its_reads_in_closures():
    r = rows({"src/bench.ts": """
        const DATA = "1.2.3.4";
        const re = /^\\d+$/;
        export const check = () => {
          return re.test(DATA);
        };
        const order = { id: 1 };
    """})
    assert r["variable", "re"].type == "" and r["variable", "DATA"].type == ""
    assert r["return", "check"].type == "boolean"  # re.test(...), re read in the arrow function
    assert not r["variable", "order"].evidence.startswith("not annotated")  # an object literal may get a named type


def test_a_module_constant_types_the_functions_that_read_it():
    r = rows({"ansi.py": """
        CSI = '\\033['


        class Cursor:
            def pos(self, x=1, y=1):
                return CSI + str(y) + ';' + str(x) + 'H'
    """}, ranking=[("int", 0.9)])
    assert (r["return", "pos"].type, r["return", "pos"].source) == ("str", "static")  # not the model's int


def test_a_variable_called_as_a_function_gets_no_guess_from_the_model():
    r = rows({"m.py": """
        def isatty(stream):
            probe = stream.isatty
            return probe()
    """}, ranking=[("bool", 0.95)])
    assert r["variable", "probe"].type == "" and "called" in r["variable", "probe"].evidence


def test_a_parameter_reassigned_with_another_type_is_not_annotated_with_the_first():
    r = rows({"m.py": """
        from ctypes import c_char


        def fill(char, name):
            char = c_char(char.encode())
            name = lookup(name)
            return char, name
    """}, ranking=[("str", 0.9)])
    assert r["parameter", "char"].type == "" and "reassigned with c_char" in r["parameter", "char"].evidence
    assert r["parameter", "name"].type == "str"  # a write of unknown type does not veto


def test_a_float_total_summed_with_plus_equals_and_rounded_is_a_float():
    r = rows({"m.py": """
        def total(items):
            amount = 0.0
            for item in items:
                amount += item.price
            return round(amount, 2)


        def whole(x: float):
            return round(x)
    """}, ranking=[("int", 0.9)])
    assert (r["return", "total"].type, r["return", "total"].source) == ("float", "static")  # not the model's int
    assert (r["return", "whole"].type, r["return", "whole"].source) == ("int", "static")  # round(x) of a float


def test_a_function_that_can_end_without_a_return_returns_an_optional():
    r = rows({"m.py": """
        import sys


        def remove_hook(name, hooks):
            if name in hooks:
                hooks.remove(name)
                return True


        def current_error():
            return sys.exc_info()[1]


        def forever():
            while True:
                return 1
    """})
    assert r["return", "remove_hook"].type == "bool | None"
    assert r["return", "current_error"].type == "BaseException | None"
    assert r["return", "forever"].type == "int"


def test_a_model_return_type_without_none_is_dropped_where_a_path_returns_none():
    r = rows({"m.py": """
        def find(items, key):
            for item in items:
                if item.key == key:
                    return item.value
    """}, ranking=[("str", 0.9)])
    assert r["return", "find"].type == "" and "may return None" in r["return", "find"].evidence


def test_a_parameter_called_with_another_type_or_defaulting_to_one_is_not_annotated_with_a_guess():
    r = rows({"m.py": """
        def fmt(value, floatfmt='g'):
            return format(value, floatfmt)


        def pad(widths):
            return [w + 2 for w in widths]


        def run():
            pad([w * 2 for w in range(3)])
            return fmt(1.5, 'g')
    """}, ranking=[("float", 0.9), ("int", 0.05)])
    assert r["parameter", "floatfmt"].type == "" and "default 'g'" in r["parameter", "floatfmt"].evidence
    assert r["parameter", "widths"].type == "" and "called with [w * 2" in r["parameter", "widths"].evidence
    assert r["return", "pad"].type == ""  # a list comprehension is no float


def test_a_model_return_type_lacking_what_callers_read_on_the_result_is_dropped():
    r = rows({"src/enc.ts": """
        import { encode } from "./codec";
        export function encodeArray(value) {
          return encode(value);
        }
        export function use(v) {
          const result = encodeArray(v);
          return result.dynamic;
        }
    """}, ranking=[("string", 0.9)])
    assert r["return", "encodeArray"].type == "" and ".dynamic" in r["return", "encodeArray"].evidence
