"""Training: corpus in, model directory out (torch; the ``train`` extra).

Order of work: read the corpus -> type vocabulary + tokenizer (from the train split only) ->
encode -> AdamW with linear warmup and cosine decay, fixed seed, batches grouped a few projects at
a time (so each batch's candidate names stay few) and by length (so little of a batch is padding;
with the factored candidate logits of `model.py` this made a step about 3x faster) -> periodic self-describing checkpoints
(``<out>/checkpoints/last.pt``: weights, optimizer, schedule, RNG, configs, tokenizer, vocabulary;
``resume=True`` continues bit-for-bit on CPU) -> the scope mask (`scope`: the names a file must
see to use them, learned from the train split) -> temperature fitted on the valid split ->
`export.export_model` (ONNX, int8, checks, model card, checksums).

CPU first (``torch.set_num_threads``), ``device="cuda"`` when a GPU is lent.  ``max_minutes``
is a safety stop: a run it cuts short is not reproducible and the model card says so.
"""

from __future__ import annotations

TRAIN_STATS_FILE = "train_stats.json"

import json
import math
import os
import random
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from tokenizers import Tokenizer

from typeinfer.analyzer.slice_schema import ProjectCandidates, TrainingRecord
from typeinfer.typemodel.batching import Batch, Encoded, Featurizer
from typeinfer.typemodel.calibrate import fit_temperature
from typeinfer.typemodel.config import ModelConfig, TrainConfig
from typeinfer.typemodel.data import TypeVocab, read_project_types, read_records, spread_sample
from typeinfer.typemodel.model import TypeModel, count_parameters, loss_fn
from typeinfer.typemodel.scope import learn_imported_only
from typeinfer.typemodel.serialize import serialize
from typeinfer.typemodel.tokenizer import train_tokenizer

PROJECTS_PER_BATCH = 8  #: batches are cut from chunks of batch_size // 8 records of one project
LENGTH_JITTER = 4.0  #: tokens of noise on the length sort, so chunks differ between epochs
BUCKET_WINDOW_BATCHES = 50  #: chunks are grouped by length within windows of this many batches


class TrainInputError(ValueError):
    """The corpus or the device cannot be trained on (reported in one line by ``typeinfer train``)."""


@dataclass
class Split:
    """Encoded records of one split plus their candidate sets."""

    records: list[TrainingRecord]
    encoded: list[Encoded]
    csets: list


