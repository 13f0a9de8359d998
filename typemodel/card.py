"""The model card (``MODEL_CARD.md``): written at export, its threshold kept current by calibrate.

No torch here: ``typeinfer.typemodel.calibrate`` runs with the runtime dependencies only.
"""

from __future__ import annotations

import re
from pathlib import Path

_THRESHOLD_LINE = re.compile(r"^(- temperature \(valid split\): [^;\n]*; default threshold )(.*)$", re.MULTILINE)


def write_card(out_dir: Path, meta: dict, metrics_text: str = "") -> None:
    """Write ``out_dir/MODEL_CARD.md`` from the ``types.json`` content `meta` (+ test metrics text)."""
    s = meta["summary"]
    cfg = meta["model_config"]
    tc = meta.get("train_config", {})
    q = s.get("quantization", {})
    lines = [
        "# typeinfer type model", "",
        "Predicts canonical types of Python / TypeScript parameters, returns and variables from usage slices.",
        "Loaded by `typeinfer.typemodel.predictor.TypePredictor.load()` (onnxruntime + tokenizers).", "",
        "## Model", "",
        f"- BERT encoder from scratch: {cfg['layers']} layers, hidden {cfg['hidden']}, {cfg['heads']} heads, "
        f"max {cfg['max_len']} tokens, WordPiece vocabulary {cfg['vocab_size']}",
        f"- heads: {cfg['num_types']} vocabulary types (+ `<other>`) and a project-candidate scorer (dim {cfg['cand_dim']})",
        "- candidates: the project's own types and the type names its files import (up to "
        f"{cfg.get('max_candidates')} per project), in the forms {cfg.get('candidate_forms')}; "
        "`$TP` is filled with the type parameters in scope of the slot",
        "- scope: a vocabulary type naming an imported-only name (learned from the train labels: "
        + ", ".join(f"{len(v)} {lang}" for lang, v in sorted(meta["vocab"].get("imported_only", {}).items()))
        + ") is ranked only where the slot's file defines or imports that name (`typemodel/scope.py`)"
        if meta["vocab"].get("imported_only") else "- scope: no imported-only names (every vocabulary type ranked everywhere)",
        f"- parameters: {s.get('parameters')}; ONNX int8 {s.get('onnx_bytes', {}).get('int8')} bytes "
        f"(fp32 {s.get('onnx_bytes', {}).get('fp32')})",
        f"- temperature (valid split): {meta['temperature']:.4f}; default threshold {meta['default_threshold']}", "",
        "## Training", "",
        f"- corpus: `{s.get('corpus')}`; {s.get('train_records')} train records from {s.get('train_projects')} projects, "
        f"{s.get('valid_records')} valid records; per language {s.get('label_counts_by_language')}; "
        f"user-defined labels {s.get('user_type_fraction')}",
        f"- seed {s.get('seed')}, device {s.get('device')}, steps {s.get('steps')}/{s.get('total_steps')}"
        + (" (STOPPED BY THE TIME LIMIT: not reproducible)" if s.get("stopped_by_time") else ""),
        f"- {s.get('train_seconds')} s, {s.get('train_samples_per_second')} samples/s",
        f"- optimizer: " + (f"{tc.get('max_steps')} steps" if tc.get("max_steps") else f"{tc.get('epochs')} epochs")
        + f", batch {tc.get('batch_size')}, "
        f"peak lr {tc.get('lr')}, warmup {tc.get('warmup_frac')}, cosine decay; records per epoch taken "
        f"{tc.get('language_repeats', {})} times by language (1 otherwise); batches grouped by length", "",
        "## Quantization check (valid split)", "",
        f"- records {q.get('records')}, int8/fp32 top-1 agreement {q.get('top1_agreement')}, "
        f"exact fp32 {q.get('exact_fp32')}, int8 {q.get('exact_int8')} (delta {q.get('exact_delta', 0.0):+.4f})", "",
        "## Test metrics", "", metrics_text or "_Not yet measured: run `typeinfer eval --model <dir> --corpus <corpus>`._", "",
    ]
    (out_dir / "MODEL_CARD.md").write_text("\n".join(lines))


def set_card_threshold(model_dir: Path, threshold: float, basis: str) -> bool:
    """Rewrite the default-threshold line of ``model_dir/MODEL_CARD.md`` (the rest is kept);
    False if the card is missing or has no such line."""
    path = Path(model_dir) / "MODEL_CARD.md"
    if not path.exists():
        return False
    text, n = _THRESHOLD_LINE.subn(lambda m: f"{m.group(1)}{threshold} ({basis})", path.read_text())
    if n:
        path.write_text(text)
    return bool(n)
