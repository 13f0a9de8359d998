"""Export: trained `TypeModel` -> the model directory the runtime loads.

Writes ``model.onnx`` (int8, one graph with four inputs -- the slice tokens and the token ids of
the batch's candidate type names -- and three outputs: ``vocab_logits`` [B, K+1], ``slice_vec``
[B, D] (already scaled), ``name_vec`` [N, D], all named by `typemodel.contract`; the candidate form
table and lexical feature weights are a few hundred floats applied in numpy, stored in ``types.json``),
``tokenizer.json``, ``types.json``, ``MODEL_CARD.md`` and ``SHA256SUMS``.

Export uses ``torch.onnx.export`` (dynamo) with dynamic batch / sequence / name axes, example
batches of >= 2 and ``external_data=False`` (one file, no ``.onnx.data``); the fp32 graph is
checked against torch, then ``quantize_dynamic(QInt8)``; the int8 model's top-1 is compared with
the fp32 model's on the valid split (agreement and exact-match delta go into the card).
"""

from __future__ import annotations

import json
import logging
import warnings
import shutil
from pathlib import Path

import numpy as np
import torch

from typeinfer.analyzer.slice_schema import ProjectCandidates
from typeinfer.typemodel.batching import Featurizer
from typeinfer.typemodel.card import write_card
from typeinfer.typemodel.config import TrainConfig
from typeinfer.typemodel.contract import MODEL_INPUTS, MODEL_OUTPUTS, ModelOutputs, run_model
from typeinfer.typemodel.data import spread_sample
from typeinfer.typemodel.model import TypeModel
from typeinfer.typemodel.model_files import MODEL_FILES, write_sums
from typeinfer.typemodel.predictor import TYPES_FORMAT, TypePredictor
from typeinfer.typemodel.serialize import INPUT_FORMAT

INPUTS = list(MODEL_INPUTS)  #: the graph's input names (`typemodel.contract`)
OUTPUTS = list(MODEL_OUTPUTS)  #: the graph's output names, in `TypeModel.forward`'s return order
DEFAULT_THRESHOLD = 0.5  #: confidence at and above which a prediction is reported by default


def export_onnx(model: TypeModel, path: Path) -> None:
    """fp32 ONNX of `model.forward`, dynamic in batch, sequence, names and name length."""
    cfg = model.cfg
    model.eval()
    g = torch.Generator().manual_seed(0)
    B, T, N, L = 3, min(7, cfg.max_len), 5, 3
    ids = torch.randint(5, cfg.vocab_size, (B, T), generator=g)
    mask = torch.ones(B, T, dtype=torch.long)
    mask[0, -2:] = 0
    nids = torch.randint(5, cfg.vocab_size, (N, L), generator=g)
    nmask = torch.ones(N, L, dtype=torch.long)
    nmask[1, -1] = 0
    Dim = torch.export.Dim
    batch, seq = Dim("batch", min=1, max=4096), Dim("seq", min=1, max=cfg.max_len)
    names, name_len = Dim("names", min=1, max=1 << 16), Dim("name_len", min=1, max=cfg.cand_max_tokens)
    shapes = {"input_ids": {0: batch, 1: seq}, "attention_mask": {0: batch, 1: seq},
              "name_ids": {0: names, 1: name_len}, "name_mask": {0: names, 1: name_len}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (ids, mask, nids, nmask), str(path), input_names=INPUTS, output_names=OUTPUTS,
                          dynamic_shapes=shapes, dynamo=True, external_data=False, optimize=True, verbose=False)
    # the fp32 graph must reproduce torch on another shape
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    ids2, mask2 = ids[:2, :5].clone(), mask[:2, :5].clone()
    nids2, nmask2 = nids[:4, :2].clone(), nmask[:4, :2].clone()
    with torch.no_grad():
        want = ModelOutputs(*(t.numpy() for t in model(ids2, mask2, nids2, nmask2)))
    got = run_model(sess, dict(zip(INPUTS, [ids2.numpy(), mask2.numpy(), nids2.numpy(), nmask2.numpy()])))
    for name, w, o in zip(OUTPUTS, want, got):
        if w.shape != o.shape or not np.allclose(w, o, atol=1e-3, rtol=1e-3):
            raise RuntimeError(f"ONNX export mismatch on {name}: max |diff| {np.abs(w - o).max() if w.shape == o.shape else 'shape'}")


