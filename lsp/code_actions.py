"""textDocument/codeAction: "Add type annotation" at the cursor and "Annotate all in file".

What it does: builds WorkspaceEdits from the source writer's output (`edits.annotated_text`, the
same writer as `typeinfer annotate`), so the imports an annotation needs come in the same edit.
The single action covers the slots whose name or insertion point the requested range touches (a
name that is a variable and a return gets both); "annotate all" covers every visible slot with an
insertion point.

What it does not do: apply edits (the client does), or annotate slots that cannot take an inline
annotation (tuple targets, lambda parameters...).
"""

from __future__ import annotations

from lsprotocol import types

from .edits import annotated_text, text_edits, workspace_edit
from .hover import lookup, writable
from .settings import Settings
from .state import DocumentState, Item

ANNOTATE_ALL_KIND = types.CodeActionKind.Source + ".typeinfer.annotateAll"


def _touches(item: Item, rng: types.Range) -> bool:
    a = item.anchor
    start, end = (rng.start.line, rng.start.character), (rng.end.line, rng.end.character)
    spans = [((a.line, a.start), (a.line, a.end))]
    if a.insert:
        spans.append((a.insert, a.insert))
    return any(s <= end and start <= e for s, e in spans)


def _action(doc: DocumentState, title: str, kind: str, items: list[Item]) -> types.CodeAction | None:
    new = annotated_text(doc.text, doc.relpath, doc.language, items, doc.encoding)
    edits = text_edits(doc.text, new, doc.encoding)
    if not edits:
        return None
    return types.CodeAction(title=title, kind=kind, edit=workspace_edit(doc.uri, edits))


def code_actions(doc: DocumentState, rng: types.Range, settings: Settings,
                 only: list[str] | None = None) -> list[types.CodeAction]:
    if not settings.enabled:
        return []
    wanted = [i for i in doc.items if writable(i, settings, doc.threshold)]
    out: list[types.CodeAction] = []
    here = [i for i in wanted if _touches(i, rng)]
    if not here and rng.start == rng.end:
        here = [i for i in lookup(doc, rng.start.line, rng.start.character) if i in wanted]
    allow = lambda kind: not only or any(kind == o or kind.startswith(o + ".") for o in only)  # noqa: E731
    if here and allow(types.CodeActionKind.RefactorRewrite):
        names = ", ".join(dict.fromkeys(f"{i.prediction.name}: {i.prediction.type}" for i in here))
        action = _action(doc, f"Add type annotation ({names})", types.CodeActionKind.RefactorRewrite, here)
        if action:
            action.is_preferred = True
            out.append(action)
    if allow(ANNOTATE_ALL_KIND) and doc.refused:
        # say why rather than offer nothing: clients list a disabled action with its reason
        out.append(types.CodeAction(title="Annotate all in file", kind=ANNOTATE_ALL_KIND,
                                    disabled=types.CodeActionDisabled(reason=f"typeinfer: not annotated, {doc.refused}")))
    elif wanted and allow(ANNOTATE_ALL_KIND):
        action = _action(doc, f"Annotate all in file ({len(wanted)} annotations)", ANNOTATE_ALL_KIND, wanted)
        if action:
            out.append(action)
    return out
