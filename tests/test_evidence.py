"""analyzer/evidence.py: partial static evidence for slots the static layer leaves unknown, and
the model ranking conditioned on it."""

from __future__ import annotations

import textwrap

import pytest

from typeinfer.analyzer.evidence import CHECK_WEIGHT, Evidence, admits, collect_evidence, condition
from typeinfer.analyzer.slices import extract_slices
from typeinfer.analyzer.static_facts import StaticTyper, infer_static
from typeinfer.analyzer.type_universe import build_type_universe
from typeinfer.cpg.project import build_sources
from typeinfer.cpg.source import source_from_text

PY = """\
from pathlib import Path
import helpers


class Base:
    pass


class Child(Base):
    pass


def load(path, retries):
    if retries:
        return helpers.fetch(path)
    return None


def open_all(root):
    return root


def caller(extra):
    open_all(Path("a"))
    open_all(Path("b"))
    open_all(extra)
    load(Path("c"), 3)


def settled():
    return 1


def local_values(flag):
    x = helpers.make()
    if flag:
        x = "text"
    return x


class Holder:
    def __init__(self):
        self.item = None

    def fill(self):
        self.item = helpers.make()
"""

TS = """\
export function pick(n: number) {
  if (n > 1) {
    return;
  }
  return compute(n);
}
"""


def _evidence(*files: tuple[str, str]):
    cpg = build_sources([source_from_text(textwrap.dedent(text), path) for path, text in files])
    program = extract_slices(cpg)
    typer = StaticTyper(cpg)
    facts = infer_static(cpg, program, typer=typer)
    found = collect_evidence(cpg, program.slices, facts, typer)
    return {(s.kind, s.function, s.name): (f, e) for s, f, e in zip(program.slices, facts, found)}, cpg


def test_evidence_from_returns_calls_and_assignments():
    got, _ = _evidence(("m.py", PY))
    fact, ev = got[("return", "load", "load")]
    assert fact is None and ev == Evidence(("None",), 1, 2)  # helpers.fetch(...) is unknown
    # every resolved call passes a Path (one passes an unknown parameter): evidence, not a fact
    fact, ev = got[("parameter", "open_all", "root")]
    assert fact is None and ev.types == ("Path",) and (ev.known, ev.values) == (2, 3)
    assert got[("parameter", "load", "retries")][1].types == ("int",)
    assert got[("variable", "local_values", "x")][1].types == ("str",)
    assert got[("attribute", "", "item")][1] == Evidence(("None",), 1, 2)
    # a slot the static layer settles has no evidence; neither has one without callers
    fact, ev = got[("return", "settled", "settled")]
    assert fact is not None and fact.type == "int" and ev is None
    assert got[("parameter", "caller", "extra")][1] is None


def test_typescript_bare_return_is_undefined():
    got, _ = _evidence(("a.ts", TS))
    fact, ev = got[("return", "pick", "pick")]
    assert fact is None and ev.types == ("undefined",)


def test_admits_unions_numbers_containers_and_subclasses():
    _, cpg = _evidence(("m.py", PY))
    universe = build_type_universe(cpg)
    assert admits("str | None", "None", "python", universe)
    assert not admits("str", "None", "python", universe)
    assert admits("float", "int", "python", universe)
    assert admits("list", "list[str]", "python", universe)
    assert admits("Base", "Child", "python", universe)  # a subclass instance fits its base
    assert not admits("Child", "Base", "python", universe)
    assert admits("void", "undefined", "typescript", universe)


def test_condition_moves_mass_to_types_that_admit_the_evidence():
    _, cpg = _evidence(("m.py", PY))
    universe = build_type_universe(cpg)
    ranking = [("str", 0.5), ("str | None", 0.3), ("int", 0.1)]
    out = condition(ranking, Evidence(("None",), 1, 2), "python", universe, weight=0.1)
    assert [t for t, _ in out] == ["str | None", "str", "int"]
    assert sum(p for _, p in out) == pytest.approx(0.9)  # the ranking keeps its mass
    assert dict(out)["str | None"] == pytest.approx(0.3 * 0.9 / (0.05 + 0.3 + 0.01))
    assert condition(ranking, None, "python", universe) == ranking
    assert condition(ranking, Evidence(("None",), 1, 1), "python", universe, weight=1.0) == ranking


CHECKS_PY = """\
import helpers


def describe(label, count, sentinel=helpers.MISSING):
    if label is None:
        return "?"
    if count != None and sentinel is not helpers.MISSING:
        return label
    total = helpers.make()
    if total is not None:
        return total
    return label
"""

CHECKS_TS = """\
export function show(name, count) {
  if (name === null) { return ""; }
  if (count == null) { return name; }
  return name + count;
}
"""


def test_a_comparison_with_none_is_evidence_that_the_slot_holds_none():
    got, _ = _evidence(("c.py", CHECKS_PY), ("c.ts", CHECKS_TS))
    assert got[("parameter", "describe", "label")][1] == Evidence((), 0, 0, ("None",))
    assert got[("parameter", "describe", "count")][1].checked == ("None",)  # `!= None` too
    assert got[("parameter", "describe", "sentinel")][1] is None  # compared, but not with None
    assert got[("variable", "describe", "total")][1].checked == ("None",)
    assert got[("parameter", "show", "name")][1].checked == ("null",)
    # `== null` also matches undefined, which an optional parameter holds without declaring it
    assert got[("parameter", "show", "count")][1] is None


def test_condition_weighs_a_none_check_more_softly_than_a_value():
    _, cpg = _evidence(("c.py", CHECKS_PY))
    universe = build_type_universe(cpg)
    ranking = [("str", 0.6), ("str | None", 0.2), ("Any", 0.1)]
    out = dict(condition(ranking, Evidence((), 0, 0, ("None",)), "python", universe))
    assert out["str | None"] > out["str"]
    assert out["str"] / out["str | None"] == pytest.approx(3 * CHECK_WEIGHT)
    assert out["Any"] == pytest.approx(out["str | None"] / 2)  # Any admits everything
