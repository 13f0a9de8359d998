"""typemodel training end to end on a tiny synthetic corpus (needs the train extra: torch)."""

from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("onnxscript")

from typeinfer.typemodel.config import ModelConfig, TrainConfig  # noqa: E402
from typeinfer.typemodel.data import read_project_types, read_records  # noqa: E402
from typeinfer.typemodel.evaluate import TrainStats, evaluate  # noqa: E402
from typeinfer.typemodel.predictor import TypePredictor  # noqa: E402
from typeinfer.typemodel.synthetic import write_synthetic_corpus  # noqa: E402
from typeinfer.typemodel.train import train  # noqa: E402

pytestmark = pytest.mark.train

TINY = dict(vocab_size=400, hidden=32, layers=1, heads=2, intermediate=64, num_types=40, min_type_count=1,
            cand_dim=16)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    d = tmp_path_factory.mktemp("tm")
    corpus = write_synthetic_corpus(d / "corpus", n_projects=12, records_per_project=40, seed=1)
    summary = train(corpus, d / "model", ModelConfig(**TINY), TrainConfig(batch_size=32, epochs=12, lr=3e-3,
                                                                              checkpoint_every=50),
                    seed=0, progress=False)
    return corpus, d / "model", summary


def test_smoke_train_export_load_predict(trained):
    corpus, model_dir, summary = trained
    for name in ("model.onnx", "tokenizer.json", "types.json", "MODEL_CARD.md", "SHA256SUMS"):
        assert (model_dir / name).is_file()
    assert not (model_dir / "model.onnx.data").exists()
    assert (model_dir / "checkpoints" / "last.pt").is_file()
    assert summary["quantization"]["top1_agreement"] >= 0.9
    assert 0.05 < summary["temperature"] < 20
    p = TypePredictor.load(model_dir)  # checksums verified
    recs = read_records(corpus, "test")[:10]
    preds = p.predict([r.slice for r in recs], None, top_k=3)
    assert len(preds) == 10 and all(1 <= len(x) <= 3 for x in preds)
    assert all(0.0 <= prob <= 1.0 for x in preds for _, prob in x)
    assert all(x[i][1] >= x[i + 1][1] for x in preds for i in range(len(x) - 1))


def test_candidates_rank_types_never_seen_in_training(trained):
    corpus, model_dir, _ = trained
    p = TypePredictor.load(model_dir)
    train_labels = {r.label for r in read_records(corpus, "train")}
    types = read_project_types(corpus)
    test = read_records(corpus, "test")
    user = [r for r in test if r.is_user_type]
    assert user and not any(r.label in train_labels for r in user)  # really unseen
    preds = p.predict([r.slice for r in user], [types[r.project] for r in user])
    acc = sum(x[0][0] == r.label for x, r in zip(preds, user) if x) / len(user)
    assert acc >= 0.6, acc
    # without candidates the model cannot name them
    blind = p.predict([r.slice for r in user], None)
    assert sum(bool(x) and x[0][0] == r.label for x, r in zip(blind, user)) == 0
    # the whole test split beats the per-name baseline
    preds_all = p.predict([r.slice for r in test], [types[r.project] for r in test])
    rep = evaluate(test, preds_all, TrainStats.from_records(read_records(corpus, "train")))
    for lang in rep.languages.values():
        assert lang.model.exact > lang.baselines["per-name"].exact


