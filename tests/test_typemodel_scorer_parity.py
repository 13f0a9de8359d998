"""The candidate scorer exists twice: `TypeModel.candidate_logits` (torch, training) and
`scoring.candidate_logits_np` (numpy, run time, fed by the ONNX graph's outputs and ``types.json``).
They must give the same numbers on the same inputs (needs the train extra: torch)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from typeinfer.typemodel.candidates import LANGUAGE_IDS, MAX_FORMS, NUM_FEATURES, NUM_FEATURES_V1  # noqa: E402
from typeinfer.typemodel.config import ModelConfig  # noqa: E402
from typeinfer.typemodel.contract import ModelOutputs  # noqa: E402
from typeinfer.typemodel.model import NEG as TORCH_NEG  # noqa: E402
from typeinfer.typemodel.model import TypeModel  # noqa: E402
from typeinfer.typemodel.scoring import NEG, candidate_logits_np  # noqa: E402

pytestmark = pytest.mark.train

TINY = dict(vocab_size=400, hidden=32, layers=1, heads=2, intermediate=64, num_types=40, min_type_count=1,
            cand_dim=16)
#: float32 on both sides; the only difference is the summation order of the dot products
RTOL = ATOL = 1e-5
FORMS = len(LANGUAGE_IDS) * MAX_FORMS


@pytest.fixture(scope="module")
def model() -> TypeModel:
    torch.manual_seed(0)
    m = TypeModel(ModelConfig(**TINY)).eval()
    with torch.no_grad():  # trained-looking values: the form table starts at zero, the weights at the prior
        m.form_table.normal_(0.0, 1.0)
        m.feat.weight.normal_(0.0, 1.0)
        m.feat.bias.fill_(0.37)
    return m


def _numpy_params(model: TypeModel) -> tuple[np.ndarray, np.ndarray, float]:
    """The scorer's numpy half as the predictor reads it back from ``types.json``."""
    sc = model.scorer_params()
    return (np.asarray(sc["form_table"], dtype=np.float32), np.asarray(sc["feature_weights"], dtype=np.float32),
            float(sc["feature_bias"]))


def _inputs(rng: np.random.Generator, B: int, N: int, C: int, D: int) -> dict[str, np.ndarray]:
    return {
        "slice_vec": rng.normal(size=(B, D)).astype(np.float32),
        "name_vec": rng.normal(size=(N, D)).astype(np.float32),
        "cand_name": rng.integers(0, max(N, 1), size=(B, C)).astype(np.int64),
        "cand_form": rng.integers(0, FORMS, size=(B, C)).astype(np.int64),
        "feats": rng.random(size=(B, C, NUM_FEATURES)).astype(np.float32),
        "cand_ok": rng.random(size=(B, C)) < 0.7,
    }


def _both(model: TypeModel, x: dict[str, np.ndarray], params=None) -> tuple[np.ndarray, np.ndarray]:
    with torch.no_grad():
        got_torch = model.candidate_logits(*(torch.from_numpy(x[k]) for k in
                                             ("slice_vec", "name_vec", "cand_name", "cand_form", "feats"))).numpy()
    got_np = candidate_logits_np(x["slice_vec"], x["name_vec"], x["cand_name"], x["cand_form"], x["feats"],
                                 *(params or _numpy_params(model)))
    return got_torch, got_np


# (batch, candidate names in the batch, candidates per slice)
SHAPES = [
    (1, 1, 1),  # one slice, one candidate
    (3, 5, 7),  # several candidates share a name
    (4, 9, 2),  # more names than candidates per slice
    (64, 40, 33),  # a runtime-sized batch
    (2, 1, 0),  # no candidates at all: [B, 0]
    (1, 0, 0),  # and not even a name
]


