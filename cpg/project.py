"""Whole-project builds: discover files, build each in parallel (cached by content), merge, link.

The pipeline for one file (`build_file`): read -> parse -> front end -> CFG -> reaching
definitions.  Files are independent, so they are built in worker processes and cached on disk
by content hash; the project passes (`passes.run_project_passes`: call resolution,
inheritance, type edges) run after the merge.  `update_file` rebuilds one file in place, for the
language server.
"""

from __future__ import annotations

import gc
import hashlib
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .file_graph import FileGraph
from .graph import CodePropertyGraph
from .cache_files import load_pickle, save_pickle, source_fingerprint
from .source import DEFAULT_MAX_BYTES, SourceError, SourceFile, grammar_for_path, read_source

#: Directory names never descended into.
EXCLUDED_DIRS = frozenset({
    ".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".nox",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", "site-packages", ".typeinfer-cache",
})


class BuildError(Exception):
    """The build cannot start (missing path, nothing to analyse); the message is for the user."""


@dataclass
class BuildOptions:
    """Knobs of a project build (defaults suit the command line)."""

    jobs: int = 0  #: worker processes; 0 = one per core
    max_bytes: int = DEFAULT_MAX_BYTES  #: larger files are skipped with a message
    skip_minified: bool = True  #: minified JavaScript bundles are skipped with a message
    use_cache: bool = True  #: per-file and whole-project caches on disk
    cache_dir: Path | None = None  #: default: $TYPEINFER_CACHE or ~/.cache/typeinfer
    languages: tuple[str, ...] = ("python", "typescript")
    excluded_dirs: frozenset[str] = EXCLUDED_DIRS
    progress: Callable[[int, int], None] | None = None  #: called with (done, total)


@dataclass
class DiscoveredFiles:
    """What `discover` found: files to build and problems met on the way."""

    files: list[tuple[Path, str]] = field(default_factory=list)  #: (absolute path, relpath)
    problems: list[str] = field(default_factory=list)


