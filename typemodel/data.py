"""Corpus reading and the type vocabulary (no torch).

Reads the files ``corpus/`` writes (layout in `analyzer.slice_schema.TrainingRecord`):
``<corpus>/v1/records-{split}.jsonl.gz`` and ``projects.jsonl.gz``.  Builds `TypeVocab`, the K
most frequent (language, label) pairs of the training split, entry 0 being ``<other>`` (the mass
for labels that neither the vocabulary nor the project candidates can name).
"""

from __future__ import annotations

import gzip
import json
import random
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from typeinfer.analyzer.slice_schema import CORPUS_VERSION, ProjectCandidates, TrainingRecord

OTHER = "<other>"
LANGUAGES = ("python", "typescript")


def corpus_file(corpus_dir: Path, name: str) -> Path:
    return Path(corpus_dir) / f"v{CORPUS_VERSION}" / name


def iter_records(corpus_dir: Path, split: str) -> Iterator[TrainingRecord]:
    path = corpus_file(corpus_dir, f"records-{split}.jsonl.gz")
    if not path.exists():
        raise FileNotFoundError(f"{path}: no {split} split in this corpus (build it with `typeinfer corpus build`)")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield TrainingRecord.from_json(json.loads(line))


def read_records(corpus_dir: Path, split: str, limit: int | None = None) -> list[TrainingRecord]:
    out = []
    for r in iter_records(corpus_dir, split):
        out.append(r)
        if limit is not None and len(out) >= limit:
            break
    return out


def read_project_types(corpus_dir: Path) -> dict[str, ProjectCandidates]:
    """Project id -> the scorer's candidates: its own types, imported type names, and the names
    each file defines or imports (a corpus built before the imports were recorded has own types only)."""
    path = corpus_file(corpus_dir, "projects.jsonl.gz")
    out: dict[str, ProjectCandidates] = {}
    if not path.exists():
        return out
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                p = json.loads(line)
                out[p["project"]] = ProjectCandidates.from_json(p)
    return out


def read_applications(corpus_dir: Path) -> set[str]:
    """Ids of the corpus's application projects (``"application": true`` in ``projects.jsonl.gz``;
    the ``*-apps.tsv`` manifests)."""
    path = corpus_file(corpus_dir, "projects.jsonl.gz")
    if not path.exists():
        return set()
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return {p["project"] for p in map(json.loads, filter(str.strip, f)) if p.get("application")}


def spread_sample(n: int, k: int, seed: int = 0) -> list[int]:
    """Sorted indices of a seeded random sample of `k` of `n` records (all of them when k >= n).

    The valid records that fit the temperature, check quantization and choose the threshold are
    drawn this way: records are stored project by project, so the first `k` would be a few projects.
    """
    if k >= n:
        return list(range(n))
    return sorted(random.Random(seed).sample(range(n), k))


def write_jsonl_gz(path: Path, rows: Iterable[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, sort_keys=True) + "\n")


@dataclass
class TypeVocab:
    """Classification targets: ``types[i]`` in ``languages[i]`` ("" for ``<other>`` at index 0)."""

    types: list[str]
    languages: list[str]
    #: per language, names an entry may use only where the slot's file sees them (`scope`)
    imported_only: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, records: Iterable[TrainingRecord], k: int, min_count: int, min_projects: int = 1) -> "TypeVocab":
        """The `k` most frequent labels seen at least `min_count` times in `min_projects` projects."""
        counts: Counter = Counter()
        projects: dict[tuple[str, str], set[str]] = {}
        for r in records:
            key = (r.language, r.label)
            counts[key] += 1
            projects.setdefault(key, set()).add(r.project)
        # most frequent first; ties broken by text so the vocabulary is deterministic
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        kept = [key for key, n in ranked if n >= min_count and len(projects[key]) >= min_projects][:k]
        return cls([OTHER] + [t for _, t in kept], [""] + [lang for lang, _ in kept])

    def __len__(self) -> int:
        return len(self.types)

    def index(self) -> dict[tuple[str, str], int]:
        return {(lang, t): i for i, (t, lang) in enumerate(zip(self.types, self.languages)) if i}

    def language_mask(self, language: str) -> list[bool]:
        """True where an entry may be predicted for `language` (its own entries and ``<other>``)."""
        return [i == 0 or lang == language for i, lang in enumerate(self.languages)]

    def to_json(self) -> dict:
        out: dict = {"types": self.types, "languages": self.languages}
        if self.imported_only:
            out["imported_only"] = self.imported_only
        return out

    @classmethod
    def from_json(cls, data: dict) -> "TypeVocab":
        only = data.get("imported_only", {})
        return cls(list(data["types"]), list(data["languages"]), {lang: list(v) for lang, v in only.items()})
