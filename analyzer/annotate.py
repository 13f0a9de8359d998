"""`typeinfer annotate`: turn the pipeline's predictions into annotations, diffs, files or stubs.

Needs: an `InferenceResult` (`pipeline.infer_project`).  Does not: decide types (the pipeline
does) or edit bytes (`writer` does).  This module picks what is written (confidence threshold,
kinds), works out the imports each type needs, and runs one of the output modes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from typeinfer.cpg.project import default_cache_dir
from typeinfer.cpg.source import carries_annotations, grammar_for_path
from typeinfer.typemodel.prediction_cache import CachingPredictor, PredictionCache

from . import result_cache
from .canonical_types import referenced_names
from .inferred_types import Prediction
from .languages import adapter_for
from .pipeline import RUN_CACHE_CAPACITY, InferenceResult
from .slice_schema import UsageSlice
from .slots import SlotKey
from .type_universe import TypeUniverse
from .verify_state import DroppedAnnotation, DroppedStore
from .writer.contract import Annotation, EditResult, TypeImport
from .writer.files import unified_diff, write_file_atomically
from .writer.source import BREAKS_PARSING, annotate_source

#: Rounds of each settling iteration (`settle`).  Two, because the graph carries confident types
#: the writer leaves out of the text (an attribute assigned in several places); a fresh run's
#: second round re-links with them (``self.ref.scheme.encode()`` once ``ref``'s type is known),
#: and a settling pass that stops at one round would leave that for the next run to find.
SETTLE_ROUNDS = 2

@dataclass
class AnnotateSummary:
    """Counts for the end-of-run summary line."""

    slots: int = 0
    annotated: int = 0
    below_threshold: int = 0
    not_inferred: int = 0
    skipped_by_writer: int = 0
    by_source: dict[str, int] = field(default_factory=dict)
    files_changed: int = 0
    messages: list[str] = field(default_factory=list)
    verify: str | None = None  #: the --verify part of the summary line (None: not asked for)
    #: why each slot left out on the way was not written (one line each; a slot the settling
    #: pass or the writer takes after all is written regardless)
    not_written: dict[SlotKey, str] = field(default_factory=dict)

    def line(self) -> str:
        sources = ", ".join(f"{n} {s}" for s, n in sorted(self.by_source.items())) or "none"
        return (f"{self.slots} slots: {self.annotated} annotated ({sources}), {self.below_threshold} below the "
                f"confidence threshold, {self.not_inferred} not inferred, {self.skipped_by_writer} skipped "
                f"by the writer; {self.files_changed} files changed"
                + (f"; verify: {self.verify}" if self.verify is not None else ""))


def type_imports(p: Prediction, universe: TypeUniverse) -> tuple[TypeImport, ...]:
    """The imports a prediction's type needs, for names that are neither builtins nor bound already.

    A name the writer cannot place (not a project type, not imported by the file, not in the
    qualified type) gets no import; the writer then skips the annotation as an unresolved name.
    """
    out: list[TypeImport] = []
    adapter = adapter_for(p.language)
    imported = universe.imports.get(p.file, {})
    for name in referenced_names(p.type, p.language):
        if name in imported or name in adapter.builtin_types:
            continue
        found = [t for t in universe.by_short_name(name)]
        if len(found) == 1:
            decl = found[0]
            if decl.file == p.file:
                continue  # defined in this very file
            out.append(TypeImport(adapter.import_module(decl.full_name, decl.file, p.file), name, True))
            continue
        qualified = p.full_type.split("[", 1)[0].split("<", 1)[0]
        if adapter.dotted_full_types and qualified.endswith("." + name):
            out.append(TypeImport(qualified[: -len(name) - 1], name, False))
            continue
        package = _imported_package(p, name, universe)
        if package is not None:
            out.append(TypeImport(package, name, False))
            continue
        elsewhere = _imported_elsewhere(name, universe, p.language)
        if elsewhere is not None:
            out.append(elsewhere)
    return tuple(out)


def _imported_package(p: Prediction, name: str, universe: TypeUniverse) -> str | None:
    """For a TypeScript static fact read from a package's declarations (full type
    ``<package>.<Name>``, `ts_declarations`): the package, when the project already imports
    from it (a dependency of its own, not one that is only installed beside another)."""
    if p.language != "typescript" or p.source != "static" or p.full_type != f"{p.full_type.rsplit('.', 1)[0]}.{name}":
        return None
    package = p.full_type.rsplit(".", 1)[0]
    if not re.fullmatch(r"(@[\w.-]+/)?[\w.-]+", package):
        return None
    imported = {entity.split(":", 1)[0] for table in universe.imports.values() for entity in table.values()}
    return package if package in imported else None


def _imported_elsewhere(name: str, universe: TypeUniverse, language: str) -> TypeImport | None:
    """The import other files of the project use for `name` (the model may rank a name that a
    sibling file imports): taken only when every file that binds the name imports it from the
    same library module under its own name; relative imports are left alone."""
    modules: set[str] = set()
    for file, imports in universe.imports.items():
        entity = imports.get(name)
        g = grammar_for_path(file)
        if entity is None or g is None or g[0] != language or not carries_annotations(file):
            continue
        module, original = adapter_for(language).split_entity(entity)
        if original != name or not module or module.startswith("."):
            return None
        modules.add(module)
    return TypeImport(modules.pop(), name, False) if len(modules) == 1 else None


def written_type(p: Prediction, universe: TypeUniverse) -> str:
    """The type text to write: the canonical type, or its qualified form where the bare name is
    bound to something else in the file (``import datetime`` makes ``datetime`` the module, so a
    ``datetime`` value is written ``datetime.datetime``)."""
    if not adapter_for(p.language).dotted_full_types:
        return p.type
    names = referenced_names(p.type, p.language)
    qualified = p.full_type.split("[", 1)[0]
    if not names or not p.type.startswith(names[0]) or not qualified.endswith("." + names[0]):
        return p.type
    entity = universe.imports.get(p.file, {}).get(names[0])
    if entity is None or entity == qualified:
        return p.type
    module_head = qualified.split(".", 1)[0]
    if universe.imports.get(p.file, {}).get(module_head) == module_head:
        return qualified + p.type[len(names[0]):]
    return p.type


def to_annotation(p: Prediction, universe: TypeUniverse) -> Annotation:
    """The writer's input for one prediction."""
    text = written_type(p, universe)
    imports = type_imports(p, universe) if text == p.type else ()
    return Annotation(kind=p.kind, name=p.name, function=p.function, line=p.line,  # type: ignore[arg-type]
                      column=p.byte_column, type=text, imports=imports)


