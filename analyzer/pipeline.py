"""The inference pipeline behind `typeinfer annotate`, the language server and `typeinfer.load`.

Reads top to bottom: graph -> slices -> static facts -> model for the rest, conditioned on
partial static evidence (`evidence`) -> consistency filter -> the inferred-type table
(`inferred_types.InferredTypes`) -> write back into the graph and re-link calls (the one
write-back pass, `typeinfer.cpg.passes.type_writeback`).  Each stage is its own module; this one
only sequences them, runs the rounds and holds the result.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field, replace
from itertools import accumulate
from pathlib import Path
from typing import Any, Collection, Iterable, Mapping, Sequence

from typeinfer.cpg.graph import CodePropertyGraph, NodeId
from typeinfer.cpg.passes.type_writeback import Resolution, relink, relink_written, write_types
from typeinfer.cpg.project import BuildOptions, build_project, default_cache_dir
from typeinfer.cpg.schema import NodeKind, Op, Prop
from typeinfer.cpg.source import DEFAULT_MAX_BYTES
from typeinfer.typemodel.prediction_cache import CachingPredictor, PredictionCache, RankingStore, model_key

from . import result_cache
from .canonical_types import outer_type, referenced_names, split_union
from .consistency import ConsistencyFilter
from .environment import environment_fingerprint, node_modules_dirs, site_packages
from .evidence import Evidence, collect_evidence, condition
from .graph_structure import GraphStructure
from .inferred_types import Alternative, InferredTypes, Prediction, graph_types
from .languages import adapter_for
from .name_pool import NameKey, Ranking, name_key, pool_same_name
from .slice_schema import ProgramSlices, UsageSlice
from .slices import extract_slices, object_keys
from .slots import KINDS
from .static_facts import SlotIndex, StaticFact, StaticTyper, infer_static
from .ts_declarations import Declarations, declarations_for
from .typeshed_facts import Typeshed, typeshed_for
from .use_requirements import UseRequirements
from .type_universe import TypeUniverse, build_type_universe

#: Confidence of a static fact: the share of static claims that were right on held-out typed
#: packages (bench/RESULTS.md, "Static facts"): they are deterministic, not infallible.
STATIC_CONFIDENCE = 0.98
#: Inference rounds of `typeinfer annotate` (see `infer_graph`); 3 reached a fixed point on the
#: held-out packages of the end-to-end tests.
ANNOTATE_ROUNDS = 3
#: Threshold when no model is used (static facts only).
NO_MODEL_THRESHOLD = 0.5
#: Rankings one run keeps in memory (a few hundred bytes each)
RUN_CACHE_CAPACITY = 500_000


@dataclass
class InferenceOptions:
    """What to infer and how."""

    use_model: bool = True
    model_dir: Path | None = None  #: default: the shipped model
    min_confidence: float | None = None  #: None: the model's calibrated default threshold
    kinds: tuple[str, ...] = KINDS
    languages: tuple[str, ...] = ("python", "typescript")
    jobs: int = 0
    use_cache: bool = True
    max_bytes: int = DEFAULT_MAX_BYTES  #: larger files are skipped with a message
    skip_minified: bool = True  #: minified JavaScript bundles are skipped with a message
    progress: Any = None  #: called with (done, total) while files are built
    #: the project's Python interpreter or environment folder, for library types; None: found
    #: in the project (``.venv``, ...) or ``VIRTUAL_ENV`` (`environment.site_packages`)
    python: Path | None = None
    #: where the environment and node_modules are looked for (in it and its parents); None: the
    #: analysed tree (`typeinfer eval` infers a stripped copy kept elsewhere: the original's)
    environment_root: Path | None = None
    rounds: int = 1  #: inference rounds, confident types of one feeding the next (annotate: 3)


@dataclass(frozen=True)
class LibrarySources:
    """Where one inference reads library types from (`library_sources`), and a fingerprint of
    what is installed in each: part of a remembered result's key, and of the shared typeshed
    and declarations instances (a long-running server sees a `pip install` / `npm install`)."""

    site_packages: tuple[Path, ...] = ()
    site_packages_key: str = ""
    node_modules: tuple[Path, ...] = ()
    node_modules_key: str = ""


@dataclass(frozen=True)
class FunctionsAgain:
    """Part of a file to infer again, the rest's types known (the language server after an edit
    inside one function): the slots of `methods` (nested ones listed too) and the attributes of
    `classes`.  `known` are the rest's rows from an earlier inference, each with the round that
    settled it (`InferenceResult.settled_in`; -1: never confident): a known type is written into
    the graph and read as settled from the round after that one on, as in the whole run, so the
    slots inferred again see what they saw there."""

    methods: frozenset[NodeId]
    classes: frozenset[NodeId] = frozenset()
    known: tuple[tuple[Prediction, int], ...] = ()
    #: per round, an earlier inference's model rankings by slot node (`InferenceResult.model_rankings`):
    #: same-name pooling mixes the slots inferred again with those of the rest, as the whole run did
    rankings: Mapping[int, Mapping[NodeId, tuple[NameKey, Ranking]]] = field(default_factory=dict)


@dataclass
class InferenceResult:
    """Everything the outputs need."""

    cpg: CodePropertyGraph
    program: ProgramSlices
    universe: TypeUniverse
    types: InferredTypes  #: every slot's inference, the one table all outputs read
    stats: dict[str, int] = field(default_factory=dict)
    options: InferenceOptions = field(default_factory=lambda: InferenceOptions())  #: how it was inferred
    predictor: Any = field(default=None, repr=False)  #: the loaded model, for re-running
    libraries: LibrarySources = field(default_factory=LibrarySources)  #: the library types it read, for re-running
    #: the round (0-based) in which each confident slot's type was settled, for `FunctionsAgain`
    settled_in: dict[NodeId, int] = field(default_factory=dict)
    #: per round, the model's ranking of each slot it ranked (before pooling), by slot node, with
    #: the slot's name: the namesakes a later `FunctionsAgain` pools with
    model_rankings: dict[int, dict[NodeId, tuple[NameKey, Ranking]]] = field(default_factory=dict)
    #: `result_cache`'s key of this outcome (`infer_project` with caches on), for what is derived from it
    cache_key: str | None = None
    #: the resolution before this run of each call its re-links linked again (`relink_written`);
    #: None where it re-linked given files or methods whole
    relinked_from: dict[NodeId, Resolution] | None = None

    @property
    def threshold(self) -> float:
        return self.types.threshold

    @property
    def predictions(self) -> list[Prediction]:
        """The table's rows, sorted by file, line, column and kind."""
        return list(self.types)


