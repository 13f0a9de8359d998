"""The WordPiece tokenizer: train it on serialized slices and encode text with it.

Identifiers are already split into words by `serialize` (the camelCase / snake_case pre-split of
issue 5), so the tokenizer only splits on whitespace and then merges sub-words (WordPiece).  Section
markers are special tokens.  The vocabulary is chosen by `build_vocab` (deterministic), not by HF's
trainer, whose tie-breaking changes between runs.  Needs only the ``tokenizers`` package (runtime-safe).
``tokenizer.json`` is written by export (``Tokenizer.save``) and read by the predictor
(``Tokenizer.from_file``).
"""

from __future__ import annotations

from collections.abc import Iterable

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors

from typeinfer.typemodel.serialize import MARKERS

PAD, UNK, CLS, SEP, MASK = "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"
SPECIAL = [PAD, UNK, CLS, SEP, MASK, *MARKERS]


WORD_SHARE = 0.75  #: share of the learned vocabulary given to whole words (the rest: sub-word pieces)


def build_vocab(texts: Iterable[str], vocab_size: int = 8000, min_frequency: int = 2) -> dict[str, int]:
    """A deterministic WordPiece vocabulary: specials, characters, frequent words, frequent pieces.

    HF's `WordPieceTrainer` breaks ties between equally frequent merges in hash-map order, so two
    runs on the same texts give different vocabularies (checked: 1 in 8 runs agree).  Retraining must
    reproduce the shipped model, so the vocabulary is chosen here, ties broken by text: all
    characters (word-initial and ``##`` continuation), then the most frequent whole words
    (identifiers are already split into words by `serialize`), then the most frequent word-initial
    prefixes and ``##`` suffixes of the remaining words (2-6 characters, ranked by count x length),
    which WordPiece's greedy longest match then uses for unseen words.
    """
    from collections import Counter

    words: Counter = Counter()
    for t in texts:
        words.update(w for w in t.split() if w not in SPECIAL)
    vocab: list[str] = list(SPECIAL)
    chars = sorted({c for w in words for c in w})
    vocab += chars + ["##" + c for c in chars]
    budget = max(0, vocab_size - len(vocab))
    ranked = sorted(((w, n) for w, n in words.items() if n >= min_frequency and len(w) > 1), key=lambda kv: (-kv[1], kv[0]))
    whole = [w for w, _ in ranked[: int(budget * WORD_SHARE)]]
    taken = set(vocab) | set(whole)
    pieces: Counter = Counter()
    for w, n in words.items():
        if w in taken:
            continue
        for k in range(2, min(6, len(w) - 1) + 1):
            pieces[w[:k]] += n * k
            pieces["##" + w[-k:]] += n * k
    rest = [p for p, _ in sorted(pieces.items(), key=lambda kv: (-kv[1], kv[0])) if p not in taken]
    vocab += whole + rest[: max(0, vocab_size - len(vocab) - len(whole))]
    return {tok: i for i, tok in enumerate(dict.fromkeys(vocab))}


def train_tokenizer(texts: Iterable[str], vocab_size: int = 8000, min_frequency: int = 2) -> Tokenizer:
    """A WordPiece tokenizer over serialized slices (deterministic: see `build_vocab`)."""
    tok = Tokenizer(models.WordPiece(vocab=build_vocab(texts, vocab_size, min_frequency), unk_token=UNK,
                                     max_input_chars_per_word=50))
    tok.add_special_tokens(SPECIAL)
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.post_processor = processors.TemplateProcessing(
        single=f"{CLS} $A {SEP}", special_tokens=[(CLS, tok.token_to_id(CLS)), (SEP, tok.token_to_id(SEP))]
    )
    tok.decoder = decoders.WordPiece()
    return tok


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
