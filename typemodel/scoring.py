"""Turning raw scores into one ranked, calibrated list of type names (numpy only).

One softmax runs over the entries [K-vocabulary types of the slice's language, incl. ``<other>``]
+ [the slice's project candidates], all divided by the temperature.  A name present both in the
vocabulary and among the candidates gets the sum of its entries' probabilities (the same as
merging its logits with logsumexp, which is what training optimizes).  ``<other>`` is never
returned as a prediction; its mass stays out of the list, so a returned probability is the
model's probability that this exact name is right.
"""

from __future__ import annotations

import numpy as np

NEG = -1e4  #: logit of a masked entry


def rank(vocab_logits: np.ndarray, vocab_types: list[str], vocab_ok: np.ndarray,
         vocab_index: dict[str, int], cand_logits: np.ndarray, cand_labels: list[str],
         temperature: float, top_k: int) -> list[tuple[str, float]]:
    """The top-k (name, probability) of one slice, probabilities calibrated by `temperature`.

    `vocab_ok` masks the entries of other languages; `vocab_index` maps this language's
    vocabulary names to their entries (to merge candidates that are also vocabulary types).
    """
    z = np.concatenate([np.where(vocab_ok, vocab_logits, NEG), cand_logits]).astype(np.float64) / temperature
    z -= z.max()
    p = np.exp(z)
    p /= p.sum()
    nv = len(vocab_types)
    pv = p[:nv].copy()
    pv[0] = 0.0  # <other>
    probs: dict[str, float] = {}
    for j, label in enumerate(cand_labels):
        i = vocab_index.get(label)
        extra = 0.0
        if i is not None:
            extra, pv[i] = float(pv[i]), 0.0
        probs[label] = probs.get(label, 0.0) + float(p[nv + j]) + extra
    k = min(top_k, nv)
    for i in np.argpartition(-pv, k - 1)[:k] if k > 0 else []:
        if vocab_ok[i] and pv[i] > 0.0:
            probs[vocab_types[i]] = probs.get(vocab_types[i], 0.0) + float(pv[i])
    ranked = sorted(probs.items(), key=lambda kv: (-kv[1], kv[0]))
    return ranked[:top_k]


def candidate_logits_np(slice_vec: np.ndarray, name_vec: np.ndarray, cand_name: np.ndarray,
                        cand_form: np.ndarray, feats: np.ndarray, form_table: np.ndarray,
                        weights: np.ndarray, bias: float) -> np.ndarray:
    """[B, C] candidate logits, the numpy twin of `TypeModel.candidate_logits`."""
    cvec = name_vec[cand_name] + form_table[cand_form]
    return np.einsum("bd,bcd->bc", slice_vec, cvec) + feats @ weights + bias
