"""The model directory's files: where the shipped model lives, their checksums, and what a
broken one says.  Standard library only, so that checking a model costs no numpy or
onnxruntime import (`typemodel.predictor` loads it; `typemodel.lazy_predictor` defers that).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

MODEL_FILES = ("model.onnx", "tokenizer.json", "types.json")
SUMS_FILE = "SHA256SUMS"


class ModelError(RuntimeError):
    """The model directory is missing a file or holds a corrupt one."""


def default_model_dir() -> Path:
    """The model shipped in the package (``typemodel/model/``)."""
    return Path(__file__).resolve().parent / "model"


def rebuild_hint(model_dir: Path) -> str:
    """How to rebuild `model_dir`: the end of every `ModelError` message."""
    return f"rebuild it with `typeinfer train --corpus <corpus dir> --out {model_dir}`"


def sha256(path: Path) -> str:
    """The hex SHA-256 of a file."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def write_sums(model_dir: Path, names: list[str]) -> None:
    """Write ``SHA256SUMS`` for `names` in `model_dir`."""
    lines = [f"{sha256(model_dir / n)}  {n}" for n in sorted(names)]
    (model_dir / SUMS_FILE).write_text("\n".join(lines) + "\n")


def verify_model_dir(model_dir: Path) -> None:
    """Raise `ModelError` unless every model file exists and matches ``SHA256SUMS``."""
    for name in (*MODEL_FILES, SUMS_FILE):
        if not (model_dir / name).is_file():
            raise ModelError(f"model file {model_dir / name} is missing; {rebuild_hint(model_dir)}")
    sums: dict[str, str] = {}
    for line in (model_dir / SUMS_FILE).read_text().splitlines():
        parts = line.split()
        if len(parts) == 2:
            sums[parts[1].lstrip("*")] = parts[0].lower()
    for name in sums:
        if not (model_dir / name).is_file():
            raise ModelError(f"model file {model_dir / name} is missing; {rebuild_hint(model_dir)}")
    for name in MODEL_FILES:
        if name not in sums:
            raise ModelError(f"model file {model_dir / SUMS_FILE} does not list {name} (corrupt); "
                             f"{rebuild_hint(model_dir)}")
    for name, digest in sums.items():
        if sha256(model_dir / name) != digest:
            raise ModelError(f"model file {model_dir / name} is corrupt (SHA-256 does not match {SUMS_FILE}); "
                             f"{rebuild_hint(model_dir)}")


def calibrated_threshold(model_dir: Path) -> float:
    """The model's default confidence threshold (``types.json``), without loading the model."""
    path = model_dir / "types.json"
    try:
        return float(json.loads(path.read_text(encoding="utf-8")).get("default_threshold", 0.5))
    except (OSError, ValueError, TypeError, AttributeError, UnicodeDecodeError) as e:
        raise ModelError(f"model file {path} is corrupt ({e}); {rebuild_hint(model_dir)}") from None
