"""typemodel runtime pieces without torch: serialization (no label leak), identifier pre-split,
tokenizer, candidate features, ranking, metrics with exact expected numbers, ECE, and the
predictor's errors on missing / corrupt model files."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from typeinfer.analyzer.slice_schema import CallUse, Definition, ProjectCandidates, TrainingRecord, UsageSlice
from typeinfer.typemodel.candidates import NUM_FEATURES, CandidateSet, slice_words
from typeinfer.typemodel.config import ModelConfig
from typeinfer.typemodel.contract import MODEL_INPUTS, MODEL_OUTPUTS, ModelOutputs, missing_names, run_model
from typeinfer.typemodel.evaluate import TrainStats, evaluate, expected_calibration_error
from typeinfer.typemodel.model_files import ModelError, write_sums
from typeinfer.typemodel.predictor import TypePredictor
from typeinfer.typemodel.scoring import rank
from typeinfer.typemodel.serialize import INPUT_FORMAT, serialize, split_identifier, type_words
from typeinfer.typemodel.tokenizer import encode, train_tokenizer


def _slice(**kw) -> UsageSlice:
    base = dict(name="user_id", kind="parameter", language="python", file="a.py", line=3, column=4,
                function="svc.get_user", param_index=0)
    base.update(kw)
    return UsageSlice(**base)


def _record(label: str, name: str = "x", kind: str = "parameter", language: str = "python",
            is_user: bool = False) -> TrainingRecord:
    return TrainingRecord(project="p", language=language, kind=kind, file="a.py", label=label, label_full=label,
                          is_user_type=is_user, split="test", slice=_slice(name=name, kind=kind, language=language))


# -- serialization -------------------------------------------------------------------------------

@pytest.mark.parametrize("name, words", [
    ("getUserByID2", ["get", "user", "by", "id", "2"]),
    ("HTTPServer_v2", ["http", "server", "v", "2"]),
    ("user_id", ["user", "id"]),
    ("__init__", ["init"]),
    ("XMLHttpRequest", ["xml", "http", "request"]),
    ("x", ["x"]),
])
def test_split_identifier(name, words):
    assert split_identifier(name) == words


def test_type_words_keeps_punctuation():
    assert type_words("list[UserProfile] | None") == ["list", "[", "user", "profile", "]", "|", "none"]


def test_serialize_layout_and_determinism():
    s = _slice(defined_by=[Definition(kind="call", code="get_user_by_id(1)", name="get_user_by_id")],
               invoked_calls=[CallUse(name="execute", arg_count=2)], arg_to_calls=[CallUse(name="len", position=1)],
               operators=["+", "[]"], attribute_reads=["name"])
    text = serialize(s)
    assert text.startswith("[LANG] python [KIND] parameter 0 [NAME] user id [DEF] call get user by id")
    assert "[CALLS] . execute / 2" in text and "[ARGOF] len : 1" in text and "[OPS] + []" in text
    assert "[ATTR] . name" in text and "[FN] get user" in text
    assert serialize(s) == text


@pytest.mark.parametrize("label", ["FrobnicatorWidget", "dict[str, QuuxRecord]", "Promise<ZorbleState>", "int"])
def test_label_never_leaks(label):
    s = _slice(name="w", declared_type=label, docstring="Process the thing.",
               invoked_calls=[CallUse(name="spin", arg_count=0)])
    text = serialize(s)
    assert text == serialize(dataclasses.replace(s, declared_type=None))
    for word in type_words(label):
        if word.isalpha() and len(word) > 3:
            assert word not in text.split()


def test_serialize_is_capped():
    s = _slice(invoked_calls=[CallUse(name=f"method_number_{i}", arg_count=1) for i in range(100)],
               sibling_names=[f"sibling_{i}" for i in range(100)], docstring="word " * 200)
    assert len(serialize(s).split()) <= 96


# -- tokenizer -------------------------------------------------------------------------------------

def test_tokenizer_markers_and_presplit_words():
    texts = [serialize(_slice(name=n)) for n in ["userId", "user_name", "orderTotal", "order_id"] * 5]
    tok = train_tokenizer(texts, vocab_size=200, min_frequency=1)
    enc = tok.encode(serialize(_slice(name="userName")))
    assert "[NAME]" in enc.tokens and "[LANG]" in enc.tokens
    i = enc.tokens.index("[NAME]")
    assert enc.tokens[i + 1: i + 3] == ["user", "name"]
    assert enc.tokens[0] == "[CLS]" and enc.tokens[-1] == "[SEP]"
    ids = encode(tok, [serialize(_slice(sibling_names=["a_b_c_d"] * 6))], max_len=8)[0]
    assert len(ids) == 8 and ids[-1] == tok.token_to_id("[SEP]")


# -- candidates and ranking -------------------------------------------------------------------------

def test_candidate_features_match_names():
    cs = CandidateSet(["UserProfile", "Order"], "python", ModelConfig().candidate_forms, 512)
    assert cs.labels == ["Order", "Order | None", "list[Order]", "UserProfile", "UserProfile | None",
                         "list[UserProfile]"]
    s = _slice(name="user_profile", defined_by=[Definition(kind="constructor", code="UserProfile()", name="UserProfile")])
    f = cs.features(slice_words(s, serialize(s)))
    assert f.shape == (6, NUM_FEATURES)
    assert f[3, :4].tolist() == [1.0, 1.0, 1.0, 1.0] and f[0, :6].sum() == 0.0
    assert f[4, 7] == 1.0  # form one-hot: "X | None" is form 1
    assert f[:, -2:].tolist() == [[1.0, 0.0]] * 6  # a plain name list: own types, visible everywhere


def test_project_candidates_mark_imported_and_file_visible_names():
    pc = ProjectCandidates.build(own=["Zebra", "Order"], imported=["ArrayLike", "Request"],
                                 visible={"app/views.py": ["Request", "Order"], "app/models.py": ["Zebra"]})
    assert pc.names == ("ArrayLike", "Order", "Request", "Zebra")
    assert ProjectCandidates.from_json(pc.to_json()).to_json() == pc.to_json()
    cs = CandidateSet(pc, "python", {"python": ["{}"]}, 512)
    assert cs.bases == ["Order", "Zebra", "ArrayLike", "Request"]  # own types first
    s = _slice(name="request")
    s.file = "app/views.py"
    f = cs.features(slice_words(s, serialize(s)))
    visible, external = f[:, -2].tolist(), f[:, -1].tolist()
    assert visible == [1.0, 0.0, 0.0, 1.0] and external == [0.0, 0.0, 1.0, 1.0]
    # over the limit, imported names go before the project's own types do
    assert CandidateSet(pc, "python", {"python": ["{}"]}, 3).bases == ["Order", "Zebra", "ArrayLike"]


def test_rank_merges_vocab_and_candidate_entries():
    types = ["<other>", "int", "User"]
    ok = np.array([True, True, True])
    out = rank(np.log(np.array([1.0, 2.0, 1.0])), types, ok, np.log(np.array([4.0])), ["User"],
               np.array([2]), temperature=1.0, top_k=5)
    assert out[0][0] == "User" and out[0][1] == pytest.approx(5 / 8)
    assert out[1] == ("int", pytest.approx(2 / 8))
    assert all(t != "<other>" for t, _ in out)


# -- metrics -----------------------------------------------------------------------------------------

def test_evaluate_exact_numbers():
    recs = [_record("int", "count"), _record("list[str]", "items"), _record("User", "user", is_user=True),
            _record("str", "name", kind="return")]
    preds = [[("int", 0.9)], [("list[int]", 0.6), ("list[str]", 0.3)], [("Order", 0.4), ("User", 0.3)], []]
    stats = TrainStats.from_records([_record("int", "count"), _record("int", "count"), _record("str", "user")])
    rep = evaluate(recs, preds, stats, threshold=0.5)
    m = rep.languages["python"].model
    assert (m.n, m.exact, m.parametric, m.top5) == (4, 0.25, 0.5, 0.75)
    assert m.coverage == 0.5 and m.covered_precision == 0.5
    assert m.by_kind["parameter"].n == 3 and m.by_kind["parameter"].exact == pytest.approx(1 / 3)
    assert m.by_kind["return"].exact == 0.0
    assert m.by_category["user-defined"].n == 1 and m.by_category["built-in"].n == 3
    assert m.by_category["common"].n == 2 and m.by_category["common"].exact == 0.5  # int, str
    # ECE: bins of 0.9 (right), 0.6 (wrong), 0.4 (wrong), 0.0 (wrong)
    assert m.ece == pytest.approx((0.1 + 0.6 + 0.4 + 0.0) / 4)
    mf = rep.languages["python"].baselines["most-frequent"]
    assert mf.exact == 0.25  # predicts "int" everywhere (2 of 3 train labels)
    pn = rep.languages["python"].baselines["per-name"]
    assert pn.exact == 0.25  # count -> int right; user -> str wrong; others fall back to int
    assert json.loads(rep.dumps())["languages"]["python"]["model"]["exact"] == 0.25
    assert "exact" in rep.render()


def test_evaluate_reports_reach_per_group_and_only_for_the_model():
    recs = [_record("int", "count"), _record("User", "user", is_user=True), _record("Order", "order", is_user=True),
            _record("str", "name", kind="return")]
    preds = [[("int", 0.9)], [("User", 0.8)], [("User", 0.5)], [("int", 0.7)]]
    rep = evaluate(recs, preds, TrainStats.from_records(recs), threshold=0.5, reachable=[True, True, False, True])
    m = rep.languages["python"].model
    assert m.reach == 0.75 and m.exact == 0.5
    assert m.by_category["user-defined"].reach == 0.5 and m.by_category["built-in"].reach == 1.0
    assert m.by_kind["parameter"].reach == pytest.approx(2 / 3) and m.by_kind["return"].reach == 1.0
    assert rep.languages["python"].baselines["per-name"].reach is None
    assert "reach category=user-defined" in rep.render()
    assert evaluate(recs, preds).languages["python"].model.reach is None  # not measured: not reported
    with pytest.raises(ValueError):
        evaluate(recs, preds, reachable=[True])


def test_reachable_is_the_answer_space_of_the_shipped_model():
    predictor = TypePredictor.load()
    pc = ProjectCandidates(names=("Order", "Invoice"), own=frozenset({"Order", "Invoice"}))
    slices = [_slice(name="order"), _slice(name="count"), _slice(name="invoice"), _slice(name="x")]
    labels = ["Order", "int", "Invoice | None", "NeverDeclaredAnywhere"]
    assert predictor.reachable(slices, [pc] * 4, labels) == [True, True, True, False]
    # without the project's names its own types are out of reach; builtins stay in it
    assert predictor.reachable(slices, None, labels) == [False, True, False, False]
    # whatever predict ranks first is in reach
    for ranking, s in zip(predictor.predict(slices, [pc] * 4), slices):
        assert predictor.reachable([s], [pc], [ranking[0][0]]) == [True]


def test_ece_constructed():
    # 10 predictions at 0.8 of which 8 right: perfectly calibrated bin; 10 at 0.3 of which 0 right
    conf = [0.8] * 10 + [0.3] * 10
    correct = [True] * 8 + [False] * 2 + [False] * 10
    assert expected_calibration_error(conf, correct) == pytest.approx(0.5 * 0.0 + 0.5 * 0.3)
    assert expected_calibration_error([1.0, 0.0], [True, False]) == 0.0


# -- predictor errors ----------------------------------------------------------------------------------

def _model_dir(tmp_path: Path) -> Path:
    d = tmp_path / "model"
    d.mkdir()
    tok = train_tokenizer([serialize(_slice())] * 3, vocab_size=100, min_frequency=1)
    tok.save(str(d / "tokenizer.json"))
    cfg = ModelConfig(vocab_size=tok.get_vocab_size(), num_types=1)
    (d / "types.json").write_text(json.dumps({
        "format": 1, "input_format": INPUT_FORMAT, "model_config": cfg.to_dict(), "vocab": {"types": ["<other>", "int"], "languages": ["", "python"]},
        "temperature": 1.0, "scorer": {"form_table": [[0.0]] * 8, "feature_weights": [0.0] * 10, "feature_bias": 0.0}}))
    (d / "model.onnx").write_bytes(b"not an onnx model")
    (d / "MODEL_CARD.md").write_text("card")
    write_sums(d, ["model.onnx", "tokenizer.json", "types.json", "MODEL_CARD.md"])
    return d


def test_missing_model_file_names_it_and_how_to_rebuild(tmp_path):
    d = _model_dir(tmp_path)
    (d / "tokenizer.json").unlink()
    with pytest.raises(ModelError) as e:
        TypePredictor.load(d)
    msg = str(e.value)
    assert str(d / "tokenizer.json") in msg and "typeinfer train" in msg and "\n" not in msg


def test_missing_directory(tmp_path):
    with pytest.raises(ModelError, match="model.onnx is missing"):
        TypePredictor.load(tmp_path / "nowhere")


def test_checksum_mismatch_is_corrupt(tmp_path):
    d = _model_dir(tmp_path)
    (d / "types.json").write_text((d / "types.json").read_text().replace('"temperature": 1.0', '"temperature": 2.0'))
    with pytest.raises(ModelError, match=r"types\.json is corrupt \(SHA-256") as e:
        TypePredictor.load(d)
    assert "typeinfer train" in str(e.value)


def test_unreadable_onnx_with_matching_sums(tmp_path):
    d = _model_dir(tmp_path)
    with pytest.raises(ModelError, match=r"model\.onnx is corrupt") as e:
        TypePredictor.load(d)
    assert "typeinfer train --corpus" in str(e.value)


def test_a_model_trained_on_another_input_format_is_refused(tmp_path):
    d = _model_dir(tmp_path)
    meta = json.loads((d / "types.json").read_text())
    meta["input_format"] = INPUT_FORMAT + 1
    (d / "types.json").write_text(json.dumps(meta))
    write_sums(d, ["model.onnx", "tokenizer.json", "types.json", "MODEL_CARD.md"])
    with pytest.raises(ModelError, match=rf"types\.json was trained on input format {INPUT_FORMAT + 1}, "
                                         rf".* format {INPUT_FORMAT}") as e:
        TypePredictor.load(d)
    assert "typeinfer train --corpus" in str(e.value) and "\n" not in str(e.value)


def test_the_shipped_model_reads_the_input_format_serialize_writes():
    meta = json.loads((Path(__file__).resolve().parents[1] / "typemodel" / "model" / "types.json").read_text())
    assert meta.get("input_format", 1) == INPUT_FORMAT


def test_the_shipped_graph_has_the_contracts_input_and_output_names_in_order():
    import onnxruntime as ort

    s = ort.InferenceSession(str(Path(__file__).resolve().parents[1] / "typemodel" / "model" / "model.onnx"),
                             providers=["CPUExecutionProvider"])
    assert [x.name for x in s.get_inputs()] == list(MODEL_INPUTS)
    assert [x.name for x in s.get_outputs()] == list(MODEL_OUTPUTS) == ["vocab_logits", "slice_vec", "name_vec"]
    assert missing_names(s) == []


class _Named:
    def __init__(self, name: str):
        self.name = name


class _ShuffledSession:
    """A session whose graph lists its outputs in another order than the model's forward."""

    def get_inputs(self):
        return [_Named(n) for n in MODEL_INPUTS]

    def get_outputs(self):
        return [_Named(n) for n in reversed(MODEL_OUTPUTS)]

    def run(self, names, feeds):
        assert names is not None and set(feeds) == set(MODEL_INPUTS)
        return [np.full(1, MODEL_OUTPUTS.index(n)) for n in names]


