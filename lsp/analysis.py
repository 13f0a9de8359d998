"""The analysis thread: workspace build, then one document at a time, debounced and coalesced.

What it does: on start, loads the model (or tells the user once that only static facts are used)
and builds the project graph with progress reports in a second thread; meanwhile and afterwards it
analyses document snapshots.  A
snapshot replaces any pending one of the same document (a burst of changes costs one analysis)
and runs once the document has been quiet for the debounce delay.  A workspace document is
rebuilt in the graph with `update_file` (only when its text differs from the graph's) and
re-sliced alone (`infer_graph(..., files=[relpath])`, with annotate's rounds and threshold); model
rankings come from the `PredictionCache` (memory, then disk) unless the slice changed.  A document's inferred types
are its own table (the `FileResult`): the rounds write them into the shared graph only while
they run, and `types_restored` puts the graph back, so a document's hints depend only on the
workspace's texts, not on which documents were analysed before.  A document outside the workspace, an untitled one,
or any document opened before the workspace build is done is analysed on its own graph.

What it does not do: touch documents' state or the client: results go to the `publish` callback,
which the server forwards to its event loop.  Only the build thread (until `workspace_ready`)
and then this thread read or write the project graph.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

from typeinfer.analyzer.annotate import to_annotation
from typeinfer.analyzer.canonical_types import canonicalize, split_union
from typeinfer.analyzer.inferred_types import Prediction
from typeinfer.analyzer.name_pool import NameKey, Ranking
from typeinfer.analyzer.pipeline import ANNOTATE_ROUNDS, NO_MODEL_THRESHOLD, STATIC_CONFIDENCE, FunctionsAgain, \
    InferenceOptions, InferenceResult, LibrarySources, infer_graph
from typeinfer.analyzer.writer.source import annotate_source, source_problem, writer_syntax
from typeinfer.analyzer.slots import KINDS, slot_function
from typeinfer.analyzer.static_facts import infer_static
from typeinfer.cpg.function_update import BodyUpdate, ParsedText, parse_edited, update_function_body
from typeinfer.cpg.graph import CodePropertyGraph, NodeId
from typeinfer.cpg.passes.type_writeback import relink
from typeinfer.cpg.schema import EdgeKind, NodeKind, Prop
from typeinfer.cpg.project import BuildError, BuildOptions, build_project, build_sources, update_file
from typeinfer.cpg.source import content_hash, parser_for, source_from_text
from typeinfer.typemodel.prediction_cache import CachingPredictor, PredictionCache, RankingStore

from .anchors import anchor_for
from .jobs import JobQueue, SchedulesDocuments
from .positions import UTF16, LineIndex
from .settings import Settings
from .state import Item

log = logging.getLogger("typeinfer.lsp")


@dataclass(frozen=True)
class Snapshot:
    """What the analysis needs of one document version."""

    uri: str
    version: int
    text: str
    relpath: str
    language: str
    grammar: str
    in_workspace: bool
    encoding: str = UTF16  #: the client's position encoding: the items' anchors use its columns


@dataclass
class FileResult:
    """One document's analysis, anchored in the text it was computed from."""

    uri: str
    version: int
    text: str
    items: list[Item]
    seconds: float
    in_workspace_graph: bool  #: False: analysed on its own graph (outside the workspace, or before the build)
    error: str | None = None
    threshold: float = NO_MODEL_THRESHOLD  #: the confidence a hint needs when the user set none
    refused: str | None = None  #: why the writer refuses the whole-file annotation (None: it does not)
    #: what was inferred again: "file", or "function" (an edit inside one function: it, the
    #: file's functions calling it and its class's attributes; the other items were kept)
    scope: str = "file"
    #: scope "function": how the kept items follow from the document's previous result (they come
    #: after `carry.fresh` new ones), so that a process boundary can send the new ones only
    carry: "Carry | None" = None

    def compact(self) -> "FileResult":
        """This result with only its new items, when the rest follow from the previous one."""
        return replace(self, items=self.items[:self.carry.fresh]) if self.carry is not None else self

    def expanded(self, previous: list[Item]) -> "FileResult":
        """A `compact` result made whole again from the items of the document's previous result."""
        if self.carry is None or len(self.items) != self.carry.fresh:
            return self
        return replace(self, items=self.items + [item for _, item in self.carry.kept(previous)])