def selected(result: InferenceResult, kinds: tuple[str, ...], summary: AnnotateSummary) -> dict[str, list[Prediction]]:
    """Predictions to write, by file: confident, of the requested kinds."""
    per_file: dict[str, list[Prediction]] = {}
    for p in result.predictions:
        if p.kind not in kinds:
            summary.not_written[p.key] = f"a {p.kind}: not among the kinds asked for (--kinds)"
            continue
        summary.slots += 1
        if p.source == "none":
            summary.not_inferred += 1
            summary.not_written[p.key] = p.evidence or "no type inferred"
        elif p.confidence < result.threshold:
            summary.below_threshold += 1
            summary.not_written[p.key] = f"confidence {p.confidence:.2f} is below the threshold {result.threshold:.2f}"
        else:
            per_file.setdefault(p.file, []).append(p)
    return per_file


def applied_key(path: str, annotation: Annotation) -> SlotKey:
    """The slot an annotation of file `path` was written for."""
    return SlotKey(path, annotation.kind, annotation.function, annotation.name, annotation.line)


def _count_applied(summary: AnnotateSummary, predictions: list[Prediction], edit: EditResult) -> None:
    """Add the predictions the writer applied to the summary, by source."""
    applied = {applied_key(edit.path, a.annotation) for a in edit.applied}
    for p in predictions:
        if p.key in applied:
            summary.annotated += 1
            summary.by_source[p.source] = summary.by_source.get(p.source, 0) + 1


