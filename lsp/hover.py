"""textDocument/hover: what was inferred for the name under the cursor, and why.

What it does: `lookup` finds the analysed slot a position refers to -- the slot's own name, or a
use of it in the same function (`self.x` / `this.x` finds the attribute, a call `f()` the return
of `f`) -- and `render` shows its type, confidence, source, alternatives and a short summary of
the slice's evidence.  Inlay hints and diagnostics use the same `lookup` data (`visible`).

What it does not do: analyse; it reads the document's items only.
"""

from __future__ import annotations

from lsprotocol import types

from typeinfer.cpg.schema import SELF_NAMES

from .anchors import enclosing_function, name_at
from .settings import Settings
from .state import DocumentState, Item


def visible(item: Item, settings: Settings, threshold: float) -> bool:
    """An inference worth showing under the settings (not a declared slot, not "no type"); the
    user's minConfidence, else `threshold` (the one `typeinfer annotate` uses)."""
    p = item.prediction
    floor = settings.min_confidence if settings.min_confidence is not None else threshold
    return (not item.declared and p.source != "none" and bool(p.type) and p.kind in settings.kinds
            and p.confidence >= floor)


def writable(item: Item, settings: Settings, threshold: float) -> bool:
    """A visible inference that can be written inline: a hint or a code action promises it (none
    for tuple and `for` targets, a type parameter out of its scope, a name the file cannot import)."""
    return visible(item, settings, threshold) and item.writable and item.anchor.insert is not None


def lookup(doc: DocumentState, line: int, col: int) -> list[Item]:
    """The slots a position names (`col` in the document's position encoding), best first
    (several when one name is a variable and a return)."""
    items = [i for i in doc.items if not i.declared]
    own = [i for i in items if i.anchor.line == line and i.anchor.start <= col <= i.anchor.end]
    if own:
        return sorted(own, key=lambda i: i.prediction.kind == "return")
    index = doc.index
    byte_col = index.col_to_byte(line, col)
    tree = doc.tree()
    node = name_at(tree, line, byte_col)
    if node is None or node.text is None:
        return []
    name = node.text.decode("utf-8", errors="replace")
    parent = node.parent
    if parent is not None and parent.type in ("attribute", "member_expression") and node.prev_sibling is not None:
        obj = parent.child_by_field_name("object")
        receiver = obj.text.decode("utf-8", errors="replace") if obj is not None and obj.text else ""
        if receiver in SELF_NAMES:
            return [i for i in items if i.prediction.kind == "attribute" and i.prediction.name == name][:1]
        return []
    if parent is not None and parent.type in ("call", "call_expression") and parent.child_by_field_name("function") == node:
        returns = [i for i in items if i.prediction.kind == "return" and i.prediction.function.split(".")[-1] == name]
        if returns:
            return returns[:1]
    function = enclosing_function(tree, line, byte_col, doc.language)
    same = [i for i in items if i.prediction.name == name and i.prediction.kind in ("parameter", "variable")]
    scoped = [i for i in same if i.prediction.function == function]
    pool = scoped or [i for i in same if i.prediction.function == ""]
    if not pool:
        return []
    before = [i for i in pool if (i.anchor.line, i.anchor.start) <= (line, col)]
    best = max(before, key=lambda i: (i.anchor.line, i.anchor.start)) if before else pool[0]
    return [best]


def evidence_lines(item: Item, limit: int = 6) -> list[str]:
    """A few lines of evidence from the slice: definitions, calls, uses."""
    s = item.prediction.slice
    out: list[str] = []
    if item.prediction.evidence and item.prediction.evidence != "model":
        out.append(item.prediction.evidence)
    if s is None:
        return out[:limit]
    for d in s.defined_by[:2]:
        out.append(f"defined by `{_short(d.code)}`" + (f" (line {d.line})" if d.line else ""))
    for c in s.invoked_calls[:3]:
        out.append(f"calls `.{c.name}()`" + (f" (line {c.line})" if c.line else ""))
    for c in s.arg_to_calls[:3]:
        where = f"argument {c.position}" if c.position else (f"keyword `{c.keyword}`" if c.keyword else "argument")
        out.append(f"passed to `{c.name}()` as {where}" + (f" (line {c.line})" if c.line else ""))
    uses = []
    if s.attribute_reads:
        uses.append("reads " + ", ".join(f"`.{a}`" for a in s.attribute_reads[:4]))
    if s.operators:
        uses.append("operators " + " ".join(f"`{o}`" for o in s.operators[:6]))
    for flag, text in ((s.iterated, "iterated"), (s.awaited, "awaited"), (s.with_context, "used in `with`"),
                       (s.unpacked, "unpacked")):
        if flag:
            uses.append(text)
    if s.type_checks:
        uses.append("checked against " + ", ".join(f"`{t}`" for t in s.type_checks[:3]))
    if s.returns:
        uses.append("returns " + ", ".join(f"`{_short(r)}`" for r in s.returns[:3]))
    if uses:
        out.append("; ".join(uses))
    return out[:limit]


def _short(code: str, width: int = 60) -> str:
    code = " ".join(code.split()).replace("`", "'")
    return code if len(code) <= width else code[:width - 1] + "…"


def render(item: Item) -> str:
    """Markdown for one slot."""
    p = item.prediction
    head = {"parameter": "parameter", "return": "return of", "variable": "variable", "attribute": "attribute"}[p.kind]
    where = f" in `{p.function}`" if p.function and p.kind != "return" else ""
    lines = [f"**{head} `{p.name}`**{where}: `{p.type}`", "",
             f"confidence {p.confidence:.0%} · source: {p.source}"]
    if p.full_type and p.full_type != p.type:
        lines.append(f"qualified: `{p.full_type}`")
    if p.alternatives:
        lines.append("alternatives: " + ", ".join(f"`{a.type}` {a.confidence:.0%}" for a in p.alternatives))
    evidence = evidence_lines(item)
    if evidence:
        lines += ["", "evidence:"] + [f"- {e}" for e in evidence]
    return "\n".join(lines)


def hover(doc: DocumentState, position: types.Position, settings: Settings) -> types.Hover | None:
    """The hover for a position, None when nothing worth showing is inferred there."""
    found = [i for i in lookup(doc, position.line, position.character) if visible(i, settings, doc.threshold)]
    if not found:
        return None
    first = found[0].anchor
    rng = types.Range(types.Position(first.line, first.start), types.Position(first.line, first.end))
    if not (first.line == position.line and first.start <= position.character <= first.end):
        rng = None
    body = "\n\n---\n\n".join(render(i) for i in found)
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=body), range=rng)
