"""File fingerprints and corpus-wide de-duplication (exact and near duplicates).

What it does: turns a source file's text into a token sequence, an exact hash of that sequence
(whitespace and formatting do not matter, comments and names do) and a MinHash over token
5-shingles; then, given every file of every project in one deterministic order, marks each file
that repeats an earlier one -- exactly (same token hash) or nearly (MinHash LSH, estimated
Jaccard similarity >= :data:`NEAR_THRESHOLD`).  The first occurrence is kept.

What it does not do: read files or records (`corpus.build` does), or decide the order (callers
sort by project, then file).  Files with fewer than :data:`MIN_TOKENS` tokens (empty
``__init__.py``, one-line re-exports) are neither checked nor counted: they carry next to no
annotated slots and would swamp the duplicate ratio.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import numpy as np
from datasketch import MinHash, MinHashLSH

__all__ = [
    "NUM_PERM", "SHINGLE", "NEAR_THRESHOLD", "MIN_TOKENS",
    "FileFingerprint", "fingerprint", "tokens", "find_duplicates", "DedupResult",
]

NUM_PERM = 64  #: MinHash permutations (64 keeps the per-file fingerprint small; error ~ 1/8)
SHINGLE = 5  #: tokens per shingle
NEAR_THRESHOLD = 0.85  #: estimated Jaccard similarity at or above which a file is a near duplicate
MIN_TOKENS = 20  #: smaller files are left out of de-duplication
_SEED = 1  #: MinHash seed: fixed, so fingerprints from different runs and workers compare
_SCHEME = "affine32"  #: datasketch >= 2 permutation scheme (32-bit values), stated so stored values reload

_TOKEN = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*|\d[\w.]*|\S")


def tokens(text: str) -> list[str]:
    """Identifier, number and single-punctuation tokens of `text` (whitespace dropped)."""
    return _TOKEN.findall(text)


@dataclass
class FileFingerprint:
    """What de-duplication needs of one file.  JSON form: the field names below."""

    project: str
    file: str
    tokens: int  #: token count
    exact: str  #: sha256 of the normalized token sequence (hex, first 32 chars)
    minhash: list[int] = field(default_factory=list)  #: NUM_PERM hash values ([] below MIN_TOKENS)


def fingerprint(project: str, file: str, text: str) -> FileFingerprint:
    """Fingerprint one file's text."""
    toks = tokens(text)
    exact = hashlib.sha256("\x1f".join(toks).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    values: list[int] = []
    if len(toks) >= MIN_TOKENS:
        shingles = {
            "\x1f".join(toks[i:i + SHINGLE]).encode("utf-8", "surrogatepass")
            for i in range(max(1, len(toks) - SHINGLE + 1))
        }
        mh = MinHash(num_perm=NUM_PERM, seed=_SEED, scheme=_SCHEME)
        mh.update_batch(list(shingles))
        values = [int(v) for v in mh.hashvalues]
    return FileFingerprint(project, file, len(toks), exact, values)


@dataclass
class DedupResult:
    """Outcome of `find_duplicates`: duplicates map (project, file) -> (project, file) kept."""

    checked: int = 0  #: files with >= MIN_TOKENS tokens
    exact: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    near: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)

    @property
    def duplicates(self) -> set[tuple[str, str]]:
        return set(self.exact) | set(self.near)

    @property
    def ratio(self) -> float:
        """Share of checked files dropped as duplicates."""
        return (len(self.exact) + len(self.near)) / self.checked if self.checked else 0.0


def find_duplicates(files: list[FileFingerprint], threshold: float = NEAR_THRESHOLD) -> DedupResult:
    """Mark exact and near duplicates among `files`, keeping the first occurrence in list order."""
    result = DedupResult()
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    seen_exact: dict[str, tuple[str, str]] = {}
    kept: dict[str, MinHash] = {}
    for fp in files:
        if fp.tokens < MIN_TOKENS or len(fp.minhash) != NUM_PERM:
            continue
        key = (fp.project, fp.file)
        result.checked += 1
        if fp.exact in seen_exact:
            result.exact[key] = seen_exact[fp.exact]
            continue
        mh = MinHash(num_perm=NUM_PERM, seed=_SEED, scheme=_SCHEME, hashvalues=np.array(fp.minhash, dtype=np.uint32))
        match = None
        for cand in sorted(lsh.query(mh)):
            if mh.jaccard(kept[cand]) >= threshold:
                match = cand
                break
        if match is not None:
            project, _, file = match.partition("\x00")
            result.near[key] = (project, file)
            continue
        seen_exact[fp.exact] = key
        name = f"{fp.project}\x00{fp.file}"
        lsh.insert(name, mh)
        kept[name] = mh
    return result