def edit_files(result: InferenceResult, plan: dict[str, list[Prediction]],
               summary: AnnotateSummary, force: bool = False) -> list[tuple[Path, EditResult]]:
    """Annotated bytes of every file that gets annotations in `plan` (nothing is written here).

    A file the writer refuses (bytes that do not decode, syntax errors before the edit without
    `force`) gets one message; so does each annotation dropped because it would break parsing."""
    root = Path(result.cpg.root)
    out = []
    for relpath, predictions in sorted(plan.items()):
        path = root if root.is_file() else root / relpath
        try:
            data = path.read_bytes()
        except OSError as exc:
            _file_not_written(summary, predictions, relpath, f"cannot read ({exc.strerror or exc}), skipped")
            continue
        info = result.cpg.files.get(relpath)
        if info is not None and info.content_hash and hashlib.sha256(data).hexdigest() != info.content_hash:
            _file_not_written(summary, predictions, relpath, "changed on disk during the run, skipped")
            continue
        edit = annotate_source(data, relpath, predictions[0].language,
                               [to_annotation(p, result.universe) for p in predictions], force=force)
        if edit.refused:
            _file_not_written(summary, predictions, relpath, f"not annotated, {edit.refused}")
            summary.skipped_by_writer += len(predictions)
            continue
        _count_applied(summary, predictions, edit)
        summary.skipped_by_writer += len(edit.skipped)
        summary.not_written.update((applied_key(relpath, s.annotation), s.reason) for s in edit.skipped)
        summary.messages.extend(f"{relpath}:{s.annotation.line}: {s.annotation.name}: {s.annotation.type} "
                                f"not written, {s.reason}" for s in edit.skipped if s.reason == BREAKS_PARSING)
        summary.messages.extend(f"{relpath}: {w}" for w in edit.warnings)
        out.append((path, edit))
    return out


def _file_not_written(summary: AnnotateSummary, predictions: list[Prediction], relpath: str, why: str) -> None:
    """One message for a file left alone, and the same reason for each of its slots."""
    summary.messages.append(f"{relpath}: {why}")
    summary.not_written.update((p.key, why) for p in predictions)


def planned(result: InferenceResult, kinds: tuple[str, ...], summary: AnnotateSummary,
            max_rounds: int = 3, force: bool = False, recorded_drops: bool = False) -> dict[str, list[Prediction]]:
    """What annotate writes, by file, at positions of the text on disk: the confident rows of
    the rounds (`pipeline.infer_graph`), then what the settling pass adds.

    The settling pass infers again on exactly the text the rounds' annotations make (new
    annotations and imports change the context of the slots left open) until nothing new is
    confident, so that a second `typeinfer annotate` changes nothing.  What it finds is mapped
    back onto the slots of the text on disk; diffs, `--write`, `--verify` and `--stub` all start
    from this one plan.  With `recorded_drops`, what an earlier ``--verify`` dropped is left
    out first, so that the settling pass infers on the text without it."""
    plan = selected(result, kinds, summary)
    store = DroppedStore.for_project(Path(result.cpg.root)) if recorded_drops else None
    if store is not None:
        plan = without_recorded_drops(result, plan, summary, store)
    for rel, found in settle(result, plan, kinds, max_rounds, force).items():
        plan.setdefault(rel, []).extend(found)
    return without_recorded_drops(result, plan, summary, store) if store is not None else plan


