"""Model rankings remembered by slice content, so an unchanged slice is never predicted twice.

A slice's key (`slice_key`) is a hash of its JSON form without positions, plus what the model
sees of its candidates and ``top_k``: moving code, re-running a round in which the slice did not
change, or annotating an unchanged tree again gives the same key.  `PredictionCache` holds the
rankings in memory (least recently used dropped beyond its capacity); with a `RankingStore` it
also keeps them on disk, in one SQLite file per model (``<cache>/predictions/<model key>.sqlite``),
so the next run of `typeinfer annotate` reads them instead of running the model.
`CachingPredictor` wraps a predictor and asks it only for the slices the cache lacks.

The int8 model quantizes activations per batch, so a slice's probabilities can differ in the
third decimal with the slices batched beside it; a cached ranking is the one of the batch that
first computed it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from typeinfer.analyzer.slice_schema import ProjectCandidates

Ranking = list[tuple[str, float]]
#: rows kept per store; beyond it the oldest half goes (a store is a cache, never the only copy)
STORE_MAX_ROWS = 400_000


def slice_key(usage: Any, candidates: Any, top_k: int) -> str:
    """Key of a slice (a `UsageSlice`, or its JSON form) without positions (line/column anywhere
    in it), plus its candidates and `top_k`.  The dataclasses are read field by field, not
    through `asdict`, whose deep copies cost more than the rest of a cached prediction."""
    def strip(value: Any) -> Any:
        fields = getattr(value, "__dataclass_fields__", None)
        if fields is not None:
            return {k: strip(getattr(value, k)) for k in fields if k not in ("line", "column")}
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("line", "column")}
        if isinstance(value, (list, tuple)):
            return [strip(v) for v in value]
        return value

    plain = strip(usage)
    if isinstance(candidates, ProjectCandidates):  # what the model sees of them: the names, and the file's
        cands: Any = [candidates.fingerprint(), sorted(candidates.visible.get(plain.get("file", ""), ()))]
    else:
        cands = sorted(candidates) if candidates else []
    body = json.dumps([plain, cands, top_k], sort_keys=True, default=str)
    return hashlib.blake2b(body.encode(), digest_size=16).hexdigest()


def model_key(model_dir: Path) -> str:
    """Key of a model and the code that feeds it: its checksums file and this package's source."""
    digest = hashlib.blake2b(digest_size=12)
    digest.update((model_dir / "SHA256SUMS").read_bytes())
    here = Path(__file__).parent
    for path in sorted(here.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class RankingStore:
    """Rankings on disk, one SQLite file; every failure only costs speed (the cache is bypassed)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        for _ in range(2):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(str(path), timeout=5, check_same_thread=False)
                self._db.execute("CREATE TABLE IF NOT EXISTS rankings (key TEXT PRIMARY KEY, ranking TEXT NOT NULL)")
                return
            except sqlite3.OperationalError:  # locked by another process, read-only, ...: go without
                self.close()
                return
            except sqlite3.DatabaseError:  # not a database (damaged): start a new one
                self.close()
                try:
                    path.unlink(missing_ok=True)
                except OSError:
                    return
            except (OSError, sqlite3.Error):
                self.close()
                return

    @classmethod
    def for_model(cls, model_dir: Path) -> RankingStore:
        """The store of the model in `model_dir`: ``<cache>/predictions/<model key>.sqlite``."""
        from typeinfer.cpg.project import default_cache_dir

        return cls(default_cache_dir() / "predictions" / f"{model_key(model_dir)}.sqlite")

    def get_many(self, keys: list[str]) -> dict[str, Ranking]:
        """The stored rankings of those `keys` that have one."""
        if self._db is None or not keys:
            return {}
        found: dict[str, Ranking] = {}
        try:
            for start in range(0, len(keys), 500):  # SQLite's bound-parameter limit
                chunk = keys[start:start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(f"SELECT key, ranking FROM rankings WHERE key IN ({marks})", chunk)
                found.update((k, [(t, p) for t, p in json.loads(r)]) for k, r in rows)
        except (sqlite3.Error, ValueError, TypeError):
            return {}
        return found

    def put_many(self, items: dict[str, Ranking]) -> None:
        if self._db is None or not items:
            return
        try:
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO rankings VALUES (?, ?)",
                                     [(k, json.dumps(v)) for k, v in items.items()])
                count = self._db.execute("SELECT count(*) FROM rankings").fetchone()[0]
                if count > STORE_MAX_ROWS:
                    self._db.execute("DELETE FROM rankings WHERE rowid IN "
                                     "(SELECT rowid FROM rankings ORDER BY rowid LIMIT ?)", (count // 2,))
        except sqlite3.Error:
            pass

    def close(self) -> None:
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass
            self._db = None


class PredictionCache:
    """Model rankings by slice key, least recently used dropped beyond `capacity`; backed by
    `store` (on disk) when one is given."""

    def __init__(self, capacity: int = 20000, store: RankingStore | None = None) -> None:
        self.capacity = capacity
        self.store = store
        self._data: OrderedDict[str, Ranking] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: str) -> Ranking | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: str, value: Ranking) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.capacity:
                self._data.popitem(last=False)

    def lookup(self, keys: list[str]) -> list[Ranking | None]:
        """The cached ranking of each key, memory first, then the store."""
        out = [self.get(k) for k in keys]
        if self.store is not None:
            absent = [k for k, v in zip(keys, out) if v is None]
            stored = self.store.get_many(absent)
            for i, k in enumerate(keys):
                if out[i] is None and k in stored:
                    out[i] = stored[k]
                    self.put(k, stored[k])
        return out

    def remember(self, items: dict[str, Ranking]) -> None:
        for k, v in items.items():
            self.put(k, v)
        if self.store is not None:
            self.store.put_many(items)


class CachingPredictor:
    """Wraps a predictor: predicts only the slices whose key is not in the cache."""

    def __init__(self, predictor: Any, cache: PredictionCache) -> None:
        self.predictor = predictor
        self.cache = cache

    def __getattr__(self, name: str) -> Any:  # threshold, model_dir, ...: the wrapped predictor's
        if name.startswith("_") or name == "predictor":
            raise AttributeError(name)
        return getattr(self.predictor, name)

    def predict(self, slices: list[Any], candidates: list[Any], top_k: int = 8) -> list[Ranking]:
        keys = [slice_key(s, c, top_k) for s, c in zip(slices, candidates)]
        out = self.cache.lookup(keys)
        todo = [i for i, v in enumerate(out) if v is None]
        self.cache.hits += len(keys) - len(todo)
        self.cache.misses += len(todo)
        if todo:
            fresh = self.predictor.predict([slices[i] for i in todo], [candidates[i] for i in todo], top_k=top_k)
            computed: dict[str, Ranking] = {}
            for i, ranking in zip(todo, fresh):
                computed[keys[i]] = out[i] = [(t, p) for t, p in ranking]
            self.cache.remember(computed)
        return [list(v or []) for v in out]
