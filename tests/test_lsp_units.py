"""Language-server pieces without a client: positions, anchors moving with edits, the prediction
cache, settings, text edits."""

from __future__ import annotations

import pickle
import random

import pytest
from lsprotocol import types

from typeinfer.lsp import positions as pos
from typeinfer.lsp.analysis import Analyzer, Snapshot
from typeinfer.lsp.edits import apply_text_edits, text_edits
from typeinfer.lsp.settings import Settings
from typeinfer.lsp.state import DocumentState
from typeinfer.typemodel.prediction_cache import PredictionCache, slice_key

# line, byte column, UTF-16 column, character index
CASES = [
    ("x = 1", 4, 4, 4),
    ('s = "🎉"; y = 2', 12, 10, 9),  # emoji: 4 bytes, 2 UTF-16 units, 1 character
    ("größe = 3", 8, 6, 6),  # ö and ß: 2 bytes, 1 unit
    ("größe = 3", 0, 0, 0),
    ("a = '日本'; b", 14, 10, 10),  # CJK: 3 bytes, 1 unit
    ("𝑥 = 1", 5, 3, 2),  # a non-BMP identifier: 4 bytes, 2 units
]


@pytest.mark.parametrize("line,byte_col,col16,char_col", CASES)
def test_position_conversions(line: str, byte_col: int, col16: int, char_col: int) -> None:
    for encoding, col in ((pos.UTF16, col16), (pos.UTF8, byte_col), (pos.UTF32, char_col)):
        index = pos.LineIndex(line, encoding)
        assert index.byte_to_col(0, byte_col) == col, encoding
        assert index.col_to_byte(0, col) == byte_col, encoding
    assert pos.byte_to_char(line, byte_col) == char_col
    assert pos.utf16_to_char(line, col16) == char_col
    assert pos.char_to_byte(line, char_col) == byte_col


def test_positions_round_down_inside_a_character_and_clamp() -> None:
    line = 'a🎉b'
    utf16 = pos.LineIndex(line, pos.UTF16)
    assert utf16.col_to_byte(0, 2) == 1  # between the surrogate halves -> start of the emoji
    assert utf16.byte_to_col(0, 3) == 1  # inside the UTF-8 sequence -> start of the emoji
    assert utf16.col_to_byte(0, 99) == len(line.encode())
    assert pos.LineIndex(line, pos.UTF8).col_to_byte(0, 3) == 1  # inside the emoji's bytes -> its start
    index = pos.LineIndex("é\n🎉x\n")
    assert index.byte_offset(1, 2) == len("é\n🎉".encode())
    assert index.byte_offset(7, 0) == len("é\n🎉x\n".encode())


def _change(line: int, col: int, end_line: int, end_col: int, text: str) -> types.TextDocumentContentChangePartial:
    return types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(line, col), types.Position(end_line, end_col)), text=text)


def _doc(text: str) -> tuple[DocumentState, Analyzer]:
    analyzer = Analyzer(None, lambda: Settings(use_model=False), lambda _: None)
    analyzer.workspace_ready.set()
    doc = DocumentState("untitled:a", 1, text, "a.py", "python", "python", False)
    result = analyzer.analyze(Snapshot(doc.uri, 1, text, doc.relpath, "python", "python", False))
    doc.install(1, text, result.items)
    doc.threshold, doc.refused = result.threshold, result.refused
    return doc, analyzer


def _where(doc: DocumentState, name: str) -> tuple[int, int] | None:
    for item in doc.items:
        if item.prediction.name == name and item.prediction.kind == "variable":
            return item.anchor.line, item.anchor.start
    return None


