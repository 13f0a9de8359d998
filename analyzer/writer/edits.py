"""Byte-level edit machinery of the source writer: encodings, line endings, positions, splices.

`file_encoding` / `file_newline` read what a file uses; `line_starts`, `offset_to_point`,
`node_at`, `line_start` / `line_end` convert between tree-sitter points and byte offsets; `Edit`
and `apply_edits` splice text into the bytes (everything else stays byte-identical); `shift_offset`
says where an offset moved; `Slot` is a located slot with its edits and `SkipSlot` the reason one
is not written.  Does not: know about annotation kinds, languages' syntax beyond node types, or
files on disk.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from itertools import accumulate

import tree_sitter


_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


def declared_encoding(data: bytes, coding_cookie: bool) -> str:
    """The codec of a file: a PEP 263 cookie (first two lines) where the language reads one
    (`WriterSyntax.coding_cookie`), else UTF-8; `source.file_encoding` asks by language."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if coding_cookie:
        for line in data.split(b"\n", 2)[:2]:
            m = _COOKIE.match(line)
            if m:
                try:
                    return codecs.lookup(m.group(1).decode("ascii")).name
                except (LookupError, UnicodeDecodeError):
                    return "utf-8"
    return "utf-8"


def file_newline(data: bytes) -> bytes:
    """The line ending of a file: that of its first line (LF when it has none)."""
    i = data.find(b"\n")
    if i > 0 and data[i - 1:i] == b"\r":
        return b"\r\n"
    if i < 0 and b"\r" in data:
        return b"\r"
    return b"\n"


def line_starts(data: bytes) -> list[int]:
    """Byte offsets at which the lines of `data` start (CRLF, LF and CR end a line)."""
    # bytes.splitlines breaks at exactly these three (about 10x a regex scan on a big file)
    starts = list(accumulate(map(len, data.splitlines(keepends=True)), initial=0))
    if len(starts) > 1 and not data.endswith((b"\n", b"\r")):
        starts.pop()  # the last line has no break: nothing starts after it
    return starts


def offset_to_point(starts: list[int], offset: int) -> tuple[int, int]:
    """(0-based row, byte column) of an offset, given the `line_starts` of the bytes."""
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo, offset - starts[lo]


def node_at(root: tree_sitter.Node, row: int, col: int) -> tree_sitter.Node | None:
    """The smallest named node that starts at or spans (row, col) (point inside [start, end))."""
    point = (row, col)
    node = root
    while True:
        nxt = None
        for child in node.children:
            if tuple(child.start_point) <= point < tuple(child.end_point):
                nxt = child
                break
        if nxt is None:
            break
        node = nxt
    while node is not None and not node.is_named:
        node = node.parent
    if node is None or node.type in ("module", "program"):
        return None
    return node


def node_text(node: tree_sitter.Node | None) -> str:
    """The source text of a node, decoded as UTF-8 ("" for no node)."""
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", errors="replace")


def line_end(data: bytes, offset: int) -> int:
    """Offset just after the line ending of the line containing `offset` (len(data) at EOF)."""
    i = offset
    while i < len(data) and data[i:i + 1] not in (b"\n", b"\r"):
        i += 1
    if data[i:i + 2] == b"\r\n":
        return i + 2
    return min(i + 1, len(data))


def line_start(data: bytes, offset: int) -> int:
    """Start of the line containing `offset` (after a BOM on the first line)."""
    i = offset
    while i > 0 and data[i - 1:i] not in (b"\n", b"\r"):
        i -= 1
    if i == 0 and data.startswith(codecs.BOM_UTF8):
        return min(3, offset) if offset >= 3 else 0
    return i


# --------------------------------------------------------------------------------------------
# Edits
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    """One byte splice: replace ``data[start:end]`` by `text` (encoded with the file's codec)."""

    start: int
    end: int  #: == start for an insertion
    text: str
    order: int = 0  #: among insertions at the same offset: lower first
    key: str | None = None  #: edits with the same key are made once ("(" of an arrow parameter)


def apply_edits(data: bytes, edits: list[Edit], encoding: str) -> bytes:
    """`data` with the edits made (all offsets refer to `data`; a repeated ``key`` is made once)."""
    seen: set[str] = set()
    unique = []
    for e in edits:
        if e.key is not None:
            if e.key in seen:
                continue
            seen.add(e.key)
        unique.append(e)
    unique.sort(key=lambda e: (e.start, e.end, e.order))
    out = []
    pos = 0
    for e in unique:
        out.append(data[pos:e.start])
        out.append(e.text.encode(encoding, errors="backslashreplace"))
        pos = max(pos, e.end)
    out.append(data[pos:])
    return b"".join(out)


def shift_offset(offset: int, edits: list[Edit], encoding: str) -> int:
    """Where `offset` (the start of a name) is after the edits: edits ending at or before it move it."""
    seen: set[str] = set()
    delta = 0
    for e in edits:
        if e.key is not None:
            if e.key in seen:
                continue
            seen.add(e.key)
        if e.end <= offset:
            delta += len(e.text.encode(encoding, errors="backslashreplace")) - (e.end - e.start)
    return offset + delta


@dataclass
class Slot:
    """A located slot: what an annotation targets (shared with `analyzer.stubs`).

    ``key`` identifies the slot independently of the annotation: ("param", start byte of the
    parameter), ("return", start byte of the function), ("variable", start byte of the
    assignment / declarator), ("attribute", start byte of the class, name).
    """

    key: tuple
    name_node: tree_sitter.Node
    edits: list[Edit]
    scope: tree_sitter.Node | None = None  #: where type parameters are looked up


class SkipSlot(Exception):
    """Raised by the slot lookups: the annotation cannot be written; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
