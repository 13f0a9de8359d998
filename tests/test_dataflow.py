"""Flows through assignments, branches, loops, calls and returns, fields and globals (Python and TypeScript); bounds."""

from __future__ import annotations

import textwrap

from typeinfer.cpg.query import project_from_cpg, project_from_sources


def flows_of(code: str, path: str = "a.py", source: str = "source", sink: str = "sink", **bounds):  # noqa: ANN201
    """Flows from calls named `source` to the first argument of calls named `sink`."""
    p = project_from_sources({path: textwrap.dedent(code)})
    return p.calls.name(sink).argument(1).flows(p.calls.name(source), **bounds)


def lines(flow) -> list[int]:  # noqa: ANN001
    """The lines a flow passes through, consecutive repeats merged."""
    out: list[int] = []
    for step in flow.steps:
        if not out or out[-1] != step.line:
            out.append(step.line)
    return out


def test_straight_assignments_and_expressions():
    [flow] = flows_of("""
        x = source()
        y = "a" + x
        z = f"{y}!"
        sink(z)
    """)
    assert lines(flow) == [2, 3, 4, 5]
    assert flow.steps[0].code == "source()" and flow.steps[-1].code == "z"


def test_redefinition_kills_the_taint():
    assert flows_of("""
        x = source()
        x = "clean"
        sink(x)
    """) == []


def test_branches_one_tainted_path_is_enough():
    [flow] = flows_of("""
        def f(c):
            if c:
                x = source()
            else:
                x = "clean"
            sink(x)
    """)
    assert lines(flow) == [4, 7]
    assert flows_of("""
        def f(c):
            x = source()
            if c:
                x = "a"
            else:
                x = "b"
            sink(x)
    """) == []


def test_loops_carry_taint_around_and_through_targets():
    [flow] = flows_of("""
        acc = ""
        for part in source():
            acc = acc + part
        sink(acc)
    """)
    assert lines(flow) == [3, 4, 5]
    [flow] = flows_of("""
        i = 0
        cmd = "x"
        while i < 3:
            sink(cmd)
            cmd = source()
            i += 1
    """)
    assert lines(flow) == [6, 5]  # defined late in the body, used in the next iteration


def test_destructuring_follows_positions():
    assert len(flows_of("""
        a, b = source(), "clean"
        sink(a)
    """)) == 1
    assert flows_of("""
        a, b = source(), "clean"
        sink(b)
    """) == []


def test_calls_into_a_helper_and_back_out_through_its_return():
    [flow] = flows_of("""
        def wrap(v):
            w = v.strip()
            return "<" + w + ">"

        def main():
            data = source()
            sink(wrap(data))
    """)
    assert lines(flow) == [7, 8, 2, 3, 4, 8]
    assert [s.note for s in flow.steps if s.note in ("argument to parameter", "return")] == [
        "argument to parameter", "return"]


def test_returns_are_context_sensitive():
    found = flows_of("""
        def ident(v):
            return v

        def main():
            a = ident(source())
            b = ident("clean")
            sink(b)
            sink(a)
    """)
    assert [f.steps[-1].line for f in found] == [9]


def test_sink_inside_a_callee_reached_from_callers():
    found = flows_of("""
        def run(cmd):
            sink(cmd)

        def a():
            run(source())

        def b():
            run("ls")
    """)
    assert [lines(f) for f in found] == [[6, 2, 3]]


def test_keyword_arguments_bind_by_name_and_methods_skip_self():
    found = flows_of("""
        class Runner:
            def go(self, first, second="x"):
                sink(second)

        def main():
            Runner().go("clean", second=source())
            Runner().go(source(), "clean")
    """)
    assert [f.steps[0].line for f in found] == [7]


def test_field_writes_reach_reads_in_the_same_class():
    [flow] = flows_of("""
        class Job:
            def __init__(self, cmd):
                self.cmd = cmd

            def run(self):
                sink(self.cmd)

        Job(source()).run()
    """)
    assert lines(flow) == [9, 3, 4, 7]


def test_class_attributes_written_through_cls_reach_reads_through_cls_and_self():
    found = flows_of("""
        class Config:
            @classmethod
            def load(cls):
                cls.cmd = source()

            @classmethod
            def run(cls):
                sink(cls.cmd)

            def go(self):
                sink(self.cmd)
    """)
    assert sorted(lines(f) for f in found) == [[5, 9], [5, 12]]


def test_module_globals_used_in_functions():
    [flow] = flows_of("""
        CMD = source()

        def main():
            sink(CMD)
    """)
    assert lines(flow) == [2, 5]


