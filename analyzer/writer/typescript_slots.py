"""TypeScript slots: where an annotation of each kind goes in a TypeScript (or, for stubs,
JavaScript) file, and when it must not.

`ts_slot` re-locates an `Annotation` in the parse tree and returns the `Slot` with the edits that
write the type.  Does not: check the type text or its names, plan imports, or apply the edits.
"""

from __future__ import annotations

import tree_sitter

from typeinfer.analyzer.writer.contract import Annotation
from typeinfer.analyzer.writer.edits import Edit, SkipSlot, Slot, node_at, node_text


_TS_FUNCS = ("function_declaration", "generator_function_declaration", "function_expression",
             "generator_function", "function", "arrow_function", "method_definition",
             "function_signature", "method_signature", "abstract_method_signature")


def _norm(text: str) -> str:
    return " ".join(text.split())


def _ts_return_edits(func: tree_sitter.Node, t: str) -> list[Edit]:
    single = func.child_by_field_name("parameter")
    if single is not None:  # x => ...   ->   (x): T => ...
        k = f"arrow{single.start_byte}"
        return [Edit(single.start_byte, single.start_byte, "(", 0, k + "("),
                Edit(single.end_byte, single.end_byte, ")", 1, k + ")"),
                Edit(single.end_byte, single.end_byte, f": {t}", 2)]
    params = func.child_by_field_name("parameters")
    if params is None:
        raise SkipSlot("function without parameter list")
    return [Edit(params.end_byte, params.end_byte, f": {t}")]


def ts_slot(root: tree_sitter.Node, ann: Annotation, t: str) -> Slot:
    """The TypeScript/JavaScript slot `ann` targets, with the edits that write `t`; raises `SkipSlot`."""
    node = node_at(root, ann.line - 1, ann.column)
    if node is None:
        raise SkipSlot(f"position mismatch: nothing at {ann.line}:{ann.column}")
    want = ann.name.split(".")[-1] if ann.kind == "attribute" else ann.name
    if node.type in ("object_pattern", "array_pattern"):
        if _norm(node_text(node)) != _norm(ann.name):
            raise SkipSlot(f"position mismatch: expected {ann.name!r}, found {_norm(node_text(node))[:40]!r}")
    elif node.type == "this" and ann.kind == "attribute":
        raise SkipSlot("`this.x` assignment: TypeScript needs a property declaration (not written)")
    elif node_text(node) != want:
        raise SkipSlot(f"position mismatch: expected {ann.name!r} at {ann.line}:{ann.column}, found {node_text(node)[:40]!r}")
    parent = node.parent
    assert parent is not None
    if ann.kind == "parameter":
        if parent.type == "rest_pattern":
            rest, holder = parent, parent.parent
        else:
            rest, holder = node, parent
        if holder is not None and holder.type in ("required_parameter", "optional_parameter") and \
                holder.child_by_field_name("pattern") == rest:
            if holder.child_by_field_name("type") is not None:
                raise SkipSlot("already annotated")
            at = rest.end_byte
            for c in holder.children:
                if c.type == "?" and c.start_byte >= rest.end_byte:
                    at = c.end_byte
            return Slot(("param", holder.start_byte), node, [Edit(at, at, f": {t}")], holder)
        # JavaScript (stubs only): parameters are bare patterns in formal_parameters
        if holder is not None and holder.type == "formal_parameters":
            return Slot(("param", rest.start_byte), node, [Edit(rest.end_byte, rest.end_byte, f": {t}")], holder)
        if parent.type == "assignment_pattern" and parent.child_by_field_name("left") == node and \
                parent.parent is not None and parent.parent.type == "formal_parameters":
            return Slot(("param", parent.start_byte), node, [Edit(node.end_byte, node.end_byte, f": {t}")], parent)
        if parent.type == "arrow_function" and parent.child_by_field_name("parameter") == node:
            k = f"arrow{node.start_byte}"
            return Slot(("param", node.start_byte), node,
                        [Edit(node.start_byte, node.start_byte, "(", 0, k + "("),
                         Edit(node.end_byte, node.end_byte, f": {t}", 0),
                         Edit(node.end_byte, node.end_byte, ")", 1, k + ")")], parent)
        raise SkipSlot("not a parameter")
    if ann.kind == "return":
        func = None
        if parent.type in _TS_FUNCS and parent.child_by_field_name("name") == node:
            func = parent
        elif parent.type in ("variable_declarator", "public_field_definition", "pair", "field_definition"):
            name_field = "key" if parent.type == "pair" else ("property" if parent.type == "field_definition" else "name")
            value = parent.child_by_field_name("value")
            if parent.child_by_field_name(name_field) == node and value is not None and value.type in _TS_FUNCS:
                func = value
        if func is None:
            raise SkipSlot("not a function name")
        if func.type == "method_definition":
            if node_text(node) == "constructor":
                raise SkipSlot("constructor (no return annotation)")
            if any(c.type == "set" for c in func.children):
                raise SkipSlot("setter (no return annotation)")
        if func.child_by_field_name("return_type") is not None:
            raise SkipSlot("already annotated")
        return Slot(("return", func.start_byte), node, _ts_return_edits(func, t), func)
    if ann.kind == "variable":
        if parent.type != "variable_declarator" or parent.child_by_field_name("name") != node:
            raise SkipSlot("not a simple declaration (destructuring, for-of target, ...)")
        if parent.child_by_field_name("type") is not None:
            raise SkipSlot("already annotated")
        return Slot(("variable", parent.start_byte), node, [Edit(node.end_byte, node.end_byte, f": {t}")], parent)
    # attribute: a class property
    if parent.type == "member_expression":
        raise SkipSlot("`this.x` assignment: TypeScript needs a property declaration (not written)")
    if parent.type == "field_definition" and parent.child_by_field_name("property") == node:  # JavaScript
        cls = parent.parent.parent if parent.parent is not None else None
        return Slot(("attribute", cls.start_byte if cls is not None else parent.start_byte, want), node,
                    [Edit(node.end_byte, node.end_byte, f": {t}")], parent)
    if parent.type != "public_field_definition" or parent.child_by_field_name("name") != node:
        raise SkipSlot("not a class property")
    if parent.child_by_field_name("type") is not None:
        raise SkipSlot("already annotated")
    at = node.end_byte
    for c in parent.children:
        if c.type in ("?", "!") and c.start_byte >= node.end_byte:
            at = c.end_byte
    cls = parent.parent.parent if parent.parent is not None else None
    cls_start = cls.start_byte if cls is not None else parent.start_byte
    return Slot(("attribute", cls_start, want), node, [Edit(at, at, f": {t}")], parent)