def infer_project(path: str | Path, options: InferenceOptions | None = None,
                  cpg: CodePropertyGraph | None = None) -> InferenceResult:
    """Build the graph of `path` (unless the caller built it: `cpg`, with the same options) and
    infer types for its unannotated slots; with ``options.use_cache``, a tree inferred before
    with the same code, model and options gets the remembered result (`result_cache`) written
    back into its fresh graph instead."""
    options = options or InferenceOptions()
    if cpg is None:
        cpg = build_project(path, BuildOptions(jobs=options.jobs, use_cache=options.use_cache,
                                               max_bytes=options.max_bytes, skip_minified=options.skip_minified,
                                               progress=options.progress))
    if not options.use_cache:
        return infer_graph(cpg, options)
    predictor = load_predictor(options)
    model = model_key(predictor.model_dir) if predictor is not None else None
    files = [(rel, f.content_hash, f.error or "") for rel, f in cpg.files.items()]
    libraries = library_sources(cpg, options)
    key = result_cache.result_key(files, _inference_inputs(options, libraries), model)
    cache_dir = default_cache_dir()
    cached = result_cache.load(cache_dir, key)
    if cached is not None:
        table = InferredTypes(threshold_for(options, predictor), cached.predictions)
        relinked_from = relink_written(cpg, write_types(cpg, graph_types(table, table.threshold)))
        return InferenceResult(cpg, cached.program, cached.universe, table, dict(cached.stats), options, predictor,
                               libraries, cache_key=key, relinked_from=relinked_from)
    result = infer_graph(cpg, options, predictor=predictor, libraries=libraries)
    remembered = result_cache.CachedResult(result.predictions, result.stats, result.program, result.universe)
    result_cache.save(cache_dir, key, remembered)
    result.cache_key = key
    return result


def _inference_inputs(options: InferenceOptions, libraries: LibrarySources) -> dict[str, Any]:
    """What changes what `infer_graph` infers besides the files (not how fast: jobs, progress,
    caches): the options, and the packages of the project's environment."""
    return {"use_model": options.use_model, "min_confidence": options.min_confidence, "kinds": options.kinds,
            "languages": options.languages, "rounds": options.rounds, "max_bytes": options.max_bytes,
            "skip_minified": options.skip_minified,
            "environment": libraries.site_packages_key, "node_modules": libraries.node_modules_key}


