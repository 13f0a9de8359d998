"""Slices (+ project candidates) -> padded numpy arrays: the one batch builder of train and runtime.

Does: serialize and tokenize slices, build the per-project `CandidateSet`s (cached), and lay out a
batch: token ids, the union of the batch's candidate type *names* (encoded once each), per slice
the indexes of its candidates into that union, their form rows, lexical features, and the mask
of vocabulary entries of the slice's language; for training also the label's target entries.
Numpy + tokenizers only, so training and `TypePredictor` feed the model identical inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from tokenizers import Tokenizer

from typeinfer.analyzer.slice_schema import ProjectCandidates, UsageSlice
from typeinfer.typemodel.candidates import NUM_FEATURES, CandidateSet, SliceWords, slice_words
from typeinfer.typemodel.config import ModelConfig
from typeinfer.typemodel.data import TypeVocab
from typeinfer.typemodel.scope import ScopeMask
from typeinfer.typemodel.serialize import candidate_text, serialize
from typeinfer.typemodel.tokenizer import PAD, encode, encode_plain


_NO_CANDIDATES = np.zeros(0, dtype=np.int64)


@dataclass
class Encoded:
    """One slice, ready to batch."""

    ids: np.ndarray  #: token ids (int32)
    words: SliceWords
    language: str


@dataclass
class Batch:
    """Model inputs (first four go to the ONNX graph) and what scoring needs around them."""

    input_ids: np.ndarray  #: [B, T] int64
    attention_mask: np.ndarray  #: [B, T] int64
    name_ids: np.ndarray  #: [N, L] int64 -- token ids of the union of candidate type names
    name_mask: np.ndarray  #: [N, L] int64
    cand_name: np.ndarray  #: [B, C] int64 -- index into the N names
    cand_form: np.ndarray  #: [B, C] int64 -- row of the form table
    cand_ok: np.ndarray  #: [B, C] bool -- False for padding
    feats: np.ndarray  #: [B, C, F] float32
    vocab_ok: np.ndarray  #: [B, V] bool -- vocabulary entries of the slice's language its file can name
    cand_labels: list[list[str]]  #: per slice, its candidate labels (C_b <= C)
    cand_vocab: list[np.ndarray]  #: per slice, the vocabulary entry of each candidate label (-1 if none)
    target: np.ndarray | None = None  #: [B, V + C] bool -- entries naming the label (training)


class Featurizer:
    """Holds the tokenizer, config and vocabulary; turns slices into `Batch`es."""

    def __init__(self, tokenizer: Tokenizer, cfg: ModelConfig, vocab: TypeVocab):
        self.tok = tokenizer
        self.cfg = cfg
        self.vocab = vocab
        self.pad_id = tokenizer.token_to_id(PAD)
        self.vocab_ok = {lang: np.asarray(vocab.language_mask(lang), dtype=bool) for lang in ("python", "typescript")}
        self.scope = ScopeMask(vocab.types, vocab.languages, vocab.imported_only)
        self.vocab_index: dict[str, dict[str, int]] = {"python": {}, "typescript": {}}
        for (lang, t), i in vocab.index().items():
            self.vocab_index.setdefault(lang, {})[t] = i
        self._csets: dict[tuple, CandidateSet] = {}
        self._name_ids: dict[str, list[int]] = {}

    def encode_slices(self, slices: list[UsageSlice]) -> list[Encoded]:
        texts = [serialize(s) for s in slices]
        ids = encode(self.tok, texts, self.cfg.max_len)
        # int32 arrays, not lists: a training split holds about a million of these
        return [Encoded(np.asarray(i, dtype=np.int32), slice_words(s, t), s.language)
                for s, t, i in zip(slices, texts, ids)]

    def candidate_set(self, names: list[str] | tuple[str, ...] | ProjectCandidates | None,
                      language: str) -> CandidateSet | None:
        """The (cached) candidate set of a project for slices of `language`; None without names."""
        if not (names.names if isinstance(names, ProjectCandidates) else names):
            return None
        # one ProjectCandidates object per project: keyed by identity (the cached set holds it)
        key = (language, id(names)) if isinstance(names, ProjectCandidates) else (language, tuple(names))
        cs = self._csets.get(key)
        if cs is None:
            if len(self._csets) > 4096:
                self._csets.clear()
            source = names if isinstance(names, ProjectCandidates) else list(names)
            cs = CandidateSet(source, language, self.cfg.candidate_forms, self.cfg.max_candidates)
            self._csets[key] = cs
        return cs

    def candidate_vocab(self, cs: CandidateSet) -> np.ndarray:
        """Per candidate label of `cs`, the vocabulary entry with the same name (-1 if none); cached."""
        cv = getattr(cs, "_vocab_entries", None)
        if cv is None:
            index = self.vocab_index.get(cs.language, {})
            cv = np.asarray([index.get(label, -1) for label in cs.labels], dtype=np.int64)
            cs._vocab_entries = cv
        return cv

    def _names_ids(self, names: list[str]) -> list[list[int]]:
        missing = [n for n in names if n not in self._name_ids]
        if missing:
            texts = [candidate_text(n) for n in missing]
            for n, ids in zip(missing, encode_plain(self.tok, texts, self.cfg.cand_max_tokens)):
                self._name_ids[n] = ids
        return [self._name_ids[n] for n in names]

    def batch(self, items: list[Encoded], csets: list[CandidateSet | None], labels: list[str] | None = None) -> Batch:
        B = len(items)
        T = max(len(e.ids) for e in items)
        input_ids = np.full((B, T), self.pad_id, dtype=np.int64)
        attention_mask = np.zeros((B, T), dtype=np.int64)
        for b, e in enumerate(items):
            input_ids[b, : len(e.ids)] = e.ids
            attention_mask[b, : len(e.ids)] = 1
        # union of candidate type names over the batch
        name_pos: dict[str, int] = {}
        for cs in csets:
            if cs is not None:
                for n in cs.bases:
                    name_pos.setdefault(n, len(name_pos))
        names = list(name_pos) or [""]
        name_tok = self._names_ids(names) if name_pos else [[self.pad_id]]
        L = max(len(x) for x in name_tok)
        name_ids = np.full((len(names), L), self.pad_id, dtype=np.int64)
        name_mask = np.zeros((len(names), L), dtype=np.int64)
        for n, ids in enumerate(name_tok):
            name_ids[n, : len(ids)] = ids
            name_mask[n, : len(ids)] = 1
        C = max([len(cs) for cs in csets if cs is not None] + [1])
        cand_name = np.zeros((B, C), dtype=np.int64)
        cand_form = np.zeros((B, C), dtype=np.int64)
        cand_ok = np.zeros((B, C), dtype=bool)
        feats = np.zeros((B, C, NUM_FEATURES), dtype=np.float32)
        cand_labels: list[list[str]] = []
        cand_vocab: list[np.ndarray] = []
        for b, (e, cs) in enumerate(zip(items, csets)):
            if cs is None or cs.language != e.language:
                cand_labels.append([])
                cand_vocab.append(_NO_CANDIDATES)
                continue
            n = len(cs)
            remap = np.asarray([name_pos[x] for x in cs.bases], dtype=np.int64)
            cand_name[b, :n] = remap[cs.base_of]
            cand_form[b, :n] = cs.form_row
            cand_ok[b, :n] = True
            feats[b, :n] = cs.features(e.words)
            slot_labels, cv = cs.labels_for(e.words.type_params), self.candidate_vocab(cs)
            if slot_labels is not cs.labels:  # generic forms filled in: they may name vocabulary types
                index = self.vocab_index.get(cs.language, {})
                cv = cv.copy()
                cv[cs.template_idx] = [index.get(slot_labels[j], -1) for j in cs.template_idx]
            elif len(cs.template_idx):
                cand_ok[b, cs.template_idx] = False  # no type parameter in scope
            cand_labels.append(slot_labels)
            cand_vocab.append(cv)
        vocab_ok = np.stack([
            self.scope.allowed(self.vocab_ok.get(e.language, self.vocab_ok["python"]), e.language,
                               cs.source if cs is not None else None, e.words.file, e.words.type_params)
            for e, cs in zip(items, csets)])
        target = None
        if labels is not None:
            V = len(self.vocab)
            target = np.zeros((B, V + C), dtype=bool)
            for b, (e, label) in enumerate(zip(items, labels)):
                i = self.vocab_index.get(e.language, {}).get(label)
                if i is not None and vocab_ok[b, i]:  # a masked entry cannot be the answer
                    target[b, i] = True
                for j, c in enumerate(cand_labels[b]):
                    if c == label:
                        target[b, V + j] = True
                if not target[b].any():
                    target[b, 0] = True  # <other>
        return Batch(input_ids, attention_mask, name_ids, name_mask, cand_name, cand_form, cand_ok,
                     feats, vocab_ok, cand_labels, cand_vocab, target)
