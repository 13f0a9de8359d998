"""What inference remembers between rounds and runs: each unchanged slice is predicted once, and
an unchanged tree gets its remembered result back, identical to a fresh inference."""

from __future__ import annotations

import textwrap
from collections import Counter

import pytest

from typeinfer.analyzer.pipeline import ANNOTATE_ROUNDS, InferenceOptions, infer_graph, infer_project
from typeinfer.cpg.project import build_sources
from typeinfer.cpg.schema import NodeKind, Prop
from typeinfer.cpg.source import source_from_text
from typeinfer.typemodel.prediction_cache import PredictionCache, RankingStore, slice_key

APP = {
    "shop/models.py": """
        class Cart:
            def __init__(self):
                self.items = []

            def add(self, item):
                self.items.append(item)
                return len(self.items)
    """,
    "shop/views.py": """
        from shop.models import Cart

        def make_cart():
            return Cart()

        def checkout(name, count):
            cart = make_cart()
            n = cart.add(name)
            label = name.upper() + str(count)
            return label, n
    """,
}


class CountingPredictor:
    """Ranks `str` for every slice and records what it was asked."""

    threshold = 0.5

    def __init__(self):
        self.keys: list[str] = []

    def predict(self, slices, candidates, top_k=8):
        self.keys.extend(slice_key(s, c, top_k) for s, c in zip(slices, candidates))
        return [[("str", 0.9)] for _ in slices]


def write_tree(root, files):
    for rel, code in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(code))
    return root


def rows(result):
    return [p.to_json() for p in result.predictions]


def graph_state(cpg):
    """The types written back and the calls' targets: what the outputs read from the graph."""
    state = {}
    for n in cpg.g.nodes:
        props = cpg.props(n)
        if Prop.TYPE_SOURCE in props or props[Prop.KIND] == NodeKind.CALL:
            state[n] = (props.get(Prop.TYPE_FULL_NAME), props.get(Prop.TYPE_SOURCE),
                        props.get(Prop.METHOD_FULL_NAME))
    return state


def test_later_rounds_predict_only_the_slices_that_changed():
    cpg = build_sources(source_from_text(textwrap.dedent(code), rel) for rel, code in APP.items())
    counting = CountingPredictor()
    infer_graph(cpg, InferenceOptions(jobs=1, rounds=ANNOTATE_ROUNDS), predictor=counting)
    assert counting.keys
    assert max(Counter(counting.keys).values()) == 1


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    path = tmp_path / "cache"
    monkeypatch.setenv("TYPEINFER_CACHE", str(path))
    return path


def test_an_unchanged_tree_gets_its_remembered_result_without_the_model(tmp_path, cache_dir):
    root = write_tree(tmp_path / "src", APP)
    options = InferenceOptions(jobs=1, rounds=ANNOTATE_ROUNDS)
    first = infer_project(root, options)
    assert first.predictor.loaded and any(p.source == "model" for p in first.predictions)
    again = infer_project(root, InferenceOptions(jobs=1, rounds=ANNOTATE_ROUNDS))
    assert rows(again) == rows(first)
    assert graph_state(again.cpg) == graph_state(first.cpg)
    assert not again.predictor.loaded  # nothing was predicted: the model never loaded
    assert [s.to_json() for s in again.program.slices] == [s.to_json() for s in first.program.slices]


def test_options_that_change_the_inference_are_part_of_the_key(tmp_path, cache_dir):
    root = write_tree(tmp_path / "src", APP)
    every = infer_project(root, InferenceOptions(jobs=1))
    returns = infer_project(root, InferenceOptions(jobs=1, kinds=("return",)))
    assert {p.kind for p in returns.predictions} == {"return"} != {p.kind for p in every.predictions}
    static = infer_project(root, InferenceOptions(jobs=1, use_model=False))
    assert all(p.source != "model" for p in static.predictions)


