"""CFG and reaching definitions on programs with branches, loops, early returns and exceptions.

Each test builds a graph from an inline snippet and asserts which definitions reach which uses,
written as (variable, line of the definition, line of the use).
"""

from __future__ import annotations

import textwrap

import pytest

from typeinfer.cpg.project import build_sources
from typeinfer.cpg.schema import EdgeKind, NodeKind, Prop, validate
from typeinfer.cpg.source import source_from_text


def graph(code: str, path: str = "m.py"):
    cpg = build_sources([source_from_text(textwrap.dedent(code), path)])
    assert validate(cpg.g) == []
    assert all(f.error is None for f in cpg.files.values())
    return cpg


def reaching(cpg, variable: str) -> set[tuple[int, int]]:
    """(def line, use line) pairs of REACHING_DEF edges for one variable."""
    return {
        (cpg.get(s, Prop.LINE_NUMBER), cpg.get(d, Prop.LINE_NUMBER))
        for s, d, k, p in cpg.g.edges(keys=True, data=True)
        if k == EdgeKind.REACHING_DEF and p.get(Prop.VARIABLE) == variable
    }


def cfg_succ_codes(cpg, code: str) -> set[str]:
    node = next(n for n in cpg.nodes() if cpg.get(n, Prop.CODE) == code
                and cpg.kind(n) in (NodeKind.IDENTIFIER, NodeKind.CALL))
    return {cpg.get(d, Prop.CODE) or str(cpg.kind(d)) for d in cpg.out(node, EdgeKind.CFG)}


def test_straight_line_redefinition_kills_the_old_definition():
    cpg = graph("""
        def f():
            x = 1
            x = 2
            return x
    """)
    assert reaching(cpg, "x") == {(4, 5)}


def test_if_else_both_definitions_reach_the_join():
    cpg = graph("""
        def f(c):
            if c:
                x = 1
            else:
                x = "a"
            return x
    """)
    assert reaching(cpg, "x") == {(4, 7), (6, 7)}
    assert reaching(cpg, "c") == {(2, 3)}


def test_if_without_else_keeps_the_earlier_definition():
    cpg = graph("""
        def f(c):
            x = 0
            if c:
                x = 1
            print(x)
    """)
    assert reaching(cpg, "x") == {(3, 6), (5, 6)}


def test_early_return_stops_a_definition():
    cpg = graph("""
        def f(c):
            x = 0
            if c:
                x = 1
                return x
            return x
    """)
    assert reaching(cpg, "x") == {(5, 6), (3, 7)}


def test_while_loop_carries_definitions_around_the_back_edge():
    cpg = graph("""
        def f(n):
            i = 0
            while i < n:
                i = i + 1
            return i
    """)
    assert reaching(cpg, "i") == {(3, 4), (5, 4), (3, 5), (5, 5), (3, 6), (5, 6)}


def test_for_loop_target_and_augmented_assignment():
    cpg = graph("""
        def f(xs):
            total = 0
            for x in xs:
                total += x
            return total
    """)
    assert reaching(cpg, "total") == {(3, 5), (5, 5), (3, 6), (5, 6)}
    assert reaching(cpg, "x") == {(4, 5)}


def test_break_and_continue():
    cpg = graph("""
        def f(xs):
            found = None
            for x in xs:
                if x:
                    found = x
                    break
                found = 0
                continue
            return found
    """)
    assert reaching(cpg, "found") == {(3, 10), (6, 10), (8, 10)}


def test_exception_handler_sees_definitions_from_the_try_body():
    cpg = graph("""
        def f(p):
            data = None
            try:
                data = open(p)
                data = data.read()
            except OSError as exc:
                print(exc, data)
            finally:
                print(data)
    """)
    # the handler may run before or after either assignment in the body
    assert {(3, 8), (5, 8), (6, 8)} <= reaching(cpg, "data")
    assert {(3, 10), (6, 10)} <= reaching(cpg, "data")
    assert reaching(cpg, "exc") == {(7, 8)}


def test_parameters_reach_their_uses():
    cpg = graph("""
        def f(a, b=2):
            return a + b
    """)
    assert reaching(cpg, "a") == {(2, 3)}
    assert reaching(cpg, "b") == {(2, 3)}


def test_value_is_evaluated_before_its_target():
    cpg = graph("""
        def f(x):
            x = x + 1
            return x
    """)
    assert reaching(cpg, "x") == {(2, 3), (3, 4)}


def test_cfg_of_if_branches_to_both_arms_and_joins():
    cpg = graph("""
        def f(c):
            if c:
                a()
            else:
                b()
            d()
    """)
    assert cfg_succ_codes(cpg, "c") == {"a()", "b()"}
    assert cfg_succ_codes(cpg, "a()") == {"d()"}
    assert cfg_succ_codes(cpg, "b()") == {"d()"}


def test_every_method_has_a_path_from_entry_to_exit():
    cpg = graph("""
        def f(xs):
            for x in xs:
                if x:
                    return 1
            while True:
                break
            return 2
    """)
    import networkx as nx

    method = next(n for n in cpg.nodes(NodeKind.METHOD) if cpg.get(n, Prop.NAME) == "f")
    exit_ = next(c for c in cpg.ast_children(method) if cpg.kind(c) == NodeKind.METHOD_RETURN)
    cfg = nx.DiGraph([(s, d) for s, d, k in cpg.g.edges(keys=True) if k == EdgeKind.CFG])
    assert nx.has_path(cfg, method, exit_)
    returns = [n for n in cpg.nodes(NodeKind.RETURN)]
    assert all(cpg.out(r, EdgeKind.CFG) == [exit_] for r in returns)


@pytest.mark.parametrize("path", ["m.ts", "m.js"])
def test_typescript_branches_and_loops(path):
    cpg = graph("""
        function f(xs, c) {
          let total = 0;
          for (const x of xs) {
            if (c) { total += x; } else { continue; }
          }
          switch (total) {
            case 0:
              total = 1;
            case 1:
              total = 2;
              break;
            default:
              total = 3;
          }
          return total;
        }
    """, path)
    # case 0 falls through into case 1, whose assignment kills it; default is the only other way out
    assert reaching(cpg, "total") == {(3, 5), (5, 5), (3, 7), (5, 7), (11, 16), (14, 16)}
