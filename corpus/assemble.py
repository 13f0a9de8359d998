"""Stage 2 of `typeinfer corpus build`: per-package results -> the versioned corpus files.

Needs: stage 1 (`corpus.build.run_packages`) has left ``<out>/v1/packages/*.jsonl.gz`` + markers.
Reads only the packages named by the current manifest selection, in project order; drops records
from duplicate files (`corpus.dedup`), assigns splits (`corpus.splits`) and writes, atomically:

* ``records-{train,valid,test}.jsonl.gz`` and ``projects.jsonl.gz`` (layout of
  `analyzer.slice_schema.TrainingRecord`);
* ``meta.json``: ``{"version", "counts": {split: records}, "stats": {...}}`` where ``stats`` holds
  what the data card shows (see `collect` below);
* ``failures.tsv``: ``project  stage  error`` for each package that failed.

Records are streamed package by package, so memory holds only the file fingerprints.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

from typeinfer.analyzer.slice_schema import CORPUS_VERSION

from .build import PackageSpec, package_paths, package_state, write_json, write_jsonl_gz
from .dedup import MIN_TOKENS, NEAR_THRESHOLD, NUM_PERM, FileFingerprint, find_duplicates
from .splits import SPLITS, assign_splits

__all__ = ["assemble", "corpus_dir"]


def corpus_dir(out: Path) -> Path:
    return Path(out) / f"v{CORPUS_VERSION}"


def _header(path: Path) -> dict:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return json.loads(f.readline())


def _records(path: Path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        f.readline()
        for line in f:
            if line.strip():
                yield json.loads(line)


def _kept_records(path: Path, project: str, duplicates: set, dropped: Counter, per_project: int | None):
    """Records of one package minus those from duplicate files; at most `per_project`, evenly spaced."""
    rows = []
    for rec in _records(path):
        if (project, rec["file"]) in duplicates:
            dropped[rec["language"]] += 1
            continue
        if not per_project:
            yield rec
        else:
            rows.append(rec)
    if per_project and rows:
        step = max(1, len(rows) // per_project)
        yield from rows[::step][:per_project]


class _SplitWriter:
    """Three gzip JSONL files written to temp names and renamed into place together at the end."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.files = {}
        for split in SPLITS:
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".records-{split}.", suffix=".tmp")
            raw = os.fdopen(fd, "wb")
            self.files[split] = (tmp, raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0))

    def write(self, split: str, row: dict) -> None:
        self.files[split][2].write((json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8"))

    def close(self, commit: bool) -> None:
        for split, (tmp, raw, gz) in self.files.items():
            gz.close()
            raw.close()
            if commit:
                os.chmod(tmp, 0o644)
                os.replace(tmp, self.directory / f"records-{split}.jsonl.gz")
            else:
                os.unlink(tmp)


def _coverage(counter: Counter) -> dict[str, float]:
    """Share of records whose label is among the k most frequent, k = 10, 100, 1000."""
    total = sum(counter.values())
    ranked = [n for _, n in counter.most_common()]
    return {f"top{k}": round(sum(ranked[:k]) / total, 4) if total else 0.0 for k in (10, 100, 1000)}


def assemble(out: Path, specs: list[PackageSpec], run: dict | None = None, work: Path | None = None,
             per_project: int | None = None) -> dict:
    """Write the corpus files for the packages in `specs` that stage 1 finished; return meta.

    `work` is where stage 1 left its results (default `out`); `per_project` keeps at most that many
    records per project, evenly spaced (for the committed sample).
    """
    out = Path(out)
    work = Path(work) if work is not None else out
    cdir = corpus_dir(out)
    cdir.mkdir(parents=True, exist_ok=True)
    specs = sorted(set(specs), key=lambda s: s.project)

    headers: dict[str, dict] = {}
    paths: dict[str, Path] = {}
    failures: list[dict] = []
    package_seconds = 0.0
    for spec in specs:
        data, done, failed = package_paths(work, spec)
        state = package_state(work, spec)
        if state == "done":
            headers[spec.project] = _header(data)
            paths[spec.project] = data
            try:
                package_seconds += float(json.loads(done.read_text()).get("seconds", 0))
            except (OSError, ValueError):
                pass
        elif state == "failed":
            try:
                failures.append(json.loads(failed.read_text()))
            except (OSError, ValueError):
                failures.append({"project": spec.project, "stage": "?", "error": "unreadable failure marker"})
        else:
            failures.append({"project": spec.project, "stage": "not run", "error": "no result (interrupted run?)"})

    fingerprints = [
        FileFingerprint(**f) for project in sorted(headers) for f in sorted(headers[project]["files"], key=lambda f: f["file"])
    ]
    dedup = find_duplicates(fingerprints)
    duplicates = dedup.duplicates
    languages = {p: h["language"] for p, h in headers.items()}
    # applications are split among themselves, so that valid and test hold some whenever three are built
    applications = {s.project for s in specs if s.max_files and s.project in headers}
    splits = assign_splits({p: f"{lang}/application" if p in applications else lang for p, lang in languages.items()})

    counts: Counter = Counter()
    by_lang_kind_split: Counter = Counter()
    labels: dict[str, Counter] = defaultdict(Counter)  # language -> label -> n
    user: Counter = Counter()
    dropped: Counter = Counter()
    writer = _SplitWriter(cdir)
    ok = False
    try:
        for project in sorted(headers):
            split = splits[project]
            for rec in _kept_records(paths[project], project, duplicates, dropped, per_project):
                rec["split"] = split
                writer.write(split, rec)
                counts[split] += 1
                by_lang_kind_split[(rec["language"], rec["kind"], split)] += 1
                labels[rec["language"]][rec["label"]] += 1
                user[(rec["language"], rec["is_user_type"])] += 1
        ok = True
    finally:
        writer.close(commit=ok)

    write_jsonl_gz(cdir / "projects.jsonl.gz", (
        {"project": p, "language": headers[p]["language"], "split": splits[p], "user_types": headers[p]["user_types"],
         "imported_types": headers[p].get("imported_types", []), "visible": headers[p].get("visible", {}),
         "application": p in applications}
        for p in sorted(headers)
    ))
    buf = io.StringIO()
    w = csv.writer(buf, delimiter="\t", lineterminator="\n")
    w.writerow(["project", "stage", "error"])
    for f in sorted(failures, key=lambda f: f.get("project", "")):
        w.writerow([f.get("project", ""), f.get("stage", ""), " ".join(str(f.get("error", "")).split())])
    (cdir / "failures.tsv").write_text(buf.getvalue())

    slot_stats: Counter = Counter()
    for h in headers.values():
        slot_stats.update({k: v for k, v in h.get("stats", {}).items() if isinstance(v, int)})
    meta = {
        "version": CORPUS_VERSION,
        "counts": {s: counts[s] for s in SPLITS},
        "stats": {
            "packages_selected": len(specs),
            "packages_built": len(headers),
            "packages_failed": len(failures),
            "projects": {
                lang: {s: sum(1 for p in headers if languages[p] == lang and splits[p] == s) for s in SPLITS}
                for lang in sorted(set(languages.values()))
            },
            "applications": {
                lang: {s: sum(1 for p in applications if languages[p] == lang and splits[p] == s) for s in SPLITS}
                for lang in sorted({languages[p] for p in applications})
            },
            "records": {
                lang: {kind: {s: by_lang_kind_split[(lang, kind, s)] for s in SPLITS}
                       for kind in sorted({k for (l, k, _) in by_lang_kind_split if l == lang})}
                for lang in sorted({l for (l, _, _) in by_lang_kind_split})
            },
            "labels": {
                lang: {"distinct": len(c), "coverage": _coverage(c), "top": [[lb, n] for lb, n in c.most_common(30)]}
                for lang, c in sorted(labels.items())
            },
            "label_coverage_all": _coverage(Counter({(lang, lb): n for lang, c in labels.items() for lb, n in c.items()})),
            "user_type_records": {lang: user[(lang, True)] for lang in sorted(labels)},
            "dedup": {
                "files_total": len(fingerprints),
                "files_checked": dedup.checked,
                "min_tokens": MIN_TOKENS,
                "threshold": NEAR_THRESHOLD,
                "num_perm": NUM_PERM,
                "exact_duplicates": len(dedup.exact),
                "near_duplicates": len(dedup.near),
                "duplicate_ratio": round(dedup.ratio, 4),
                "records_dropped": dict(dropped),
            },
            "slots": dict(sorted(slot_stats.items())),
            "failures": sorted(f.get("project", "") for f in failures),
            "failure_details": sorted(failures, key=lambda f: f.get("project", ""))[:50],
            "package_seconds_all": round(package_seconds, 1),  #: stage-1 work of every built package, any run
        },
        "run": run or {},
    }
    write_json(cdir / "meta.json", meta)
    return meta