def test_outputs_are_fetched_by_name_whatever_the_graphs_order():
    out = run_model(_ShuffledSession(), {n: np.zeros(1) for n in (*MODEL_INPUTS, "cand_ok")})
    assert isinstance(out, ModelOutputs)
    assert [int(x[0]) for x in (out.vocab_logits, out.slice_vec, out.name_vec)] == [0, 1, 2]


def test_a_graph_without_one_of_the_contracts_outputs_is_refused(tmp_path):
    d = _model_dir(tmp_path)
    shipped = (Path(__file__).resolve().parents[1] / "typemodel" / "model" / "model.onnx").read_bytes()
    # same length, so the protobuf stays valid: the graph's third output is now called "name_vex"
    (d / "model.onnx").write_bytes(shipped.replace(b"name_vec", b"name_vex"))
    write_sums(d, ["model.onnx", "tokenizer.json", "types.json", "MODEL_CARD.md"])
    with pytest.raises(ModelError, match=r"model\.onnx is corrupt \(its graph has no name_vec\)") as e:
        TypePredictor.load(d)
    assert "typeinfer train --corpus" in str(e.value) and "\n" not in str(e.value)


def test_runtime_imports_no_torch():
    code = ("import sys; import typeinfer.typemodel.predictor, typeinfer.typemodel.contract, typeinfer.typemodel.evaluate, typeinfer.typemodel.cli, typeinfer.typemodel.calibrate, typeinfer.typemodel.card; "
            "assert 'torch' not in sys.modules and 'transformers' not in sys.modules, 'torch imported'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd="/")


def test_default_threshold_is_the_lowest_reaching_the_target_precision():
    from typeinfer.typemodel.calibrate import choose_threshold

    conf = [0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.35]
    right = [True, True, True, True, False, False, False, False]
    # grid steps of 0.05: at 0.65 4/4 right; at 0.55 4/5 = 0.8; at 0.5 4/6 < 0.8
    assert choose_threshold(conf, right, 0.8) == 0.55
    assert choose_threshold(conf, right, 1.0) == 0.65
    assert choose_threshold([0.4, 0.3], [False, False], 0.8) == 0.95


def test_calibration_rewrites_the_threshold_line_of_the_model_card(tmp_path):
    import json

    from typeinfer.typemodel.card import set_card_threshold, write_card
    from typeinfer.typemodel.model_files import default_model_dir

    meta = json.loads((default_model_dir() / "types.json").read_text())
    meta["default_threshold"] = 0.5
    write_card(tmp_path, meta, "metrics table")
    before = (tmp_path / "MODEL_CARD.md").read_text().splitlines()
    assert set_card_threshold(tmp_path, 0.65, "precision >= 0.8 on 100 valid records")
    after = (tmp_path / "MODEL_CARD.md").read_text().splitlines()
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(before) == len(after) and len(changed) == 1
    assert changed[0][1].endswith("default threshold 0.65 (precision >= 0.8 on 100 valid records)")
    assert "metrics table" in after
    assert not set_card_threshold(tmp_path / "missing", 0.7, "x")


def test_generic_forms_take_the_slots_type_parameters_and_are_masked_without_them(tmp_path):
    from typeinfer.typemodel.batching import Featurizer
    from typeinfer.typemodel.data import TypeVocab

    texts = [serialize(_slice(name=n)) for n in ["box", "items", "value"] * 5]
    tok = train_tokenizer(texts, vocab_size=200, min_frequency=1)
    vocab = TypeVocab(["<other>", "Box<T>"], ["", "typescript"])
    cfg = ModelConfig()
    feat = Featurizer(tok, cfg, vocab)
    cs = feat.candidate_set(["Box"], "typescript")
    generic, plain = _slice(name="box", language="typescript"), _slice(name="items", language="typescript")
    generic.type_params = ["T"]
    b = feat.batch(feat.encode_slices([generic, plain]), [cs, cs], ["Box<T>", "Box"])
    assert b.cand_labels[0] == ["Box", "Box<T>", "Box | null", "Box[]"]
    assert b.cand_ok[0].tolist() == [True] * 4 and b.cand_ok[1].tolist() == [True, False, True, True]
    assert b.cand_vocab[0].tolist() == [-1, 1, -1, -1]  # "Box<T>" merges with its vocabulary entry
    V = len(vocab)
    assert b.target[0].nonzero()[0].tolist() == [1, V + 1] and b.target[1].nonzero()[0].tolist() == [V]
    assert "[TPARAM] t" in serialize(generic) and "[TPARAM]" not in serialize(plain)


def test_the_type_vocabulary_keeps_labels_seen_in_several_projects():
    from typeinfer.typemodel.data import TypeVocab

    def rec(project: str, label: str) -> TrainingRecord:
        s = UsageSlice(name="x", kind="parameter", language="python", file="a.py", line=1, column=0, function="f",
                       declared_type=label)
        return TrainingRecord(project=project, language="python", kind="parameter", file="a.py", label=label,
                              label_full=label, is_user_type=False, split="train", slice=s)

    records = [rec("a", "OnlyHere")] * 9 + [rec("a", "str"), rec("b", "str"), rec("c", "str"),
                                             rec("a", "Path"), rec("b", "Path"), rec("b", "Path")]
    assert TypeVocab.build(records, k=10, min_count=3, min_projects=1).types == ["<other>", "OnlyHere", "Path", "str"]
    # a label that only one project uses is left to the candidate scorer
    assert TypeVocab.build(records, k=10, min_count=3, min_projects=2).types == ["<other>", "Path", "str"]
    assert TypeVocab.build(records, k=1, min_count=1, min_projects=2).types == ["<other>", "Path"]


def test_calibration_records_are_drawn_from_the_whole_valid_split():
    from typeinfer.typemodel.data import spread_sample

    # records are stored project by project: 1,000 projects of 100 records, 2,000 records wanted
    pick = spread_sample(100_000, 2_000, seed=0)
    assert len(pick) == len(set(pick)) == 2_000 and pick == sorted(pick)
    assert len({i // 100 for i in pick}) > 800  # most projects, not the first twenty
    assert pick == spread_sample(100_000, 2_000, seed=0)  # the temperature is reproducible
    assert spread_sample(5, 20_000) == [0, 1, 2, 3, 4]