@dataclass(frozen=True)
class Carry:
    """Which items of a document's previous result an edit inside one function keeps, and how
    they move: those of the edited function's old lines are dropped, those below move by the
    lines it gained, and those of the functions and classes inferred again (`regions`: qualified
    name, first and last line after the move, whether it is a class's attributes) are dropped.
    A result carrying one follows from the result sent before it for the same URI."""

    fresh: int  #: the new items, first in the result
    first_line: int  #: the edited function's first line (1-based)
    last_line: int  #: its last line before the edit
    line_delta: int
    regions: tuple[tuple[str, int, int, bool], ...] = ()
    #: the edited function's qualified name: its items in its old lines, and those of the functions
    #: and classes nested in it (before or after the edit), are dropped; a module variable bound
    #: to it on its first line is kept
    function: str = ""

    def kept(self, items: list[Item]) -> Iterator[tuple[int, Item]]:
        """(index in `items`, the item moved) of each kept item, in order."""
        first, last, delta, regions = self.first_line, self.last_line, self.line_delta, self.regions
        covered = {line for _, start, end, _ in regions for line in range(start, end + 1)}
        function, nested = self.function, self.function + "."
        for index, item in enumerate(items):
            p = item.prediction
            line = p.line
            if first <= line <= last and (p.function == function or p.function.startswith(nested)
                                          or p.kind == "attribute" and _class_of(p).startswith(nested)):
                continue  # the edited function's: inferred again
            if line > last:
                line += delta
                if delta:
                    item = _moved(item, delta)
            p = item.prediction
            if line in covered and any(start <= line <= end and (p.kind == "attribute") == is_class
                                       and (_class_of(p) if is_class else p.function) == name
                                       for name, start, end, is_class in regions):
                continue
            yield index, item


@dataclass
class _Analysed:
    """A workspace document's last analysis, as its next edit needs it (`Analyzer._analyze_functions`)."""

    uri: str  #: the document it was sent for (the server keeps the items by URI)
    parsed: ParsedText  #: the text the graph holds for the file, and its tree
    items: list[Item]
    nodes: list[NodeId | None]  #: each item's slot in the graph (None: a declared slot's diagnostic)
    rounds: list[int]  #: the inference round that settled each item's type (-1: none did)
    options: InferenceOptions
    diagnostics: bool
    encoding: str  #: of the items' anchors
    refused: str | None
    libraries: LibrarySources  #: where that analysis read library types (an edit's analysis reads them there too)
    #: per round, the model's rankings of the file's slots (`InferenceResult.model_rankings`): the
    #: namesakes the slots an edit infers again are pooled with
    rankings: dict[int, dict[NodeId, tuple[NameKey, Ranking]]]


class AnalysisHost(SchedulesDocuments):
    """What the server sees of an analysis, in this process (`Analyzer`) or another
    (`analysis_process.AnalysisProcess`): the workspace root and settings, the callbacks results
    and progress go to, the document jobs, and the workspace-ready and model-error states."""

    def __init__(self, root: Path | None, settings: Callable[[], Settings],
                 publish: Callable[[FileResult], None],
                 progress: Callable[[str, str, int | None], None] | None = None,
                 message: Callable[[str], None] | None = None,
                 on_ready: Callable[[], None] | None = None) -> None:
        self.root = root
        self.settings = settings
        self.publish = publish
        self.progress = progress or (lambda *_: None)
        self.message = message or (lambda _: None)
        self.on_ready = on_ready or (lambda: None)  #: called (from the build thread) once the graph is built
        self.jobs = JobQueue()
        self.idle = self.jobs.idle
        self.workspace_ready = threading.Event()
        self.model_error: str | None = None


