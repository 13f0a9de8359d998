"""`typeinfer annotate --verify` (issue 6): keep only annotations a real type checker accepts.

TypeWriter-style filter.  Needs: the `EditResult`s of `annotate.edit_files` (original bytes, new
bytes, the applied annotations with their positions in the new bytes).  Does not: decide types,
edit bytes itself (dropping an annotation re-runs `writer.annotate_source` on the original bytes
with the annotations that remain), or run the analyzed code: the checkers only read it.

Checkers
========

Python: basedpyright (or pyright) from the environment the user names (``--python``, else an
active ``$VIRTUAL_ENV``), else from typeinfer's own environment (the pinned ``basedpyright`` of the
``verify`` extra, a PyPI wheel with its own Node.js: nothing is downloaded at run time), else on
``PATH``; none: `CheckerUnavailable`.  A ``.venv`` found in the analysed tree is read for types
but its programs are never run: they are part of the code under analysis.
TypeScript: tsc from the npm registry, installed into the typeinfer cache (``$TYPEINFER_CACHE`` or
``~/.cache/typeinfer``, under ``tools/<name>-<version>``) at first use, pinned (`PINNED`), with
``--ignore-scripts``; run with the ``node`` on ``PATH``.  TypeScript is 7.x, the native compiler:
``tsc --noEmit`` is all we need, and it checks a project several times faster than 5.x.
TypeScript 7 has removed ``moduleResolution: "node"`` (node10), so the generated tsconfig uses
``"bundler"`` (extensionless relative imports resolve as before).

How a run goes
==============

1. The project's files of the language (`cpg.project.discover`: same exclusions as the graph
   build) and its top-level config files are copied to a temporary directory.  The checker runs
   with a generated config, never the project's own (``pyrightconfig.json``: basic mode, missing
   imports not reported; ``tsconfig.typeinfer-verify.json``: not strict, ``types: []``, lib check
   skipped), since third-party packages are not installed there and a project config may name
   options the pinned checker rejects.
2. Baseline: the checker on the original files.  Then, up to `MAX_ROUNDS` times: write the
   annotated files, check, compute the *new* errors, attribute each to one annotation, drop those,
   re-annotate from the original bytes.  Stops as soon as a check finds no new error (the same
   errors again do not mean no progress: their blame moves on to annotations not yet dropped).
3. Errors are compared as (file, code, message) after mapping baseline lines through a line diff
   of the original and annotated bytes (annotations add lines: imports).  An error of the same
   code on the same mapped line with another message counts as pre-existing (a more precise type
   changed its wording); an error that moved keeps its identity.  Ignored in both runs: pyright
   warnings and information, tsc "cannot find module" (TS2307, TS2792, TS7016).
4. Attribution of one new error, first rule that names a candidate wins:
   a. the error is on an import line the writer added: the annotation whose `TypeImport` it is;
   b. the message quotes an annotation's name and a part of its function's dotted name (pyright:
      'Argument ... to parameter "x" ... in function "inc"'), in any file;
   b'. a call-site error (tsc TS2345) goes to the called function's parameter, an override error to
      the overriding method's annotations (or the named base's), an "assignable" error on a plain
      assignment (``x = ...``, ``self.x = ...``) to the annotation of that name the message
      quotes, in this file or another (a base class's attribute);
   b''. a value returned against the declared return type the message quotes: that return
      annotation, on the innermost function around the error; a slot whose value the error's
      line reads (`CodeFacts.origins`, through local variables: ``fname = self.raw_filename``
      then ``fname.decode(...)``) annotated with a type the message quotes; last, an error quoting
      a distinctive annotated type, to that annotation (in the innermost function around the
      error first);
   b'''. an error in a function that holds no annotation (any more), given the project's calls
      (`CodeFacts.callees`): every annotation of the project functions it calls, all at once (their
      parameter and return types decide what it infers: ``mergeArray(status: ParseStatus)``
      makes the ``_parse`` that returns its result fail its base's signature);
   c. the innermost function or class around the error that holds annotations: the annotation at
      or nearest before the error (else nearest after), among those whose type the message quotes
      if there are any (a wrong return type next to a parameter on the same ``def`` line);
   d. the same, over the whole file.
   An error in a file without annotations that no message names is *unattributed*: reported,
   nothing dropped for it (TypeScript call-site errors name no parameter, for example).
5. Last resort, when the rounds end with new errors (none attributed, or `MAX_ROUNDS` spent):
   the annotations still written are ordered by how near each is to a remaining error (in the
   function or class around it, named or typed in its message, in its file, elsewhere), and the
   shortest prefix of that order whose removal leaves no new error is looked for among the
   first `MAX_SEARCH_DROPS`: prefixes of 1, 2, 4, ... annotations, then halving the last step
   (at most `MAX_SEARCH_CHECKS` checks).  That prefix is dropped, or only its last annotation
   when that alone is enough (one annotation to blame, the usual case: one check more).  When
   no such prefix is found, nothing more is dropped and the errors are reported as remaining:
   the search never trades many annotations for one error.

API
===

``find_checker(language, python) -> Checker``        the checker's command line and name/version.
``ensure_checker(name) -> list[str]``          a pinned npm checker's ``[node, script]``, installed once.
``verify(root, edits, language) -> VerifyResult``   the filtered edits, what was dropped and why.
``check_tree(root, language) -> list[Diagnostic]``  the checker's errors on a tree as it is.
``start_baselines(root, languages)``                those checks begun in the background, for
                                                     `verify(..., baseline=)`.
Errors are `VerifyError` (its subclass `CheckerUnavailable` when the checker cannot be installed
or started), one line each; the caller goes on without verification.

JSON form of `VerifyResult`::

    {"language": "python", "checker": "pyright 1.1.414", "rounds": 1, "converged": true,
     "dropped": [{"path": "pkg/a.py", "annotation": {...},
                  "error": {"file": "pkg/a.py", "line": 5, "column": 12, "code": "reportOperatorIssue",
                            "message": "Operator \\"+\\" not supported ..."}}],
     "unattributed": [], "remaining": []}
"""

