"""`TYPESCRIPT_SYNTAX` and `TYPESCRIPT_ANCHORS`: the TypeScript (and JavaScript) parts of the
writer and of the editor's anchors, built from `typescript_slots`, `bindings`, `imports` and
`type_texts` (the TypeScript adapter carries them).  Does not: dispatch by language (see `source`).
"""

from __future__ import annotations

import tree_sitter

from typeinfer.analyzer.canonical_types import TYPESCRIPT_BUILTIN_TYPES
from typeinfer.analyzer.writer.bindings import ts_bindings
from typeinfer.analyzer.writer.edits import Edit
from typeinfer.analyzer.writer.imports import ImportPlan, ts_import_edits
from typeinfer.analyzer.writer.syntax import AnchorSyntax, WriterSyntax
from typeinfer.analyzer.writer.type_texts import ts_type_names, ts_type_problem
from typeinfer.analyzer.writer.typescript_slots import ts_slot

TS_FUNCTIONS = ("function_declaration", "method_definition", "arrow_function", "function_expression",
                "function", "generator_function_declaration", "generator_function")
TS_NAME_NODES = ("identifier", "property_identifier", "shorthand_property_identifier",
                 "shorthand_property_identifier_pattern", "private_property_identifier", "type_identifier")


def ts_finish_imports(data: bytes, root: tree_sitter.Node, plan: ImportPlan, nl: str,
                      path: str) -> tuple[list[Edit], list[str], list[str]]:
    """The ``import type`` edits of a TypeScript file and the lines they add (no warnings)."""
    import_edits, added = ts_import_edits(data, root, plan, nl)
    return import_edits, added, []


def _end_after_optional_mark(node: tree_sitter.Node) -> tree_sitter.Node:
    """``x?`` / ``x!``: the annotation goes after the mark."""
    sib = node.next_sibling
    if sib is not None and sib.type in ("?", "!") and sib.start_byte == node.end_byte:
        return sib
    return node


def ts_anchor_slot(node: tree_sitter.Node, kind: str) -> tuple[tree_sitter.Node, tree_sitter.Node | None] | None:
    """The name of a TypeScript parameter / variable / property at `node`, and the node ``: T``
    goes after (None: no inline annotation there)."""
    parent = node.parent
    if node.type not in TS_NAME_NODES or parent is None:
        return None
    if kind == "parameter":
        if parent.type == "rest_pattern":
            holder = parent.parent
            if holder is not None and holder.type == "required_parameter" and holder.child_by_field_name("type") is None:
                return node, parent
            return node, None
        if parent.type in ("required_parameter", "optional_parameter") \
                and parent.child_by_field_name("type") is None and parent.child_by_field_name("pattern") == node:
            return node, _end_after_optional_mark(node)
        return node, None
    if parent.type == "variable_declarator" and parent.child_by_field_name("name") == node \
            and parent.child_by_field_name("type") is None:
        return node, node
    if parent.type in ("public_field_definition", "field_definition") and parent.child_by_field_name("type") is None:
        return node, _end_after_optional_mark(node)
    return node, None


TYPESCRIPT_SYNTAX = WriterSyntax(
    grammar="typescript",
    stub_suffix=".d.ts",
    locate_slot=ts_slot,
    bindings=ts_bindings,
    type_problem=ts_type_problem,
    type_names=ts_type_names,
    builtin_names=frozenset(TYPESCRIPT_BUILTIN_TYPES),
    import_edits=ts_finish_imports,
    stub_only_grammars=frozenset({"javascript"}),
)

TYPESCRIPT_ANCHORS = AnchorSyntax(
    functions=TS_FUNCTIONS,
    containers=(*TS_FUNCTIONS, "class_declaration", "class", "abstract_class_declaration"),
    name_slot=ts_anchor_slot,
)
