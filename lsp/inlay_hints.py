"""textDocument/inlayHint: `: T` after unannotated parameters and variables, `-> T` after parameter lists.

What it does: one hint per visible slot (`hover.visible`, the same lookup data hover shows) in
the requested range, placed at the slot's insertion point (or after the name when the slot
cannot take an inline annotation, then without an edit).  The tooltip repeats the hover text
(confidence, source, alternatives, evidence); `textEdits` insert the annotation plus the
imports it needs, made by the source writer (`edits.annotated_text`) and a line diff.
Python returns read `-> T`; TypeScript returns `: T`, as their syntax writes them.

What it does not do: wait for analysis (the server decides how long a request may wait).
"""

from __future__ import annotations

from lsprotocol import types

from .edits import annotated_text, text_edits
from .hover import render, visible
from .settings import Settings
from .state import DocumentState, Item


def _in_range(item: Item, rng: types.Range) -> bool:
    line = item.anchor.insert[0] if item.anchor.insert else item.anchor.line
    return rng.start.line <= line <= rng.end.line


def hint_for(doc: DocumentState, item: Item) -> types.InlayHint:
    a, p = item.anchor, item.prediction
    at = a.insert or (a.line, a.end)
    label = a.annotation_text(p.type).lstrip() if (a.arrow or p.kind != "return") else f": {p.type}"
    edits = None
    if a.insert is not None:
        new = annotated_text(doc.text, doc.relpath, doc.language, [item])
        edits = text_edits(doc.text, new) or None
    return types.InlayHint(
        position=types.Position(at[0], at[1]),
        label=label,
        kind=types.InlayHintKind.Type,
        text_edits=edits,
        tooltip=types.MarkupContent(kind=types.MarkupKind.Markdown, value=render(item)),
        padding_left=a.arrow,
    )


def inlay_hints(doc: DocumentState, rng: types.Range, settings: Settings) -> list[types.InlayHint]:
    """The hints of a document range."""
    if not settings.enabled:
        return []
    items = [i for i in doc.items if visible(i, settings) and _in_range(i, rng)]
    items.sort(key=lambda i: (i.anchor.insert or (i.anchor.line, i.anchor.end)))
    return [hint_for(doc, i) for i in items]