def test_items_move_with_edits_and_survive_a_late_analysis() -> None:
    text = 'def f():\n    a = "🎉"; b = 2\n    return b\n'
    doc, analyzer = _doc(text)
    assert _where(doc, "b") == (1, 14)  # UTF-16: the emoji counts 2
    doc.apply_changes(2, [_change(1, 4, 1, 4, "zz = 0; ")])  # typed in front of `a`: both shift right
    assert _where(doc, "b") == (1, 22) and _where(doc, "a") == (1, 12)
    doc.apply_changes(3, [_change(1, 12, 1, 13, "aa")])  # an edit over a slot's name drops it until re-analysis
    assert _where(doc, "a") is None and _where(doc, "b") == (1, 23)
    doc.apply_changes(4, [_change(0, 0, 0, 0, "# c\n# d\n")])
    assert _where(doc, "b") == (3, 23)
    # an analysis of version 1 arriving now is moved through the logged edits
    late = analyzer.analyze(Snapshot(doc.uri, 1, text, doc.relpath, "python", "python", False))
    doc.install(1, text, late.items)
    assert _where(doc, "b") == (3, 23) and _where(doc, "a") is None
    tree_text = doc.tree().root_node.text.decode()
    assert tree_text == doc.text  # the incrementally edited tree matches the text


def test_whole_text_change_remaps_by_lines() -> None:
    doc, _ = _doc("x = 1\ny = 'a'\n")
    doc.apply_changes(2, [types.TextDocumentContentChangeWholeDocument(text="# top\nx = 1\ny = 'a'\n")])
    assert _where(doc, "x") == (1, 0) and _where(doc, "y") == (2, 0)


def test_text_edits_round_trip() -> None:
    rng = random.Random(7)
    alphabet = ["a", "é", "🎉x", "", "def f(x):", "    return 1"]
    for _ in range(2000):
        old = "\n".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
        lines = old.split("\n")
        for _ in range(rng.randint(0, 3)):
            r = rng.random()
            if r < 0.3 and lines:
                lines.pop(rng.randrange(len(lines)))
            elif r < 0.6:
                lines.insert(rng.randint(0, len(lines)), rng.choice(alphabet))
            elif lines:
                i = rng.randrange(len(lines))
                lines[i] = lines[i][:1] + rng.choice(alphabet) + lines[i][1:]
        new = "\n".join(lines)
        assert apply_text_edits(old, text_edits(old, new, pos.UTF16), pos.UTF16) == new


class _CountingPredictor:
    threshold = 0.5

    def __init__(self) -> None:
        self.seen = 0

    def predict(self, slices, candidates, top_k=8):  # noqa: ANN001, ANN201
        self.seen += len(slices)
        return [[("int", 0.9)] for _ in slices]


def test_only_changed_slices_are_predicted_again() -> None:
    from typeinfer.typemodel.prediction_cache import CachingPredictor

    text = "def f(a, b):\n    return a.foo(b)\n\ndef g(c):\n    return c.bar()\n"
    counting = _CountingPredictor()
    analyzer = Analyzer(None, lambda: Settings(), lambda _: None)
    analyzer.predictor = CachingPredictor(counting, analyzer.cache)
    analyzer.workspace_ready.set()
    snap = Snapshot("untitled:b", 1, text, "b.py", "python", "python", False)
    analyzer.analyze(snap)
    first = counting.seen
    assert first > 0
    # lines move (positions change) but no slice's content does: nothing is predicted again
    moved = "# header\n\n" + text
    analyzer.analyze(Snapshot("untitled:b", 2, moved, "b.py", "python", "python", False))
    assert counting.seen == first
    # one use changes in g: only g's slices are predicted again
    edited = moved.replace("c.bar()", "c.baz()")
    analyzer.analyze(Snapshot("untitled:b", 3, edited, "b.py", "python", "python", False))
    assert 0 < counting.seen - first < first


def test_cache_is_bounded_and_hash_ignores_positions() -> None:
    cache = PredictionCache(capacity=3)
    for k in range(10):
        cache.put(str(k), [])
    assert len(cache) == 3 and cache.get("0") is None and cache.get("9") == []
    a = {"name": "x", "line": 3, "column": 4, "invoked_calls": [{"name": "append", "line": 5, "column": 1}]}
    b = {"name": "x", "line": 9, "column": 0, "invoked_calls": [{"name": "append", "line": 1, "column": 7}]}
    assert slice_key(a, ["User"], 8) == slice_key(b, ["User"], 8) != slice_key(a, [], 8) != slice_key(a, [], 5)


