"""Per-document and workspace state of the language server.

What it does: `DocumentState` holds one open document (uri, version, text, relpath, language,
an incrementally re-parsed tree-sitter tree, the latest analysed `Item`s and a dirty flag) and
keeps items on the right lines while the user types: each content change moves the anchors after
it and drops the items it overlaps, so requests are answered at once from the last analysis while
the next one runs.

What it does not do: analyse (analysis.py), or talk to the client (server.py).  Requests read
documents only from the server's event loop thread; the analysis thread hands results over through
the loop (`server.py`), and only the analysis thread touches the graph.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import tree_sitter

from typeinfer.analyzer.inferred_types import Prediction
from typeinfer.analyzer.pipeline import NO_MODEL_THRESHOLD
from typeinfer.cpg.source import grammar_for_path, parser_for

from .anchors import Anchor
from .positions import UTF16, LineIndex, char_to_byte, col_to_char, units_len

#: languageId -> file extension, for untitled documents
#: at most this many logged changes are replayed onto a late analysis (else: a line diff)
MAX_REPLAY = 32
LANGUAGE_EXTENSIONS = {"python": ".py", "typescript": ".ts", "typescriptreact": ".tsx",
                       "javascript": ".js", "javascriptreact": ".jsx"}


@dataclass
class Item:
    """One analysed slot, anchored in the document's current text."""

    prediction: Prediction
    anchor: Anchor
    declared: str = ""  #: the annotation as written (diagnostics only; such items are no hints)
    annotation: Any = None  #: the writer's `Annotation` (positions of the analysed text), None: nothing to write
    writable: bool = True  #: False: the source writer cannot place the annotation (no hint, no action)