def settle(result: InferenceResult, plan: dict[str, list[Prediction]], kinds: tuple[str, ...],
           max_rounds: int = 3, force: bool = False) -> dict[str, list[Prediction]]:
    """The rows that become confident once `plan` is written, by file, at the slots' positions
    in the text on disk (see `planned`); none with `max_rounds` 1 (the rounds' rows alone)."""
    if max_rounds <= 1:
        return {}
    from typeinfer.cpg.project import build_sources
    from typeinfer.cpg.source import source_from_text

    from .pipeline import infer_graph

    root = Path(result.cpg.root)
    on_disk: dict[str, bytes | None] = {}

    def disk(rel: str) -> bytes | None:
        """The unedited file as it is on disk, read once per run."""
        if rel not in on_disk:
            try:
                on_disk[rel] = (root if root.is_file() else root / rel).read_bytes()
            except OSError:
                on_disk[rel] = None
        return on_disk[rel]

    texts: dict[str, bytes] = {}
    for rel, predictions in plan.items():
        original = disk(rel)
        if original is None:
            continue
        edit = annotate_source(original, rel, predictions[0].language,
                               [to_annotation(p, result.universe) for p in predictions], force=force)
        if not edit.refused and edit.changed:
            texts[rel] = edit.data
    on_disk_slots = _slots_by_identity(result.program.slices)
    found: dict[str, list[Prediction]] = {}
    for _ in range(max_rounds - 1):
        if not texts:
            break
        sources = []
        for rel, info in result.cpg.files.items():
            if info.error is not None:
                continue
            data = texts[rel] if rel in texts else disk(rel)
            if data is not None:
                sources.append(source_from_text(data, rel))
        cpg = build_sources(sources)
        cpg.root = result.cpg.root
        again = infer_graph(cpg, replace(result.options, rounds=SETTLE_ROUNDS), predictor=fresh_run_cache(result.predictor),
                            libraries=result.libraries)
        edited_slots = _slots_by_identity(again.program.slices)
        changed = False
        for rel, predictions in sorted(selected(again, kinds, AnnotateSummary()).items()):
            current = texts.get(rel) or disk(rel)
            if current is None:
                continue
            edit = annotate_source(current, rel, predictions[0].language,
                                   [to_annotation(p, again.universe) for p in predictions], force=force)
            if edit.refused or not edit.changed:
                continue
            applied = {applied_key(rel, a.annotation) for a in edit.applied}
            mapped = [_on_disk(p, edited_slots, on_disk_slots) for p in predictions if p.key in applied]
            if None in mapped:
                continue  # a slot that cannot be placed in the text on disk: leave the file as it was
            changed = True
            texts[rel] = edit.data
            found.setdefault(rel, []).extend(m for m in mapped if m is not None)
        if not changed:
            break
    return found


def fresh_run_cache(predictor: Any) -> Any:
    """`predictor` with an empty in-memory cache (the on-disk one kept).  The int8 model quantizes
    each batch's activations together, so a slice's ranking moves a little with its batch-mates:
    a settling iteration that reused the rankings of the text before would not be the run a
    second `annotate` makes on the text it leaves, and a slot at the threshold could flip."""
    if not isinstance(predictor, CachingPredictor):
        return predictor
    return CachingPredictor(predictor.predictor, PredictionCache(RUN_CACHE_CAPACITY, predictor.cache.store))


def _slots_by_identity(slices: list[UsageSlice]) -> dict[tuple[str, str, str, str], list[UsageSlice]]:
    """Slices grouped by (file, kind, function, name), in text order: annotations only insert
    text, so the n-th such slot of an edited file is the n-th of the file on disk."""
    out: dict[tuple[str, str, str, str], list[UsageSlice]] = {}
    for s in sorted(slices, key=lambda s: (s.file, s.line, s.column)):
        out.setdefault((s.file, s.kind, s.function, s.name), []).append(s)
    return out


def _on_disk(p: Prediction, edited: dict[tuple[str, str, str, str], list[UsageSlice]],
             on_disk: dict[tuple[str, str, str, str], list[UsageSlice]]) -> Prediction | None:
    """`p` (inferred on edited text) moved onto its slot in the text on disk; None when the two
    texts do not have the same slots of its name."""
    identity = (p.file, p.kind, p.function, p.name)
    mine, theirs = edited.get(identity, []), on_disk.get(identity, [])
    if len(mine) != len(theirs):
        return None
    for s, target in zip(mine, theirs):
        if s.line == p.line and s.column == p.byte_column:
            # the plan's rows are written (byte columns), never printed: column is the byte column too
            return replace(p, line=target.line, byte_column=target.column, column=target.column, slice=target, node=None)
    return None