def library_sources(cpg: CodePropertyGraph, options: InferenceOptions) -> LibrarySources:
    """The site-packages and node_modules folders that type the project's library calls, each
    with a fingerprint of what is installed there (`environment.environment_fingerprint`)."""
    libraries, node_modules = _library_paths(cpg, options), _node_modules(cpg, options)
    return LibrarySources(libraries, environment_fingerprint(libraries),
                          node_modules, environment_fingerprint(node_modules))


def _environment_root(cpg: CodePropertyGraph, options: InferenceOptions) -> Path | None:
    return options.environment_root or (Path(cpg.root) if cpg.root else None)


def _node_modules(cpg: CodePropertyGraph, options: InferenceOptions) -> tuple[Path, ...]:
    """The node_modules folders whose declarations type the project's TypeScript library calls."""
    return node_modules_dirs(_environment_root(cpg, options)) if "typescript" in options.languages else ()


def _library_paths(cpg: CodePropertyGraph, options: InferenceOptions) -> tuple[Path, ...]:
    """The site-packages folders whose packages type the project's library calls."""
    return site_packages(_environment_root(cpg, options), options.python) if "python" in options.languages else ()


def load_predictor(options: InferenceOptions) -> Any:
    """The model `options` asks for (None for static facts only), loaded when a slot first needs
    it, its rankings remembered on disk by slice content unless ``options.use_cache`` is off;
    raises `ModelError` now when a file is missing or corrupt."""
    if not options.use_model:
        return None
    from typeinfer.typemodel.lazy_predictor import LazyPredictor

    model = LazyPredictor(options.model_dir)
    store = None
    if options.use_cache:
        store = RankingStore.for_model(model.model_dir)
    return CachingPredictor(model, PredictionCache(RUN_CACHE_CAPACITY, store))


def threshold_for(options: InferenceOptions, predictor: Any) -> float:
    """The confidence threshold: the user's, else the model's calibrated one."""
    if options.min_confidence is not None:
        return options.min_confidence
    return float(getattr(predictor, "threshold", NO_MODEL_THRESHOLD)) if options.use_model else NO_MODEL_THRESHOLD