@dataclass
class DocumentState:
    """One open document."""

    uri: str
    version: int
    text: str
    relpath: str  #: relative to the workspace root, or a file name for loose documents
    language: str  #: "python" or "typescript"
    grammar: str
    in_workspace: bool  #: part of the project graph (else analysed on its own)
    encoding: str = UTF16  #: the position encoding negotiated with the client (`positions.ENCODINGS`)
    items: list[Item] = field(default_factory=list)
    analyzed_version: int | None = None  #: version the items come from (None: none yet)
    dirty: bool = True  #: text changed since the last analysis was scheduled
    #: a change could not be applied: the text may differ from the client's, so nothing (no hint,
    #: no edit) is offered until a whole text arrives (a save with its text, or a reopen)
    desynced: bool = False
    in_graph: bool = False  #: the items come from the whole-project graph (not a single-file one)
    edit_seconds: float = 0.0  #: what the last hint's edit took the writer (`inlay_hints`' budget)
    scope: str = "file"  #: what the last analysis inferred again (`analysis.FileResult.scope`)
    analysis_seconds: float | None = None  #: what the last analysis took (`analysis.FileResult.seconds`)
    last_change: float = float("-inf")  #: when the last change arrived (`time.monotonic()`)
    threshold: float = NO_MODEL_THRESHOLD  #: the confidence a hint needs when the user set none (annotate's)
    refused: str | None = None  #: why the source writer refuses to annotate the whole document
    _tree: tree_sitter.Tree | None = field(default=None, repr=False)
    _tree_stale: bool = True
    _index: LineIndex | None = field(default=None, repr=False)
    _index_generation: int = field(default=-1, repr=False)
    edit_log: list[tuple[int, list[Any]]] = field(default_factory=list)  #: changes after analyzed_version
    #: (the items list it indexes, line -> positions in it of the items anchored on that line)
    _items_by_line: tuple[list[Item], dict[int, list[int]]] | None = field(default=None, repr=False)

    # ------------------------------------------------------------ text and tree
    # The text is kept as a list of lines (and their UTF-8 lengths) that changes edit in place, so
    # a keystroke costs the edited lines, not the document: `text` is joined only when read.
    # (_lines, _blens: UTF-8 length of each line, _text: the joined lines or None, _generation:
    # bumped by every change; plain attributes set here, as the dataclass __init__ sets `text`.)

    def _set_text(self, text: str) -> None:
        self._lines = text.split("\n")
        self._blens = [len(line.encode("utf-8")) for line in self._lines]
        self._text: str | None = text
        self._generation = getattr(self, "_generation", 0) + 1

    def _get_text(self) -> str:
        if self._text is None:
            self._text = "\n".join(self._lines)
        return self._text

    @property
    def index(self) -> LineIndex:
        if self._index is None or self._index_generation != self._generation:
            index = LineIndex(self.text, self.encoding, list(self._lines))  # the lines are known: no split
            self._index, self._index_generation = index, self._generation
        return self._index

    def tree(self) -> tree_sitter.Tree:
        """The tree of the current text (re-parsed incrementally from the edited old tree)."""
        if self._tree is None or self._tree_stale:
            parser = parser_for(self.grammar)
            data = self.text.encode("utf-8")
            self._tree = parser.parse(data, self._tree) if self._tree is not None else parser.parse(data)
            self._tree_stale = False
        return self._tree

    def _point(self, line: int, col: int) -> tuple[int, int, int]:
        """A client position, clamped to the document -> (line, character index, UTF-8 byte column)."""
        lines = self._lines
        if line < 0:
            return 0, 0, 0
        if line >= len(lines):
            last = len(lines) - 1
            return last, len(lines[last]), self._blens[last]
        text = lines[line]
        char = col_to_char(text, col, self.encoding)
        return line, char, char_to_byte(text, char)

    def apply_changes(self, version: int, changes: list[Any]) -> None:
        """Apply LSP content changes (range changes or whole texts) in order."""
        for change in changes:
            rng = getattr(change, "range", None)
            if rng is None:
                old = self.text
                self._set_text(change.text)
                self._tree, self._tree_stale = None, True
                self.items = remap_items_by_lines(self.items, old, change.text)
                continue
            s_line, s_col = rng.start.line, rng.start.character
            e_line, e_col = rng.end.line, rng.end.character
            if (e_line, e_col) < (s_line, s_col):
                s_line, s_col, e_line, e_col = e_line, e_col, s_line, s_col
            sl, sc, sb = self._point(s_line, s_col)
            el, ec, eb = self._point(e_line, e_col)
            lines, blens = self._lines, self._blens
            added = change.text.split("\n")
            new_lines = added[:]
            new_lines[0] = lines[sl][:sc] + new_lines[0]
            new_lines[-1] = new_lines[-1] + lines[el][ec:]
            if self._tree is not None:
                start_b = sum(blens[:sl]) + sl + sb
                end_b = start_b + sum(blens[sl:el]) + (el - sl) - sb + eb
                added_b = len(change.text.encode("utf-8"))
                new_end_pt = (sl + len(added) - 1,
                              (sb if len(added) == 1 else 0) + len(added[-1].encode("utf-8")))
                self._tree.edit(start_byte=start_b, old_end_byte=end_b, new_end_byte=start_b + added_b,
                                start_point=(sl, sb), old_end_point=(el, eb), new_end_point=new_end_pt)
            lines[sl:el + 1] = new_lines
            blens[sl:el + 1] = [len(line.encode("utf-8")) for line in new_lines]
            self._text = None
            self._generation += 1
            self._tree_stale = True
            if not (len(added) == 1 and s_line == e_line and self._shift_within_line(s_line, (s_line, s_col),
                                                                                   (e_line, e_col), change.text)):
                self.items = shift_items(self.items, (s_line, s_col), (e_line, e_col), change.text, self.encoding)
        self.version = version
        self.dirty = True
        self.edit_log.append((version, changes))
        if len(self.edit_log) > MAX_REPLAY:  # bounded: older analyses fall back to a line remap
            del self.edit_log[:-MAX_REPLAY]

    def _shift_within_line(self, line: int, start: tuple[int, int], end: tuple[int, int], text: str) -> bool:
        """A change inside one line that adds none: move that line's items in place (the others
        keep their places, so a keystroke costs the items of its line, not all of them); False
        when the change touches one of them (the caller then rebuilds the list)."""
        if self._items_by_line is None or self._items_by_line[0] is not self.items:
            by_line: dict[int, list[int]] = {}
            for i, item in enumerate(self.items):
                a = item.anchor
                by_line.setdefault(a.line, []).append(i)
                if a.insert is not None and a.insert[0] != a.line:
                    by_line.setdefault(a.insert[0], []).append(i)
            self._items_by_line = (self.items, by_line)
        positions = self._items_by_line[1].get(line, [])
        moved = shift_items([self.items[i] for i in positions], start, end, text, self.encoding)
        if len(moved) != len(positions):
            return False
        for i, item in zip(positions, moved):
            self.items[i] = item
        return True

    def analysis_delay(self, debounce: float, now: float) -> float:
        """How long a change arriving `now` waits before the document is analysed: `debounce` of
        quiet, except for the first change after such a quiet spell when the last analysis was a
        quick one inside one function (a lone edit: a completion, a paste, a fix), analysed at once.
        While typing goes on, the changes after the first wait for the pause as before."""
        quick = self.scope == "function" and self.analysis_seconds is not None and self.analysis_seconds < debounce
        return 0.0 if quick and now - self.last_change >= debounce else debounce

    def install(self, version: int, text: str, items: list[Item]) -> None:
        """Take the items of an analysis of `text` (at `version`), moved through later edits."""
        later = [(v, ch) for v, ch in self.edit_log if v > version]
        if text == self.text:
            self.items = items
        else:
            moved, replayed = items, text
            if len(later) <= MAX_REPLAY:
                for _, changes in later:
                    moved = _replay(moved, replayed, changes, self.encoding)
                    replayed = _apply_text(replayed, changes, self.encoding)
            self.items = moved if replayed == self.text else remap_items_by_lines(items, text, self.text)
        self.analyzed_version = version
        self.edit_log = later