def verified(result: InferenceResult, plan: dict[str, list[Prediction]], edits: list[tuple[Path, EditResult]],
             summary: AnnotateSummary, force: bool = False,
             sessions: dict[str, Any] | None = None) -> tuple[list[tuple[Path, EditResult]], set[SlotKey]]:
    """`edits` without the annotations a type checker rejects (`verify`), and the dropped slots;
    when no checker can run, `edits` unchanged, with a message.  `sessions`: per language, the
    checked session on the unannotated tree begun earlier (`checkers.start_sessions`)."""
    from .verify import VerifyError, verify
    from .verify_facts import graph_facts

    sources = {p.key: p.source for rows in plan.values() for p in rows}  # the rows written, settled ones included
    facts = graph_facts(result.cpg)
    dropped: set[SlotKey] = set()
    notes = []
    checked: list[tuple[str, str, str, str, str]] = []
    records: list[DroppedAnnotation] = []
    for language in sorted({e.language for _, e in edits}):
        try:
            outcome = verify(Path(result.cpg.root), edits, language, force=force,
                             baseline=(sessions or {}).get(language), python=result.options.python,
                             facts=facts)
        except VerifyError as exc:
            summary.messages.append(f"verify: {exc}; {language} annotations not verified")
            notes.append(f"{language} not verified")
            continue
        edits = outcome.edits
        checked.extend(_drop_key(e.path, a.annotation) for _, e in edits if e.language == language
                       for a in e.applied)
        for d in outcome.dropped:
            checked.append(_drop_key(d.path, d.annotation))
            records.append(DroppedAnnotation(*_drop_key(d.path, d.annotation), reason=d.reason()))
            key = applied_key(d.path, d.annotation)
            dropped.add(key)
            summary.annotated -= 1
            source = sources.get(key)
            if source in summary.by_source:
                summary.by_source[source] -= 1
            summary.messages.append(f"{d.path}: {d.annotation.name}: {d.annotation.type} dropped, {d.reason()}")
        summary.messages.extend(f"verify: new error not traced to an annotation: {d.short()}"
                                for d in outcome.unattributed)
        if not outcome.converged:
            notes.append(f"{len(outcome.remaining)} new {language} errors remain after {outcome.rounds} checks")
    summary.verify = f"{len(dropped)} annotations dropped (new type errors)" + "".join(f", {n}" for n in notes)
    DroppedStore.for_project(Path(result.cpg.root)).record(checked, records)
    return edits, dropped


def _drop_key(path: str, annotation: Annotation) -> tuple[str, str, str, str, str]:
    """An annotation's slot without its line, and its type: how `verify_state` knows it again."""
    return (path, annotation.kind, annotation.function, annotation.name, annotation.type)


def without_recorded_drops(result: InferenceResult, plan: dict[str, list[Prediction]],
                           summary: AnnotateSummary, store: DroppedStore) -> dict[str, list[Prediction]]:
    """`plan` without the annotations an earlier ``--verify`` dropped (`store`), each reported
    in one line."""
    if not store.entries:
        return plan
    out: dict[str, list[Prediction]] = {}
    for relpath, predictions in plan.items():
        for p in predictions:
            entry = store.get(relpath, p.kind, p.function, p.name, written_type(p, result.universe))
            if entry is None:
                out.setdefault(relpath, []).append(p)
                continue
            summary.skipped_by_writer += 1
            why = f"dropped by an earlier --verify ({entry.reason.removeprefix('type checker: ')})"
            summary.not_written[p.key] = why
            summary.messages.append(f"{relpath}: {p.name}: {entry.type} not written, {why}")
    return out


@dataclass
class WriteDecision:
    """One slot's row and what ``annotate --write`` does with it.

    JSON form (`to_json`): the row's (`Prediction.to_json`) plus ``written`` (bool) and, when
    false, ``not_written``: why, in one line (below the threshold, nothing inferred and why, a
    writer's refusal, a drop recorded by an earlier ``--verify``, a file left alone).  Decided on
    the rounds' rows, as ``--write`` writes them; its settling pass (`planned`), which infers the
    whole edited tree once more (on 100k lines it doubled the time and the memory of a JSON run),
    is not run, so a slot it would add once the others are written shows here as its round left
    it, below the threshold (5 of the 31 slots ``--write`` writes in the sample project)."""

    prediction: Prediction
    written: bool
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        out = {**self.prediction.to_json(), "written": self.written}
        if not self.written:
            out["not_written"] = self.reason
        return out