def test_settings_merge_ignores_bad_values() -> None:
    s = Settings().merged({"typeinfer": {"minConfidence": 0.8, "kinds": ["return", "bogus"], "diagnostics": "yes",
                                         "debounceMs": -4, "enabled": False}})
    assert s.min_confidence == 0.8 and s.kinds == ("return",) and s.diagnostics is False
    assert s.debounce_ms == Settings().debounce_ms and s.enabled is False
    assert Settings().merged(None) == Settings() and Settings().merged([1]) == Settings()


def test_hint_edits_eager_or_resolved() -> None:
    from typeinfer.lsp import inlay_hints

    doc, _ = _doc("def f():\n    n = len('é🎉')\n    return n\n")
    whole = types.Range(types.Position(0, 0), types.Position(9, 0))
    eager = inlay_hints.inlay_hints(doc, whole, Settings())
    lazy = inlay_hints.inlay_hints(doc, whole, Settings(), lazy_edits=True)
    assert [h.label for h in eager] == [h.label for h in lazy] == ["-> int", ": int"]
    assert all(h.text_edits for h in eager) and not any(h.text_edits for h in lazy)
    resolved = [inlay_hints.resolve(doc, h) for h in lazy]
    assert [h.text_edits for h in resolved] == [h.text_edits for h in eager]
    new = apply_text_edits(doc.text, resolved[1].text_edits, doc.encoding)
    assert "    n: int = len('é🎉')" in new
    old = inlay_hints.inlay_hints(doc, whole, Settings(), lazy_edits=True)
    doc.apply_changes(2, [_change(0, 0, 0, 0, "#\n")])  # a hint of an older version is not resolved
    assert inlay_hints.resolve(doc, inlay_hints.inlay_hints(doc, whole, Settings(), lazy_edits=True)[0]).text_edits
    assert inlay_hints.resolve(doc, old[0]).text_edits is None


def _workspace_hints(root, order: list[str]) -> dict[str, list[tuple[str, str, str, float]]]:
    analyzer = Analyzer(root, lambda: Settings(use_model=False), lambda _: None)
    analyzer.start()
    try:
        assert analyzer.workspace_ready.wait(60)
        out = {}
        for rel in order:
            text = (root / rel).read_text()
            result = analyzer.analyze(Snapshot(f"file://{root / rel}", 1, text, rel, "python", "python", True))
            assert result.in_workspace_graph
            out[rel] = sorted((i.prediction.kind, i.prediction.name, i.prediction.type, i.prediction.confidence)
                              for i in result.items)
        written = [n for n, d in analyzer.cpg.g.nodes(data=True) if d.get("TYPE_SOURCE") in ("static", "model")]
        assert written == []  # inferred types live in the documents' results, not in the shared graph
        return out
    finally:
        analyzer.stop()


def test_hints_do_not_depend_on_which_files_were_analysed_first(tmp_path) -> None:
    (tmp_path / "store.py").write_text(
        "import sqlite3\n\n\ndef connect(path):\n    conn = sqlite3.connect(path)\n    return conn\n\n\n"
        "def fetch(conn, key):\n    cur = conn.cursor()\n    cur.execute('select 1 where k = ?', (key,))\n"
        "    return cur.fetchone()\n")
    (tmp_path / "app.py").write_text(
        "from store import connect, fetch\n\n\ndef handler(path, key):\n    db = connect(path)\n"
        "    row = fetch(db, key)\n    count = len(key)\n    return row, count\n")
    first = _workspace_hints(tmp_path, ["store.py", "app.py"])
    second = _workspace_hints(tmp_path, ["app.py", "store.py"])
    assert first == second
    assert any(kind == "variable" and name == "count" and typ == "int" for kind, name, typ, _ in first["app.py"])


WHOLE_RANGE = types.Range(types.Position(0, 0), types.Position(99, 0))


def test_no_hint_where_no_annotation_can_be_written() -> None:
    from typeinfer.lsp import inlay_hints

    doc, _ = _doc("def f():\n    a, b = 1, 'x'\n    for i in range(3):\n        pass\n    n = 2\n    return n\n")
    labels = {(h.position.line, h.label) for h in inlay_hints.inlay_hints(doc, WHOLE_RANGE, Settings())}
    assert (4, ": int") in labels and (0, "-> int") in labels
    assert not any(line in (1, 2) for line, _ in labels)  # tuple and `for` targets take no annotation