#: `text` reads the lines joined (once per change); setting it replaces them
DocumentState.text = property(DocumentState._get_text, DocumentState._set_text)  # type: ignore[assignment]


def _apply_text(text: str, changes: list[Any], encoding: str) -> str:
    for change in changes:
        rng = getattr(change, "range", None)
        if rng is None:
            text = change.text
            continue
        index = LineIndex(text, encoding)
        data = text.encode("utf-8")
        a = index.byte_offset(rng.start.line, rng.start.character)
        b = index.byte_offset(rng.end.line, rng.end.character)
        a, b = min(a, b), max(a, b)
        text = (data[:a] + change.text.encode("utf-8") + data[b:]).decode("utf-8", errors="replace")
    return text


def _replay(items: list[Item], text: str, changes: list[Any], encoding: str) -> list[Item]:
    for change in changes:
        rng = getattr(change, "range", None)
        if rng is None:
            items = remap_items_by_lines(items, text, change.text)
            text = change.text
            continue
        start, end = (rng.start.line, rng.start.character), (rng.end.line, rng.end.character)
        items = shift_items(items, min(start, end), max(start, end), change.text, encoding)
        text = _apply_text(text, [change], encoding)
    return items


def _shift_point(point: tuple[int, int], start: tuple[int, int], end: tuple[int, int],
                 new_lines: list[str], encoding: str) -> tuple[int, int]:
    """A point at or after `end`, moved by replacing [start, end) with `new_lines` (columns in `encoding`)."""
    line, col = point
    if line == end[0]:
        base = units_len(new_lines[-1], encoding) if len(new_lines) > 1 else start[1] + units_len(new_lines[0], encoding)
        return start[0] + len(new_lines) - 1, base + (col - end[1])
    return line + (len(new_lines) - 1) - (end[0] - start[0]), col


def shift_items(items: list[Item], start: tuple[int, int], end: tuple[int, int], new_text: str,
                encoding: str) -> list[Item]:
    """Items after a replaced range move with it; items the range touches are dropped (columns in `encoding`)."""
    if not items:
        return items
    new_lines = new_text.split("\n")
    # typing inside one line (the common case) moves only the items of that line: the others
    # are kept as they are, without a comparison of every anchor's points
    one_line = start[0] == end[0] and len(new_lines) == 1
    out = []
    for item in items:
        a = item.anchor
        if one_line and a.line != start[0] and (a.insert is None or a.insert[0] != start[0]):
            out.append(item)
            continue
        first = (a.line, a.start)
        last = max((a.line, a.end), a.insert or (a.line, a.end))
        if last < start or (last == start and start != end):
            out.append(item)  # wholly before the change
        elif first >= end and not (first == end and start != end):
            line, s = _shift_point(first, start, end, new_lines, encoding)
            _, e = _shift_point((a.line, a.end), start, end, new_lines, encoding)
            insert = _shift_point(a.insert, start, end, new_lines, encoding) if a.insert else None
            out.append(replace(item, anchor=replace(a, line=line, start=s, end=e, insert=insert)))
        # else: the change overlaps the slot: it comes back with the next analysis
    return out


def remap_items_by_lines(items: list[Item], old: str, new: str) -> list[Item]:
    """Move items to the new text by a line diff (whole-text changes); changed lines lose theirs."""
    if not items:
        return items
    old_lines, new_lines = old.split("\n"), new.split("\n")
    mapping: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            mapping[block.a + k] = block.b + k
    out = []
    for item in items:
        a = item.anchor
        lines = {a.line} | ({a.insert[0]} if a.insert else set())
        if not all(n in mapping for n in lines):
            continue
        delta = mapping[a.line] - a.line
        insert = (a.insert[0] + delta, a.insert[1]) if a.insert else None
        out.append(replace(item, anchor=replace(a, line=a.line + delta, insert=insert)))
    return out


# ---------------------------------------------------------------------- documents
def uri_to_path(uri: str) -> Path | None:
    """A file: URI's path, None for other schemes (untitled:, ...)."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    return Path(unquote(parsed.path))


def document_identity(uri: str, language_id: str, root: Path | None) -> tuple[str, str, str, bool] | None:
    """(relpath, language, grammar, in_workspace) of a document, None if not Python/TypeScript."""
    path = uri_to_path(uri)
    if path is not None:
        lang = grammar_for_path(path)
        if lang is None:
            return None
        if root is not None:
            try:
                rel = path.relative_to(root).as_posix()
                return rel, lang[0], lang[1], True
            except ValueError:
                pass
        return path.name, lang[0], lang[1], False
    ext = LANGUAGE_EXTENSIONS.get(language_id)
    if ext is None:
        return None
    digest = hashlib.sha1(uri.encode()).hexdigest()[:10]
    name = f"untitled-{digest}{ext}"
    lang = grammar_for_path(name)
    assert lang is not None
    return name, lang[0], lang[1], False
