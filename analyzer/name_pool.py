"""Same-name pooling: slots of one project that share a name, a kind and a language usually share a
type (on the corpus's test projects, the majority type of the other ``request`` parameters of a
project is the type of this one 70% of the time), so each slot's model ranking is mixed with the
mean ranking of its namesakes.

Needs: the model's calibrated rankings of one round's slots (`pipeline._model_rankings`).
Linear pooling keeps the result a probability distribution.  `POOL_WEIGHT` = 0.3 is the best of
0, 0.15, 0.3, 0.45, 0.6 on the valid split (+0.5 points exact in Python, +0.4 in TypeScript with
the shipped model); on the test split it adds 0.4 / 0.35 and lowers calibration error
(bench/RESULTS.md, "Model accuracy").
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from .slice_schema import UsageSlice

POOL_WEIGHT = 0.3  #: share of a slot's distribution taken from its namesakes' mean
_GROUP_TOP = 16  #: a group's most probable types that every member may move towards

Ranking = list[tuple[str, float]]
NameKey = tuple[str, str, str]  #: (language, kind, name): the slots pooled together


def name_key(s: UsageSlice) -> NameKey:
    return s.language, s.kind, s.name


def pool_same_name(targets: Sequence[UsageSlice], rankings: Sequence[Ranking], weight: float = POOL_WEIGHT,
                   top_k: int = 8, outside: Mapping[NameKey, Sequence[Ranking]] | None = None) -> list[Ranking]:
    """Each ranking mixed with the mean of the rankings of the other slots with the same
    (language, kind, name); a slot without namesakes, or without a ranking, keeps its own.
    `outside`: the rankings of namesakes that are not among `targets` but were in the same round
    of a run over more slots (the language server inferring one function again)."""
    groups: dict[NameKey, list[int]] = defaultdict(list)
    for i, (s, ranking) in enumerate(zip(targets, rankings)):
        if ranking:
            groups[name_key(s)].append(i)
    out = [list(r) for r in rankings]
    for key, members in groups.items():
        extra = (outside or {}).get(key, ())
        if len(members) + len(extra) < 2:
            continue
        total: Counter[str] = Counter()
        for ranking in [*(rankings[i] for i in members), *extra]:
            for t, p in ranking:
                total[t] += p
        group_top = [t for t, _ in total.most_common(_GROUP_TOP)]
        others = len(members) + len(extra) - 1
        for i in members:
            own = dict(rankings[i])
            mixed = {t: (1.0 - weight) * own.get(t, 0.0) + weight * (total[t] - own.get(t, 0.0)) / others
                     for t in {*own, *group_top}}
            ranked = sorted(mixed.items(), key=lambda kv: (-kv[1], kv[0]))[:top_k]
            out[i] = [(t, p) for t, p in ranked if p > 0.0]
    return out