def test_model_guesses_below_the_band_are_marked() -> None:
    from typeinfer.lsp import inlay_hints

    doc, _ = _doc("def f():\n    n = 2\n    return n\n")
    item = next(i for i in doc.items if i.prediction.name == "n" and i.prediction.kind == "variable")
    assert inlay_hints.hint_for(doc, item, False).label == ": int"  # a static fact
    item.prediction.source, item.prediction.confidence = "model", 0.62
    assert inlay_hints.hint_for(doc, item, False).label == f": {inlay_hints.GUESS_MARK}int"
    item.prediction.confidence = 0.9
    assert inlay_hints.hint_for(doc, item, False).label == ": int"


def test_a_refused_whole_file_action_says_why() -> None:
    from typeinfer.lsp import code_actions

    # a file with a syntax error before the edit is left alone by the writer (without --force)
    doc, _ = _doc("def broken(:\n    pass\n\n\ndef g():\n    x = 1\n    return x\n")
    assert doc.refused and "syntax errors" in doc.refused
    found = [a for a in code_actions.code_actions(doc, WHOLE_RANGE, Settings()) if a.title.startswith("Annotate all")]
    assert len(found) == 1 and found[0].disabled is not None and found[0].edit is None
    assert "syntax errors" in found[0].disabled.reason


def test_editor_default_threshold_is_annotates() -> None:
    from typeinfer.analyzer.pipeline import NO_MODEL_THRESHOLD

    doc, _ = _doc("def f():\n    n = 2\n    return n\n")
    assert Settings().min_confidence is None and doc.threshold == NO_MODEL_THRESHOLD


def _reference_apply(text: str, change: types.TextDocumentContentChangePartial, encoding: str) -> str:
    """The text after one range change, computed from scratch (whole-text byte offsets)."""
    index = pos.LineIndex(text, encoding)
    a = index.byte_offset(change.range.start.line, change.range.start.character)
    b = index.byte_offset(change.range.end.line, change.range.end.character)
    a, b = min(a, b), max(a, b)
    data = text.encode("utf-8")
    return (data[:a] + change.text.encode("utf-8") + data[b:]).decode("utf-8")


@pytest.mark.parametrize("encoding", pos.ENCODINGS)
def test_edits_in_place_give_the_text_and_tree_of_a_fresh_document(encoding: str) -> None:
    from typeinfer.cpg.source import parser_for

    rng = random.Random(7)
    text = "def f(a):\n    s = 'é🎉'\n    return a\n\nclass C:\n    x = '日本'\n"
    doc = DocumentState("untitled:a", 1, text, "a.py", "python", "python", False, encoding)
    doc.tree()
    pieces = ["x", "\n", "🎉", "é", "", "    y = 1\n", "(", "):"]
    for version in range(2, 300):
        lines = text.split("\n")
        l1, l2 = rng.randrange(len(lines) + 1), rng.randrange(len(lines) + 1)
        c1, c2 = rng.randrange(12), rng.randrange(12)
        change = _change(l1, c1, l2, c2, rng.choice(pieces))
        text = _reference_apply(text, change, encoding)
        doc.apply_changes(version, [change])
        assert doc.text == text
        assert doc.index.lines == text.split("\n")
        if version % 10 == 0:
            fresh = parser_for("python").parse(text.encode("utf-8"))
            assert str(doc.tree().root_node) == str(fresh.root_node)
    assert len(doc.edit_log) <= 32


def test_hints_after_a_series_of_edits_equal_a_fresh_analysis() -> None:
    src = "def f(a):\n    n = 2\n    return n\n\n\ndef g():\n    s = 'x'\n    return s\n"
    doc, analyzer = _doc(src)
    edits = [_change(1, 9, 1, 9, "0"), _change(6, 11, 6, 11, "y"), _change(2, 0, 2, 0, "    m = n\n"),
             _change(7, 4, 7, 4, "t = 1.5\n    "), _change(0, 6, 0, 7, "b, c=3"), _change(1, 5, 1, 5, "k")]
    for version, change in enumerate(edits, start=2):
        doc.apply_changes(version, [change])
        r = analyzer.analyze(Snapshot(doc.uri, version, doc.text, doc.relpath, "python", "python", False))
        doc.install(version, r.text, r.items)
    fresh, _ = _doc(doc.text)

    def view(d: DocumentState) -> list:
        return sorted((i.prediction.kind, i.prediction.function, i.prediction.name, i.anchor.line, i.prediction.type,
                       i.anchor.start, i.anchor.end, i.writable) for i in d.items)

    assert view(doc) == view(fresh) and view(doc)


