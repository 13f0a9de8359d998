"""Run-time type prediction: onnxruntime + tokenizers + numpy only (no torch anywhere on its imports).

`TypePredictor.load(model_dir=None)` opens the shipped model (``typemodel/model/``) or another
model directory, checks every file against ``SHA256SUMS`` and raises `ModelError` -- one line naming
the file and how to rebuild it -- when one is missing or corrupt.  `TypePredictor.predict` takes
slices (sorted by token length and batched, so padding stays small) with, per slice, the short
names of its project's types, and returns ranked ``(type, probability)`` lists, probabilities
calibrated by the temperature fitted on the valid split.

Model directory: ``model.onnx`` (int8; inputs ``input_ids``, ``attention_mask`` [batch, seq] and
``name_ids``, ``name_mask`` [names, name_len]; outputs ``vocab_logits``, ``slice_vec``, ``name_vec``,
fed and fetched by these names: `typemodel.contract`),
``tokenizer.json``, ``types.json`` (vocabulary, temperature, configs, candidate scorer's numpy
half), ``MODEL_CARD.md``, ``SHA256SUMS``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from typeinfer.analyzer.slice_schema import ProjectCandidates, UsageSlice
from typeinfer.typemodel.batching import Featurizer
from typeinfer.typemodel.config import ModelConfig
from typeinfer.typemodel.contract import missing_names, run_model
from typeinfer.typemodel.data import TypeVocab
from typeinfer.typemodel.model_files import MODEL_FILES, ModelError, default_model_dir, rebuild_hint, verify_model_dir
from typeinfer.typemodel.scoring import NEG, candidate_logits_np, rank
from typeinfer.typemodel.serialize import INPUT_FORMAT

TYPES_FORMAT = 1


class TypePredictor:
    """A loaded model; `predict` is safe to call from one thread at a time."""

    def __init__(self, model_dir: Path, session, featurizer: Featurizer, meta: dict):
        self.model_dir = model_dir
        self.session = session
        self.feat = featurizer
        self.meta = meta
        self.temperature = float(meta["temperature"])
        self.threshold = float(meta.get("default_threshold", 0.5))
        sc = meta["scorer"]
        self._form_table = np.asarray(sc["form_table"], dtype=np.float32)
        self._weights = np.asarray(sc["feature_weights"], dtype=np.float32)
        self._bias = float(sc["feature_bias"])

    @classmethod
    def load(cls, model_dir: Path | str | None = None, verify: bool = True, threads: int | None = None) -> "TypePredictor":
        """Open a model directory (default: the shipped model), checking checksums unless `verify` is False."""
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
        if verify:
            verify_model_dir(model_dir)
        else:
            for name in MODEL_FILES:
                if not (model_dir / name).is_file():
                    raise ModelError(f"model file {model_dir / name} is missing; {rebuild_hint(model_dir)}")
        path = model_dir / "types.json"
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
            if meta.get("format") != TYPES_FORMAT:
                raise ValueError(f"format {meta.get('format')!r}, expected {TYPES_FORMAT}")
            trained_on = meta.get("input_format", 1)  # models before the field read format 1
            if trained_on != INPUT_FORMAT:
                raise ModelError(f"model file {path} was trained on input format {trained_on}, and this typeinfer "
                                 f"writes format {INPUT_FORMAT}; {rebuild_hint(model_dir)}")
            cfg = ModelConfig.from_dict(meta["model_config"])
            vocab = TypeVocab.from_json(meta["vocab"])
            meta["scorer"], meta["temperature"]  # noqa: B018 -- presence check
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as e:
            raise ModelError(f"model file {path} is corrupt ({e}); {rebuild_hint(model_dir)}") from None
        path = model_dir / "tokenizer.json"
        try:
            tok = Tokenizer.from_file(str(path))
        except Exception as e:  # tokenizers raises plain Exception subclasses
            raise ModelError(f"model file {path} is corrupt ({str(e).splitlines()[0][:120]}); {rebuild_hint(model_dir)}") from None
        path = model_dir / "model.onnx"
        try:
            opts = ort.SessionOptions()
            # no busy-waiting between operators: on a few cores the spinning threads take the CPU
            # the rest of the pipeline needs (measured ~1.3x more slices/s on 2 cores without it)
            opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
            opts.add_session_config_entry("session.inter_op.allow_spinning", "0")
            if threads:
                opts.intra_op_num_threads = threads
                opts.inter_op_num_threads = 1
            session = ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])
        except Exception as e:
            raise ModelError(f"model file {path} is corrupt ({str(e).splitlines()[0][:120]}); {rebuild_hint(model_dir)}") from None
        missing = missing_names(session)
        if missing:
            raise ModelError(f"model file {path} is corrupt (its graph has no {', '.join(missing)}); "
                             f"{rebuild_hint(model_dir)}")
        return cls(model_dir, session, Featurizer(tok, cfg, vocab), meta)

    def reachable(self, slices: list[UsageSlice], candidates: list[list[str] | ProjectCandidates] | None,
                  labels: list[str], batch_size: int = 256) -> list[bool]:
        """Whether each slice's `labels[i]` is among the entries `predict` ranks for it at all: a
        vocabulary type its scope allows, or one of its project's candidate labels in scope (the
        model's reach; `candidates` as for `predict`).  Featurizes only: the model is not run."""
        feat = self.feat
        enc = feat.encode_slices(slices)
        csets = [feat.candidate_set(candidates[i] if candidates is not None else None, s.language)
                 for i, s in enumerate(slices)]
        out: list[bool] = []
        for start in range(0, len(slices), batch_size):
            idx = range(start, min(start + batch_size, len(slices)))
            # the training target: the entries naming the label, else <other> (entry 0) alone
            b = feat.batch([enc[i] for i in idx], [csets[i] for i in idx], [labels[i] for i in idx])
            assert b.target is not None
            out.extend(bool(row[1:].any()) for row in b.target)
        return out

    def predict(self, slices: list[UsageSlice], candidates: list[list[str] | ProjectCandidates] | None = None, top_k: int = 5,
                batch_size: int = 64) -> list[list[tuple[str, float]]]:
        """Ranked (canonical type, calibrated probability) per slice, best first.

        `candidates[i]` are the types of slice i's project: a `ProjectCandidates` (its classes,
        interfaces, aliases and imported type names, with the names each file sees; pass the
        same object for every slice of a project) or a plain list of short names; ``None``
        scores the K-vocabulary only.
        """
        if candidates is not None and len(candidates) != len(slices):
            raise ValueError("candidates must have one list per slice")
        feat = self.feat
        enc = feat.encode_slices(slices)
        csets = [feat.candidate_set(candidates[i] if candidates is not None else None, s.language)
                 for i, s in enumerate(slices)]
        order = sorted(range(len(slices)), key=lambda i: len(enc[i].ids))
        out: list[list[tuple[str, float]]] = [[] for _ in slices]
        types = feat.vocab.types
        for start in range(0, len(order), batch_size):
            idx = order[start: start + batch_size]
            b = feat.batch([enc[i] for i in idx], [csets[i] for i in idx])
            res = run_model(self.session, {"input_ids": b.input_ids, "attention_mask": b.attention_mask,
                                           "name_ids": b.name_ids, "name_mask": b.name_mask})
            cand = candidate_logits_np(res.slice_vec, res.name_vec, b.cand_name, b.cand_form, b.feats,
                                       self._form_table, self._weights, self._bias)
            for k, i in enumerate(idx):
                n = len(b.cand_labels[k])
                logits = np.where(b.cand_ok[k, :n], cand[k, :n], NEG)  # masked: generic forms out of scope
                out[i] = rank(res.vocab_logits[k], types, b.vocab_ok[k], logits, b.cand_labels[k], b.cand_vocab[k],
                              self.temperature, top_k)
        return out
