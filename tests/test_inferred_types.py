"""The inferred-type table: one row per slot key, a later round's row replacing an earlier one,
the threshold deciding what is confident, and the node form the write-back pass applies."""

from __future__ import annotations

from typeinfer.analyzer.inferred_types import Alternative, InferredTypes, Prediction, graph_types
from typeinfer.analyzer.slots import SlotKey


def _row(name: str, typ: str, confidence: float, source: str = "model", line: int = 3, node=None) -> Prediction:  # noqa: ANN001
    return Prediction(file="m.py", language="python", kind="variable", function="f", name=name, line=line, column=4,
                      type=typ, confidence=confidence, source=source, alternatives=[Alternative("str", 0.1)],
                      full_type=typ, node=node)


def test_rows_are_keyed_by_slot_and_a_later_round_replaces_an_earlier_one():
    table = InferredTypes(0.6, [_row("x", "int", 0.5), _row("y", "str", 0.9, line=4)])
    table.update([_row("x", "float", 0.7)])
    assert len(table) == 2 and table.get(SlotKey("m.py", "variable", "f", "x", 3)).type == "float"
    assert [p.name for p in table] == ["x", "y"]  # file, line, column, kind order


def test_the_threshold_decides_what_is_confident():
    table = InferredTypes(0.6, [_row("x", "int", 0.59), _row("y", "str", 0.6, line=4), _row("z", "", 0.0, "none", 5)])
    assert [p.name for p in table.confident()] == ["y"]
    assert table.to_json()["threshold"] == 0.6 and len(table.to_json()["predictions"]) == 3


def test_node_form_marks_confident_rows_and_skips_rows_without_a_type_or_node():
    rows = [_row("x", "int", 0.59, node=("m.py", 1)), _row("y", "str", 0.9, line=4, node=("m.py", 2)),
            _row("z", "", 0.0, "none", 5, node=("m.py", 3)), _row("w", "int", 0.9, line=6)]
    nodes = graph_types(rows, 0.6)
    assert set(nodes) == {("m.py", 1), ("m.py", 2)}
    assert not nodes[("m.py", 1)].confident and nodes[("m.py", 2)].confident
    assert nodes[("m.py", 2)].ranked == (("str", 0.9), ("str", 0.1))
