"""A small synthetic corpus in the real layout, for tests, smoke runs and the inference benchmark.

Not training data: slices follow a few hand-written patterns (``count`` + ``+`` -> ``int``,
``.append`` + iteration -> ``list[str]``, a variable named after a project class -> that class).
Projects are split train/valid/test, and the *type names* of valid/test projects never occur in
train, so only the candidate scorer can get their user-defined labels right.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from typeinfer.analyzer.slice_schema import CallUse, Definition, TrainingRecord, UsageSlice
from typeinfer.typemodel.data import corpus_file, write_jsonl_gz

_ADJ = ["User", "Order", "Invoice", "Account", "Widget", "Session", "Payment", "Report", "Cart", "Ticket",
        "Shipment", "Camera", "Planet", "Garden", "Vessel", "Recipe", "Ledger", "Sensor", "Router", "Quota"]
_NOUN = ["Profile", "Manager", "Record", "Builder", "Store", "Handler", "Entry", "Client", "Config", "State"]

# (names, python label, typescript label, receiver calls, operators, literal type (py), iterated)
_BUILTIN = [
    (["count", "total", "index", "size", "num_items", "offset"], "int", "number", ["bit_length"], ["+", "<"], "int", False),
    (["name", "title", "text", "path", "key", "label"], "str", "string", ["lower", "strip", "split"], ["%"], "str", False),
    (["items", "names", "values", "lines", "tags"], "list[str]", "string[]", ["append", "extend"], ["[]"], "list[str]", True),
    (["enabled", "verbose", "flag", "is_valid", "done"], "bool", "boolean", [], ["not"], "bool", False),
    (["options", "config", "data", "params", "headers"], "dict[str, Any]", "Record<string, unknown>", ["get", "items", "keys"], ["[]"], "dict", False),
    (["ratio", "score", "weight", "timeout"], "float", "number", ["is_integer"], ["*", "/"], "float", False),
]


def _snake(name: str, language: str) -> str:
    from typeinfer.typemodel.serialize import split_identifier
    words = split_identifier(name)
    if language == "typescript":
        return words[0] + "".join(w.title() for w in words[1:])
    return "_".join(words)


def make_slice(rng: random.Random, language: str, user_types: list[str]) -> tuple[UsageSlice, str, bool]:
    """One synthetic slice with its label and whether the label is a project type."""
    kind = rng.choice(["parameter", "variable", "parameter", "return"])
    fn = rng.choice(["process", "handle_request", "build", "load_all", "run", "compute_total"])
    if user_types and rng.random() < 0.4:
        t = rng.choice(user_types)
        name = _snake(t, language)
        if rng.random() < 0.3:
            name = ("current_" if language == "python" else "current") + (name if language == "python" else name[0].upper() + name[1:])
        optional = language == "python" and rng.random() < 0.2
        s = UsageSlice(name=name if kind != "return" else "get_" + name, kind=kind, language=language,
                       file="pkg/mod.py", line=1, column=0, function=fn, declared_type=t,
                       invoked_calls=[CallUse(name=rng.choice(["save", "validate", "refresh", "render"]), arg_count=rng.randint(0, 2))],
                       attribute_reads=[rng.choice(["id", "owner", "created_at"])],
                       default_value="None" if optional else "")
        if kind == "variable" and rng.random() < 0.5:
            s.defined_by = [Definition(kind="constructor", code=f"{t}()", name=t)]
        return s, (f"{t} | None" if optional else t), True
    names, py, ts, calls, ops, lit, it = rng.choice(_BUILTIN)
    name = names[rng.randrange(len(names))]
    name = _snake(name, language)
    s = UsageSlice(name=name if kind != "return" else "get_" + name, kind=kind, language=language,
                   file="pkg/mod.py", line=1, column=0, function=fn,
                   declared_type=py if language == "python" else ts,
                   invoked_calls=[CallUse(name=c, arg_count=1) for c in rng.sample(calls, k=min(len(calls), rng.randint(0, 2)))],
                   operators=rng.sample(ops, k=rng.randint(0, len(ops))), iterated=it and rng.random() < 0.7,
                   sibling_names=rng.sample(["request", "ctx", "session", "db"], k=2))
    if kind == "variable" and rng.random() < 0.6:
        s.defined_by = [Definition(kind="literal", code="...", literal_type=lit if language == "python" else "")]
    if kind == "return":
        s.return_kinds = [lit]
    return s, (py if language == "python" else ts), False


def write_synthetic_corpus(out_dir: Path, n_projects: int = 12, records_per_project: int = 40, seed: int = 0) -> Path:
    """Write ``<out_dir>/v1/...`` and return `out_dir`.  Projects alternate python/typescript."""
    rng = random.Random(seed)
    combos = [a + n for a in _ADJ for n in _NOUN]
    rng.shuffle(combos)
    half = len(combos) // 2
    seen_pool, unseen_pool = combos[:half], combos[half:]
    records: dict[str, list[dict]] = {"train": [], "valid": [], "test": []}
    projects = []
    for p in range(n_projects):
        split = "train" if p % 6 < 4 else ("valid" if p % 6 == 4 else "test")
        language = "python" if p % 2 == 0 else "typescript"
        pool = seen_pool if split == "train" else unseen_pool
        user_types = sorted(rng.sample(pool, k=8))
        pid = f"{'pypi' if language == 'python' else 'npm'}:synthetic{p}"
        projects.append({"project": pid, "language": language, "split": split, "user_types": user_types})
        for _ in range(records_per_project):
            s, label, is_user = make_slice(rng, language, user_types)
            rec = TrainingRecord(project=pid, language=language, kind=s.kind, file=s.file, label=label,
                                 label_full=label, is_user_type=is_user, split=split, slice=s)
            records[split].append(rec.to_json())
    for split, rows in records.items():
        write_jsonl_gz(corpus_file(out_dir, f"records-{split}.jsonl.gz"), rows)
    write_jsonl_gz(corpus_file(out_dir, "projects.jsonl.gz"), projects)
    corpus_file(out_dir, "meta.json").write_text(json.dumps(
        {"version": 1, "synthetic": True, "counts": {k: len(v) for k, v in records.items()}}))
    return Path(out_dir)
