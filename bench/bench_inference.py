"""Inference speed: `TypePredictor.predict` slices/s with the int8 ONNX model on this machine.

    python bench/bench_inference.py [--model DIR] [--n 5000] [--threads 2]
    python bench/bench_inference.py --untrained /tmp/untrained   # default-config model, random weights

Slices are synthetic but realistic in size (names, calls, operators, definitions, siblings, a
project with 60 candidate types, 50 files that each see 8 of them).  `--untrained DIR` exports a default-`ModelConfig` model with
random weights (needs the train extra): speed does not depend on the weights.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from typeinfer.typemodel.synthetic import make_slice


def build_untrained(out: Path) -> Path:
    import torch

    from typeinfer.typemodel.batching import Featurizer
    from typeinfer.typemodel.config import ModelConfig, TrainConfig
    from typeinfer.typemodel.data import TypeVocab
    from typeinfer.typemodel.export import export_model
    from typeinfer.typemodel.model import TypeModel
    from typeinfer.typemodel.serialize import serialize
    from typeinfer.typemodel.tokenizer import train_tokenizer
    from typeinfer.typemodel.train import Split

    rng = random.Random(0)
    slices = [make_slice(rng, rng.choice(["python", "typescript"]), ["UserProfile", "OrderStore"])[0] for _ in range(2000)]
    cfg = ModelConfig()
    tok = train_tokenizer((serialize(s) for s in slices), cfg.vocab_size, min_frequency=1)
    cfg.vocab_size = max(tok.get_vocab_size(), cfg.vocab_size)  # full-size embedding table, as trained
    vocab = TypeVocab(["<other>"] + [f"T{i}" for i in range(cfg.num_types)], [""] + ["python"] * cfg.num_types)
    torch.manual_seed(0)
    model = TypeModel(cfg).eval()
    summary = {"parameters": sum(p.numel() for p in model.parameters()), "untrained": True}
    export_model(model, Featurizer(tok, cfg, vocab), out, 1.0, summary, TrainConfig(), Split([], [], []), {})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=None)
    ap.add_argument("--untrained", type=Path, default=None, help="export a random default-config model here and time it")
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--candidates", type=int, default=60)
    a = ap.parse_args(argv)
    from typeinfer.analyzer.slice_schema import ProjectCandidates
    from typeinfer.typemodel.predictor import TypePredictor

    model_dir = build_untrained(a.untrained) if a.untrained else a.model
    p = TypePredictor.load(model_dir, threads=a.threads)
    rng = random.Random(1)
    from typeinfer.typemodel.synthetic import _ADJ, _NOUN
    project = sorted({rng.choice(_ADJ) + rng.choice(_NOUN) for _ in range(a.candidates * 3)})[: a.candidates]
    slices = [make_slice(rng, "python" if i % 3 else "typescript", project)[0] for i in range(a.n)]
    # as `infer_project` passes them: one ProjectCandidates with the names each of 50 files sees,
    # so the scope mask (typemodel/scope.py) is computed per file as in a real project
    files = [f"pkg/mod{j}.py" for j in range(50)]
    for i, s in enumerate(slices):
        s.file = files[i % len(files)]
    visible = {f: rng.sample(project, min(8, len(project))) for f in files}
    cands = [ProjectCandidates.build(own=project, visible=visible)] * a.n
    p.predict(slices[:200], cands[:200], batch_size=a.batch_size)  # warm-up
    for label, c in (("with candidates", cands), ("vocabulary only", None)):
        t = time.perf_counter()
        p.predict(slices, c, batch_size=a.batch_size)
        dt = time.perf_counter() - t
        print(f"{label}: {a.n} slices in {dt:.2f} s = {a.n / dt:.0f} slices/s "
              f"(threads {a.threads}, batch {a.batch_size}, model {p.model_dir})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