def test_resume_continues_to_the_same_weights(tmp_path):
    corpus = write_synthetic_corpus(tmp_path / "corpus", n_projects=6, records_per_project=20, seed=2)
    cfg, tc = ModelConfig(**TINY), TrainConfig(batch_size=16, max_steps=4, checkpoint_every=100)
    train(corpus, tmp_path / "a", cfg, tc, seed=3, progress=False)
    train(corpus, tmp_path / "b", cfg, tc, seed=3, progress=False, max_minutes=0.0)  # stops after step 1
    first = torch.load(tmp_path / "b" / "checkpoints" / "last.pt", weights_only=False)
    assert first["step"] == 1
    train(corpus, tmp_path / "b", cfg, tc, seed=3, progress=False, resume=True)
    a = torch.load(tmp_path / "a" / "checkpoints" / "last.pt", weights_only=False)
    b = torch.load(tmp_path / "b" / "checkpoints" / "last.pt", weights_only=False)
    assert a["step"] == b["step"] == 4
    for k in a["model"]:
        assert torch.allclose(a["model"][k], b["model"][k], atol=1e-6), k
    # the summary of a resumed run counts the samples and loop time of the run it continues
    assert b["seen"] == a["seen"] > first["seen"] > 0 and b["train_seconds"] > first["train_seconds"] > 0


def _fake_records(n_projects: int = 30, per_project: int = 70, seed: int = 3):
    from types import SimpleNamespace

    import numpy as np

    rng = np.random.default_rng(seed)
    recs, lengths = [], []
    for p in range(n_projects):
        lang = "typescript" if p % 5 == 0 else "python"
        for _ in range(per_project):
            recs.append(SimpleNamespace(project=f"p{p}", language=lang))
            lengths.append(int(rng.integers(8, 65)))
    return recs, lengths


def test_epoch_order_takes_each_record_once_and_a_repeated_language_twice():
    from collections import Counter

    from typeinfer.typemodel.train import epoch_order

    recs, lengths = _fake_records()
    batches = epoch_order(recs, 64, seed=0, epoch=0, lengths=lengths, repeats={"typescript": 2})
    seen = Counter(i for b in batches for i in b)
    assert all(seen[i] == (2 if r.language == "typescript" else 1) for i, r in enumerate(recs))
    assert all(1 <= len(b) <= 64 for b in batches)
    assert all(len({recs[i].project for i in b}) <= 8 for b in batches)  # candidate sets stay shared


def test_epoch_order_batches_records_of_similar_length():
    import numpy as np

    from typeinfer.typemodel.train import epoch_order

    recs, lengths = _fake_records()

    def mean_padding(batches):  # padded tokens per real token
        return np.mean([max(lengths[i] for i in b) * len(b) / sum(lengths[i] for i in b) for b in batches])

    plain = epoch_order(recs, 64, seed=0, epoch=0)
    bucketed = epoch_order(recs, 64, seed=0, epoch=0, lengths=lengths)
    assert mean_padding(bucketed) < 0.8 * mean_padding(plain)


def test_epoch_order_is_deterministic_and_its_length_does_not_depend_on_seed_or_epoch():
    from typeinfer.typemodel.train import epoch_order

    recs, lengths = _fake_records()
    a = epoch_order(recs, 64, seed=0, epoch=1, lengths=lengths)
    assert a == epoch_order(recs, 64, seed=0, epoch=1, lengths=lengths)
    assert a != epoch_order(recs, 64, seed=0, epoch=2, lengths=lengths)
    assert len({len(epoch_order(recs, 64, seed=s, epoch=e, lengths=lengths)) for s in range(3) for e in range(3)}) == 1


def test_train_cli_reports_a_missing_corpus_in_one_line(tmp_path, capsys):
    from typeinfer.typemodel.cli import main_train

    assert main_train(["--corpus", str(tmp_path / "nope"), "--out", str(tmp_path / "m"), "--no-progress"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("typeinfer train: ") and "records-train.jsonl.gz" in err and "\n" not in err


@pytest.mark.skipif(torch.cuda.is_available(), reason="this check is for machines without a GPU")
def test_train_cli_reports_a_missing_cuda_device_in_one_line(tmp_path, capsys):
    from typeinfer.typemodel.cli import main_train

    corpus = write_synthetic_corpus(tmp_path / "corpus", n_projects=4, records_per_project=10, seed=1)
    assert main_train(["--corpus", str(corpus), "--out", str(tmp_path / "m"), "--device", "cuda", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "--device cuda" in err and "no CUDA device" in err and "Traceback" not in err
