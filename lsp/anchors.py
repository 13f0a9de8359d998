"""Where a prediction sits in the text of a document: the name's range and the annotation's slot.

What it does: from a tree-sitter tree of the document and a `Prediction` (1-based line, byte
column of the name), finds the name's range in LSP units and the place where an annotation can be
written inline (after a parameter or variable name, after ``?`` of an optional TypeScript
parameter, after the closing parenthesis of a parameter list for returns), with the text to
insert (``: T`` or `` -> T``).  Slots that cannot take an inline annotation (lambda parameters,
tuple targets, ``for`` targets, ``this.x = ...``, arrow functions without parentheses) get a range
but no insertion point: hover still shows them, but no hint promises an annotation there.

Which tree-sitter nodes anchor a slot in each language is the `AnchorSyntax` of the language's
adapter (``adapter_for(language).anchors``); this module turns those nodes into LSP positions.

What it does not do: decide what to show (inlay_hints, hover) or build edits with imports
(edits).  It only reads the tree; the tree is parsed by `state.DocumentState`.
"""

from __future__ import annotations

from dataclasses import dataclass

import tree_sitter

from typeinfer.analyzer.languages import adapter_for
from typeinfer.analyzer.writer.syntax import AnchorSyntax
from typeinfer.analyzer.writer.typescript_syntax import TS_NAME_NODES

from .positions import LineIndex



@dataclass(frozen=True)
class Anchor:
    """A slot's place in one version of a document (0-based lines, columns in the client's position encoding)."""

    line: int
    start: int  #: name start
    end: int  #: name end
    insert: tuple[int, int] | None  #: where the annotation text goes, None if it cannot go inline
    arrow: bool = False  #: Python return: insert " -> T" instead of ": T"

    def annotation_text(self, type_text: str) -> str:
        return f" -> {type_text}" if self.arrow else f": {type_text}"


def _point(index: LineIndex, row: int, byte_col: int) -> tuple[int, int]:
    return row, index.byte_to_col(row, byte_col)


def _node_at(tree: tree_sitter.Tree, row: int, byte_col: int) -> tree_sitter.Node | None:
    node = tree.root_node.named_descendant_for_point_range((row, byte_col), (row, byte_col))
    return node


def _anchors(language: str) -> AnchorSyntax:
    anchors = adapter_for(language).anchors
    if anchors is None:
        raise ValueError(f"no editor anchors for the language {language!r}")
    return anchors


def anchor_for(tree: tree_sitter.Tree, index: LineIndex, language: str, kind: str,
               line: int, byte_column: int) -> Anchor:
    """The anchor of a slot whose name starts at (1-based `line`, `byte_column`)."""
    row = max(0, line - 1)
    node = _node_at(tree, row, byte_column)
    fallback_end = byte_column + 1
    if node is not None and node.start_point[0] == row:
        fallback_end = node.end_point[1] if node.end_point[0] == row else fallback_end
    default = Anchor(row, index.byte_to_col(row, byte_column), index.byte_to_col(row, fallback_end), None)
    if node is None:
        return default
    try:
        anchors = _anchors(language)
        if kind == "return":
            return _return_anchor(node, index, anchors, row) or default
        found = anchors.name_slot(node, kind)
        return _name_anchor(found[0], index, found[1]) if found is not None else default
    except Exception:  # noqa: BLE001 - an odd tree shape costs the edit, never the request
        return default


def _name_anchor(name: tree_sitter.Node, index: LineIndex, insert_after: tree_sitter.Node | None,
                 arrow: bool = False) -> Anchor:
    row, col = name.start_point
    _, end = _point(index, name.end_point[0], name.end_point[1])
    insert = _point(index, insert_after.end_point[0], insert_after.end_point[1]) if insert_after is not None else None
    return Anchor(row, index.byte_to_col(row, col), end, insert, arrow)


def _return_anchor(node: tree_sitter.Node, index: LineIndex, anchors: AnchorSyntax, row: int) -> Anchor | None:
    funcs = anchors.functions
    func = node
    for _ in range(4):
        if func is None or func.type in funcs:
            break
        if func.type == "variable_declarator":  # const f = (x) => ...
            value = func.child_by_field_name("value")
            func = value if value is not None and value.type in funcs else None
            break
        func = func.parent
    if func is None or func.type not in funcs:
        return None
    name = func.child_by_field_name("name")
    if name is None and func.parent is not None and func.parent.type == "variable_declarator":
        name = func.parent.child_by_field_name("name")
    name = name or node
    params = func.child_by_field_name("parameters")
    if func.child_by_field_name("return_type") is not None or params is None:
        return _name_anchor(name, index, None)
    return _name_anchor(name, index, params, arrow=anchors.return_arrow)


def enclosing_function(tree: tree_sitter.Tree, row: int, byte_col: int, language: str) -> str:
    """Dotted name of the functions and classes around a point, as slices name them ("" at module level)."""
    node = _node_at(tree, row, byte_col)
    parts: list[str] = []
    containers = _anchors(language).containers
    while node is not None:
        if node.type in containers:
            name = node.child_by_field_name("name")
            if name is None and node.parent is not None and node.parent.type == "variable_declarator":
                name = node.parent.child_by_field_name("name")
            if name is not None and name.text is not None:
                parts.append(name.text.decode("utf-8", errors="replace"))
        node = node.parent
    return ".".join(reversed(parts))


def name_at(tree: tree_sitter.Tree, row: int, byte_col: int) -> tree_sitter.Node | None:
    """The identifier-like node at a point (or just before it, at the end of a name)."""
    for col in (byte_col, byte_col - 1):
        if col < 0:
            continue
        node = _node_at(tree, row, col)
        if node is not None and node.type in TS_NAME_NODES:  # Python names are plain identifiers, in it too
            return node
    return None