class Analyzer(AnalysisHost):
    """Owns the project graph and the analysis thread."""

    def __init__(self, root: Path | None, settings: Callable[[], Settings],
                 publish: Callable[[FileResult], None],
                 progress: Callable[[str, str, int | None], None] | None = None,
                 message: Callable[[str], None] | None = None,
                 on_ready: Callable[[], None] | None = None) -> None:
        super().__init__(root, settings, publish, progress, message, on_ready)
        self.cpg: CodePropertyGraph | None = None
        self.cache = PredictionCache()
        self._analysed: dict[str, _Analysed] = {}  #: workspace documents' last analyses, by relpath
        self.predictor: Any = None
        self._thread = threading.Thread(target=self._run, name="typeinfer-analysis", daemon=True)

    # ------------------------------------------------------------------ control (any thread)
    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.jobs.stop()


    # ------------------------------------------------------------------ the thread
    def prepare(self) -> None:
        """Load the model, then start the workspace build beside the caller (documents opened
        meanwhile get hints from their own graph)."""
        try:
            self._load_model()
        except Exception:  # noqa: BLE001
            log.error("model loading failed:\n%s", traceback.format_exc())
        threading.Thread(target=self._build_then_signal, name="typeinfer-build", daemon=True).start()

    def run_job(self, uri: str, snapshot: Snapshot | None, relpath: str) -> FileResult | None:
        """One job, on the caller's thread: analyse `snapshot` (its result), or, for None, put a
        closed document's file back to its text on disk; a failure is logged, never raised."""
        try:
            if snapshot is None:
                if self.workspace_ready.is_set():
                    self._revert(relpath)
                return None
            result = self.analyze(snapshot)
            log.info("analysed %s version %d (%s) in %.0f ms", relpath, snapshot.version, result.scope,
                     1000 * result.seconds)
            return result
        except Exception:  # noqa: BLE001 - one bad document must not stop the analysis
            log.error("analysis of %s failed:\n%s", uri, traceback.format_exc())
            return None

    def _run(self) -> None:
        self.prepare()
        while (job := self.jobs.take()) is not None:
            result = self.run_job(job.uri, job.snapshot, job.relpath)
            if result is not None:
                self.publish(result)
            self.jobs.done()

    def _build_then_signal(self) -> None:
        try:
            self._build_workspace()
        except Exception:  # noqa: BLE001 - the server keeps answering from single-file graphs
            log.error("workspace build failed:\n%s", traceback.format_exc())
        finally:
            self.workspace_ready.set()
            self.on_ready()

    def _load_model(self) -> None:
        if not self.settings().use_model:
            return
        try:
            from typeinfer.typemodel.predictor import TypePredictor

            model = TypePredictor.load()
            # rankings of the last session's unchanged slices come back from disk
            self.cache.store = RankingStore.for_model(model.model_dir)
            self.predictor = CachingPredictor(model, self.cache)
        except Exception as exc:  # noqa: BLE001 - ModelError, or onnxruntime missing: static facts only
            self.model_error = str(exc)
            self.message(f"typeinfer: the type model is not available ({exc}); showing static facts only.")

    def _build_workspace(self) -> None:
        if self.root is None:
            return
        self.progress("begin", f"building the graph of {self.root.name or self.root}", 0)
        last = [0.0]

        def report(done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] > 0.2 or done == total:
                last[0] = now
                self.progress("report", f"{done}/{total} files", int(100 * done / max(1, total)))

        try:
            self.cpg = build_project(self.root, BuildOptions(jobs=self.settings().build_jobs, progress=report))
        except BuildError:
            self.cpg = CodePropertyGraph(str(self.root))  # nothing to analyse yet: opened files join it
        self.progress("end", f"{len(self.cpg.files)} files", 100)

    def _revert(self, relpath: str) -> None:
        self._analysed.clear()
        if self.cpg is not None and relpath in self.cpg.files:
            update_file(self.cpg, relpath)

    # ------------------------------------------------------------------ one document
    def analyze(self, snap: Snapshot) -> FileResult:
        """Analyse one document version (on this thread; tests call it directly).

        A workspace document whose edit stays inside one function's body (`update_function_body`)
        has only that function, the functions of the file calling it and its class's attributes
        inferred again, in the context of the rest's types from its last analysis; any other
        change re-analyses the file."""
        started = time.perf_counter()
        use_workspace = snap.in_workspace and self.cpg is not None and self.workspace_ready.is_set()
        settings = self.settings()
        predictor = self.predictor if settings.use_model else None
        # the rounds and the threshold of `typeinfer annotate`, so that the editor and the command
        # line give one answer; the rounds' types are written into the graph only while they run:
        # another document's hints must not depend on which files were analysed first
        options = InferenceOptions(use_model=predictor is not None, kinds=KINDS, jobs=1, use_cache=False,
                                   min_confidence=settings.min_confidence, rounds=ANNOTATE_ROUNDS)
        data = snap.text.encode("utf-8")
        previous = self._analysed.pop(snap.relpath, None) if use_workspace else None
        if use_workspace:
            # another file's last types may rest on this one's old text: its next edit is
            # analysed whole (typing in one file keeps the per-function path)
            self._analysed.clear()
        parser = parser_for(snap.grammar)
        parsed = parse_edited(parser, previous.parsed, data) if previous is not None else ParsedText(data, parser.parse(data))
        if use_workspace:
            cpg = self.cpg
            assert cpg is not None
            if previous is not None and (previous.uri, previous.options, previous.diagnostics, previous.encoding) == \
                    (snap.uri, options, settings.diagnostics, snap.encoding):
                update = update_function_body(cpg, snap.relpath, previous.parsed, parsed)
                if update is not None:
                    return self._analyze_functions(snap, parsed, previous, update, predictor, started)
            info = cpg.files.get(snap.relpath)
            if info is None or info.content_hash != content_hash(data):
                update_file(cpg, snap.relpath, snap.text)
        else:
            cpg = build_sources([source_from_text(snap.text, snap.relpath)])
        with types_restored(cpg, snap.relpath):
            result = infer_graph(cpg, options, files=[snap.relpath], predictor=predictor,
                                 keep_rankings=use_workspace)
        index = LineIndex(snap.text, snap.encoding)
        items, nodes = _items(snap, result, parsed, index)
        refused = _mark_writable(snap, items, result.threshold, tree=parsed.tree)
        if settings.diagnostics:
            found = self._disagreements(cpg, result.program.slices, snap, parsed.tree, index)
            items.extend(found)
            nodes.extend([None] * len(found))
        if use_workspace:
            self._analysed[snap.relpath] = _Analysed(snap.uri, parsed, items, nodes, _rounds(result, nodes), options,
                                                     settings.diagnostics, snap.encoding, refused, result.libraries,
                                                     result.model_rankings)
        return FileResult(snap.uri, snap.version, snap.text, items, time.perf_counter() - started, use_workspace,
                          threshold=result.threshold, refused=refused)

    def _analyze_functions(self, snap: Snapshot, parsed: ParsedText, previous: "_Analysed", update: BodyUpdate,
                           predictor: Any, started: float) -> FileResult:
        """The rest of `analyze` after an edit inside one function (already applied to the graph)."""
        cpg = self.cpg
        assert cpg is not None
        inside = list(cpg.ast_descendants(update.method))
        edited = [update.method, *(n for n in inside if cpg.kind(n) == NodeKind.METHOD)]
        # its dependants: the functions calling it (they read its return) and those it calls, before
        # and after the edit (their parameters are typed from the arguments it passes)
        callers = {m for call in cpg.into(update.method, EdgeKind.CALL) if call[0] == snap.relpath
                   and (m := cpg.enclosing(call, (NodeKind.METHOD,))) is not None}
        callees = {m for call in inside if cpg.kind(call) == NodeKind.CALL
                   for m in cpg.out(call, EdgeKind.CALL)} | set(update.old_callees)
        callers = {m for m in callers | callees if m[0] == snap.relpath and m in cpg.g} - set(edited)
        owner = cpg.enclosing(update.method, (NodeKind.TYPE_DECL, NodeKind.METHOD))
        classes = {owner} if owner is not None and cpg.kind(owner) == NodeKind.TYPE_DECL else set()
        classes |= {n for n in inside if cpg.kind(n) == NodeKind.TYPE_DECL}
        regions = tuple((slot_function(cpg.props(m)), cpg.get(m, Prop.LINE_NUMBER), cpg.get(m, Prop.LINE_NUMBER_END), False)
                        for m in callers) + \
            tuple((slot_function(cpg.props(c)), cpg.get(c, Prop.LINE_NUMBER), cpg.get(c, Prop.LINE_NUMBER_END), True)
                  for c in classes)
        carry = Carry(0, cpg.get(update.method, Prop.LINE_NUMBER), update.old_last_line, update.line_delta, regions,
                      slot_function(cpg.props(update.method)))
        kept: list[tuple[Item, NodeId | None, int]] = []
        for index, item in carry.kept(previous.items):
            node = previous.nodes[index]
            kept.append((item, node if node is not None and node in cpg.g else None, previous.rounds[index]))
        # the types a round settled are written into the graph as the rounds go (the others never are)
        known = tuple((item.prediction, settled) for item, node, settled in kept if node is not None and settled >= 0)
        again = FunctionsAgain(frozenset(edited) | callers, frozenset(classes), known, previous.rankings)
        options = previous.options
        touched = [p.node for p, _ in known]
        with types_restored(cpg, snap.relpath, methods=again.methods, others=touched):
            # the environment is looked at again by the next whole-file analysis, not per keystroke
            result = infer_graph(cpg, options, files=[snap.relpath], predictor=predictor, again=again,
                                 libraries=previous.libraries, keep_rankings=True)
        index = LineIndex(snap.text, snap.encoding)
        fresh, fresh_nodes = _items(snap, result, parsed, index)
        if previous.diagnostics:
            found = self._disagreements(cpg, result.program.slices, snap, parsed.tree, index)
            fresh.extend(found)
            fresh_nodes.extend([None] * len(found))
        items = fresh + [item for item, _, _ in kept]
        nodes = fresh_nodes + [node for _, node, _ in kept]
        rounds = _rounds(result, fresh_nodes) + [settled for _, _, settled in kept]
        # the file-level verdict (its own parser's, over the whole file) can change only when the
        # edited function parses with errors before or after: tree-sitter's, or its own parser's
        # on the function alone (a few ms, where the whole file takes 100)
        refused = previous.refused
        start, end = cpg.get(update.method, Prop.START_BYTE), cpg.get(update.method, Prop.END_BYTE)
        if update.parse_errors_before or update.parse_errors_after \
                or not _function_parses(snap.language, previous.parsed.data, start, end - update.byte_delta) \
                or not _function_parses(snap.language, parsed.data, start, end):
            refused = None
            if _wanted(items, result.threshold) and snap.grammar not in writer_syntax(snap.language).stub_only_grammars:
                refused = source_problem(parsed.data, snap.language, snap.relpath, tree=parsed.tree)
        _mark_writable(snap, fresh, result.threshold, whole_file_checks=False, tree=parsed.tree)
        self._analysed[snap.relpath] = _Analysed(snap.uri, parsed, items, nodes, rounds, options, previous.diagnostics,
                                                 snap.encoding, refused, previous.libraries, result.model_rankings)
        return FileResult(snap.uri, snap.version, snap.text, items, time.perf_counter() - started, True,
                          threshold=result.threshold, refused=refused, scope="function",
                          carry=replace(carry, fresh=len(fresh)))

    def _disagreements(self, cpg: CodePropertyGraph, slices: list[Any], snap: Snapshot, tree: Any,
                       index: LineIndex) -> list[Item]:
        """Declared slots whose static inference (ignoring the declaration) disagrees with it."""
        declared = [s for s in slices if s.file == snap.relpath and s.declared_type]
        if not declared:
            return []
        out = []
        for s, fact in zip(declared, infer_static(cpg, declared, use_declared=False)):
            if fact is None or not fact.type:
                continue
            written = canonicalize(s.declared_type, s.language) or s.declared_type
            inferred = canonicalize(fact.type, s.language) or fact.type
            if _compatible(written, inferred, s.language):
                continue
            p = Prediction(file=s.file, language=s.language, kind=s.kind, function=s.function, name=s.name,
                           line=s.line, column=s.column, type=fact.type, confidence=STATIC_CONFIDENCE,
                           source="static", full_type=fact.full_type, evidence=fact.evidence,
                           byte_column=s.column, slice=s)
            out.append(Item(p, anchor_for(tree, index, s.language, s.kind, s.line, s.column), declared=s.declared_type))
        return out