from __future__ import annotations

import difflib
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from typeinfer.cpg.project import BuildOptions, default_cache_dir, discover
from typeinfer.cpg.source import parse

from .environment import find_environment
from .languages import ADAPTERS, adapter_for
from .languages.typescript import TSCONFIG_NAME
from .writer.contract import Annotation, Applied, EditResult, Skipped
from .writer.source import annotate_source
from .writer.source import grammar_of

#: npm checker package -> (pinned version, script inside the install prefix).  Bump together
#: with a run of tests/test_verify.py: messages and rule names change between versions.
PINNED: dict[str, tuple[str, str]] = {
    "typescript": ("7.0.2", "node_modules/typescript/bin/tsc"),
}
MAX_ROUNDS = 3  #: drop-and-recheck rounds after the first check of the annotated files
#: checks the last-resort search (`_search_drops`) may spend, and the most annotations it may drop:
#: prefixes of 1, 2, 4 and 8 nearest annotations, halving the last step, then the last one alone
MAX_SEARCH_CHECKS = 7
MAX_SEARCH_DROPS = 8
CHECK_TIMEOUT_S = 600  #: one checker run
INSTALL_TIMEOUT_S = 300  #: one npm install
#: copied next to the sources (the checker itself runs with our generated config)
CONFIG_FILES = ("pyproject.toml", "setup.cfg", "pyrightconfig.json", "tsconfig.json", "package.json")
TS_IGNORED_CODES = frozenset({"TS2307", "TS2792", "TS7016"})  #: cannot find module / its declarations
#: function and class node types of every grammar (the adapters' `scope_node_types`)
_SCOPE_NODES = frozenset().union(*(a.scope_node_types for a in ADAPTERS))
_TSC_LINE = re.compile(r"^(?P<file>.+?)\((?P<line>\d+),(?P<col>\d+)\): error (?P<code>TS\d+): (?P<msg>.*)$")


@dataclass(frozen=True)
class Checker:
    """A type checker to run: its command line and what it says it is ("basedpyright 1.40.2")."""

    cmd: tuple[str, ...]
    label: str


class VerifyError(Exception):
    """Verification cannot run (the checker failed or gave output we cannot read); one line."""


class CheckerUnavailable(VerifyError):
    """The checker cannot be found, installed or started (none installed, no node, no network)."""


@dataclass(frozen=True)
class CodeFacts:
    """What the project's graph tells attribution about a line of a file as it is on disk
    (1-based).  `callees`: the (file, dotted function name) of every project function that the
    innermost function around the line calls; `origins`: the (file, kind, function, name) of the
    slots whose values the line reads, followed back through the variables and ``self``
    attributes assigned on the way, nearest first (names as `Annotation` gives them; an
    attribute's function is "")."""

    callees: Callable[[str, int], Iterable[tuple[str, str]]]
    origins: Callable[[str, int], list[tuple[str, str, str, str]]]


@dataclass(frozen=True)
class Diagnostic:
    """One checker error; ``line``/``column`` 1-based, ``file`` relative to the project root."""

    file: str
    line: int
    column: int
    code: str  #: pyright rule ("reportOperatorIssue", "" when none) or "TS2339"
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "code": self.code,
                "message": self.message}

    def short(self) -> str:
        first = self.message.splitlines()[0] if self.message else ""
        return f"{self.file}:{self.line}: {self.code + ': ' if self.code else ''}{first}"


@dataclass(frozen=True)
class Dropped:
    """An annotation removed because the checker reported `error` once it was written."""

    path: str
    annotation: Annotation
    error: Diagnostic

    def reason(self) -> str:
        return f"type checker: new error {self.error.short()}"

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "annotation": self.annotation.to_json(), "error": self.error.to_json()}


@dataclass
class VerifyResult:
    """What `verify` did: the edits to use from now on, and the annotations it removed."""

    language: str
    checker: str  #: "pyright 1.1.414"
    edits: list[tuple[Path, EditResult]]  #: same order and paths as the input
    dropped: list[Dropped] = field(default_factory=list)
    unattributed: list[Diagnostic] = field(default_factory=list)  #: new errors no annotation was blamed for
    remaining: list[Diagnostic] = field(default_factory=list)  #: new errors in the last check
    rounds: int = 0  #: checks of annotated files
    converged: bool = True  #: the last check found no new error

    def to_json(self) -> dict[str, Any]:
        return {"language": self.language, "checker": self.checker, "rounds": self.rounds,
                "converged": self.converged, "dropped": [d.to_json() for d in self.dropped],
                "unattributed": [d.to_json() for d in self.unattributed],
                "remaining": [d.to_json() for d in self.remaining]}


# --------------------------------------------------------------------------------------------
# Installing and running the checkers
# --------------------------------------------------------------------------------------------


def find_checker(language: str, python: Path | None = None) -> Checker:
    """The checker `--verify` runs for `language`, `python` the environment given with
    ``--python`` (see "Checkers")."""
    adapter = adapter_for(_checked_language(language))
    if not adapter.checker_executables:
        return Checker(tuple(ensure_checker(adapter.checker)), f"{adapter.checker} {PINNED[adapter.checker][0]}")
    for folder in _checker_folders(python):
        for name in adapter.checker_executables:
            exe = _executable(folder, name)
            if exe is not None:
                return Checker((exe,), _version_label(exe))
    raise CheckerUnavailable(f"no {' or '.join(adapter.checker_executables)} found in the environment given with "
                             f"--python, typeinfer's or on PATH (pip install 'typeinfer[verify]')")


def _checker_folders(python: Path | None) -> list[Path]:
    """Where checker executables are looked for, in order: the environment the user named
    (``--python``, else an active ``$VIRTUAL_ENV``), typeinfer's own, then ``PATH``'s absolute
    folders.  Never an environment found inside or above the analysed tree: a program from
    there is part of the code under analysis, which is never run."""
    folders = []
    env = find_environment(None, python)
    if env is not None:
        folders += [env / "bin", env / "Scripts"]
    folders.append(Path(sys.executable).parent)
    folders += [Path(p) for p in os.get_exec_path() if p and Path(p).is_absolute()]
    return folders


