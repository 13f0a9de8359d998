"""textDocument/inlayHint: `: T` after unannotated parameters and variables, `-> T` after parameter lists.

What it does: one hint per writable slot (`hover.writable`, the same lookup data hover shows) in
the requested range, placed at the slot's insertion point.  The tooltip repeats the hover text
(confidence, source, alternatives, evidence); `textEdits` insert the annotation plus the
imports it needs, made by the source writer (`edits.annotated_text`) and a line diff.  The writer
re-parses the file (~20 ms for 2,000 lines), so for clients that can resolve `textEdits` (VS Code
can) hints go out without them and `resolve` adds them to the one hint the user acts on; other
clients get them eagerly within a time budget (hints past it go without an edit; in a document
where one edit took longer than the whole budget, hints go without edits: the code actions "Add
type annotation" and "Annotate all in file" still write them).
Python returns read `-> T`; TypeScript returns `: T`, as their syntax writes them.  A model guess
below `GUESS_BELOW` reads `: ≈T`.  No hint is shown where the writer cannot place the annotation.

What it does not do: wait for analysis (the server decides how long a request may wait).
"""

from __future__ import annotations

import time

from lsprotocol import types

from .edits import annotated_text, text_edits
from .hover import render, writable
from .settings import Settings
from .state import DocumentState, Item


def _in_range(item: Item, rng: types.Range) -> bool:
    line = item.anchor.insert[0] if item.anchor.insert else item.anchor.line
    return rng.start.line <= line <= rng.end.line


def _edits(doc: DocumentState, item: Item) -> list[types.TextEdit] | None:
    if item.anchor.insert is None or item.annotation is None:
        return None
    new = annotated_text(doc.text, doc.relpath, doc.language, [item], doc.encoding)
    return text_edits(doc.text, new, doc.encoding) or None


#: a model guess below this confidence is marked in its label (``: ≈str``): it must not look like a fact
GUESS_BELOW = 0.8
GUESS_MARK = "≈"


def hint_for(doc: DocumentState, item: Item, with_edits: bool) -> types.InlayHint:
    a, p = item.anchor, item.prediction
    at = a.insert
    assert at is not None  # `inlay_hints` shows only slots that take an inline annotation
    shown = f"{GUESS_MARK}{p.type}" if p.source == "model" and p.confidence < GUESS_BELOW else p.type
    label = a.annotation_text(shown).lstrip() if (a.arrow or p.kind != "return") else f": {shown}"
    return types.InlayHint(
        position=types.Position(at[0], at[1]),
        label=label,
        kind=types.InlayHintKind.Type,
        text_edits=_edits(doc, item) if with_edits else None,
        tooltip=types.MarkupContent(kind=types.MarkupKind.Markdown, value=render(item)),
        padding_left=a.arrow,
        data={"uri": doc.uri, "version": doc.version, "line": a.line, "start": a.start, "kind": p.kind},
    )


def inlay_hints(doc: DocumentState, rng: types.Range, settings: Settings, lazy_edits: bool = False,
                budget_s: float = 0.05) -> list[types.InlayHint]:
    """The hints of a document range (`lazy_edits`: the client resolves textEdits)."""
    if not settings.enabled:
        return []
    items = [i for i in doc.items if writable(i, settings, doc.threshold) and _in_range(i, rng)]
    items.sort(key=lambda i: i.anchor.insert)
    deadline = time.perf_counter() + budget_s
    hints = []
    for item in items:
        # one edit costs a run of the writer over the whole file: where that alone overruns the
        # budget (a big file), the hints go without edits rather than late
        eager = not lazy_edits and time.perf_counter() + doc.edit_seconds < deadline
        started = time.perf_counter()
        hints.append(hint_for(doc, item, eager))
        if eager:
            doc.edit_seconds = time.perf_counter() - started
    return hints


def resolve(doc: DocumentState | None, hint: types.InlayHint) -> types.InlayHint:
    """Add the textEdits to a hint of the document's current version (others come back as they are)."""
    data = hint.data if isinstance(hint.data, dict) else {}
    if doc is None or data.get("version") != doc.version or hint.text_edits:
        return hint
    for item in doc.items:
        a = item.anchor
        if (a.line, a.start, item.prediction.kind) == (data.get("line"), data.get("start"), data.get("kind")) \
                and not item.declared:
            hint.text_edits = _edits(doc, item)
            break
    return hint