def _links(cpg) -> tuple:  # noqa: ANN001
    from typeinfer.cpg.passes.linking import LINK_EDGES
    from typeinfer.cpg.schema import NodeKind, Prop

    edges = sorted((s, d, k) for s, d, k in cpg.g.edges(keys=True) if k in LINK_EDGES)
    calls = sorted((n, cpg.get(n, Prop.METHOD_FULL_NAME)) for n in cpg.nodes(NodeKind.CALL))
    return edges, calls


@pytest.mark.parametrize("new_a", [
    "from b import Base\n\nclass A(Base):\n    def run(self):\n        return helper(2) + self.go()\n\n"
    "def helper(x):\n    y = x * 3\n    return y\n",  # a body edit: the interface is unchanged
    "from b import Base\n\nclass A(Base):\n    def run(self):\n        return helper(1)\n\n"
    "def helper(x):\n    return x\n\ndef extra():\n    return 1\n",  # a new function: everything re-linked
    "class A:\n    def run(self):\n        return 1\n",  # the base and the helper are gone
])
def test_updating_one_file_links_like_a_fresh_build(new_a: str) -> None:
    from typeinfer.cpg.project import build_sources, update_file
    from typeinfer.cpg.source import source_from_text

    a = "from b import Base\n\nclass A(Base):\n    def run(self):\n        return helper(1)\n\ndef helper(x):\n    return x\n"
    b = "class Base:\n    def go(self):\n        return 1\n"
    c = "from a import A, helper\n\ndef use():\n    A().run()\n    A().go()\n    return helper(3)\n"
    cpg = build_sources([source_from_text(t, p) for p, t in (("a.py", a), ("b.py", b), ("c.py", c))])
    update_file(cpg, "a.py", new_a)
    fresh = build_sources([source_from_text(t, p) for p, t in (("a.py", new_a), ("b.py", b), ("c.py", c))])
    assert _links(cpg) == _links(fresh)
    update_file(cpg, "a.py", a)
    again = build_sources([source_from_text(t, p) for p, t in (("a.py", a), ("b.py", b), ("c.py", c))])
    assert _links(cpg) == _links(again)


def test_min_confidence_cleared_in_the_editor_goes_back_to_annotates_threshold() -> None:
    chosen = Settings().merged({"typeinfer": {"minConfidence": 0.7}})
    assert chosen.min_confidence == 0.7
    assert chosen.merged({"minConfidence": None}).min_confidence is None
    assert chosen.merged({"minConfidence": "high"}).min_confidence == 0.7  # a bad value changes nothing


WORKSPACE_SOURCE = '''import os


class Store:
    def __init__(self, root):
        self.root = root
        self.count = 0

    def path(self, name):
        full = os.path.join(self.root, name)
        return full

    def size(self, name):
        p = self.path(name)
        n = len(p)
        return n


def make():
    return 1


def use():
    x = make()
    label = str(x)
    return label
'''


def _workspace(tmp_path, text: str, **settings: bool) -> Analyzer:
    """An analyser of a workspace whose store.py holds `text`, the graph built (static facts only)."""
    (tmp_path / "store.py").write_text(text)
    analyzer = Analyzer(tmp_path, lambda: Settings(use_model=False, **settings), lambda _: None)
    analyzer.prepare()
    analyzer.workspace_ready.wait(60)
    return analyzer


def _store(tmp_path, version: int, text: str) -> Snapshot:
    """Version `version` of the workspace document store.py."""
    return Snapshot((tmp_path / "store.py").as_uri(), version, text, "store.py", "python", "python", True)


def _visible(result) -> list:  # noqa: ANN001
    return sorted((i.prediction.kind, i.prediction.function, i.prediction.name, i.prediction.line, i.prediction.type,
                   round(i.prediction.confidence, 3), i.anchor, i.writable, i.annotation, i.declared)
                  for i in result.items)


