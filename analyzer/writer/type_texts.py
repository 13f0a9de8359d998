"""Type texts: whether a type text can be written, and which names it needs bound.

`py_type_problem` / `ts_type_problem` say why a text cannot be written (empty, spans lines, holds
a comment, does not parse as a type); `py_type_names` / `ts_type_names` list the names it uses
(`source.type_problem` / `source.type_names` pick one by language); `scope_type_params` the type parameters
in scope at a slot.  TypeScript texts are parsed by `canonical_types.ts_type_node`, the one parser
of TypeScript type texts.  Does not: canonicalize types or decide where names come from.
"""

from __future__ import annotations

import ast
import re

import tree_sitter

from typeinfer.analyzer.canonical_types import ts_type_node
from typeinfer.analyzer.writer.edits import node_text


def _line_problem(t: str) -> str | None:
    if not t.strip():
        return "empty type"
    if "\n" in t or "\r" in t:
        return "type text spans lines"
    return None


def py_type_problem(t: str) -> str | None:
    """Why a Python type text cannot be written, or None."""
    problem = _line_problem(t)
    if problem is not None:
        return problem
    if "#" in t:
        return "type text contains a comment"
    try:
        ast.parse(t, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return f"not a valid type: {t[:60]!r}"
    return None


def ts_type_problem(t: str) -> str | None:
    """Why a TypeScript type text cannot be written, or None."""
    problem = _line_problem(t)
    if problem is not None:
        return problem
    if "//" in t or "/*" in t:
        return "type text contains a comment"
    if re.search(r"\bunique\s+symbol\b", t):
        return "`unique symbol` types only a const initialised with Symbol(), which the checker infers itself"
    node = ts_type_node(t, leading_extras=True)
    if node is None:
        return f"not a valid type: {t[:60]!r}"
    return None


def py_type_names(t: str) -> list[str]:
    """The names a Python type text needs bound (roots of dotted names), textual order, no duplicates."""
    names: list[str] = []
    try:
        tree = ast.parse(t, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []

    def visit(n: ast.AST) -> None:
        if isinstance(n, ast.Name):
            names.append(n.id)
        elif isinstance(n, ast.Attribute):
            root = n
            while isinstance(root, ast.Attribute):
                root = root.value  # type: ignore[assignment]
            visit(root)
        elif isinstance(n, ast.Subscript):
            visit(n.value)
            if not (isinstance(n.value, ast.Name) and n.value.id == "Literal"):
                visit(n.slice)
        elif isinstance(n, ast.Constant):
            return
        else:
            for c in ast.iter_child_nodes(n):
                visit(c)

    visit(tree.body)
    return list(dict.fromkeys(names))


def ts_type_names(t: str) -> list[str]:
    """The names a TypeScript type text needs bound (roots of dotted names), textual order, no duplicates."""
    names: list[str] = []
    node = ts_type_node(t, leading_extras=True)
    if node is None:
        return []
    declared: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "type_parameter":
            nm = n.child_by_field_name("name")
            if nm is not None:
                declared.add(node_text(nm))
        if n.type == "nested_type_identifier":
            first = n.named_children[0] if n.named_children else None
            while first is not None and first.type == "nested_identifier" and first.named_children:
                first = first.named_children[0]
            if first is not None:
                names.append(node_text(first))
            continue
        if n.type == "type_query":  # typeof x: a value, not checked
            continue
        if n.type == "type_identifier":
            names.append(node_text(n))
        stack.extend(reversed(n.children))
    return [n for n in dict.fromkeys(names) if n not in declared]


def scope_type_params(scope: tree_sitter.Node | None) -> set[str]:
    """Names of the type parameters declared by `scope` and the nodes around it."""
    out: set[str] = set()
    n = scope
    while n is not None:
        tp = n.child_by_field_name("type_parameters")
        if tp is not None:
            for c in tp.named_children:
                nm = c.child_by_field_name("name") or (c if c.type in ("identifier", "type_identifier") else None)
                if nm is None and c.named_children:
                    nm = c.named_children[0]
                if nm is not None:
                    out.add(node_text(nm))
        n = n.parent
    return out