def _executable(folder: Path, name: str) -> str | None:
    for candidate in (folder / name, folder / f"{name}.exe", folder / f"{name}.cmd"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


@functools.cache
def _version_label(exe: str) -> str:
    """The first line of ``exe --version`` ("basedpyright 1.40.2"); raises when it does not start."""
    try:
        proc = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CheckerUnavailable(f"cannot start {exe}: {exc}") from None
    if proc.returncode != 0:
        raise CheckerUnavailable(f"{exe} --version failed: {_last_line(proc.stderr or proc.stdout)}")
    return _last_line(proc.stdout.splitlines()[0] if proc.stdout.strip() else exe)


def ensure_checker(name: str, cache: Path | None = None) -> list[str]:
    """``[node, script]`` for `name` ("pyright" or "typescript"), installed from npm at first use.

    The package goes to a staging folder that is renamed into place once it works, so an
    interrupted or concurrent install never leaves a half-installed checker behind.
    """
    if name not in PINNED:
        raise VerifyError(f"unknown checker {name!r} (choose from {', '.join(PINNED)})")
    version, script = PINNED[name]
    node = shutil.which("node")
    if node is None:
        raise CheckerUnavailable(f"cannot run {name}: node is not on PATH")
    tools = (cache or default_cache_dir()) / "tools"
    target = tools / f"{name}-{version}"
    if (target / script).is_file():
        return [node, str(target / script)]
    npm = shutil.which("npm")
    if npm is None:
        raise CheckerUnavailable(f"cannot install {name}@{version}: npm is not on PATH")
    try:
        tools.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{name}-{version}.", dir=tools))
    except OSError as exc:
        raise CheckerUnavailable(f"cannot install {name}@{version}: {exc.strerror or exc} ({tools})") from None
    try:
        cmd = [npm, "install", "--prefix", str(staging), f"{name}@{version}", "--no-audit", "--no-fund",
               "--ignore-scripts", "--fetch-retries=1", "--fetch-retry-mintimeout=2000",
               "--fetch-retry-maxtimeout=10000", "--loglevel=error"]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise CheckerUnavailable(f"cannot install {name}@{version} from npm: no answer within "
                                     f"{INSTALL_TIMEOUT_S} s (offline?)") from None
        if proc.returncode != 0 or not (staging / script).is_file():
            raise CheckerUnavailable(f"cannot install {name}@{version} from npm: {_npm_error(proc.stderr)}")
        probe = subprocess.run([node, str(staging / script), "--version"], capture_output=True, text=True,
                               timeout=60)
        if probe.returncode != 0:  # e.g. no native tsc binary for this platform
            raise CheckerUnavailable(f"{name}@{version} installed but does not start: {_last_line(probe.stderr)}")
        try:
            os.rename(staging, target)
        except OSError:
            if not (target / script).is_file():  # another process won the race: use its copy
                raise CheckerUnavailable(f"cannot move {name}@{version} into {target}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [node, str(target / script)]


def _npm_error(stderr: str) -> str:
    """The telling line of npm's error output ("FetchError: request to ... failed, ...")."""
    lines = [re.sub(r"^npm (error|ERR!)\s*", "", ln).strip() for ln in (stderr or "").splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith(("A complete log", "at ", "{", "}"))]
    for pattern in (r"^\w*Error: ", r"^code E", r"^404 "):
        hit = next((ln for ln in lines if re.match(pattern, ln)), None)
        if hit is not None:
            return hit
    return lines[0] if lines else "no message"


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    return lines[-1] if lines else "no message"


def run_checker(cmd: list[str], language: str, workdir: Path) -> list[Diagnostic]:
    """The errors the checker reports for the project copied to `workdir` (config already there)."""
    adapter = adapter_for(language)
    args = cmd + [str(workdir) if a == "{workdir}" else a for a in adapter.checker_args]
    try:
        proc = subprocess.run(args, cwd=workdir, capture_output=True, text=True, timeout=CHECK_TIMEOUT_S,
                              env={**os.environ, "NO_COLOR": "1"})
    except subprocess.TimeoutExpired:
        raise VerifyError(f"the type checker ran longer than {CHECK_TIMEOUT_S} s") from None
    except OSError as exc:
        raise CheckerUnavailable(f"cannot start the type checker: {exc.strerror or exc}") from None
    return PARSERS[adapter.checker_output](proc, workdir)


def _relative(file: str, workdir: Path) -> str:
    path = Path(file)
    if not path.is_absolute():
        return path.as_posix()
    for base in (workdir, Path(os.path.realpath(workdir))):
        try:
            return Path(os.path.realpath(path)).relative_to(os.path.realpath(base)).as_posix()
        except ValueError:
            try:
                return path.relative_to(base).as_posix()
            except ValueError:
                continue
    return path.as_posix()


def _pyright_errors(proc: subprocess.CompletedProcess[str], workdir: Path) -> list[Diagnostic]:
    if proc.returncode not in (0, 1):
        raise VerifyError(f"pyright failed (exit {proc.returncode}): {_last_line(proc.stderr or proc.stdout)}")
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise VerifyError(f"pyright printed no JSON report: {_last_line(proc.stderr or proc.stdout)}") from None
    out = []
    for d in report.get("generalDiagnostics", []):
        if d.get("severity") != "error":
            continue
        start = d.get("range", {}).get("start", {})
        out.append(Diagnostic(_relative(d.get("file", ""), workdir), int(start.get("line", 0)) + 1,
                              int(start.get("character", 0)) + 1, d.get("rule", ""), d.get("message", "")))
    return out


def _tsc_errors(proc: subprocess.CompletedProcess[str], workdir: Path) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    current: dict[str, Any] | None = None
    global_errors = []

    def flush() -> None:
        if current is not None and current["code"] not in TS_IGNORED_CODES:
            out.append(Diagnostic(_relative(current["file"], workdir), current["line"], current["col"],
                                  current["code"], "\n".join(current["msg"])))

    for line in proc.stdout.splitlines():
        m = _TSC_LINE.match(line)
        if m:
            flush()
            current = {"file": m["file"], "line": int(m["line"]), "col": int(m["col"]), "code": m["code"],
                       "msg": [m["msg"]]}
        elif line.startswith((" ", "\t")) and current is not None:
            current["msg"].append(line.strip())  # continuation of a chained message
        elif line.startswith("error TS") or (line.strip() and current is None):
            global_errors.append(line.strip())
    flush()
    if proc.returncode not in (0, 1, 2) or global_errors or any(d.file == TSCONFIG_NAME for d in out):
        detail = global_errors[0] if global_errors else next(
            (d.message for d in out if d.file == TSCONFIG_NAME), _last_line(proc.stderr))
        raise VerifyError(f"tsc failed (exit {proc.returncode}): {detail}")
    return out


#: the adapters' `checker_output` -> the reader of that output
PARSERS = {"pyright-json": _pyright_errors, "tsc-text": _tsc_errors}


# --------------------------------------------------------------------------------------------
# verify
# --------------------------------------------------------------------------------------------


def verify(root: Path, edits: list[tuple[Path, EditResult]], language: str,
           checker: Checker | None = None, force: bool = False,
           baseline: Future[list[Diagnostic]] | None = None, python: Path | None = None,
           facts: CodeFacts | None = None) -> VerifyResult:
    """Check the annotated files of `language` and drop the annotations that add type errors.

    `root` is the analyzed project (a directory, or one file); `edits` come from
    `annotate.edit_files` (edits of other languages pass through untouched).  `checker` overrides
    the command from `ensure_checker` (tests).  `baseline`: the errors of the unannotated tree,
    from a `start_baseline` begun while the types were inferred (else checked here first).
    `facts`: what the project's graph tells about the code (`CodeFacts`), for the attribution
    rules that follow values and calls (none: those rules are skipped).
    Raises `VerifyError` when no check can be run.
    """
    lang = _checked_language(language)
    mine = [i for i, (_, e) in enumerate(edits) if e.language == lang and e.applied and not e.refused]
    if not mine:
        return VerifyResult(lang, "", list(edits))
    # a baseline begun earlier installs the checker if need be: wait for it before asking again
    known = baseline.result() if baseline is not None else None
    found = checker or find_checker(lang, python)
    cmd = list(found.cmd)
    result = VerifyResult(lang, found.label, list(edits))
    root = Path(root)
    base = root.parent if root.is_file() else root
    rel = {i: _relpath(edits[i][0], edits[i][1], base) for i in mine}
    with tempfile.TemporaryDirectory(prefix="typeinfer-verify-") as tmp:
        work = Path(tmp)
        _prepare_copy(root, lang, work)
        for i in mine:
            _write(work / rel[i], edits[i][1].original)
        errors = known if known is not None else run_checker(cmd, lang, work)
        pending = list(mine)  # files whose bytes changed since the last check
        while True:
            for i in pending:
                _write(work / rel[i], result.edits[i][1].data)
            after = run_checker(cmd, lang, work)
            result.rounds += 1
            current = {rel[i]: result.edits[i][1] for i in mine}
            new = new_errors(errors, after, current)
            result.remaining = new
            if not new:
                result.converged = True
                break
            result.converged = False
            if result.rounds > MAX_ROUNDS:
                break
            groups: dict[Diagnostic, list[tuple[str, Annotation]]] = {}
            blame = attribute(new, current, lambda rel: _read(work / rel), facts, groups)
            for d in new:
                if d not in blame:
                    if d not in result.unattributed:
                        result.unattributed.append(d)
            if not blame:
                break
            by_file: dict[str, dict[Annotation, Diagnostic]] = defaultdict(dict)
            for diag, (path, ann) in blame.items():
                by_file[path].setdefault(ann, diag)
                for other_path, other in groups.get(diag, ()):
                    by_file[other_path].setdefault(other, diag)
                if _TS_OVERRIDE.search(diag.message) and path in current:
                    # any annotation inside the override, its nested functions' too, may change the
                    # type it infers: all go at once
                    for a in current[path].applied:
                        if a.annotation.function == ann.function or a.annotation.function.startswith(ann.function + "."):
                            by_file[path].setdefault(a.annotation, diag)
            pending = []
            for i in mine:
                drop = by_file.get(rel[i])
                if not drop:
                    continue
                path, old = result.edits[i]
                result.edits[i] = (path, _without(old, drop, force))
                result.dropped.extend(Dropped(old.path, a, d) for a, d in drop.items())
                pending.append(i)
        if not result.converged:
            _search_drops(result, mine, rel, errors, lambda: run_checker(cmd, lang, work), work, force)
    return result


def _search_drops(result: VerifyResult, mine: list[int], rel: dict[int, str], baseline: list[Diagnostic],
                  check: Callable[[], list[Diagnostic]], work: Path, force: bool) -> None:
    """Step 5 of the module docstring: drop the shortest prefix, in order of nearness to the
    remaining errors, of the annotations still written that leaves no new error."""
    index = {rel[i]: i for i in mine}
    order = [(index[path], ann, d) for path, ann, d in
             _by_nearness(list(result.remaining), {rel[i]: result.edits[i][1] for i in mine})]
    if not order:
        return

    def dropping(chosen: list[int]) -> dict[int, EditResult]:
        by_index: dict[int, dict[Annotation, Diagnostic]] = defaultdict(dict)
        for c in chosen:
            i, ann, blame = order[c]
            by_index[i][ann] = blame
        return {i: _without(result.edits[i][1], by_index[i], force) if i in by_index else result.edits[i][1]
                for i in mine}

    def leaves_none(chosen: list[int]) -> bool:
        edits = dropping(chosen)
        for i in mine:
            _write(work / rel[i], edits[i].data)
        result.rounds += 1
        return not new_errors(baseline, check(), {rel[i]: edits[i] for i in mine})

    try:
        _search(order, leaves_none, dropping, result, mine)
    except VerifyError:  # the checker failed: the rounds' drops stand, the errors stay reported
        return


def _search(order: list[tuple[int, Annotation, Diagnostic]], leaves_none: Callable[[list[int]], bool],
            dropping: Callable[[list[int]], dict[int, EditResult]], result: VerifyResult, mine: list[int]) -> None:
    """The checks of `_search_drops`: `leaves_none(chosen)` checks with those of `order` (edit
    index, annotation, the error it is nearest) dropped."""
    limit = min(len(order), MAX_SEARCH_DROPS)
    failing, enough, checks = 0, 0, 0
    k = 1
    while checks < MAX_SEARCH_CHECKS:  # 1, 2, 4, ... until a prefix is enough
        checks += 1
        if leaves_none(list(range(k))):
            enough = k
            break
        if k == limit:
            return  # none of the nearest few is enough: the errors stay reported
        failing, k = k, min(2 * k, limit)
    if not enough:
        return
    while enough - failing > 1 and checks < MAX_SEARCH_CHECKS:  # then halve the last step
        middle = (failing + enough) // 2
        checks += 1
        if leaves_none(list(range(middle))):
            enough = middle
        else:
            failing = middle
    chosen = list(range(enough))
    # one annotation to blame, the usual case: the last of the shortest prefix, alone
    if enough > 1 and checks < MAX_SEARCH_CHECKS and leaves_none([enough - 1]):
        chosen = [enough - 1]
    edits = dropping(chosen)
    for i in mine:
        if edits[i] is not result.edits[i][1]:
            result.edits[i] = (result.edits[i][0], edits[i])
    result.dropped.extend(Dropped(result.edits[order[c][0]][1].path, order[c][1], order[c][2]) for c in chosen)
    # what no rule tied to an annotation is now tied to these: no longer unattributed
    result.remaining, result.unattributed, result.converged = [], [], True


def _by_nearness(errors: list[Diagnostic], edits: dict[str, EditResult]) -> list[tuple[str, Annotation, Diagnostic]]:
    """Every annotation written in `edits`, with the error it is nearest to, nearest first: in
    the innermost function or class around an error, then named or typed in an error's message
    (a base class's member, in another file), then in an error's file by distance, then the rest."""
    ranked: list[tuple[tuple[int, int], str, Annotation, Diagnostic]] = []
    spans = {path: _scope_spans(edit) for path, edit in edits.items() if any(d.file == path for d in errors)}
    for path, edit in sorted(edits.items()):
        for a in edit.applied:
            ann = a.annotation
            best: tuple[tuple[int, int], Diagnostic] | None = None
            for d in errors:
                if d.file == path:
                    inner = _innermost(spans[path], d.line)
                    rank = (0 if inner is not None and inner[0] <= a.line <= inner[1] else 2, abs(a.line - d.line))
                elif _names(ann, d.message) or _quoted(ann.name, d.message) or \
                        (ann.type not in _COMMON_TYPES and _quoted(ann.type, d.message)) or \
                        any(_quoted_name(part, d.message) for part in ann.function.split(".") if part):
                    rank = (1, 0)
                else:
                    rank = (3, 0)
                if best is None or rank < best[0]:
                    best = (rank, d)
            if best is not None:
                ranked.append((best[0], path, ann, best[1]))
    ranked.sort(key=lambda r: (r[0], r[1], r[2].line, r[2].column))
    return [(path, ann, d) for _, path, ann, d in ranked]


def check_tree(root: Path, language: str, checker: Checker | None = None,
               python: Path | None = None) -> list[Diagnostic]:
    """The errors the checker (`find_checker`) reports on the `language` files of `root` as they
    are, under the generated config `verify` uses (a copy is checked; `root` is not touched)."""
    lang = _checked_language(language)
    cmd = list((checker or find_checker(lang, python)).cmd)
    with tempfile.TemporaryDirectory(prefix="typeinfer-check-") as tmp:
        work = Path(tmp)
        _prepare_copy(Path(root), lang, work)
        return run_checker(cmd, lang, work)


def _checked_language(language: str) -> str:
    return "python" if language in ("python", "py") else "typescript"


def _prepare_copy(root: Path, language: str, work: Path) -> None:
    """`root`'s files of `language` (and its top-level configs) copied to `work`, with the
    checker's generated config beside them."""
    _copy_project(root, root.parent if root.is_file() else root, language, work)
    config_name, config = adapter_for(language).checker_config
    (work / config_name).write_text(json.dumps(config), encoding="utf-8")


def start_baseline(root: Path, language: str, python: Path | None = None) -> Future[list[Diagnostic]]:
    """`check_tree` of the unannotated tree, begun now in a background thread (the checker is a
    separate process): `annotate --verify` starts it before inferring, so the baseline check
    and the inference share the machine's cores instead of running one after the other."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="typeinfer-baseline")
    future = pool.submit(check_tree, Path(root), language, None, python)
    pool.shutdown(wait=False)
    return future


def start_baselines(root: Path, languages: Iterable[str],
                    python: Path | None = None) -> dict[str, Future[list[Diagnostic]]]:
    """`start_baseline` for each of `languages` that `root` has files of."""
    out = {}
    for language in languages:
        if discover(Path(root), BuildOptions(languages=(language,))).files:
            out[language] = start_baseline(root, language, python)
    return out


def _relpath(path: Path, edit: EditResult, base: Path) -> str:
    try:
        return Path(path).resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return edit.path


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _copy_project(root: Path, base: Path, language: str, work: Path) -> None:
    for path, _ in discover(root, BuildOptions(languages=(language,))).files:
        try:
            _write(work / Path(path).resolve().relative_to(base.resolve()), path.read_bytes())
        except (OSError, ValueError):
            continue  # unreadable or outside the project: the checker treats its imports as missing
    for name in CONFIG_FILES:
        try:
            if (base / name).is_file():
                shutil.copyfile(base / name, work / name)
        except OSError:
            continue


def _without(edit: EditResult, drop: dict[Annotation, Diagnostic], force: bool = False) -> EditResult:
    """`edit` redone from the original bytes without the annotations in `drop`."""
    keep = [a.annotation for a in edit.applied if a.annotation not in drop]
    dropped = [Skipped(a, Dropped(edit.path, a, d).reason()) for a, d in drop.items()]
    redone = annotate_source(edit.original, edit.path, edit.language, keep, force=force)
    if redone.refused:  # cannot happen for a subset of a good edit; fall back to no annotations
        reason = redone.refused
        redone = EditResult(edit.path, edit.language, edit.original, edit.original)
        dropped += [Skipped(a, f"type checker: {reason}") for a in keep]
    redone.skipped = edit.skipped + dropped + redone.skipped
    return redone


# --------------------------------------------------------------------------------------------
# New errors and who caused them
# --------------------------------------------------------------------------------------------


def line_map(old: bytes, new: bytes) -> dict[int, int]:
    """1-based old line -> 1-based new line, through a line diff (changed lines map to their block)."""
    a, b = old.splitlines(), new.splitlines()
    out: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for k in range(i1, i2):
            if tag == "equal":
                out[k + 1] = j1 + (k - i1) + 1
            elif j2 > j1:
                out[k + 1] = j1 + min(k - i1, j2 - j1 - 1) + 1
            else:
                out[k + 1] = j1 + 1
    return out


def lines_on_disk(old: bytes, new: bytes) -> dict[int, int]:
    """1-based line of the annotated bytes `new` -> the line of `old` it comes from; inside a
    changed block, the old line most like it (an annotation adds a few characters; an added
    import line comes from none and is left out)."""
    a, b = old.splitlines(), new.splitlines()
    out: dict[int, int] = {}
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        for k in range(j1, j2):
            if tag == "equal":
                out[k + 1] = i1 + (k - j1) + 1
            elif tag == "replace":
                ratio, best = max((difflib.SequenceMatcher(None, a[i], b[k]).ratio(), i) for i in range(i1, i2))
                if ratio >= 0.5:
                    out[k + 1] = best + 1
    return out


def new_errors(baseline: list[Diagnostic], after: list[Diagnostic],
               edits: dict[str, EditResult]) -> list[Diagnostic]:
    """Errors of `after` that `baseline` does not explain (see the module docstring, step 3)."""
    maps = {path: line_map(e.original, e.data) for path, e in edits.items()}
    old_by_file: dict[str, list[tuple[int, Diagnostic]]] = defaultdict(list)
    for d in baseline:
        mapped = maps[d.file].get(d.line, d.line) if d.file in maps else d.line
        old_by_file[d.file].append((mapped, d))
    new: list[Diagnostic] = []
    after_by_file: dict[str, list[Diagnostic]] = defaultdict(list)
    for d in after:
        after_by_file[d.file].append(d)
    for file, diags in after_by_file.items():
        left = list(old_by_file.get(file, []))
        unmatched = []
        for d in diags:  # same error, same (mapped) line
            hit = next((k for k, (ln, o) in enumerate(left)
                        if ln == d.line and (o.code, o.message) == (d.code, d.message)), None)
            if hit is None:
                unmatched.append(d)
            else:
                left.pop(hit)
        still = []
        for d in unmatched:  # same error, moved
            same = [k for k, (_, o) in enumerate(left) if (o.code, o.message) == (d.code, d.message)]
            if same:
                left.pop(min(same, key=lambda k: abs(left[k][0] - d.line)))
            else:
                still.append(d)
        for d in still:  # same code on the same line, reworded
            hit = next((k for k, (ln, o) in enumerate(left) if ln == d.line and o.code == d.code), None)
            if hit is None:
                new.append(d)
            else:
                left.pop(hit)
    return sorted(new, key=lambda d: (d.file, d.line, d.column, d.code, d.message))


def attribute(errors: Iterable[Diagnostic], edits: dict[str, EditResult],
              read: Callable[[str], bytes | None] | None = None, facts: CodeFacts | None = None,
              groups: dict[Diagnostic, list[tuple[str, Annotation]]] | None = None,
              ) -> dict[Diagnostic, tuple[str, Annotation]]:
    """Error -> (file, annotation) blamed for it; errors nobody is blamed for are left out.
    `read(path)`: the bytes of a checked file without annotations (a call site's text).  Where a
    rule blames a group (b''': the called functions' annotations), the first is the error's entry
    and the whole group goes into `groups`."""
    out: dict[Diagnostic, tuple[str, Annotation]] = {}
    scopes: dict[str, list[tuple[int, int]]] = {}
    on_disk: dict[str, dict[int, int]] = {}  #: per file: annotated line -> line on disk (`lines_on_disk`)
    by_slot: dict[tuple[str, str, str, str], list[Applied]] = defaultdict(list)  #: for the origins rule
    for path, e in edits.items():
        for a in e.applied:
            by_slot[(path, a.annotation.kind, a.annotation.function, a.annotation.name)].append(a)
    for d in errors:
        edit = edits.get(d.file)
        applied = list(edit.applied) if edit is not None else []
        data = edit.data if edit is not None else (read(d.file) if read is not None else None)
        lines = data.splitlines() if data is not None else []
        text = lines[d.line - 1].decode("utf-8", "replace").strip() if 0 < d.line <= len(lines) else ""
        if applied and text.startswith(("from ", "import ")):
            hit = next((a for a in applied for imp in a.annotation.imports
                        if imp.name in text and (_quoted(imp.name, d.message) or imp.module in text)), None)
            if hit is not None:
                out[d] = (d.file, hit.annotation)
                continue
        # an override error quotes the member and the field that differs, which another class's
        # annotation may share: the override rule below decides it
        named = [] if _TS_OVERRIDE.search(d.message) else \
            [(path, a) for path, e in edits.items() for a in e.applied if _names(a.annotation, d.message)]
        if len(named) >= 1:
            same_file = [x for x in named if x[0] == d.file]
            path, a = (same_file or named)[0]
            out[d] = (path, a.annotation)
            continue
        if edit is not None and d.file not in scopes:
            scopes[d.file] = _scope_spans(edit)
            on_disk[d.file] = lines_on_disk(edit.original, edit.data)
        spans = scopes.get(d.file, [])
        original = on_disk.get(d.file, {}).get(d.line)
        called = _called_parameter(d, lines, edits) or _overridden_member(d, edits) or _assigned_name(d, text, edits) \
            or (_returned_type(d, edit, spans) if edit is not None else None) \
            or (_origin(d, original, by_slot, facts) if original is not None and facts is not None else None) \
            or _quoted_type(d, edits, spans)
        if called is not None:
            out[d] = called
            continue
        if facts is not None and edit is not None and original is not None:
            called = _called_annotations(d, original, edit, edits, spans, facts)
            if called:
                out[d] = called[0]
                if groups is not None:
                    groups[d] = called
                continue
        if not applied:
            continue
        around = sorted((s for s in spans if s[0] <= d.line <= s[1]), key=lambda s: s[1] - s[0])
        for start, end in around + [(1, max(len(lines), d.line))]:
            inside = [a for a in applied if start <= a.line <= end]
            if inside:
                typed = [a for a in inside if _quoted(a.annotation.type, d.message)]
                out[d] = (d.file, _nearest(typed or inside, d).annotation)
                break
    return out


def _innermost(spans: list[tuple[int, int]], line: int) -> tuple[int, int] | None:
    return min((sp for sp in spans if sp[0] <= line <= sp[1]), key=lambda sp: sp[1] - sp[0], default=None)


def _called_annotations(d: Diagnostic, original: int, edit: EditResult, edits: dict[str, EditResult],
                        spans: list[tuple[int, int]], facts: CodeFacts) -> list[tuple[str, Annotation]]:
    """Rule b''': for an error whose innermost function holds no annotation, the annotations of
    the project functions that function calls (none when it holds one: rule c decides);
    `original`: the error's line in the file on disk."""
    inner = _innermost(spans, d.line)
    if inner is None or any(inner[0] <= a.line <= inner[1] for a in edit.applied):
        return []
    wanted = set(facts.callees(d.file, original))
    # a callee's parameters and return decide what the caller infers; its locals do not
    return [(path, a.annotation) for path, e in sorted(edits.items()) for a in e.applied
            if a.annotation.kind in ("parameter", "return") and (path, a.annotation.function) in wanted]


#: pyright's error on a returned value: the declared return type it does not fit
_RETURN_TYPE = re.compile(r'is not assignable to return type "(?P<type>[^"]+)"')


def _returned_type(d: Diagnostic, edit: EditResult, spans: list[tuple[int, int]]) -> tuple[str, Annotation] | None:
    """A returned value that does not fit the declared return type the message quotes: the
    return annotation of that type on the innermost function around the error."""
    m = _RETURN_TYPE.search(d.message)
    inner = _innermost(spans, d.line) if m is not None else None
    if inner is None:
        return None
    start, end = inner
    # the function's own return annotation: on its first lines, before any nested function's
    hit = min((a for a in edit.applied if a.annotation.kind == "return" and start <= a.line <= end
               and a.annotation.type == m["type"]), key=lambda a: a.line, default=None)
    return (d.file, hit.annotation) if hit is not None else None


def _origin(d: Diagnostic, original: int, by_slot: dict[tuple[str, str, str, str], list[Applied]],
            facts: CodeFacts) -> tuple[str, Annotation] | None:
    """An annotation of a slot whose value the error's line (`original`: in the file on disk)
    reads (``fname = self.raw_filename`` then ``fname.decode(...)``: the attribute's), of a type
    the message quotes; `by_slot`: the annotations written, by (file, kind, function, name)."""
    for slot in facts.origins(d.file, original):  # nearest first
        # a function returning None is no cause: its value is not what the line goes on with
        hits = [a for a in by_slot.get(slot, ()) if a.annotation.type not in ("None", "void")
                and _quoted(a.annotation.type, d.message)]
        if hits:  # two classes' attributes of one name share a key: the one nearest the error
            return slot[0], min(hits, key=lambda a: abs(a.line - d.line) if slot[0] == d.file else a.line).annotation
    return None


#: an assignment's target on the error line: ``name = ...``, ``self.name = ...`` (no annotation there)
_ASSIGNED = re.compile(r"^(?:[\w.]+\.)?(?P<name>[A-Za-z_$][\w$]*)\s*=(?!=)")


def _assigned_name(d: Diagnostic, text: str, edits: dict[str, EditResult]) -> tuple[str, Annotation] | None:
    """An error on a plain assignment (``_status_line = local_property()``: "not assignable to
    declared type 'str'") blamed on the variable or attribute annotation of that name, elsewhere
    in the file or the project (a base class's ``self._status_line: str``), whose type the
    message quotes."""
    m = _ASSIGNED.match(text)
    if m is None or "assignable" not in d.message:
        return None
    for path, e in sorted(edits.items(), key=lambda item: item[0] != d.file):
        for a in e.applied:
            ann = a.annotation
            if ann.kind in ("attribute", "variable") and ann.name == m["name"] and _quoted(ann.type, d.message):
                return path, ann
    return None


#: tsc's call-site error, which names the parameter's type but neither the parameter nor the function
_TS_ARGUMENT = re.compile(r"is not assignable to parameter of type '(?P<type>.+)'\.?$", re.S)


def _called_parameter(d: Diagnostic, lines: list[bytes], edits: dict[str, EditResult]) -> tuple[str, Annotation] | None:
    """A call-site error (tsc TS2345) blamed on the parameter annotation it contradicts: the
    function called at the error (read back from the source: the name before the open
    parenthesis around the argument) and a parameter of it annotated with the quoted type; else,
    the quoted type being the annotation's instance for this call (``T[]`` quoted ``any[][]``),
    the one annotated parameter of that function whose type has the quoted type's shape
    (`_shape`: both arrays, both functions, the same generic)."""
    m = _TS_ARGUMENT.search(d.message.splitlines()[0])
    callee = _callee_at(lines, d.line, d.column) if m else None
    if callee is None:
        return None
    annotated = [(path, a.annotation) for path, e in sorted(edits.items(), key=lambda item: item[0] != d.file)
                 for a in e.applied
                 if a.annotation.kind == "parameter" and a.annotation.function.rsplit(".", 1)[-1] == callee]
    same = [x for x in annotated if x[1].type == m["type"]]
    if same:
        return same[0]
    shaped = [x for x in annotated if _shape(x[1].type) == _shape(m["type"])]
    return shaped[0] if len(shaped) == 1 else None


def _shape(type_text: str) -> str:
    """What a TypeScript type is, whatever its type arguments: "array", "function", "object",
    a generic's name, else the text itself."""
    t = type_text.strip()
    if t.endswith("[]") or t.startswith(("Array<", "ReadonlyArray<")):
        return "array"
    if "=>" in t:
        return "function"
    if t.startswith("{"):
        return "object"
    generic = re.match(r"([\w$.]+)<", t)
    return generic.group(1) if generic else t


#: tsc's override error (TS2416): the member and the class whose override no longer fits its base
_TS_OVERRIDE = re.compile(r"Property '(?P<member>[\w$]+)' in type '(?P<cls>[\w$]+)[<']")


#: the base class an override error (TS2416) names
_TS_BASE = re.compile(r"in base type '(?P<base>[\w$]+)[<']")


def _overridden_member(d: Diagnostic, edits: dict[str, EditResult]) -> tuple[str, Annotation] | None:
    """An override that no longer fits its base (tsc TS2416) blamed on an annotation of that
    method: the override's own (parameter or return), else the base's (the base class the
    message names; another subclass's override of the member is no cause)."""
    m = _TS_OVERRIDE.search(d.message)
    if m is None:
        return None
    own = f"{m['cls']}.{m['member']}"
    named = _TS_BASE.search(d.message)
    base = f"{named['base']}.{m['member']}" if named else None
    ordered = sorted(edits.items(), key=lambda item: item[0] != d.file)
    for wanted in (lambda f: f == own or f.endswith(f".{own}"),
                   lambda f: base is not None and (f == base or f.endswith(f".{base}"))):
        for path, e in ordered:
            for a in e.applied:
                if wanted(a.annotation.function):
                    return path, a.annotation
    return None


#: types too common to tell which annotation a message quoting them is about
_COMMON_TYPES = frozenset({"str", "int", "float", "bool", "bytes", "None", "string", "number", "boolean", "any",
                           "unknown", "object", "void", "undefined", "null"})


def _quoted_type(d: Diagnostic, edits: dict[str, EditResult],
                 spans: Iterable[tuple[int, int]] = ()) -> tuple[str, Annotation] | None:
    """An error quoting a distinctive annotated type (``Property 'status' does not exist on type
    'ParseReturnType<any>'``) blamed on an annotation of that type, wherever it is: in the error's
    file, one in the innermost function or class around the error that holds one (`spans`, of the
    error's file), else the nearest; else the first elsewhere."""
    hits = [(path, a) for path, e in edits.items() for a in e.applied
            if a.annotation.type not in _COMMON_TYPES and _quoted(a.annotation.type, d.message)]
    if not hits:
        return None
    same = [(path, a) for path, a in hits if path == d.file]
    for start, end in sorted((sp for sp in spans if sp[0] <= d.line <= sp[1]), key=lambda sp: sp[1] - sp[0]):
        inside = [(path, a) for path, a in same if start <= a.line <= end]
        if inside:
            same = inside
            break
    if same:
        path, a = min(same, key=lambda x: abs(x[1].line - d.line))
        return path, a.annotation
    return hits[0][0], hits[0][1].annotation


def _callee_at(lines: list[bytes], line: int, column: int) -> str | None:
    """The name of the function whose argument list holds (line, column) (1-based), from the
    text: the innermost unclosed parenthesis before it, and the name just before that."""
    if not 0 < line <= len(lines):
        return None
    text = b"\n".join(lines[max(0, line - 6):line - 1] + [lines[line - 1][:max(0, column - 1)]]).decode("utf-8", "replace")
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        ch = text[i]
        if ch in ")]}":
            depth += 1
        elif ch in "([{":
            if depth == 0:
                if ch != "(":
                    return None
                m = re.search(r"([A-Za-z_$][\w$]*)\s*(?:<[^()]*>)?\s*$", text[:i])
                return m.group(1) if m else None
            depth -= 1
    return None


def _quoted(word: str, message: str) -> bool:
    return f'"{word}"' in message or f"'{word}'" in message


def _quoted_name(word: str, message: str) -> bool:
    """`word` quoted alone, or as a generic type's name (tsc: ``'ZodArray<T, Cardinality>'``)."""
    return _quoted(word, message) or f"'{word}<" in message or f'"{word}[' in message


def _names(ann: Annotation, message: str) -> bool:
    """The message quotes the annotation's name and a part of its function's dotted name."""
    if not _quoted(ann.name, message):
        return False
    parts = [p for p in ann.function.split(".") if p and p != ann.name and not p.startswith("<")]
    return any(_quoted_name(p, message) for p in parts)


def _nearest(applied: list[Applied], d: Diagnostic) -> Applied:
    at = (d.line, d.column - 1)
    before = [a for a in applied if (a.line, a.column) <= at]
    if before:
        return max(before, key=lambda a: (a.line, a.column))
    return min(applied, key=lambda a: (a.line, a.column))


def _scope_spans(edit: EditResult) -> list[tuple[int, int]]:
    """(first line, last line) of every function and class of the annotated bytes."""
    spans = []
    stack = [parse(edit.data, grammar_of(edit.path, edit.language)).root_node]
    while stack:
        node = stack.pop()
        if node.type in _SCOPE_NODES:
            spans.append((node.start_point[0] + 1, node.end_point[0] + 1))
        stack.extend(node.named_children)
    return spans