@pytest.mark.parametrize("old, new", [
    ("        n = len(p)\n", "        n = len(p)\n        m = n * 2.5\n"),  # a line added: what follows moves
    ("        full = os.path.join(self.root, name)\n        return full\n", "        return 3\n"),  # a caller's type
    ("    return 1\n", "    return 'one'\n"),  # make() changes: use() is inferred again
    ("        self.count = 0\n", "        self.count = 0\n        self.total = 0.5\n"),  # a new attribute
    ("    label = str(x)\n", "    label = str(x)  # é 🎉\n"),  # non-ASCII on the line
])
def test_an_edit_inside_a_function_gives_the_hints_of_a_whole_file_analysis(tmp_path, old: str, new: str) -> None:
    analyzer = _workspace(tmp_path, WORKSPACE_SOURCE)
    first = analyzer.analyze(_store(tmp_path, 1, WORKSPACE_SOURCE))
    assert first.scope == "file"
    edited = WORKSPACE_SOURCE.replace(old, new)
    assert edited != WORKSPACE_SOURCE
    again = analyzer.analyze(_store(tmp_path, 2, edited))
    assert again.scope == "function"
    fresh = _workspace(tmp_path, edited).analyze(_store(tmp_path, 2, edited))
    assert _visible(again) == _visible(fresh)
    # what crosses the process boundary: the new items only, the rest rebuilt from the last result
    compact = pickle.loads(pickle.dumps(again.compact()))
    assert len(compact.items) < len(again.items)
    assert _visible(compact.expanded(pickle.loads(pickle.dumps(first.items)))) == _visible(again)


TS_WORKSPACE_SOURCE = '''export class Store {
  count = 0;
  constructor(private root: string) {
    this.count = 1;
  }

  path(name: string) {
    const full = this.root + "/" + name;
    return full;
  }

  size(name: string) {
    const p = this.path(name);
    const n = p.length;
    return n;
  }
}

export function make() {
  return 1;
}

export const use = () => {
  const x = make();
  const label = String(x);
  return label;
};
'''


@pytest.mark.parametrize("old, new", [
    ("    const n = p.length;\n", "    const n = p.length;\n    const m = n * 2.5;\n"),  # a line added
    ("    const full = this.root + \"/\" + name;\n    return full;\n", "    return 3;\n"),  # a caller's type
    ("  return 1;\n", "  return 'one';\n"),  # make() changes: use() is inferred again
    ("    this.count = 1;\n", "    this.count = 1;\n    this.total = 0.5;\n"),  # a new attribute
    ("  const label = String(x);\n", "  const label = String(x); // é 🎉\n"),  # non-ASCII on the line
])
def test_a_typescript_edit_inside_a_function_gives_the_hints_of_a_whole_file_analysis(tmp_path, old: str,
                                                                                      new: str) -> None:
    (tmp_path / "store.ts").write_text(TS_WORKSPACE_SOURCE)
    analyzer = Analyzer(tmp_path, lambda: Settings(use_model=False), lambda _: None)
    analyzer.prepare()
    analyzer.workspace_ready.wait(60)

    def snapshot(version: int, text: str) -> Snapshot:
        return Snapshot((tmp_path / "store.ts").as_uri(), version, text, "store.ts", "typescript", "typescript", True)

    assert analyzer.analyze(snapshot(1, TS_WORKSPACE_SOURCE)).scope == "file"
    edited = TS_WORKSPACE_SOURCE.replace(old, new)
    assert edited != TS_WORKSPACE_SOURCE
    again = analyzer.analyze(snapshot(2, edited))
    assert again.scope == "function"
    (tmp_path / "store.ts").write_text(edited)
    fresh = Analyzer(tmp_path, lambda: Settings(use_model=False), lambda _: None)
    fresh.prepare()
    fresh.workspace_ready.wait(60)
    assert _visible(again) == _visible(fresh.analyze(snapshot(2, edited)))