#: what inference writes on a node (and the linker on a call): saved and put back around a document's rounds
_INFERENCE_PROPS = (Prop.TYPE_FULL_NAME, Prop.TYPE_SOURCE, Prop.CONFIDENCE, Prop.POSSIBLE_TYPES, Prop.METHOD_FULL_NAME)


@contextmanager
def types_restored(cpg: CodePropertyGraph, relpath: str, methods: Iterable[NodeId] | None = None,
                   others: Iterable[NodeId] = ()) -> Iterator[None]:
    """Run inference rounds on one file of the shared graph, then put its nodes' types and its
    calls' links back as they were: inferred types live in the document's result, not the graph.
    With `methods`, only their nodes, the `others` and the methods' classes' members are
    touched (`FunctionsAgain`): only those are saved, and only the methods' calls re-linked."""
    calls = None
    if methods is None:
        nodes = cpg.file_nodes(relpath) if relpath in cpg.files else []
    else:
        inside = [n for m in methods for n in (m, *cpg.ast_descendants(m))]
        calls = [n for n in inside if cpg.kind(n) == NodeKind.CALL]
        members = [c for m in methods if (cls := cpg.enclosing(m, (NodeKind.TYPE_DECL,))) is not None
                   for c in cpg.ast_children(cls) if cpg.kind(c) == NodeKind.MEMBER]
        nodes = list(dict.fromkeys([*inside, *others, *members]))
    saved = []
    for n in nodes:
        props = cpg.props(n)
        saved.append((n, {p: props[p] for p in _INFERENCE_PROPS if p in props}))
    try:
        yield
    finally:
        for n, values in saved:
            if n in cpg.g:
                props = cpg.props(n)
                for p in _INFERENCE_PROPS:
                    props.pop(p, None)
                props.update(values)
        if nodes:
            relink(cpg, files=[relpath], nodes=calls)


