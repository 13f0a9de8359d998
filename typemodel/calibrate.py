"""Temperature scaling (Guo et al. 2017): one scalar T fitted on the valid split (numpy only).

Each row is one slice's logits over its entries (vocabulary of its language + its candidates,
masked entries already at a large negative value) and a boolean mask of the entries that name
the label (several when a name is both a vocabulary type and a candidate; ``<other>`` when
nothing names it).  T minimizes the mean negative log-likelihood of the label, found by
golden-section search on log T (the NLL is convex in 1/T, so the search is safe).
"""

from __future__ import annotations

import math

import numpy as np


def nll(rows: list[np.ndarray], targets: list[np.ndarray], temperature: float) -> float:
    total = 0.0
    for z, t in zip(rows, targets):
        z = z.astype(np.float64) / temperature
        m = z.max()
        lse = m + math.log(np.exp(z - m).sum())
        zt = z[t]
        mt = zt.max()
        total += lse - (mt + math.log(np.exp(zt - mt).sum()))
    return total / max(len(rows), 1)


def fit_temperature(rows: list[np.ndarray], targets: list[np.ndarray],
                    lo: float = 0.05, hi: float = 20.0, iters: int = 60) -> float:
    """The temperature minimizing valid NLL (1.0 when there is nothing to fit)."""
    if not rows:
        return 1.0
    a, b = math.log(lo), math.log(hi)
    g = (math.sqrt(5) - 1) / 2
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = nll(rows, targets, math.exp(c)), nll(rows, targets, math.exp(d))
    for _ in range(iters):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = nll(rows, targets, math.exp(c))
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = nll(rows, targets, math.exp(d))
    return float(math.exp((a + b) / 2))