def _seed_all(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def to_tensors(b: Batch, device: str) -> dict[str, torch.Tensor]:
    names = ["input_ids", "attention_mask", "name_ids", "name_mask", "cand_name", "cand_form", "cand_ok",
             "feats", "vocab_ok"]
    out = {n: torch.from_numpy(getattr(b, n)).to(device) for n in names}
    if b.target is not None:
        out["target"] = torch.from_numpy(b.target).to(device)
    return out


def encode_split(feat: Featurizer, records: list[TrainingRecord], project_types: dict[str, ProjectCandidates]) -> Split:
    encoded = feat.encode_slices([r.slice for r in records])
    csets = [feat.candidate_set(project_types.get(r.project), r.language) for r in records]
    return Split(records, encoded, csets)


def epoch_order(records: list[TrainingRecord], batch_size: int, seed: int, epoch: int,
                lengths: list[int] | None = None, repeats: dict[str, int] | None = None) -> list[list[int]]:
    """Deterministic batches of one epoch, each made of chunks of batch_size // 8 records of one project.

    A language in `repeats` has its records taken that many times (the smaller language gets
    more passes).  With `lengths` (tokens per record), records are chunked by jittered length
    within their project and the chunks of a window are grouped by length, so a batch pads
    to about its own records' length instead of the longest of a random 64.  The number of
    batches depends only on the records, not on the seed or the epoch.
    """
    rng = np.random.default_rng([seed, epoch])
    by_project: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        by_project[r.project].extend([i] * (repeats or {}).get(r.language, 1))
    chunk = max(1, batch_size // PROJECTS_PER_BATCH)
    chunks = []
    for p in sorted(by_project):
        idx = np.asarray(by_project[p])
        idx = idx[rng.permutation(len(idx))]
        if lengths is not None:
            jitter = rng.uniform(0.0, LENGTH_JITTER, len(idx))
            idx = idx[np.argsort(np.asarray([lengths[i] for i in idx]) + jitter, kind="stable")]
        idx = idx.tolist()
        chunks += [idx[i: i + chunk] for i in range(0, len(idx), chunk)]
    chunks = [chunks[j] for j in rng.permutation(len(chunks))]
    if lengths is None:
        flat = [i for c in chunks for i in c]
        return [flat[i: i + batch_size] for i in range(0, len(flat), batch_size)]
    per_batch = max(1, batch_size // chunk)
    batches: list[list[int]] = []
    window = per_batch * BUCKET_WINDOW_BATCHES
    for w in range(0, len(chunks), window):
        part = sorted(chunks[w: w + window], key=lambda c: max(lengths[i] for i in c))
        batches += [[i for c in part[k: k + per_batch] for i in c] for k in range(0, len(part), per_batch)]
    return [batches[j] for j in rng.permutation(len(batches))]


def lr_at(step: int, total: int, tc: TrainConfig) -> float:
    warm = max(1, int(total * tc.warmup_frac))
    if step < warm:
        return tc.lr * (step + 1) / warm
    progress = (step - warm) / max(1, total - warm)
    return tc.lr * 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))


def make_batch(feat: Featurizer, split: Split, idx: list[int], with_target: bool) -> Batch:
    labels = [split.records[i].label for i in idx] if with_target else None
    return feat.batch([split.encoded[i] for i in idx], [split.csets[i] for i in idx], labels)


@torch.no_grad()
def valid_logits(model: TypeModel, feat: Featurizer, split: Split, device: str, batch_size: int = 128):
    """Per record: its logits over allowed entries and the target mask (for temperature fitting)."""
    model.eval()
    rows, targets = [], []
    for start in range(0, len(split.records), batch_size):
        idx = list(range(start, min(start + batch_size, len(split.records))))
        b = make_batch(feat, split, idx, with_target=True)
        z = model.all_logits(to_tensors(b, device)).float().cpu().numpy()
        allowed = np.concatenate([b.vocab_ok, b.cand_ok], axis=1)
        for k in range(len(idx)):
            rows.append(z[k][allowed[k]])
            targets.append(b.target[k][allowed[k]])
    return rows, targets


def _save(path: Path, state: dict) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def train(corpus_dir: Path, out_dir: Path, config: ModelConfig | None = None, train_config: TrainConfig | None = None,
          seed: int = 0, device: str = "cpu", max_minutes: float | None = 90.0, resume: bool = False,
          progress: bool = True) -> dict:
    """Train, calibrate and export; returns the summary written into the model card."""
    from typeinfer.typemodel.export import export_model

    corpus_dir, out_dir = Path(corpus_dir), Path(out_dir)
    ckpt_dir = out_dir / "checkpoints"
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    ckpt_path = ckpt_dir / "last.pt"
    if device == "cpu":
        torch.set_num_threads((train_config or TrainConfig()).threads)
    elif device.startswith("cuda") and not torch.cuda.is_available():
        raise TrainInputError(f"--device {device}: torch sees no CUDA device (this torch build may be CPU-only)")
    t0 = time.time()

    train_recs = read_records(corpus_dir, "train")
    try:
        valid_recs = read_records(corpus_dir, "valid")
    except FileNotFoundError:
        valid_recs = []
    project_types = read_project_types(corpus_dir)
    if not train_recs:
        raise TrainInputError(f"{corpus_dir}: the train split is empty")

    state = None
    if resume and ckpt_path.exists():
        state = torch.load(ckpt_path, map_location="cpu", weights_only=False)
        cfg = ModelConfig.from_dict(state["model_config"])
        tc = TrainConfig.from_dict(state["train_config"])
        seed = state["seed"]
        tok = Tokenizer.from_str(state["tokenizer"])
        vocab = TypeVocab.from_json(state["vocab"])
    else:
        cfg = ModelConfig.from_dict((config or ModelConfig()).to_dict())
        tc = TrainConfig.from_dict((train_config or TrainConfig()).to_dict())
        _seed_all(seed)
        vocab = TypeVocab.build(train_recs, cfg.num_types, cfg.min_type_count, cfg.min_type_projects)
        tok = train_tokenizer((serialize(r.slice) for r in train_recs), cfg.vocab_size)
        cfg.vocab_size = tok.get_vocab_size()
        cfg.num_types = len(vocab) - 1

    feat = Featurizer(tok, cfg, vocab)
    train_split = encode_split(feat, train_recs, project_types)
    valid_split = encode_split(feat, valid_recs, project_types)

    _seed_all(seed)
    model = TypeModel(cfg).to(device)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and "form_table" not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and "form_table" not in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": tc.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=tc.lr)
    lengths = [len(e.ids) for e in train_split.encoded]

    def order_of(epoch: int) -> list[list[int]]:
        return epoch_order(train_recs, tc.batch_size, seed, epoch, lengths, tc.language_repeats)

    first_order = order_of(0)  # also counts the steps of an epoch
    steps_per_epoch = len(first_order)
    total = tc.max_steps or steps_per_epoch * tc.epochs
    step = 0
    seconds_before, seen_before = 0.0, 0  # training-loop time and samples of the runs this one resumes
    if state is not None:
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        step = state["step"]
        torch.set_rng_state(state["rng"])
        seconds_before, seen_before = state.get("train_seconds", 0.0), state.get("seen", 0)

    def checkpoint() -> None:
        _save(ckpt_path, {
            "model": model.state_dict(), "optimizer": opt.state_dict(), "step": step, "seed": seed,
            "rng": torch.get_rng_state(), "model_config": cfg.to_dict(), "train_config": tc.to_dict(),
            "tokenizer": tok.to_str(), "vocab": vocab.to_json(), "corpus": str(corpus_dir),
            "train_seconds": seconds_before + time.time() - t_loop, "seen": seen_before + seen,
        })

    n_params = count_parameters(model)
    stopped_by_time = False
    seen, t_loop, loss_ema = 0, time.time(), None
    columns = [TextColumn("train"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[info]}"),
               TimeElapsedColumn(), TimeRemainingColumn()]
    with Progress(*columns, disable=not progress) as bar:
        task = bar.add_task("train", total=total, completed=step, info="")
        order_epoch, order = 0, first_order
        model.train()
        while step < total:
            epoch, within = divmod(step, steps_per_epoch)
            if epoch != order_epoch:
                order, order_epoch = order_of(epoch), epoch
            b = make_batch(feat, train_split, order[within], with_target=True)
            t = to_tensors(b, device)
            for g in opt.param_groups:
                g["lr"] = lr_at(step, total, tc)
            loss = loss_fn(model.all_logits(t), t["target"])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), tc.grad_clip)
            opt.step()
            step += 1
            seen += len(order[within])
            loss_ema = loss.item() if loss_ema is None else 0.98 * loss_ema + 0.02 * loss.item()
            rate = seen / max(1e-9, time.time() - t_loop)
            bar.update(task, completed=step, info=f"loss {loss_ema:.3f}  {rate:.0f} samples/s")
            if step % tc.checkpoint_every == 0 or step == total:
                checkpoint()
            if max_minutes is not None and (time.time() - t0) / 60 > max_minutes and step < total:
                stopped_by_time = True
                checkpoint()
                break
    train_seconds = seconds_before + time.time() - t_loop
    seen += seen_before

    # The scope mask joins after the loop, for calibration, export and inference: masking the
    # loss with it as well bought nothing (bench/RESULTS.md), and a loop left as it was keeps
    # retraining byte-for-byte reproducible.
    vocab.imported_only = learn_imported_only(train_recs, project_types, among=vocab.types[1:])
    feat = Featurizer(tok, cfg, vocab)

    # temperature on the valid split
    pick = spread_sample(len(valid_split.records), tc.calib_max_records, seed)
    calib = Split([valid_split.records[i] for i in pick], [valid_split.encoded[i] for i in pick],
                  [valid_split.csets[i] for i in pick])
    rows, targets = valid_logits(model, feat, calib, device)
    temperature = fit_temperature(rows, targets) if rows else 1.0

    summary = {
        "seed": seed, "device": device, "steps": step, "total_steps": total, "stopped_by_time": stopped_by_time,
        "parameters": n_params, "train_seconds": round(train_seconds, 1),
        "train_samples_per_second": round(seen / max(train_seconds, 1e-9), 1),
        "temperature": temperature, "corpus": str(corpus_dir),
        "train_records": len(train_recs), "valid_records": len(valid_recs),
        "train_projects": len({r.project for r in train_recs}),
        "label_counts_by_language": {lang: sum(r.language == lang for r in train_recs) for lang in ("python", "typescript")},
        "user_type_fraction": round(sum(r.is_user_type for r in train_recs) / len(train_recs), 4),
    }
    model.eval()
    model.cpu()
    from typeinfer.typemodel.evaluate import TrainStats
    from typeinfer.typemodel.model_files import MODEL_FILES, write_sums

    export_model(model, feat, out_dir, temperature, summary, tc, valid_split, project_types)
    # label counts of the train split: baselines and common/rare for `typeinfer eval PATH`
    (out_dir / TRAIN_STATS_FILE).write_text(json.dumps(TrainStats.from_records(train_recs).to_json()))
    write_sums(out_dir, [*MODEL_FILES, "MODEL_CARD.md", TRAIN_STATS_FILE])
    (out_dir / "train_summary.json").write_text(json.dumps(summary, indent=2))
    return summary