def infer_graph(cpg: CodePropertyGraph, options: InferenceOptions | None = None,
                files: Iterable[str] | None = None, predictor: Any = None, write: bool = True,
                demand: Collection[NodeId] | None = None, libraries: LibrarySources | None = None,
                again: FunctionsAgain | None = None, keep_rankings: bool = False) -> InferenceResult:
    """Infer types for the unannotated slots of a built graph (or of `files` in it); unless
    `write` is False, write them back into the graph and re-link calls (`type_writeback`).

    This is the one round loop.  With ``options.rounds > 1`` the confident types of one round
    are settled: the next round reads them as declared (as they will be once written into the
    source) and infers the remaining slots again in that context, until a round adds nothing.
    That is what makes `annotate` idempotent: a second run starts from the context of the last
    round and finds nothing new.  Rounds pass the table and the set of settled nodes; the graph
    only ever carries the written-back types with their real source.

    With `demand` (slot nodes: a METHOD_PARAMETER_IN, LOCAL, MEMBER or METHOD_RETURN), only those
    slots are inferred, from the slices of their files: what a scan needs, not everything.
    `libraries`: where library types come from (`library_sources`), when the caller has found
    them already for the same tree; else they are looked for now.

    With `again`, only its methods' slots and its classes' attributes are inferred, in the
    context of its known types, and only those methods' calls are re-linked.  `keep_rankings`:
    the result keeps each round's model rankings (`InferenceResult.model_rankings`; with `again`,
    its rankings of the rest too) for a later `FunctionsAgain`.
    """
    options = options or InferenceOptions()
    file_list = None if files is None else list(files)
    if options.use_model and predictor is None:
        predictor = load_predictor(options)
    elif predictor is not None and not isinstance(predictor, CachingPredictor):
        # a later round re-reads most slices unchanged: each is predicted once per run
        predictor = CachingPredictor(predictor, PredictionCache(RUN_CACHE_CAPACITY))
    table = InferredTypes(threshold_for(options, predictor))
    settled: set[NodeId] = set()  #: nodes whose confident type an earlier round settled
    stats = {"slots": 0, "static": 0, "model": 0, "none": 0, "rejected_by_consistency": 0, "rounds": 0}
    rounds = max(1, options.rounds) if write else 1
    program = universe = None
    slice_files, methods = file_list, None
    if demand is not None:
        wanted = {n[0] for n in demand}
        slice_files = sorted(wanted if file_list is None else wanted & set(file_list))
        methods = {m for n in demand if (m := cpg.enclosing(n, (NodeKind.METHOD,))) is not None}
    classes = relinked = None
    settled_in: dict[NodeId, int] = {}
    unlinked: set[NodeId] = set()  #: nodes retyped since the last re-link
    relinked_from: dict[NodeId, Resolution] | None = {}
    model_rankings: dict[int, dict[NodeId, tuple[NameKey, Ranking]]] = {}
    rest_rankings: dict[int, dict[NodeId, tuple[NameKey, Ranking]]] = {}  #: `again`'s, of the slots not inferred again
    if again is not None:
        methods, classes = again.methods, again.classes
        relinked = [n for m in methods for n in cpg.ast_descendants(m) if cpg.kind(n) == NodeKind.CALL]
    last_known = max((r for _, r in again.known), default=-1) if again is not None else -1
    index = SlotIndex(cpg)  # structure only: write-back and re-linking leave it valid for every round
    libraries = libraries or library_sources(cpg, options)  # looked at again unless given: installs are seen
    typeshed = typeshed_for(libraries.site_packages, libraries.site_packages_key)
    declarations = declarations_for(libraries.node_modules, libraries.node_modules_key)
    universe = build_type_universe(cpg)  # declarations only: the rounds' types leave it as it is
    structure = GraphStructure(cpg)
    for round_number in range(rounds):
        if again is not None and round_number:
            arrived = [p for p, r in again.known if r == round_number - 1 and p.node is not None]
            if arrived:
                write_types(cpg, graph_types(arrived, table.threshold))
                settled.update(p.node for p in arrived)
                relink(cpg, files=file_list, nodes=relinked)
                relinked_from = None
        program = extract_slices(cpg, slice_files, universe=universe, settled=settled, methods=methods,
                                 classes=classes, structure=structure)
        targets = [s for s in program.slices
                   if s.declared_type is None and s.kind in options.kinds and s.language in options.languages
                   and (demand is None or _write_target(cpg, index.slot(s), s) in demand)]
        outside = None
        if again is not None:
            if round_number == 0:  # every slot inferred again, in any round, is sliced in the first
                again_slots = {_write_target(cpg, index.slot(s), s) for s in program.slices}
                rest_rankings = {r: {n: v for n, v in ranked.items() if n not in again_slots and n in cpg.g}
                                 for r, ranked in again.rankings.items()}
            outside = _by_name(rest_rankings.get(round_number, {}))
        predictions, raw = _infer_round(cpg, targets, universe, predictor if options.use_model else None, stats,
                                        settled, index, typeshed, declarations, structure, outside)
        if keep_rankings:
            model_rankings[round_number] = {p.node: (name_key(t), r) for t, p, r in zip(targets, predictions, raw)
                                            if r and p.node is not None}
        table.update(predictions)
        stats["rounds"] = round_number + 1
        if not write:
            break
        unlinked.update(write_types(cpg, graph_types(predictions, table.threshold)))
        confident = [p for p in predictions if p.node is not None and table.is_confident(p) and p.node not in settled]
        settled_in.update((p.node, round_number) for p in confident)
        if not confident and last_known < round_number or round_number == rounds - 1:
            break
        settled.update(p.node for p in confident)
        relinked_from = _relink(cpg, unlinked, file_list, relinked, relinked_from)
    if keep_rankings and rest_rankings:
        model_rankings = {r: {**rest_rankings.get(r, {}), **model_rankings.get(r, {})}
                          for r in {*rest_rankings, *model_rankings}}
    if write:
        # only the analysed files (or methods) got new types: re-link their calls (the language
        # server's per-edit path); a whole-project run re-links what the written types can change
        relinked_from = _relink(cpg, unlinked, file_list, relinked, relinked_from)
    stats["slots"] = len(table)
    by_source = Counter(p.source for p in table)
    for source in ("static", "model", "none"):
        stats[source] = by_source[source]
    assert program is not None and universe is not None
    return InferenceResult(cpg, program, universe, table, stats, options, predictor, libraries, settled_in,
                           model_rankings, relinked_from=relinked_from)


