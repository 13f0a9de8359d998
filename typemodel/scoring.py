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
         cand_logits: np.ndarray, cand_labels: list[str], cand_vocab: np.ndarray,
         temperature: float, top_k: int) -> list[tuple[str, float]]:
    """The top-k (name, probability) of one slice, probabilities calibrated by `temperature`.

    `vocab_ok` masks the entries of other languages; `cand_vocab[j]` is the vocabulary entry
    naming the same type as candidate j (-1 if none), so that both entries merge into one name.
    """
    z = np.concatenate([np.where(vocab_ok, vocab_logits, NEG), cand_logits]).astype(np.float64) / temperature
    z -= z.max()
    p = np.exp(z)
    p /= p.sum()
    nv = len(vocab_types)
    pv = np.where(vocab_ok, p[:nv], 0.0)
    pv[0] = 0.0  # <other>
    pc = p[nv:].copy()
    dup = cand_vocab >= 0
    if dup.any():
        pc[dup] += pv[cand_vocab[dup]]
        pv[cand_vocab[dup]] = 0.0
    out: list[tuple[str, float]] = []
    for probs, names in ((pv, vocab_types), (pc, cand_labels)):
        k = min(top_k, len(probs))
        if k:
            for i in np.argpartition(-probs, k - 1)[:k]:
                if probs[i] > 0.0:
                    out.append((names[i], float(probs[i])))
    out.sort(key=lambda kv: (-kv[1], kv[0]))
    return out[:top_k]


def candidate_logits_np(slice_vec: np.ndarray, name_vec: np.ndarray, cand_name: np.ndarray,
                        cand_form: np.ndarray, feats: np.ndarray, form_table: np.ndarray,
                        weights: np.ndarray, bias: float) -> np.ndarray:
    """[B, C] candidate logits, the numpy twin of `TypeModel.candidate_logits` (dot products first)."""
    rows = np.arange(len(slice_vec))[:, None]
    by_name = slice_vec @ name_vec.T  # [B, N]
    by_form = slice_vec @ form_table.T  # [B, forms]
    # a model trained before the newer feature columns has fewer weights: it reads the first ones
    return by_name[rows, cand_name] + by_form[rows, cand_form] + feats[..., : len(weights)] @ weights + bias