@pytest.mark.parametrize("name, language, source, old, new", [
    ("m.py", "python", "def f(a: int):\n    def inner(q: int):\n        v = str(q)\n        return [v]\n    return inner(a)\n",
     "inner", "inner2"),
    ("m.ts", "typescript", "export function f(a: number) {\n  function inner(q: number) {\n    const v = String(q);\n"
     "    return [v];\n  }\n  return inner(a);\n}\n", "inner", "inner2"),
])
def test_the_hints_of_a_renamed_nested_function_go_with_its_old_name(tmp_path, name: str, language: str, source: str,
                                                                   old: str, new: str) -> None:
    (tmp_path / name).write_text(source)

    def analyzer() -> Analyzer:
        a = Analyzer(tmp_path, lambda: Settings(use_model=False), lambda _: None)
        a.prepare()
        a.workspace_ready.wait(60)
        return a

    def snapshot(version: int, text: str) -> Snapshot:
        return Snapshot((tmp_path / name).as_uri(), version, text, name, language, language, True)

    editing = analyzer()
    editing.analyze(snapshot(1, source))
    edited = source.replace(old, new)
    again = editing.analyze(snapshot(2, edited))
    assert again.scope == "function"
    (tmp_path / name).write_text(edited)
    assert _visible(again) == _visible(analyzer().analyze(snapshot(2, edited)))
    assert not any(i.prediction.function.endswith(".inner") for i in again.items)


def test_an_edit_of_a_function_updates_the_hints_of_its_callers(tmp_path) -> None:
    analyzer = _workspace(tmp_path, WORKSPACE_SOURCE)
    analyzer.analyze(_store(tmp_path, 1, WORKSPACE_SOURCE))
    edited = WORKSPACE_SOURCE.replace("    return 1\n", "    return 'one'\n")
    result = analyzer.analyze(_store(tmp_path, 2, edited))
    types_of = {(i.prediction.function, i.prediction.name): i.prediction.type for i in result.items}
    assert result.scope == "function"
    assert types_of[("make", "make")] == "str" and types_of[("use", "x")] == "str"


def test_an_edit_outside_any_function_analyses_the_file_again(tmp_path) -> None:
    analyzer = _workspace(tmp_path, WORKSPACE_SOURCE)
    analyzer.analyze(_store(tmp_path, 1, WORKSPACE_SOURCE))
    edited = WORKSPACE_SOURCE.replace("import os\n", "import os\nLIMIT = 10\n")
    assert analyzer.analyze(_store(tmp_path, 2, edited)).scope == "file"


NESTED_SOURCE = '''class Outer:
    class Inner:
        def __init__(self):
            self.size = 3

    def run(self, n):
        total = n + 1
        return total
'''


def test_an_edit_in_a_method_keeps_the_hints_of_a_nested_class(tmp_path) -> None:
    analyzer = _workspace(tmp_path, NESTED_SOURCE)
    first = analyzer.analyze(_store(tmp_path, 1, NESTED_SOURCE))
    assert any(i.prediction.name == "size" for i in first.items)
    edited = NESTED_SOURCE.replace("        total = n + 1\n", "        total = n + 1\n        half = total / 2\n")
    again = analyzer.analyze(_store(tmp_path, 2, edited))
    fresh = _workspace(tmp_path, edited).analyze(_store(tmp_path, 2, edited))
    assert again.scope == "function" and _visible(again) == _visible(fresh)


def test_diagnostics_on_and_an_edit_inside_a_function(tmp_path) -> None:
    text = WORKSPACE_SOURCE.replace("def make():\n", "def make():\n    bad: int = 'text'\n")
    analyzer = _workspace(tmp_path, text, diagnostics=True)
    analyzer.analyze(_store(tmp_path, 1, text))
    edited = text.replace("        n = len(p)\n", "        n = len(p) + 1\n")
    again = analyzer.analyze(_store(tmp_path, 2, edited))
    assert again.scope == "function" and any(i.declared for i in again.items)


def test_a_second_uri_of_the_same_file_is_analysed_whole(tmp_path) -> None:
    analyzer = _workspace(tmp_path, WORKSPACE_SOURCE)
    uri = (tmp_path / "store.py").as_uri()
    analyzer.analyze(_store(tmp_path, 1, WORKSPACE_SOURCE))
    edited = WORKSPACE_SOURCE.replace("        n = len(p)\n", "        n = len(p) + 1\n")
    other = analyzer.analyze(Snapshot(uri.replace("/store.py", "/./store.py"), 1, edited, "store.py", "python",
                                      "python", True))
    assert other.scope == "file"  # its items must not be built from another document's result