def quantize(fp32: Path, int8: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # The exporter's intermediate shape annotations are optional, and some torch releases (2.11
    # on the GPU machine) write ones that onnx's shape inference rejects inside quantize_dynamic;
    # quantize a copy without them so inference recomputes every shape from the graph itself.
    graph = onnx.load(str(fp32))
    del graph.graph.value_info[:]
    bare = fp32.with_name(fp32.stem + ".noshapes.onnx")
    onnx.save(graph, str(bare))
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # silence "please consider pre-processing" (a hint for CNNs)
    try:
        quantize_dynamic(str(bare), str(int8), weight_type=QuantType.QInt8)
    finally:
        root.setLevel(level)
        bare.unlink(missing_ok=True)


def types_json(model: TypeModel, feat: Featurizer, temperature: float, summary: dict, tc: TrainConfig) -> dict:
    return {
        "format": TYPES_FORMAT, "input_format": INPUT_FORMAT, "model_config": model.cfg.to_dict(), "train_config": tc.to_dict(),
        "vocab": feat.vocab.to_json(), "temperature": temperature, "default_threshold": DEFAULT_THRESHOLD,
        "scorer": model.scorer_params(), "onnx": {"inputs": INPUTS, "outputs": OUTPUTS}, "summary": summary,
    }


def compare(fp32_dir: Path, int8_dir: Path, split, project_types: dict[str, ProjectCandidates], limit: int) -> dict:
    """Top-1 agreement and exact-match of fp32 vs int8 on (up to `limit`) valid records."""
    recs = [split.records[i] for i in spread_sample(len(split.records), limit)]
    if not recs:
        return {"records": 0}
    cands = [project_types.get(r.project) for r in recs]
    res = {}
    for name, d in (("fp32", fp32_dir), ("int8", int8_dir)):
        p = TypePredictor.load(d, verify=False)
        res[name] = [x[0][0] if x else None for x in p.predict([r.slice for r in recs], cands, top_k=1)]
    agree = sum(a == b for a, b in zip(res["fp32"], res["int8"])) / len(recs)
    acc = {k: sum(t == r.label for t, r in zip(v, recs)) / len(recs) for k, v in res.items()}
    return {"records": len(recs), "top1_agreement": agree, "exact_fp32": acc["fp32"], "exact_int8": acc["int8"],
            "exact_delta": acc["int8"] - acc["fp32"]}


def export_model(model: TypeModel, feat: Featurizer, out_dir: Path, temperature: float, summary: dict,
                 tc: TrainConfig, valid_split, project_types: dict[str, ProjectCandidates]) -> dict:
    """Write the model directory `out_dir` (see module docstring); returns the quantization check."""
    out_dir = Path(out_dir)
    staging = out_dir / "fp32"
    staging.mkdir(parents=True, exist_ok=True)
    export_onnx(model, staging / "model.onnx")
    feat.tok.save(str(staging / "tokenizer.json"))
    meta = types_json(model, feat, temperature, summary, tc)
    (staging / "types.json").write_text(json.dumps(meta, indent=1, sort_keys=True))
    quantize(staging / "model.onnx", out_dir / "model.onnx")
    shutil.copy(staging / "tokenizer.json", out_dir / "tokenizer.json")
    shutil.copy(staging / "types.json", out_dir / "types.json")
    check = compare(staging, out_dir, valid_split, project_types, tc.check_max_records)
    summary["quantization"] = check
    summary["onnx_bytes"] = {"fp32": (staging / "model.onnx").stat().st_size, "int8": (out_dir / "model.onnx").stat().st_size}
    meta = types_json(model, feat, temperature, summary, tc)
    (out_dir / "types.json").write_text(json.dumps(meta, indent=1, sort_keys=True))
    write_card(out_dir, meta)
    write_sums(out_dir, [*MODEL_FILES, "MODEL_CARD.md"])
    return check