def default_cache_dir() -> Path:
    """$TYPEINFER_CACHE, else ~/.cache/typeinfer."""
    env = os.environ.get("TYPEINFER_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "typeinfer"


#: this package's own source: graph caches die with any change of the builder
BUILDER_FINGERPRINT = source_fingerprint(Path(__file__).parent)[:16]


def discover(root: Path, options: BuildOptions | None = None) -> DiscoveredFiles:
    """Supported files under `root` (or `root` itself), sorted; symlink loops reported, not followed."""
    options = options or BuildOptions()
    found = DiscoveredFiles()
    if root.is_file():
        if grammar_for_path(root) is None:
            found.problems.append(f"{root.name}: unsupported file type")
        else:
            found.files.append((root, root.name))
        return found
    seen_dirs: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            st = directory.stat()
        except OSError as exc:
            found.problems.append(f"{_rel(directory, root)}: cannot read directory ({exc.strerror or exc})")
            continue
        if (st.st_dev, st.st_ino) in seen_dirs:
            found.problems.append(f"{_rel(directory, root)}: symlink loop, not followed")
            continue
        seen_dirs.add((st.st_dev, st.st_ino))
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            found.problems.append(f"{_rel(directory, root)}: cannot read directory ({exc.strerror or exc})")
            continue
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if entry.name not in options.excluded_dirs and not entry.name.startswith("."):
                    stack.append(path)
                continue
            lang = grammar_for_path(path)
            if lang is None or lang[0] not in options.languages:
                continue
            found.files.append((path, _rel(path, root)))  # unreadable ones are reported by read_source
    found.files.sort(key=lambda item: item[1])
    return found


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix() or path.name
    except ValueError:
        return path.as_posix()


def build_file(source: SourceFile) -> FileGraph:
    """Front end + per-file passes for one file; never raises (an internal error becomes `error`)."""
    from .frontends import build_ast
    from .passes import run_file_passes

    try:
        fg = build_ast(source)
        run_file_passes(fg)
        return fg
    except RecursionError:
        message = f"{source.relpath}: skipped, nesting too deep to analyse"
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop a project build
        message = f"{source.relpath}: internal error while building the graph ({type(exc).__name__}: {exc})"
    return FileGraph(path=source.relpath, language=source.language, content_hash=source.content_hash,
                     loc=source.data.count(b"\n"), error=message)


def _cache_path(cache_dir: Path, key: str) -> Path:
    return cache_dir / "graphs" / BUILDER_FINGERPRINT / key[:2] / f"{key}.pickle"


def _file_key(source: SourceFile) -> str:
    return hashlib.sha256(f"{source.relpath}\0{source.content_hash}".encode()).hexdigest()


def _build_task(args: tuple[Path, str, int, bool, str | None]) -> tuple[FileGraph, str | None]:
    """Worker: read, build (or load from cache) one file; returns (graph, warning)."""
    with _NoCycleCollection():
        return _build_one(args)


def _build_one(args: tuple[Path, str, int, bool, str | None]) -> tuple[FileGraph, str | None]:
    path, relpath, max_bytes, skip_minified, cache = args
    source = read_source(path, relpath, max_bytes, skip_minified)
    if isinstance(source, SourceError):
        lang = grammar_for_path(path)
        return FileGraph(path=relpath, language=lang[0] if lang else "", content_hash="", error=source.message), None
    cache_file = _cache_path(Path(cache), _file_key(source)) if cache else None
    if cache_file is not None:
        cached = load_pickle(cache_file)
        if isinstance(cached, FileGraph):
            return cached, source.warning
    fg = build_file(source)
    if cache_file is not None and fg.error is None:
        save_pickle(cache_file, fg)
    return fg, source.warning


def _project_key(files: list[tuple[Path, str]], hashes: list[str], options: BuildOptions) -> str:
    digest = hashlib.sha256(BUILDER_FINGERPRINT.encode())
    digest.update(f"skip_minified={options.skip_minified}\n".encode())
    for (_, rel), h in zip(files, hashes):
        digest.update(f"{rel}\0{h}\n".encode())
    return digest.hexdigest()


def _quick_hashes(files: list[tuple[Path, str]], max_bytes: int) -> list[str] | None:
    """Content hashes of all files (None when one cannot be read: then no whole-project cache)."""
    out = []
    for path, _ in files:
        try:
            if path.stat().st_size > max_bytes:
                out.append("too-large")
                continue
            out.append(hashlib.sha256(path.read_bytes()).hexdigest())
        except OSError:
            return None
    return out


class _NoCycleCollection:
    """Pause the cycle collector while a graph is built or loaded.

    A graph is hundreds of thousands of small dicts with no reference cycles worth collecting;
    with the collector on, its full passes over the growing heap took a third of build time and
    most of a cached load (bench/RESULTS.md).
    """

    def __enter__(self) -> None:
        self.was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self.was_enabled:
            gc.enable()


def build_project(root: str | os.PathLike[str], options: BuildOptions | None = None) -> CodePropertyGraph:
    """Build the graph of every supported file under `root` (a directory or one file)."""
    with _NoCycleCollection():
        return _build_project(root, options)


def _build_project(root: str | os.PathLike[str], options: BuildOptions | None) -> CodePropertyGraph:
    from .passes import run_project_passes

    options = options or BuildOptions()
    root_path = Path(root)
    if not root_path.exists():
        raise BuildError(f"{root}: no such file or directory")
    found = discover(root_path, options)
    if not found.files:
        raise BuildError(f"{root}: no Python or TypeScript files to analyse")
    cache_dir = (options.cache_dir or default_cache_dir()) if options.use_cache else None

    project_cache: Path | None = None
    if cache_dir is not None:
        hashes = _quick_hashes(found.files, options.max_bytes)
        if hashes is not None:
            project_cache = cache_dir / "projects" / f"{_project_key(found.files, hashes, options)}.pickle"
            cached = load_pickle(project_cache)
            if isinstance(cached, CodePropertyGraph):
                cached.root = str(root_path)
                cached.problems = list(found.problems)
                return cached

    cpg = CodePropertyGraph(str(root_path))
    cpg.problems = list(found.problems)
    tasks = [(path, rel, options.max_bytes, options.skip_minified, str(cache_dir) if cache_dir else None)
             for path, rel in found.files]
    for done, (fg, warning) in enumerate(_run_tasks(tasks, options.jobs), start=1):
        cpg.add_file(fg, warning)
        if options.progress is not None:
            options.progress(done, len(tasks))
    run_project_passes(cpg)
    if project_cache is not None:
        save_pickle(project_cache, cpg)
    return cpg


def _run_tasks(tasks: list[tuple[Path, str, int, bool, str | None]], jobs: int) -> Iterator[tuple[FileGraph, str | None]]:
    jobs = jobs or (os.cpu_count() or 1)
    if jobs <= 1 or len(tasks) < 4:
        yield from map(_build_task, tasks)
        return
    # biggest files first, so that one large file does not finish last on its own
    tasks = sorted(tasks, key=lambda t: -_size(t[0]))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=_mp_context()) as pool:
        yield from pool.map(_build_task, tasks, chunksize=max(1, min(16, len(tasks) // (jobs * 8) or 1)))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _mp_context():  # noqa: ANN202 - multiprocessing context types are private
    import multiprocessing

    # fork is fastest where it is safe (Linux, no threads yet); spawn elsewhere
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    return multiprocessing.get_context(method)


def build_source(source: SourceFile, cpg: CodePropertyGraph | None = None) -> CodePropertyGraph:
    """Build (or replace) one in-memory file in `cpg` (a new graph if None) and re-link.

    Replacing a file whose interface (`link_interface`) did not change re-links only that file and
    the files whose links pointed into its old nodes: nothing else can resolve differently.
    Otherwise the whole project is re-linked."""
    from .passes import run_project_passes

    cpg = cpg if cpg is not None else CodePropertyGraph("")
    relpath = source.relpath
    before = link_interface(cpg, relpath) if relpath in cpg.files else None
    dependents = _linked_into(cpg, relpath) if before is not None else set()
    called = _calls_into(cpg, relpath) if before is not None else set()
    cpg.add_file(build_file(source), source.warning)
    if before is not None and before == link_interface(cpg, relpath):
        run_project_passes(cpg, files=[relpath, *sorted(dependents - {relpath})])
        # the functions this file calls, before and after: calls on their parameters take the
        # types this file's calls pass them (`Linker._link_by_callers`)
        called = (called | _calls_into(cpg, relpath)) - dependents - {relpath}
        if called:
            run_project_passes(cpg, files=sorted(called))
    else:
        run_project_passes(cpg)
    return cpg


def link_interface(cpg: CodePropertyGraph, relpath: str) -> tuple:
    """What other files' linking can see of one file, positions left out: its language and error,
    its functions and classes (full name, kind, modifiers, declared bases) in source order, its
    imports (they resolve its classes' bases), and its module-level variables with their declared
    types and the text of the values the module assigns them (another file's ``from a import db;
    db.query()`` resolves through ``db = Database()``)."""
    from .schema import MODULE_METHOD_NAME, EdgeKind, NodeKind, Op, Prop

    info = cpg.files.get(relpath)
    out: list[tuple] = [(info.language, info.error) if info else None]
    attrs = cpg.g._node
    for n in cpg.file_nodes(relpath):
        props = attrs[n]
        kind = props[Prop.KIND]
        if kind in (NodeKind.METHOD, NodeKind.TYPE_DECL):
            out.append((kind, props.get(Prop.FULL_NAME), tuple(props.get(Prop.MODIFIERS) or ()),
                        tuple(props.get(Prop.INHERITS_FROM_TYPE_FULL_NAME) or ())))
        elif kind == NodeKind.IMPORT:
            out.append((kind, props.get(Prop.IMPORTED_AS), props.get(Prop.IMPORTED_ENTITY)))
        elif kind == NodeKind.LOCAL:
            scope = cpg.enclosing(n, (NodeKind.METHOD,))
            if scope is None or attrs[scope].get(Prop.NAME) != MODULE_METHOD_NAME:
                continue
            values = []
            for write in cpg.into(n, EdgeKind.REF):
                parent = cpg.ast_parent(write) if attrs[write].get(Prop.IS_WRITE) else None
                if parent is not None and attrs[parent].get(Prop.NAME) == Op.ASSIGNMENT:
                    value = cpg.arguments(parent).get(2)
                    values.append(attrs[value].get(Prop.CODE) if value is not None else None)
            out.append((kind, props.get(Prop.NAME), props.get(Prop.TYPE_FULL_NAME), tuple(values)))
    return tuple(out)


def _linked_into(cpg: CodePropertyGraph, relpath: str) -> set[str]:
    """Files with a link (call, inheritance, type edge) into a node of `relpath`."""
    from .passes.linking import LINK_EDGES

    pred = cpg.g._pred
    return {src[0] for n in cpg.file_nodes(relpath) for src, kinds in pred[n].items()
            if src[0] != relpath and any(k in LINK_EDGES for k in kinds)}


def _calls_into(cpg: CodePropertyGraph, relpath: str) -> set[str]:
    """Files with a function that a call of `relpath` calls."""
    from .schema import EdgeKind

    succ = cpg.g._succ
    return {dst[0] for n in cpg.file_nodes(relpath) for dst, kinds in succ[n].items()
            if dst[0] != relpath and EdgeKind.CALL in kinds}


def update_file(cpg: CodePropertyGraph, relpath: str, text: str | bytes | None = None) -> CodePropertyGraph:
    """Rebuild one file in place from `text` (unsaved buffer) or from disk, then re-link the project."""
    from .source import source_from_text

    if text is None:
        source = read_source(Path(cpg.root) / relpath, relpath)
        if isinstance(source, SourceError):
            lang = grammar_for_path(relpath)
            cpg.add_unreadable(relpath, lang[0] if lang else "", source.message)
            return cpg
    else:
        source = source_from_text(text, relpath)
    return build_source(source, cpg)


def build_sources(sources: Iterable[SourceFile]) -> CodePropertyGraph:
    """Build a graph from in-memory files (tests, snippets)."""
    from .passes import run_project_passes

    cpg = CodePropertyGraph("")
    for source in sources:
        cpg.add_file(build_file(source), source.warning)
    run_project_passes(cpg)
    return cpg