def test_an_edited_file_is_inferred_again_and_unchanged_slices_come_from_disk(tmp_path, cache_dir):
    root = write_tree(tmp_path / "src", APP)
    first = infer_project(root, InferenceOptions(jobs=1))
    (root / "shop/views.py").write_text(textwrap.dedent(APP["shop/views.py"]) + "\n\ndef total(prices):\n"
                                        "    return sum(prices)\n")
    edited = infer_project(root, InferenceOptions(jobs=1))
    assert {p.function for p in edited.predictions} - {p.function for p in first.predictions} == {"total"}
    cache = edited.predictor.cache
    assert cache.hits > 0  # the unchanged slices' rankings were read back


def test_no_cache_leaves_nothing_behind(tmp_path, cache_dir):
    root = write_tree(tmp_path / "src", APP)
    infer_project(root, InferenceOptions(jobs=1, use_cache=False))
    assert not cache_dir.exists() or not any(cache_dir.rglob("*.*"))


def test_damaged_cache_files_are_ignored(tmp_path, cache_dir):
    root = write_tree(tmp_path / "src", APP)
    first = infer_project(root, InferenceOptions(jobs=1))
    for path in list(cache_dir.glob("results/*.pickle")) + list(cache_dir.glob("predictions/*.sqlite")):
        path.write_bytes(b"not a cache file")
    again = infer_project(root, InferenceOptions(jobs=1))
    assert rows(again) == rows(first)


def test_ranking_store_round_trip_and_unwritable_location(tmp_path):
    store = RankingStore(tmp_path / "p.sqlite")
    store.put_many({"a": [("int", 0.5), ("str", 0.25)]})
    cache = PredictionCache(capacity=10, store=RankingStore(tmp_path / "p.sqlite"))
    assert cache.lookup(["a", "b"]) == [[("int", 0.5), ("str", 0.25)], None]
    blocked = tmp_path / "file"
    blocked.write_text("")
    nowhere = RankingStore(blocked / "p.sqlite")  # a file where the folder should be
    nowhere.put_many({"a": []})
    assert nowhere.get_many(["a"]) == {}


def test_an_unchanged_tree_gets_its_write_decisions_back_and_a_recorded_drop_changes_them(tmp_path, cache_dir):
    from typeinfer.analyzer import annotate
    from typeinfer.analyzer.slots import KINDS
    from typeinfer.analyzer.verify_state import DroppedAnnotation, DroppedStore

    root = write_tree(tmp_path / "src", APP)
    options = InferenceOptions(jobs=1, rounds=ANNOTATE_ROUNDS, use_model=False)
    first = annotate.write_decisions(infer_project(root, options), KINDS)
    again = annotate.write_decisions(infer_project(root, options), KINDS)
    assert [d.to_json() for d in again] == [d.to_json() for d in first]
    assert list((cache_dir / "results").glob("*-decisions-*.pickle"))
    written = next(d.prediction for d in first if d.written)
    drop = DroppedAnnotation(written.file, written.kind, written.function, written.name, written.type,
                             "type checker: new error")
    DroppedStore.for_project(root).record([drop.key], [drop])
    later = {d.prediction.key: d for d in annotate.write_decisions(infer_project(root, options), KINDS)}
    assert not later[written.key].written and "earlier --verify" in later[written.key].reason


def test_a_settling_iteration_starts_from_an_empty_run_cache_over_the_same_store(tmp_path):
    from typeinfer.analyzer.annotate import fresh_run_cache
    from typeinfer.typemodel.prediction_cache import CachingPredictor

    store = RankingStore(tmp_path / "rankings.sqlite")
    used = CachingPredictor(object(), PredictionCache(100, store))
    used.cache.put("k", [("int", 0.9)])
    fresh = fresh_run_cache(used)
    # the ranking a batch gave before is not reused in memory (the int8 model's rankings move a
    # little with their batch-mates); what is on disk is what a second run would read too
    assert fresh.cache.get("k") is None and fresh.cache.store is store and fresh.predictor is used.predictor
    assert fresh_run_cache(None) is None