def _relink(cpg: CodePropertyGraph, written: set[NodeId], files: list[str] | None, nodes: list[NodeId] | None,
            relinked_from: dict[NodeId, Resolution] | None) -> dict[NodeId, Resolution] | None:
    """Re-link after a round's write: the calls of `files` (or `nodes`) when given, else those
    the `written` nodes' types can change (emptied); returns `relinked_from` with the calls
    linked again added (`InferenceResult.relinked_from`)."""
    if files is None and nodes is None:
        prior = relink_written(cpg, written)
        if relinked_from is not None:
            relinked_from = {**prior, **relinked_from}  # the earliest resolution wins
    else:
        relink(cpg, files=files, nodes=nodes)
        relinked_from = None
    written.clear()
    return relinked_from


def _by_name(ranked: Mapping[NodeId, tuple[NameKey, Ranking]]) -> dict[NameKey, list[Ranking]]:
    """Rankings by slot node grouped by the slots' names (`name_pool`'s `outside`)."""
    out: dict[NameKey, list[Ranking]] = {}
    for key, ranking in ranked.values():
        out.setdefault(key, []).append(ranking)
    return out


def _infer_round(cpg: CodePropertyGraph, targets: list[UsageSlice], universe: TypeUniverse, predictor: Any,
                 stats: dict[str, int], settled: set[NodeId], index: SlotIndex, typeshed: Typeshed,
                 declarations: Declarations, structure: GraphStructure | None = None,
                 outside: Mapping[NameKey, Sequence[Ranking]] | None = None) -> tuple[list[Prediction], list[Ranking]]:
    """Static facts, then the model for the rest (conditioned on partial evidence), then the
    consistency filter, for one round; `settled` nodes read as declared.  Returns the predictions
    and each target's model ranking before pooling (empty where the model was not asked)."""
    typer = StaticTyper(cpg, settled=settled, typeshed=typeshed, declarations=declarations, structure=structure)
    facts = infer_static(cpg, targets, typer=typer, index=index)
    evidence = collect_evidence(cpg, targets, facts, typer, index) if predictor is not None else [None] * len(targets)
    ranked, raw = _model_rankings(targets, facts, evidence, universe, predictor, outside)
    checker = ConsistencyFilter(universe, typeshed)
    uses = UseRequirements(typer)
    line_cache: dict[str, list[Any]] = {}
    predictions: list[Prediction] = []
    for item, fact, ranking in zip(targets, facts, ranked):
        node = index.slot(item)
        skip = typer.not_annotatable(node) if node is not None and item.kind in ("variable", "attribute") else None
        prediction = _prediction(item, fact, ranking, checker, universe, stats, skip)
        why = _contradiction(typer, checker, uses, node, item, prediction)
        if why and prediction.source == "model":
            prediction, why = _next_uncontradicted(typer, checker, uses, node, item, prediction, universe, why)
        if why:
            prediction = _not_annotated(item, why, stats)
        prediction.column = _char_column(cpg, item.file, item.line, item.column, line_cache)
        prediction.byte_column = item.column
        prediction.node = _write_target(cpg, node, item)
        predictions.append(prediction)
    return predictions, raw


def _contradiction(typer: StaticTyper, checker: ConsistencyFilter, uses: UseRequirements, node: NodeId | None,
                   item: UsageSlice, prediction: Prediction) -> str:
    """Why the code around the slot would reject `prediction`'s type, else "": a value it takes
    of another type (`StaticTyper.rejected_value`), a use that refuses it (`UseRequirements.rejected`:
    ``for w in colwidths`` is no ``int``), or, for a model's return type: without None
    where a path returns None (`StaticTyper.may_return_none`), or without a member the callers
    read on the result (`StaticTyper.members_read_on_results`)."""
    if node is None or not prediction.type or item.kind == "attribute":
        return ""
    cpg = typer.cpg
    slot = node if item.kind != "return" or cpg.kind(node) == NodeKind.METHOD else cpg.ast_parent(node)
    if slot is None:
        return ""
    why = typer.rejected_value(slot, prediction.type)
    if why:
        return why
    why = uses.rejected(slot, prediction.type) or _unknown_key(typer, checker, slot, prediction.type, item.language)
    if why:
        return why
    if item.kind == "return" and prediction.source == "model":
        if "None" not in split_union(prediction.type, item.language):
            why = typer.may_return_none(slot)
            if why:
                return f"may return None ({why})"
        members = [checker.members(outer_type(m, item.language), item.language)
                   for m in split_union(prediction.type, item.language) if m not in ("None", "null", "undefined")]
        if members and all(known is not None for known in members):
            missing = sorted(typer.members_read_on_results(slot) - set().union(*members))  # type: ignore[arg-type]
            if missing:
                return f"callers read .{missing[0]} on its result"
    return ""