def _mark_writable(snap: Snapshot, items: list[Item], threshold: float, whole_file_checks: bool = True,
                   tree: Any = None) -> str | None:
    """Mark the items whose annotation the source writer cannot place (no hint is shown for those);
    returns why the writer refuses the whole file, if it does (not looked at without
    `whole_file_checks`: see `annotate_source`)."""
    wanted = _wanted(items, threshold)
    if not wanted or snap.grammar in writer_syntax(snap.language).stub_only_grammars:
        return None  # JavaScript: annotations go to stubs only; its hints inform, without an edit
    data, annotations = snap.text.encode("utf-8"), [i.annotation for i in wanted]
    edit = annotate_source(data, snap.relpath, snap.language, annotations, whole_file_checks=whole_file_checks,
                           tree=tree)
    refused = edit.refused
    if refused:  # still, no hint where no annotation could go once the file is accepted
        edit = annotate_source(data, snap.relpath, snap.language, annotations, whole_file_checks=False, tree=tree)
    placed = {id(a.annotation) for a in edit.applied}
    skipped = {id(s.annotation) for s in edit.skipped}
    for item in wanted:
        if id(item.annotation) in skipped and id(item.annotation) not in placed:
            item.writable = False
    return refused


def _wanted(items: list[Item], threshold: float) -> list[Item]:
    """The items whose annotation `annotate` would write."""
    return [i for i in items if i.annotation is not None and i.prediction.confidence >= threshold]


