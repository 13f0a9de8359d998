"""Model and training configuration: one dataclass each, a comment on every default.

Checkpoints and ``types.json`` store ``asdict`` of both, so export, inference and resumed
training rebuild the model from the files alone (`ModelConfig.from_dict` ignores unknown keys so
older checkpoints keep loading).  Imports nothing heavy: the runtime reads it too.

The defaults are sized for the CPU budget of issue 5 (2 cores, <= 90 minutes of training,
>= 1,000 slices/s int8 inference): 3 layers x 192 wide at up to 64 tokens trains at roughly
300 samples/s with length-grouped batches (2 epochs in about an hour) and infers well above
1,000 slices/s after int8 quantization.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


def _default_forms() -> dict[str, list[str]]:
    # How a project type name becomes candidate labels ("{}" is the short name).  Canonical forms
    # (analyzer.canonical_types): Python unions sort None last.  "$TP" is filled per slot with the
    # type parameters in scope (candidates.TYPE_PARAMS_SLOT): Name<T> is about ten times as
    # frequent among TypeScript labels naming a project type as "Name | undefined" (an optional
    # slot is written `x?: Name`), which this form replaced.
    return {
        "python": ["{}", "{} | None", "list[{}]"],
        "typescript": ["{}", "{}<$TP>", "{} | null", "{}[]"],
    }


@dataclass
class ModelConfig:
    """Architecture: a BERT encoder from scratch, a top-K type head and a candidate scorer."""

    vocab_size: int = 8000  # WordPiece vocabulary size the tokenizer is trained to (at most)
    max_len: int = 64  # tokens per slice incl. [CLS]/[SEP]; longer serializations are truncated
    hidden: int = 192  # encoder width
    layers: int = 3  # transformer layers
    heads: int = 4  # attention heads (hidden must divide by it)
    intermediate: int = 768  # feed-forward width (4 x hidden)
    dropout: float = 0.1  # dropout in encoder and heads
    num_types: int = 3000  # K: size of the classification vocabulary (most frequent training labels)
    min_type_count: int = 3  # a label enters the K-vocabulary only if seen this often in train
    #: ... and in at least this many training projects.  2 (leave the types of one project to the
    #: candidate scorer) was tried and lost on the valid split, user-defined types most (RESULTS)
    min_type_projects: int = 1
    cand_dim: int = 128  # width of the slice/candidate vectors that the scorer compares
    cand_max_tokens: int = 12  # sub-tokens kept per candidate type name
    max_candidates: int = 512  # project type names per slice (sorted; the rest are dropped)
    candidate_forms: dict[str, list[str]] = field(default_factory=_default_forms)  # see _default_forms

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ModelConfig":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TrainConfig:
    """Optimization: AdamW with linear warmup then cosine decay, fixed seed."""

    batch_size: int = 64  # records per step
    lr: float = 1e-3  # peak learning rate (small model trained from scratch)
    weight_decay: float = 0.01  # AdamW decoupled weight decay
    warmup_frac: float = 0.05  # fraction of the steps spent warming up linearly
    epochs: int = 3  # passes over the training split
    max_steps: int = 0  # stop after this many steps (0 = epochs decide); the schedule uses it too
    grad_clip: float = 1.0  # max gradient norm
    checkpoint_every: int = 500  # steps between checkpoints (and at the end)
    calib_max_records: int = 20000  # valid records used to fit the temperature
    check_max_records: int = 5000  # valid records used to compare int8 with fp32
    threads: int = 2  # torch CPU threads (the machine has 2 cores)
    #: passes per epoch over a language's records: TypeScript is under a fifth of the corpus
    language_repeats: dict[str, int] = field(default_factory=lambda: {"typescript": 2})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TrainConfig":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