def _unknown_key(typer: StaticTyper, checker: ConsistencyFilter, param: NodeId, type_text: str, language: str) -> str:
    """A TypeScript parameter's call site passing an object literal with a property that no
    member of `type_text` has (the checker's excess property error), as "what: key"; else ""."""
    cpg = typer.cpg
    if language != "typescript" or cpg.kind(param) != NodeKind.METHOD_PARAMETER_IN:
        return ""
    known: set[str] = set()
    for member in split_union(type_text, language):
        if member in ("null", "undefined"):
            continue
        members = checker.members(outer_type(member, language), language)
        if members is None:
            return ""
        known |= members
    for arg in typer.call_arguments(param):
        if cpg.get(arg, Prop.NAME) == Op.OBJECT_LITERAL:
            keys, _spread = object_keys(cpg, arg)
            unknown = [k for k in keys if k not in known]
            if unknown:
                return f"called with an object literal with {unknown[0]!r}, which {type_text} has no property for"
    return ""


def _next_uncontradicted(typer: StaticTyper, checker: ConsistencyFilter, uses: UseRequirements, node: NodeId | None,
                         item: UsageSlice, prediction: Prediction, universe: TypeUniverse,
                         why: str) -> tuple[Prediction, str]:
    """The model's next-ranked alternative that the code around the slot does not contradict,
    with its own probability; else the prediction and `why` it was contradicted."""
    for alternative in prediction.alternatives:
        candidate = replace(prediction, type=alternative.type, confidence=alternative.confidence,
                            full_type=qualify(alternative.type, item, universe),
                            alternatives=[a for a in prediction.alternatives if a is not alternative])
        if not _contradiction(typer, checker, uses, node, item, candidate):
            return candidate, ""
    return prediction, why


def _model_rankings(targets: list[UsageSlice], facts: list[StaticFact | None], evidence: list[Evidence | None],
                    universe: TypeUniverse, predictor: Any,
                    outside: Mapping[NameKey, Sequence[Ranking]] | None = None) -> tuple[list[Ranking], list[Ranking]]:
    """Each target's ranking (pooled with its namesakes', conditioned on its evidence), and the
    model's own before pooling; empty where a static fact settles the slot or there is no model."""
    out: list[Ranking] = [[] for _ in targets]
    raw: list[Ranking] = [[] for _ in targets]
    if predictor is None:
        return out, raw
    todo = [i for i, f in enumerate(facts) if f is None]
    if not todo:
        return out, raw
    slices = [targets[i] for i in todo]
    candidates = [universe.candidates()] * len(slices)  # one object: one cached candidate set
    predicted = predictor.predict(slices, candidates, top_k=8)
    for i, own, ranking in zip(todo, predicted, pool_same_name(slices, predicted, outside=outside)):
        raw[i] = own
        out[i] = condition(ranking, evidence[i], targets[i].language, universe)
    return out, raw


def _prediction(item: UsageSlice, fact: StaticFact | None, ranking: list[tuple[str, float]],
                checker: ConsistencyFilter, universe: TypeUniverse, stats: dict[str, int],
                skip: tuple[str, str] | None = None) -> Prediction:
    """The slot's prediction: its static fact, else the model's best consistent candidate.

    `skip` (`StaticTyper.not_annotatable`) leaves a slot whose annotation would be wrong or
    would weaken the checker's own inference without a type (source "none", the reason as
    evidence): ``("any", why)`` always, ``("model", why)`` unless a static fact types it,
    ``("same:T", why)`` when the type would be T, which the checker infers anyway."""
    if skip is not None:
        scope, why = skip
        if scope == "any" or (scope == "model" and fact is None):
            return _not_annotated(item, why, stats)
    prediction = _ranked_prediction(item, fact, ranking, checker, universe, stats, _slot_fields(item))
    if skip is not None and skip[0].startswith("same:") and prediction.type == skip[0][5:]:
        return _not_annotated(item, skip[1], stats)
    return prediction


