"""`typeinfer annotate --verify` (issue 6): keep only annotations a real type checker accepts.

TypeWriter-style filter.  Needs: the `EditResult`s of `annotate.edit_files` (original bytes, new
bytes, the applied annotations with their positions in the new bytes).  Does not: decide types,
edit bytes itself (dropping an annotation re-runs `writer.annotate_source` on the original bytes
with the annotations that remain), or run the analyzed code: the checkers only read it.

The checkers, and the checked copy of the project, are `checkers`' (`CheckSession`).

How a run goes
==============

1. A `checkers.CheckSession` holds a copy of the project's files of the language, checked with a
   generated config (see `checkers`); through the checker's language server where it has one,
   so a check after an edit re-analyses only what changed and what imports it.
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
      'Argument ... to parameter "x" ... in function "inc"'), in any file, or the name of an
      annotation on the error's line ('Cannot assign to attribute "name"' on ``self.name: str =
      ...``); of several, the one on the line, then a parameter the message calls one (not the
      return type of the function it names), then one in the error's file;
   b'. a call-site error (tsc TS2345) goes to the called function's parameter, an override error to
      the overriding method's annotations (or the named base's), an "assignable" error on a plain
      assignment (``x = ...``, ``self.x = ...``) to the annotation of that name the message
      quotes, in this file or another (a base class's attribute);
   b''. a value returned against the declared return type the message quotes: that return
      annotation, on the innermost function around the error; the slots whose value the error's
      line reads (`CodeFacts.origins`, through local variables: ``fname = self.raw_filename``
      then ``fname.decode(...)``) annotated with a type the message quotes, all along the chain of
      assignments at once (the attribute's and the ``filename`` parameter assigned to it: with
      the first alone dropped, it takes the second's type); for an error about a member the
      value lacks, the slots of that value only (`CodeFacts.receivers`: ``m = pattern.match``
      then ``m(path).groupdict()`` is ``pattern``'s, of any type when the value is None); last, an error quoting
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
   A return annotation ``-> T`` dropped takes with it the ``-> T`` of the project functions that
   return its function's call (``def get(...) -> Route: return self.route(...)``): they rest on it.
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

``verify(root, edits, language) -> VerifyResult``   the filtered edits, what was dropped and why.
``new_errors(baseline, after, edits)``               the errors `after` has that `baseline` had not.
``attribute(errors, edits, ...)``                    the annotation each error is blamed on.
Errors are `checkers.VerifyError` (its subclass `CheckerUnavailable` when the checker cannot be installed
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
import re
from collections import defaultdict
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from typeinfer.cpg.source import parse

from .checkers import CheckSession, Checker, Diagnostic, VerifyError, checked_language, open_session
from .languages import ADAPTERS
from .writer.contract import Annotation, Applied, EditResult, Skipped
from .writer.source import annotate_source
from .writer.source import grammar_of

MAX_ROUNDS = 3  #: drop-and-recheck rounds after the first check of the annotated files
#: checks the last-resort search (`_search_drops`) may spend, and the most annotations it may drop:
#: prefixes of 1, 2, 4 and 8 nearest annotations, halving the last step, then the last one alone
MAX_SEARCH_CHECKS = 7
MAX_SEARCH_DROPS = 8
#: function and class node types of every grammar (the adapters' `scope_node_types`)
_SCOPE_NODES = frozenset().union(*(a.scope_node_types for a in ADAPTERS))


@dataclass(frozen=True)
class CodeFacts:
    """What the project's graph tells attribution about a line of a file as it is on disk
    (1-based).  `callees`: the (file, dotted function name) of every project function that the
    innermost function around the line calls; `origins`: the (file, kind, function, name) of the
    slots whose values the line reads, followed back through the variables and ``self``
    attributes assigned on the way, nearest first, each with the slot it was reached through
    (None: read on the line; names as `Annotation` gives them; an attribute's function is "");
    `receivers`: the same for the value whose member (the third argument) the line uses
    (``m(path).groupdict()``: ``m``'s, not ``path``'s); `returned`: the (file, dotted function name)
    of the project functions whose call's value the function around the line returns."""

    callees: Callable[[str, int], Iterable[tuple[str, str]]]
    origins: Callable[[str, int], list[tuple[tuple[str, str, str, str], tuple[str, str, str, str] | None]]]
    receivers: Callable[[str, int, str], list[tuple[tuple[str, str, str, str], tuple[str, str, str, str] | None]]] \
        = lambda *_: []
    returned: Callable[[str, int], Iterable[tuple[str, str]]] = lambda *_: ()


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
# verify
# --------------------------------------------------------------------------------------------


def verify(root: Path, edits: list[tuple[Path, EditResult]], language: str,
           checker: Checker | None = None, force: bool = False,
           baseline: Future[CheckSession] | None = None, python: Path | None = None,
           facts: CodeFacts | None = None) -> VerifyResult:
    """Check the annotated files of `language` and drop the annotations that add type errors.

    `root` is the analyzed project (a directory, or one file); `edits` come from
    `annotate.edit_files` (edits of other languages pass through untouched).  `baseline`: a
    session on the unannotated tree begun while the types were inferred (`checkers.start_sessions`;
    closed here once used), else one is opened here, with `checker` instead of
    `checkers.find_checker`'s when given (tests).
    `facts`: what the project's graph tells about the code (`CodeFacts`), for the attribution
    rules that follow values and calls (none: those rules are skipped).
    Raises `VerifyError` when no check can be run.
    """
    lang = checked_language(language)
    mine = [i for i, (_, e) in enumerate(edits) if e.language == lang and e.applied and not e.refused]
    if not mine:  # nothing to check: a session begun for it is not waited for (`close_sessions` ends it)
        return VerifyResult(lang, "", list(edits))
    session = baseline.result() if baseline is not None else open_session(root, lang, checker, python)
    with session:
        return _verified(session, root, edits, mine, force, facts)


def _verified(session: CheckSession, root: Path, edits: list[tuple[Path, EditResult]], mine: list[int],
              force: bool, facts: CodeFacts | None) -> VerifyResult:
    """The rounds of `verify` (steps 2 to 5 of the module docstring) on an open session."""
    result = VerifyResult(session.language, session.checker.label, list(edits))
    root = Path(root)
    base = root.parent if root.is_file() else root
    rel = {i: _relpath(edits[i][0], edits[i][1], base) for i in mine}
    errors = session.baseline
    originals = {rel[i]: edits[i][1].original for i in mine}
    if any(session.text(r) != data for r, data in originals.items()):
        errors = session.check(originals)  # a file changed on disk since the session copied it
    while True:
        after = session.check({rel[i]: result.edits[i][1].data for i in mine})
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
        blame = attribute(new, current, session.text, facts, groups)
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
        if facts is not None:
            _add_dependent_returns(by_file, current, facts)
        for i in mine:
            drop = by_file.get(rel[i])
            if not drop:
                continue
            path, old = result.edits[i]
            result.edits[i] = (path, _without(old, drop, force))
            result.dropped.extend(Dropped(old.path, a, d) for a, d in drop.items())
    if not result.converged:
        _search_drops(result, mine, rel, errors, session.check, force)
    return result


def _add_dependent_returns(by_file: dict[str, dict[Annotation, Diagnostic]], edits: dict[str, EditResult],
                           facts: CodeFacts) -> None:
    """Add to the drops (file -> annotation -> error) the return annotations ``-> T`` of project
    functions that return the call of a function whose ``-> T`` is dropped (``def get(...) ->
    Route: return self.route(...)``): they rest on the dropped one, and without it they fail the
    next check.  Followed until nothing more is added."""
    returns = [(path, a) for path, e in edits.items() for a in e.applied if a.annotation.kind == "return"]
    if not returns:
        return
    on_disk = {path: lines_on_disk(e.original, e.data) for path, e in edits.items()
               if any(p == path for p, _ in returns)}
    calls: dict[tuple[str, Annotation], set[tuple[str, str]]] = {}
    for path, a in returns:
        line = on_disk[path].get(a.line)
        calls[(path, a.annotation)] = set(facts.returned(path, line)) if line is not None else set()
    while True:
        dropped = {(path, ann.function): (ann.type, error) for path, drops in by_file.items()
                   for ann, error in drops.items() if ann.kind == "return"}
        added = False
        for (path, ann), called in calls.items():
            if ann in by_file.get(path, {}):
                continue
            cause = next((dropped[c] for c in sorted(called) if dropped.get(c, ("",))[0] == ann.type), None)
            if cause is not None:
                by_file[path][ann] = cause[1]
                added = True
        if not added:
            return


def _search_drops(result: VerifyResult, mine: list[int], rel: dict[int, str], baseline: list[Diagnostic],
                  check: Callable[[dict[str, bytes]], list[Diagnostic]], force: bool) -> None:
    """Step 5 of the module docstring: drop the shortest prefix, in order of nearness to the
    remaining errors, of the annotations still written that leaves no new error.  `check`
    gives the errors once the files hold the given bytes (`CheckSession.check`)."""
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
        result.rounds += 1
        after = check({rel[i]: edits[i].data for i in mine})
        return not new_errors(baseline, after, {rel[i]: edits[i] for i in mine})

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


def _relpath(path: Path, edit: EditResult, base: Path) -> str:
    try:
        return Path(path).resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return edit.path


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
            [(path, a) for path, e in edits.items() for a in e.applied
             if _names(a.annotation, d.message) or (path == d.file and a.line == d.line
                                                    and _quoted(a.annotation.name, d.message))]
        if named:
            path, a = min(named, key=lambda x: _naming_rank(x[0], x[1], d))
            out[d] = (path, a.annotation)
            continue
        if edit is not None and d.file not in scopes:
            scopes[d.file] = _scope_spans(edit)
            on_disk[d.file] = lines_on_disk(edit.original, edit.data)
        spans = scopes.get(d.file, [])
        original = on_disk.get(d.file, {}).get(d.line)
        called = _called_parameter(d, lines, edits) or _overridden_member(d, edits) or _assigned_name(d, text, edits) \
            or (_returned_type(d, edit, spans) if edit is not None else None)
        if called is None and original is not None and facts is not None:
            chain = _origins(d, original, by_slot, facts)
            if chain:
                called = chain[0]
                if groups is not None and len(chain) > 1:
                    groups[d] = chain
        called = called or _quoted_type(d, edits, spans)
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


def _origins(d: Diagnostic, original: int, by_slot: dict[tuple[str, str, str, str], list[Applied]],
             facts: CodeFacts) -> list[tuple[str, Annotation]]:
    """The annotations of the slots whose values the error's line (`original`: in the file on
    disk) reads, of a type the message quotes, nearest first: ``fname = self.raw_filename`` then
    ``fname.decode(...)`` gives the attribute's, then that of the ``filename`` parameter assigned
    to it, since with only the first dropped the attribute would take the second's type and the
    error would stay.  `by_slot`: the annotations written, by (file, kind, function, name)."""
    out: list[tuple[str, Annotation]] = []
    member = _member(d.message)
    of_none = member is not None and member[1] in ("None", "null", "undefined")
    found = facts.receivers(d.file, original, member[0]) if member is not None else []
    if not found:
        found, of_none = facts.origins(d.file, original), False
    reached_through = dict(found)
    first = None
    for slot, _ in found:  # nearest first
        if first is not None and not _reached_from(slot, first, reached_through):
            continue  # read beside the first cause, not assigned on its way: not its source
        # a function returning None is no cause: its value is not what the line goes on with
        hits = [a for a in by_slot.get(slot, ()) if a.annotation.type not in ("None", "void")
                and (of_none or _quoted(a.annotation.type, d.message))]
        if hits:  # two classes' attributes of one name share a key: the one nearest the error
            best = min(hits, key=lambda a: abs(a.line - d.line) if slot[0] == d.file else a.line)
            out.append((slot[0], best.annotation))
            first = first or slot
    return out


def _reached_from(slot: tuple[str, str, str, str], ancestor: tuple[str, str, str, str],
                  reached_through: dict[tuple[str, str, str, str], tuple[str, str, str, str] | None]) -> bool:
    """Whether `slot` was reached through `ancestor` (`CodeFacts.origins`' links)."""
    seen = set()
    step = reached_through.get(slot)
    while step is not None and step not in seen:
        if step == ancestor:
            return True
        seen.add(step)
        step = reached_through.get(step)
    return False


#: a member the error's value lacks, and the value's type: pyright's 'Cannot access attribute "decode"
#: for class "str"', '"groupdict" is not a known attribute of "None"', tsc's "Property 'x' does not
#: exist on type 'T'"
_MEMBER = (re.compile(r'Cannot access attribute "(?P<name>\w+)" for class "(?P<type>[^"]+)"'),
           re.compile(r'^"(?P<name>\w+)" is not a known attribute of "(?P<type>None)"'),
           re.compile(r"Property '(?P<name>[\w$]+)' does not exist on type '(?P<type>[^']+)'"))


def _member(message: str) -> tuple[str, str] | None:
    """(member, type of the value) of an error about a member the value lacks (`_MEMBER`)."""
    for pattern in _MEMBER:
        m = pattern.search(message)
        if m:
            return m["name"], m["type"]
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


def _naming_rank(path: str, applied: Applied, d: Diagnostic) -> tuple[int, int, int]:
    """Which of the annotations a message names is blamed (lowest first): the one on the error's
    line (``self.name: str = name or None``: 'Cannot assign to attribute "name"'), then a parameter
    the message calls one ('parameter "response" ... in function "apply"': not ``apply``'s return
    type), then one in the error's file."""
    ann = applied.annotation
    return (0 if path == d.file and applied.line == d.line else 1,
            0 if ann.kind == "parameter" and f'parameter "{ann.name}"' in d.message else 1,
            0 if path == d.file else 1)


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
