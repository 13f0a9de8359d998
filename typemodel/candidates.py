"""Project type candidates: expand short names into candidate labels and compute lexical features.

Does: turn a project's type names (``UserProfile``) into candidate labels in canonical form
(``UserProfile``, ``UserProfile | None``, ``list[UserProfile]`` -- `ModelConfig.candidate_forms`)
and compute, for a slice against all candidates at once, the few lexical features the scorer adds
to its learned dot product (does the target's name spell the type? was it built by calling the
type? is it type-checked against it?).  These features, with the learned name vectors, are what
let a small model rank a type it never saw in training.

Pure Python + numpy, vectorized through an inverted index from words to type names (a slice only
touches the names that share a word with it): used by training and by the runtime predictor, so
both compute exactly the same numbers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from typeinfer.analyzer.slice_schema import ProjectCandidates, UsageSlice
from typeinfer.typemodel.serialize import short_name, split_identifier

MAX_FORMS = 4  #: forms per language; the form table has len(LANGUAGE_IDS) * MAX_FORMS rows
LANGUAGE_IDS = {"python": 0, "typescript": 1}
#: name spells the type, name covers its words, same last word, built by calling it,
#: type-checked against it, covered by any word of the slice; then the one-hot form index;
#: then where the name comes from: visible in the slice's file (defined or imported there), and
#: imported rather than defined by the project.  The last two came later, so they sit at the end:
#: a model trained without them reads the first NUM_FEATURES_V1 columns only.
NUM_BASE_FEATURES = 6
NUM_FEATURES_V1 = NUM_BASE_FEATURES + MAX_FORMS
NUM_FEATURES = NUM_FEATURES_V1 + 2


#: in a candidate form, stands for the slice's type parameters in scope: ``{}<$TP>`` makes
#: ``Box<T>`` for a slot inside ``function f<T>``; such candidates are masked where no type
#: parameter is in scope
TYPE_PARAMS_SLOT = "$TP"


def _words(name: str) -> list[str]:
    return split_identifier(name) or [name.lower()]


@dataclass(frozen=True)
class SliceWords:
    """The words of a slice that the features compare with type names."""

    name: tuple[str, ...]
    defs: frozenset[str]  #: joined words of defining callees (``UserProfile(...)`` -> "userprofile")
    checks: frozenset[str]  #: joined words of isinstance / typeof targets
    all: frozenset[str]  #: every word of the serialized slice
    file: str = ""  #: the slice's file (for the "visible in the file" feature)
    type_params: tuple[str, ...] = ()  #: type parameters in scope (fill the TYPE_PARAMS_SLOT of generic forms)


def slice_words(s: UsageSlice, text: str) -> SliceWords:
    """`text` is ``serialize(s)``."""
    defs = frozenset("".join(_words(short_name(d.name or d.resolved))) for d in s.defined_by if d.name or d.resolved)
    checks = frozenset("".join(_words(short_name(t))) for t in s.type_checks)
    return SliceWords(tuple(split_identifier(s.name)), defs, checks, frozenset(text.split()), s.file,
                      tuple(s.type_params))


class CandidateSet:
    """The candidate labels of one project (one language), with indexes for fast features.

    Built from a plain list of names (all treated as the project's own, visible everywhere) or
    from `ProjectCandidates`; past `limit` names, the project's own types are kept first.
    """

    def __init__(self, names: list[str] | ProjectCandidates, language: str, forms: dict[str, list[str]], limit: int):
        self.language = language
        pc = names if isinstance(names, ProjectCandidates) else None
        if pc is None:
            self.bases: list[str] = sorted(set(n for n in names if n))[:limit]  # type: ignore[union-attr]
        else:
            own = [n for n in pc.names if n in pc.own]
            self.bases = (own + [n for n in pc.names if n not in pc.own])[:limit]
        self.source = pc  # its visibility records; also keeps it alive while a cache keys this set by its id
        self._base_index = {n: b for b, n in enumerate(self.bases)}
        external = np.asarray([pc is not None and n not in pc.own for n in self.bases], dtype=np.float32)
        lang_forms = forms.get(language, ["{}"])[:MAX_FORMS]
        self.labels: list[str] = []
        base_idx, form_idx = [], []
        seen: set[str] = set()
        for b, name in enumerate(self.bases):
            for f, form in enumerate(lang_forms):
                label = form.format(name)
                if label not in seen:
                    seen.add(label)
                    self.labels.append(label)
                    base_idx.append(b)
                    form_idx.append(f)
        self.base_of = np.asarray(base_idx, dtype=np.int64)
        self.template_idx = np.asarray([j for j, label in enumerate(self.labels) if TYPE_PARAMS_SLOT in label],
                                       dtype=np.int64)
        self._filled: dict[tuple[str, ...], list[str]] = {}
        self.form_of = np.asarray(form_idx, dtype=np.int64)
        #: row of the form table: language * MAX_FORMS + form
        self.form_row = self.form_of + LANGUAGE_IDS.get(language, 0) * MAX_FORMS
        self._onehot = np.zeros((len(self.labels), MAX_FORMS), dtype=np.float32)
        self._onehot[np.arange(len(self.labels)), self.form_of] = 1.0
        self._external = external[self.base_of]
        words = [_words(b) for b in self.bases]
        self._inv_len = np.asarray([1.0 / len(w) for w in words], dtype=np.float32)
        self._joined: dict[str, list[int]] = defaultdict(list)
        self._by_word: dict[str, list[int]] = defaultdict(list)
        self._by_last: dict[str, list[int]] = defaultdict(list)
        for b, ws in enumerate(words):
            self._joined["".join(ws)].append(b)
            for w in dict.fromkeys(ws):
                self._by_word[w].append(b)
            self._by_last[ws[-1]].append(b)

    def __len__(self) -> int:
        return len(self.labels)

    def labels_for(self, type_params: tuple[str, ...]) -> list[str]:
        """The labels with the generic forms filled in with `type_params` (cached per value)."""
        if not len(self.template_idx) or not type_params:
            return self.labels
        filled = self._filled.get(type_params)
        if filled is None:
            if len(self._filled) > 16:
                self._filled.clear()
            joined = ", ".join(type_params)
            filled = list(self.labels)
            for j in self.template_idx:
                filled[j] = filled[j].replace(TYPE_PARAMS_SLOT, joined)
            self._filled[type_params] = filled
        return filled

    def features(self, sw: SliceWords) -> np.ndarray:
        """``[len(self), NUM_FEATURES]`` float32 features of every candidate for this slice."""
        base = np.zeros((len(self.bases), NUM_BASE_FEATURES), dtype=np.float32)
        joined = "".join(sw.name)
        for b in self._joined.get(joined, []) + (self._joined.get(joined[:-1], []) if joined.endswith("s") else []):
            base[b, 0] = 1.0
        for w in set(sw.name):
            for b in self._by_word.get(w, ()):
                base[b, 1] += self._inv_len[b]
        if sw.name:
            for b in self._by_last.get(sw.name[-1], ()):
                base[b, 2] = 1.0
        for d in sw.defs:
            for b in self._joined.get(d, ()):
                base[b, 3] = 1.0
        for c in sw.checks:
            for b in self._joined.get(c, ()):
                base[b, 4] = 1.0
        for w in sw.all:
            for b in self._by_word.get(w, ()):
                base[b, 5] += self._inv_len[b]
        visible = np.zeros(len(self.bases), dtype=np.float32)
        seen = self.source.visible_in(sw.file) if self.source is not None else None
        if seen is None:
            visible[:] = 1.0
        else:
            for n in seen:
                b = self._base_index.get(n)
                if b is not None:
                    visible[b] = 1.0
        return np.concatenate([base[self.base_of], self._onehot, visible[self.base_of, None],
                               self._external[:, None]], axis=1)