def test_an_error_only_python_sees_inside_a_function_refuses_the_file_like_a_whole_analysis(tmp_path) -> None:
    analyzer = _workspace(tmp_path, WORKSPACE_SOURCE)
    analyzer.analyze(_store(tmp_path, 1, WORKSPACE_SOURCE))
    broken = WORKSPACE_SOURCE.replace("        n = len(p)\n", "        n = len(p)\n        del len(p)\n")
    result = analyzer.analyze(_store(tmp_path, 2, broken))
    assert result.scope == "function" and result.refused and "syntax" in result.refused
    fixed = analyzer.analyze(_store(tmp_path, 3, WORKSPACE_SOURCE))
    assert fixed.scope == "function" and fixed.refused is None


def test_after_another_file_was_analysed_an_edit_is_analysed_whole(tmp_path) -> None:
    (tmp_path / "other.py").write_text("from store import make\n\n\ndef twice():\n    return make() * 2\n")
    analyzer = _workspace(tmp_path, WORKSPACE_SOURCE)
    analyzer.analyze(_store(tmp_path, 1, WORKSPACE_SOURCE))
    other = (tmp_path / "other.py").read_text().replace("* 2", "* 3")
    analyzer.analyze(Snapshot((tmp_path / "other.py").as_uri(), 2, other, "other.py", "python", "python", True))
    edited = WORKSPACE_SOURCE.replace("        n = len(p)\n", "        n = len(p) + 1\n")
    assert analyzer.analyze(_store(tmp_path, 2, edited)).scope == "file"
    again = edited.replace("len(p) + 1", "len(p) + 2")
    assert analyzer.analyze(_store(tmp_path, 3, again)).scope == "function"


def test_a_lone_edit_after_a_quick_per_function_analysis_is_analysed_at_once() -> None:
    doc = DocumentState("untitled:a", 1, "x = 1\n", "a.py", "python", "python", False)
    assert doc.analysis_delay(0.1, now=10.0) == 0.1  # nothing analysed yet: the debounce
    doc.scope, doc.analysis_seconds = "function", 0.04
    assert doc.analysis_delay(0.1, now=10.0) == 0.0  # a lone edit: at once
    doc.last_change = 10.0
    assert doc.analysis_delay(0.1, now=10.05) == 0.1  # typing goes on: wait for the pause
    assert doc.analysis_delay(0.1, now=10.2) == 0.0  # the next lone edit
    doc.analysis_seconds = 0.3
    assert doc.analysis_delay(0.1, now=11.0) == 0.1  # the last analysis was slow: the debounce
    doc.scope, doc.analysis_seconds = "file", 0.04
    assert doc.analysis_delay(0.1, now=12.0) == 0.1  # the whole file was analysed: the debounce


def test_a_function_called_at_module_level_is_pooled_with_its_namesakes_as_in_a_whole_analysis(tmp_path) -> None:
    """The bundled model: the edited function's `value` is pooled with the other `value`
    parameters of the file, also when the module (a caller) is inferred again with it."""
    source = ("def one(value):\n    return value.bit_length()\n\n\ndef two(value):\n    return value.bit_length()\n\n\n"
              "def edited(value):\n    print(value)\n\n\nedited(3)\n")
    edited = source.replace("    print(value)\n", "    print(value)\n    print(1)\n")
    (tmp_path / "m.py").write_text(source)

    def analyzer() -> Analyzer:
        a = Analyzer(tmp_path, lambda: Settings(), lambda _: None)
        a.prepare()
        a.workspace_ready.wait(60)
        return a

    def snapshot(version: int, text: str) -> Snapshot:
        return Snapshot((tmp_path / "m.py").as_uri(), version, text, "m.py", "python", "python", True)

    editing = analyzer()
    editing.analyze(snapshot(1, source))
    again = editing.analyze(snapshot(2, edited))
    assert again.scope == "function"
    (tmp_path / "m.py").write_text(edited)
    assert _visible(again) == _visible(analyzer().analyze(snapshot(2, edited)))