@pytest.mark.parametrize("B,N,C", SHAPES)
def test_numpy_scorer_matches_torch(model, B, N, C):
    x = _inputs(np.random.default_rng(B * 1000 + N * 10 + C), B, N, C, model.cfg.cand_dim)
    got_torch, got_np = _both(model, x)
    assert got_torch.shape == got_np.shape == (B, C)
    assert got_np.dtype == np.float32
    np.testing.assert_allclose(got_np, got_torch, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("B,N,C", SHAPES)
def test_masked_candidates_match_training_masking(model, B, N, C):
    """The predictor masks with ``np.where(cand_ok, logits, NEG)``, training with ``masked_fill(~cand_ok, NEG)``."""
    assert NEG == TORCH_NEG
    x = _inputs(np.random.default_rng(7 + B + N + C), B, N, C, model.cfg.cand_dim)
    got_torch, got_np = _both(model, x)
    ok = x["cand_ok"]
    masked_torch = torch.from_numpy(got_torch).masked_fill(~torch.from_numpy(ok), TORCH_NEG).numpy()
    masked_np = np.where(ok, got_np, NEG)
    np.testing.assert_allclose(masked_np, masked_torch, rtol=RTOL, atol=ATOL)
    assert (masked_np[~ok] == NEG).all()


def test_a_model_with_the_older_feature_columns_reads_the_first_ones(model):
    """``types.json`` of a model trained before the newer feature columns has fewer weights: numpy
    reads only the first columns, which is torch with the newer columns' weights at zero."""
    old = TypeModel(ModelConfig(**TINY)).eval()
    old.load_state_dict(model.state_dict())
    with torch.no_grad():
        old.feat.weight[0, NUM_FEATURES_V1:] = 0.0
    form_table, weights, bias = _numpy_params(old)
    x = _inputs(np.random.default_rng(11), 5, 6, 8, model.cfg.cand_dim)
    got_torch, got_np = _both(old, x, (form_table, weights[:NUM_FEATURES_V1], bias))
    np.testing.assert_allclose(got_np, got_torch, rtol=RTOL, atol=ATOL)


def test_all_logits_equal_the_runtime_composition_of_the_graphs_outputs(model):
    """Training's one row of logits (vocabulary then candidates, both masked) is what the predictor
    builds from the exported graph's outputs and the numpy scorer."""
    rng = np.random.default_rng(3)
    B, T, N, L, C = 3, 6, 4, 2, 5
    cfg = model.cfg
    t = {
        "input_ids": torch.from_numpy(rng.integers(5, cfg.vocab_size, size=(B, T)).astype(np.int64)),
        "attention_mask": torch.ones(B, T, dtype=torch.long),
        "name_ids": torch.from_numpy(rng.integers(5, cfg.vocab_size, size=(N, L)).astype(np.int64)),
        "name_mask": torch.ones(N, L, dtype=torch.long),
        "cand_name": torch.from_numpy(rng.integers(0, N, size=(B, C)).astype(np.int64)),
        "cand_form": torch.from_numpy(rng.integers(0, FORMS, size=(B, C)).astype(np.int64)),
        "feats": torch.from_numpy(rng.random(size=(B, C, NUM_FEATURES)).astype(np.float32)),
        "vocab_ok": torch.from_numpy(rng.random(size=(B, cfg.num_types + 1)) < 0.8),
        "cand_ok": torch.from_numpy(rng.random(size=(B, C)) < 0.7),
    }
    t["attention_mask"][0, -2:] = 0
    t["name_mask"][1, -1] = 0
    with torch.no_grad():
        want = model.all_logits(t).numpy()
        out = ModelOutputs(*(o.numpy() for o in model(t["input_ids"], t["attention_mask"], t["name_ids"],
                                                        t["name_mask"])))
    cand = candidate_logits_np(out.slice_vec, out.name_vec, t["cand_name"].numpy(), t["cand_form"].numpy(),
                               t["feats"].numpy(), *_numpy_params(model))
    got = np.concatenate([np.where(t["vocab_ok"].numpy(), out.vocab_logits, NEG),
                          np.where(t["cand_ok"].numpy(), cand, NEG)], axis=1)
    assert got.shape == want.shape == (B, cfg.num_types + 1 + C)
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)