def _items(snap: Snapshot, result: InferenceResult, parsed: ParsedText,
           index: LineIndex) -> tuple[list[Item], list[NodeId | None]]:
    """The document's items from an inference, and each one's slot node (the prediction keeps
    it: the next edit inside one function reads the others' types back through it)."""
    items, nodes = [], []
    for p in result.predictions:
        if p.file != snap.relpath:
            continue
        items.append(Item(p, anchor_for(parsed.tree, index, p.language, p.kind, p.line, p.byte_column),
                          annotation=to_annotation(p, result.universe) if p.type else None))
        nodes.append(p.node)
    return items, nodes


def _rounds(result: InferenceResult, nodes: list[NodeId | None]) -> list[int]:
    return [result.settled_in.get(n, -1) if n is not None else -1 for n in nodes]


def _moved(item: Item, lines: int) -> Item:
    """`item` of an unchanged line after an edit that added `lines` lines above it (its columns
    stay, in any position encoding)."""
    anchor, annotation = item.anchor, item.annotation
    insert = (anchor.insert[0] + lines, anchor.insert[1]) if anchor.insert is not None else None
    return _shifted(item, prediction=_shifted(item.prediction, line=item.prediction.line + lines),
                    annotation=_shifted(annotation, line=annotation.line + lines) if annotation is not None else None,
                    anchor=_shifted(anchor, line=anchor.line + lines, insert=insert))


