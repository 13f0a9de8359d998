"""Text edits for annotations: the source writer makes the new text, a line diff makes the edits.

What it does: `annotated_text` asks `typeinfer.analyzer.writer.annotate_source` (the writer behind
`typeinfer annotate`) for the new text of a document with some annotations and the imports they
need (each item carries the writer's `Annotation`, made by `annotate.to_annotation` in the
analysis thread; its position is moved to where the slot is in the current text); `text_edits`
turns old text -> new text into a short list of LSP `TextEdit`s (common prefix and suffix
trimmed, then difflib on the lines in between), so imports and annotations come in one edit.

What it does not do: decide types or imports (the pipeline and `annotate` do), or write files.
"""

from __future__ import annotations

import difflib
from dataclasses import replace

from lsprotocol import types

from typeinfer.analyzer.writer.source import annotate_source

from .positions import LineIndex, char_to_col
from .state import Item


def annotated_text(text: str, relpath: str, language: str, items: list[Item], encoding: str) -> str:
    """`text` with the annotations of `items` (those the writer can place) and their imports;
    the items' anchors are in `encoding`'s columns."""
    index = LineIndex(text, encoding)
    notes = []
    for item in items:
        if item.annotation is None or item.anchor.insert is None:
            continue
        a = item.anchor
        notes.append(replace(item.annotation, line=a.line + 1, column=index.col_to_byte(a.line, a.start)))
    if not notes:
        return text
    result = annotate_source(text.encode("utf-8"), relpath, language, notes)
    if result.refused or not result.applied:
        return text
    return result.data.decode("utf-8", errors="replace")


# ---------------------------------------------------------------------- diff
def text_edits(old: str, new: str, encoding: str) -> list[types.TextEdit]:
    """A short list of TextEdits (positions of `old`, columns in `encoding`) that turn `old` into `new`."""
    if old == new:
        return []
    a, b = old.split("\n"), new.split("\n")
    lo = 0
    while lo < len(a) and lo < len(b) and a[lo] == b[lo]:
        lo += 1
    hi = 0
    while hi < len(a) - lo and hi < len(b) - lo and a[-1 - hi] == b[-1 - hi]:
        hi += 1
    mid_a, mid_b = a[lo:len(a) - hi], b[lo:len(b) - hi]
    edits: list[types.TextEdit] = []
    matcher = difflib.SequenceMatcher(None, mid_a, mid_b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        s, e = lo + i1, lo + i2
        if tag == "replace" and i2 - i1 == 1 and j2 - j1 == 1:
            edits.append(_line_edit(s, a[s], b[lo + j1], encoding))
            continue
        added = b[lo + j1:lo + j2]
        if e < len(a):  # whole lines before a line that stays
            rng = types.Range(types.Position(s, 0), types.Position(e, 0))
            new_text = "".join(line + "\n" for line in added)
        elif s < len(a) and added:  # up to the end of the text, which has no newline after it
            rng = types.Range(types.Position(s, 0), _end_of(a, encoding))
            new_text = "\n".join(added)
        elif s < len(a):  # deleting the last lines: take the newline before them too
            rng = types.Range(_end_of(a, encoding, s - 1) if s > 0 else types.Position(0, 0), _end_of(a, encoding))
            new_text = ""
        else:  # appending after the last line
            rng = types.Range(_end_of(a, encoding), _end_of(a, encoding))
            new_text = "".join("\n" + line for line in added)
        edits.append(types.TextEdit(range=rng, new_text=new_text))
    return edits


def _end_of(lines: list[str], encoding: str, n: int | None = None) -> types.Position:
    n = len(lines) - 1 if n is None else n
    return types.Position(n, char_to_col(lines[n], len(lines[n]), encoding))


def _line_edit(line: int, old: str, new: str, encoding: str) -> types.TextEdit:
    """One changed line -> the smallest character range that differs (keeps hint-sized edits)."""
    p = 0
    while p < len(old) and p < len(new) and old[p] == new[p]:
        p += 1
    q = 0
    while q < len(old) - p and q < len(new) - p and old[-1 - q] == new[-1 - q]:
        q += 1
    rng = types.Range(types.Position(line, char_to_col(old, p, encoding)),
                      types.Position(line, char_to_col(old, len(old) - q, encoding)))
    return types.TextEdit(range=rng, new_text=new[p:len(new) - q])


def apply_text_edits(text: str, edits: list[types.TextEdit], encoding: str) -> str:
    """Apply non-overlapping TextEdits (tests and the benchmark use it to check round trips)."""
    index = LineIndex(text, encoding)
    data = text.encode("utf-8")
    spans = sorted(((index.byte_offset(e.range.start.line, e.range.start.character),
                     index.byte_offset(e.range.end.line, e.range.end.character), k, e.new_text)
                    for k, e in enumerate(edits)), reverse=True)  # same start: array order, as LSP says
    for a, b, _, new in spans:
        data = data[:a] + new.encode("utf-8") + data[b:]
    return data.decode("utf-8")


def workspace_edit(uri: str, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
    """A WorkspaceEdit of one document (`changes` form: every client supports it)."""
    return types.WorkspaceEdit(changes={uri: edits})
