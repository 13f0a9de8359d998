"""Which vocabulary types a slot's file can name (numpy only).

An annotation can only name a type its file can see: a builtin or global (``str``, ``Promise``),
a type parameter in scope, or a name the file defines or imports.  The K-vocabulary is learned
from many projects, so it holds names such as ``Schema``, ``Request`` or ``Effect`` that belong
to some other project; ranked for a file that neither defines nor imports them they can never be
right.  Which names need the file to see them is learned from the train split, not listed by
hand: an *imported-only* name is one that train labels use almost only where the file defines or
imports it (`learn_imported_only`).  `ScopeMask` then masks, per slot, the vocabulary entries
naming an imported-only name its file does not see.  Names that annotations reach through a
module (``np.ndarray``, ``torch.Tensor``) or that the import records leave out (``Callable``)
are seen unimported often enough to stay unmasked.

JSON form (inside the vocabulary of ``types.json``): ``"imported_only": {"python": [names],
"typescript": [names]}``; a model without it masks nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

import numpy as np

from typeinfer.analyzer.slice_schema import ProjectCandidates, TrainingRecord

#: a name a type refers to: not inside a string literal, not a member (``ns.Type``), not an
#: object-type key or parameter name (``{ key?: T }``, ``(x: T) => U``), not a predicate subject
_TYPE_NAME = re.compile(r'"[^"]*"|\'[^\']*\'|`[^`]*`'
                        r'|(?<![.\w$])([A-Za-z_$][\w$]*)(?![\w$])(?!\s*\??\s*:)(?!\s+is\b)')
_TS_OPERATORS = frozenset({"typeof", "keyof", "readonly", "infer", "extends", "is", "asserts", "unique", "new",
                           "in", "as", "const"})

#: an imported-only name is unseen in at most this share of the train labels naming it ...
MAX_UNSEEN_SHARE = 0.05
#: ... over at least this many labels (rarer names are left unmasked)
MIN_LABELS = 3


def type_names(label: str) -> frozenset[str]:
    """The names a canonical type refers to (``dict[str, Schema]`` -> dict, str, Schema)."""
    return frozenset(m.group(1) for m in _TYPE_NAME.finditer(label)
                     if m.group(1) and m.group(1) not in _TS_OPERATORS)


def learn_imported_only(records: Iterable[TrainingRecord], projects: dict[str, ProjectCandidates],
                        among: Iterable[str] | None = None, max_unseen_share: float = MAX_UNSEEN_SHARE,
                        min_labels: int = MIN_LABELS) -> dict[str, list[str]]:
    """Per language, the names train labels use almost only where the file defines or imports
    them (or where they are a type parameter of the slot), sorted; only names that occur in the
    labels `among` (the vocabulary's types) when given."""
    wanted = None if among is None else frozenset(n for label in among for n in type_names(label))
    total: Counter = Counter()
    unseen: Counter = Counter()
    for r in records:
        project = projects.get(r.project)
        seen = project.visible_in(r.file) if project is not None else None
        if seen is None:
            continue  # a project without import records says nothing about visibility
        params = r.slice.type_params
        for name in type_names(r.label):
            total[r.language, name] += 1
            if name not in seen and name not in params:
                unseen[r.language, name] += 1
    out: dict[str, list[str]] = {}
    for (lang, name), n in total.items():
        if n >= min_labels and unseen[lang, name] <= max_unseen_share * n and (wanted is None or name in wanted):
            out.setdefault(lang, []).append(name)
    return {lang: sorted(names) for lang, names in sorted(out.items())}


class ScopeMask:
    """Per slot, the vocabulary entries its file can name (cached per file and type parameters)."""

    def __init__(self, types: list[str], languages: list[str], imported_only: dict[str, list[str]]):
        #: language -> imported-only name -> the vocabulary entries naming it
        self._entries: dict[str, dict[str, np.ndarray]] = {}
        for lang, names in imported_only.items():
            only = frozenset(names)
            by_name: dict[str, list[int]] = {}
            for i, (t, l) in enumerate(zip(types, languages)):
                if l == lang:
                    for name in type_names(t) & only:
                        by_name.setdefault(name, []).append(i)
            self._entries[lang] = {n: np.asarray(ix, dtype=np.int64) for n, ix in sorted(by_name.items())}
        self._cache: dict[tuple, tuple[ProjectCandidates, np.ndarray]] = {}

    def allowed(self, language_ok: np.ndarray, language: str, project: ProjectCandidates | None, file: str,
                type_params: Iterable[str]) -> np.ndarray:
        """`language_ok` minus the entries naming an imported-only name that `file` does not see.

        Without visibility records (no project, or one built from a plain name list) nothing is masked.
        """
        entries = self._entries.get(language)
        seen = project.visible_in(file) if project is not None else None
        if not entries or seen is None:
            return language_ok
        params = tuple(type_params)
        key = (id(project), language, file, params)
        hit = self._cache.get(key)
        if hit is None or hit[0] is not project:  # the entry holds the project, so its id is not reused
            blocked = [ix for name, ix in entries.items() if name not in seen and name not in params]
            hit = (project, np.unique(np.concatenate(blocked)) if blocked else np.zeros(0, dtype=np.int64))
            if len(self._cache) >= 1 << 16:
                self._cache.clear()
            self._cache[key] = hit
        ok = language_ok.copy()
        ok[hit[1]] = False
        return ok