def test_sanitizers_and_boolean_operators_stop_taint():
    assert flows_of("""
        n = int(source())
        sink(n)
        sink(source() == "x")
    """) == []
    assert len(flows_of("""
        n = int(source())
        sink(n)
    """, sanitizers=[])) == 1


def test_typescript_branches_loops_calls_and_returns():
    found = flows_of("""
        function clean(s: string): string { return "x"; }
        function pass(s: string): string { const t = s.trim(); return t; }
        export function handler(flag: boolean) {
          let q = "";
          for (const part of source()) {
            if (flag) { q = q + part; } else { q = clean(part); }
          }
          sink(pass(q));
          sink(clean(q));
        }
    """, "a.ts")
    assert [f.steps[-1].line for f in found] == [9]
    assert lines(found[0]) == [6, 7, 9, 3, 9]


def test_typescript_arrow_handler_with_closure_variable():
    [flow] = flows_of("""
        const prefix = source();
        const handler = (x: string) => {
          const cmd = prefix + x;
          sink(cmd);
        };
    """, "a.ts")
    assert lines(flow) == [2, 4, 5]


def test_reachable_by_returns_the_sources():
    p = project_from_sources({"a.py": "a = source()\nb = other()\nsink(a + b)\n"})
    sinks = p.calls.name("sink").argument(1)
    assert [n.code for n in sinks.reachable_by(p.calls.name("source|other"))] == ["source()", "other()"]


def test_depth_and_time_bounds():
    chain = "x0 = source()\n" + "".join(f"x{i + 1} = x{i}\n" for i in range(30)) + "sink(x30)\n"
    assert len(flows_of(chain)) == 1
    bounded = flows_of(chain, max_depth=10)
    assert bounded == [] and bounded.truncated
    timed = flows_of(chain, timeout_s=0.0)
    assert timed == [] and timed.truncated


def test_chops_of_several_source_sink_pairs_in_one_walk_are_each_pairs_own_chop():
    from typeinfer.cpg.dataflow import chop, chops

    p = project_from_sources({"a.py": textwrap.dedent("""
        def f(a, b):
            x = a + "1"
            y = b + x
            sink_one(x)
            sink_two(y)
            z = b
            sink_two(z)
    """)})
    cpg = p.cpg
    params = {cpg.get(n, "NAME"): n for n in p.parameters.ids()}
    sinks = {name: set(p.calls.name(name).argument(1).ids()) for name in ("sink_one", "sink_two")}
    pairs = [(sinks["sink_one"], {params["a"]}), (sinks["sink_two"], {params["b"]}),
             (sinks["sink_one"] | sinks["sink_two"], {params["a"], params["b"]})]
    together = chops(p, pairs)
    assert together == [chop(p, s, src) for s, src in pairs]
    code = [{cpg.get(n, "CODE") for n in part} for part in together]
    assert "x" in code[0] and "y" not in code[0]  # a reaches sink_one through x only
    assert {"y", "z"} <= code[1] and "x" not in code[1]  # b reaches sink_two by y and z, not through x


def test_flows_after_function_body_edits_see_the_graph_as_it_is_now():
    # what the engines remember of a graph's syntax (its `self.x = v` writes) is dropped when its
    # nodes change: two edits that come back to the same text still give new nodes
    from typeinfer.cpg.dataflow import flows
    from typeinfer.cpg.function_update import ParsedText, update_function_body
    from typeinfer.cpg.project import build_sources
    from typeinfer.cpg.source import parser_for, source_from_text

    before = textwrap.dedent("""
        import os
        import subprocess

        class Job:
            def load(self):
                self.cmd = os.environ["CMD"]

            def run(self):
                subprocess.call(self.cmd, shell=True)
    """)
    after = before.replace('self.cmd = os.environ["CMD"]', 'self.cmd = os.environ["CMD"]\n        x = 1')

    def parsed(text: str) -> ParsedText:
        return ParsedText(text.encode(), parser_for("python").parse(text.encode()))

    def count(cpg) -> int:  # noqa: ANN001
        p = project_from_cpg(cpg)
        sources = {n for n in p.calls.name("<operator>.indexAccess").ids() if "environ" in cpg.get(n, "CODE")}
        return len(flows(p, list(p.calls.name("call").argument(1).ids()), sources))

    cpg = build_sources([source_from_text(before, "m.py")])
    assert count(cpg) == 1
    assert update_function_body(cpg, "m.py", parsed(before), parsed(after)) is not None
    assert update_function_body(cpg, "m.py", parsed(after), parsed(before)) is not None
    assert count(cpg) == 1