def write_decisions(result: InferenceResult, kinds: tuple[str, ...], force: bool = False) -> list[WriteDecision]:
    """Every slot's row, each with whether ``annotate --write`` (same `kinds` and `force`, an
    earlier ``--verify``'s drops left out) writes it and, if not, why; nothing is written (the
    settling pass aside: see `WriteDecision`)."""
    store = DroppedStore.for_project(Path(result.cpg.root))
    inputs = hashlib.blake2b(repr((kinds, force, sorted(store.entries))).encode(), digest_size=12).hexdigest()
    rows = result.predictions
    if result.cache_key is not None:  # an unchanged tree: the writer's answers as they were
        remembered = result_cache.load_derived(default_cache_dir(), result.cache_key, f"decisions-{inputs}")
        if isinstance(remembered, list) and len(remembered) == len(rows):
            return [WriteDecision(p, written, reason) for p, (written, reason) in zip(rows, remembered)]
    summary = AnnotateSummary()
    plan = planned(result, kinds, summary, max_rounds=1, force=force, recorded_drops=True)  # no settling pass
    edits = edit_files(result, plan, summary, force)
    written = {applied_key(edit.path, a.annotation) for _, edit in edits for a in edit.applied}
    decisions = [WriteDecision(p, True) if p.key in written
                 else WriteDecision(p, False, summary.not_written.get(p.key) or "not placed by the writer")
                 for p in rows]
    if result.cache_key is not None:
        result_cache.save_derived(default_cache_dir(), result.cache_key, f"decisions-{inputs}",
                                  [(d.written, d.reason) for d in decisions])
    return decisions


def run(result: InferenceResult, mode: str, kinds: tuple[str, ...], emit: Callable[[str], None],
        summary: AnnotateSummary | None = None, verify: bool = False, force: bool = False,
        sessions: dict[str, Any] | None = None) -> AnnotateSummary:
    """Run one output mode: "diff" (print a unified diff), "write" (in place) or "stub";
    with `verify`, first drop the annotations that add type errors (`analyzer.verify`; its
    checked sessions may have been begun already: `sessions`) and record them (`verify_state`);
    without, leave out what an earlier `verify` dropped; with `force`, files with syntax
    errors before the edit are annotated too.  Every mode writes the same plan (`planned`: the
    rounds, then the settling pass)."""
    summary = summary or AnnotateSummary()
    plan = planned(result, kinds, summary, force=force, recorded_drops=not verify)  # --verify decides again
    edits = edit_files(result, plan, summary, force)
    dropped: set[SlotKey] = set()
    if verify:
        edits, dropped = verified(result, plan, edits, summary, force, sessions)
    if mode == "stub":
        from .stubs import stub_for
        from .writer.files import stub_path, write_stub

        for path, edit in edits:
            relpath = edit.path
            text = stub_for(edit.original, relpath, edit.language,
                            [to_annotation(p, result.universe) for p in plan.get(relpath, [])
                             if p.key not in dropped])
            outcome = write_stub(stub_path(path), text)
            if outcome.written:
                summary.files_changed += 1
                emit(str(stub_path(path)))
            else:
                summary.messages.append(f"{relpath}: {outcome.message}")
        return summary
    for path, edit in edits:
        if not edit.changed:
            continue
        if mode == "write":
            outcome = write_file_atomically(path, edit.original, edit.data)
            if outcome.written:
                summary.files_changed += 1
            else:
                summary.messages.append(f"{edit.path}: {outcome.message}")
        else:
            summary.files_changed += 1
            emit(unified_diff(edit.path, edit.original, edit.data, edit.language).rstrip("\n"))
    return summary
