"""The WordPiece tokenizer: train it on serialized slices, save and load ``tokenizer.json``.

Identifiers are already split into words by `serialize` (the camelCase / snake_case pre-split of
issue 5), so the tokenizer only splits on whitespace and then merges sub-words (WordPiece).  Section
markers are special tokens.  Needs only the ``tokenizers`` package (runtime-safe).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

from typeinfer.typemodel.serialize import MARKERS

PAD, UNK, CLS, SEP, MASK = "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"
SPECIAL = [PAD, UNK, CLS, SEP, MASK, *MARKERS]


def train_tokenizer(texts: Iterable[str], vocab_size: int = 8000, min_frequency: int = 2) -> Tokenizer:
    """A WordPiece tokenizer trained on serialized slices (deterministic for the same texts)."""
    tok = Tokenizer(models.WordPiece(unk_token=UNK, max_input_chars_per_word=50))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    trainer = trainers.WordPieceTrainer(
        vocab_size=vocab_size, min_frequency=min_frequency, special_tokens=SPECIAL, show_progress=False
    )
    tok.train_from_iterator(texts, trainer=trainer)
    tok.post_processor = processors.TemplateProcessing(
        single=f"{CLS} $A {SEP}", special_tokens=[(CLS, tok.token_to_id(CLS)), (SEP, tok.token_to_id(SEP))]
    )
    tok.decoder = decoders.WordPiece()
    return tok


def save_tokenizer(tok: Tokenizer, path: Path) -> None:
    tok.save(str(path))


def load_tokenizer(path: Path) -> Tokenizer:
    return Tokenizer.from_file(str(path))


def encode(tok: Tokenizer, texts: list[str], max_len: int) -> list[list[int]]:
    """Token ids with [CLS]/[SEP], truncated to `max_len` (the [SEP] is kept), unpadded."""
    out = []
    for enc in tok.encode_batch(texts):
        ids = enc.ids
        if len(ids) > max_len:
            ids = ids[: max_len - 1] + ids[-1:]
        out.append(ids)
    return out


def encode_plain(tok: Tokenizer, texts: list[str], max_len: int) -> list[list[int]]:
    """Token ids without special tokens (candidate type names), truncated, at least one id."""
    unk = tok.token_to_id(UNK)
    return [(enc.ids[:max_len] or [unk]) for enc in tok.encode_batch(texts, add_special_tokens=False)]