def _shifted(value: Any, **changes: Any) -> Any:
    """A shallow copy of a dataclass instance (frozen or not) with `changes`: thousands of items
    move on every edit, and `replace`/`copy` cost several times this (the values were valid, a
    line number moved)."""
    moved = object.__new__(type(value))
    moved.__dict__.update(value.__dict__, **changes)
    return moved


def _function_parses(language: str, data: bytes, start: int, end: int) -> bool:
    """Whether the language's own parser accepts the function at `start`..`end` of `data` lifted
    out of its file (False when it cannot be lifted, or the language has no such parser)."""
    parser_problem = writer_syntax(language).parser_problem
    line_start = data.rfind(b"\n", 0, start) + 1
    indent = data[line_start:start]
    if parser_problem is None or language != "python" or indent.strip():
        return False
    # Python: an indented def (a method) needs a block around it; any indentation opens one
    return parser_problem((b"if 1:\n" if indent else b"") + data[line_start:end]) is None


def _class_of(p: Prediction) -> str:
    """The class an attribute slot belongs to (its slice says; "" when it has none)."""
    return p.slice.class_name if p.slice is not None else ""


#: a declared type that accepts the inferred one is no disagreement (PEP 484's numeric tower)
_PROMOTIONS = {("float", "int"), ("complex", "int"), ("complex", "float"), ("number", "bigint")}


def _compatible(written: str, inferred: str, language: str) -> bool:
    if written == inferred or inferred in ("Any", "any", "unknown", "object", "None", "undefined", "null"):
        return True
    members = set(split_union(written, language) or [written])
    if inferred in members or written in ("Any", "any", "unknown", "object"):
        return True
    return any((m, inferred) in _PROMOTIONS for m in members) or \
        all(m in members for m in (split_union(inferred, language) or [inferred]))