def _slot_fields(item: UsageSlice) -> dict[str, Any]:
    """The fields of a `Prediction` that name its slot."""
    return dict(file=item.file, language=item.language, kind=item.kind, function=item.function,
                name=item.name, line=item.line, column=item.column, slice=item)


def _not_annotated(item: UsageSlice, why: str, stats: dict[str, int]) -> Prediction:
    """The slot's row when it gets no annotation, `why` as its evidence (counted in `stats`)."""
    stats["not_annotatable"] = stats.get("not_annotatable", 0) + 1
    return Prediction(type="", confidence=0.0, source="none", evidence=f"not annotated: {why}", **_slot_fields(item))


def _ranked_prediction(item: UsageSlice, fact: StaticFact | None, ranking: list[tuple[str, float]],
                       checker: ConsistencyFilter, universe: TypeUniverse, stats: dict[str, int],
                       base: dict[str, Any]) -> Prediction:
    if fact is not None:
        return Prediction(type=fact.type, confidence=STATIC_CONFIDENCE, source="static",
                          full_type=fact.full_type or fact.type, evidence=fact.evidence, **base)
    consistent = []
    for type_text, probability in ranking:
        if checker.check(type_text, item).ok:
            consistent.append((type_text, probability))
        else:
            stats["rejected_by_consistency"] += 1
    if not consistent:
        return Prediction(type="", confidence=0.0, source="none", **base)
    (best, p), rest = consistent[0], consistent[1:5]
    return Prediction(type=best, confidence=p, source="model",
                      alternatives=[Alternative(t, q) for t, q in rest],
                      full_type=qualify(best, item, universe), evidence="model", **base)


def qualify(type_text: str, item: UsageSlice, universe: TypeUniverse) -> str:
    """The qualified form of a canonical type's outer name, for imports and TYPE_FULL_NAME.

    A project class becomes ``pkg.models.User`` (TypeScript: ``src/models.ts:User``); a name the
    file imports becomes the imported entity (dotted); anything else stays as it is.
    """
    names = referenced_names(type_text, item.language)
    if not names:
        return type_text
    head = names[0]
    adapter = adapter_for(item.language)
    found = universe.by_short_name(head)
    if len(found) == 1:
        return adapter.dotted_name(found[0].full_name)
    entity = universe.imports.get(item.file, {}).get(head)
    if entity:
        return adapter.entity_dotted(entity)
    return type_text


def _write_target(cpg: CodePropertyGraph, node: NodeId | None, item: UsageSlice) -> NodeId | None:
    """The node whose TYPE_FULL_NAME holds the slot's type (METHOD_RETURN for returns)."""
    if node is None:
        return None
    if item.kind == "return" and cpg.kind(node) == NodeKind.METHOD:
        return next((c for c in cpg.ast_children(node) if cpg.kind(c) == NodeKind.METHOD_RETURN), None)
    return node


def _char_column(cpg: CodePropertyGraph, file: str, line: int, byte_column: int,
                 cache: dict[str, list[Any]]) -> int:
    """Byte column -> character column, from the file's text (ASCII lines are the same).

    `cache` holds each file's lines; once seen, an ASCII line is replaced by None and a long
    non-ASCII one by the byte offsets of its characters: a minified bundle has thousands of slots
    on one line, and decoding its prefix for each would be quadratic."""
    lines = cache.get(file)
    if lines is None:
        root = Path(cpg.root)
        path = root if root.is_file() else root / file
        try:
            lines = path.read_bytes().split(b"\n")
        except OSError:
            lines = []
        cache[file] = lines
    if 0 < line <= len(lines):
        text = lines[line - 1]
        if text is None:
            return byte_column
        if isinstance(text, list):
            return bisect_left(text, byte_column)
        if text.isascii():
            lines[line - 1] = None
            return byte_column
        if len(text) > _LONG_LINE:
            starts = list(accumulate((len(c.encode("utf-8", errors="surrogateescape"))
                                      for c in text.decode("utf-8", errors="surrogateescape")), initial=0))[:-1]
            lines[line - 1] = starts
            return bisect_left(starts, byte_column)
        return len(text[:byte_column].decode("utf-8", errors="replace"))
    return byte_column


_LONG_LINE = 4096  #: bytes; a longer non-ASCII line gets a character-offset table
