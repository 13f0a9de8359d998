"""Module-level bindings: which names a file already binds, and from which module.

`py_bindings` / `ts_bindings` collect them into `Bindings`; import planning uses them so a bound
name is never imported again (and a conflicting import is refused), and stubs reuse them.  Does
not: resolve names inside functions or follow imports into other files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import tree_sitter

from typeinfer.analyzer.writer.edits import node_text


@dataclass
class Bindings:
    """Names bound at module level; ``star`` when a ``from M import *`` may bind more."""

    names: dict[str, str | None] = field(default_factory=dict)  #: name -> module of `from M import name` (else None)
    star: bool = False


def py_bindings(root: tree_sitter.Node) -> Bindings:
    """The module-level bindings of a Python file (also inside top-level ``if``/``try``/``with``)."""
    b = Bindings()

    def bind_target(n: tree_sitter.Node) -> None:
        if n.type == "identifier":
            b.names.setdefault(node_text(n), None)
        elif n.type in ("pattern_list", "tuple_pattern", "list_pattern", "tuple", "list"):
            for c in n.named_children:
                bind_target(c)

    stack = list(reversed(root.children))
    while stack:
        n = stack.pop()
        t = n.type
        if t == "import_statement":
            for c in n.children_by_field_name("name"):
                if c.type == "aliased_import":
                    b.names[node_text(c.child_by_field_name("alias"))] = None
                else:
                    b.names.setdefault(node_text(c).split(".")[0], None)
        elif t == "import_from_statement":
            module = node_text(n.child_by_field_name("module_name"))
            if any(c.type == "wildcard_import" for c in n.children):
                b.star = True
            for c in n.children_by_field_name("name"):
                if c.type == "aliased_import":
                    b.names[node_text(c.child_by_field_name("alias"))] = None
                else:
                    b.names[node_text(c)] = module
        elif t in ("class_definition", "function_definition"):
            b.names.setdefault(node_text(n.child_by_field_name("name")), None)
        elif t == "decorated_definition":
            d = n.child_by_field_name("definition")
            if d is not None:
                stack.append(d)
        elif t == "expression_statement":
            for c in n.named_children:
                if c.type == "assignment":
                    while c is not None and c.type == "assignment":
                        left = c.child_by_field_name("left")
                        if left is not None:
                            bind_target(left)
                        c = c.child_by_field_name("right")
        elif t == "type_alias_statement":
            left = n.named_children[0] if n.named_children else None
            if left is not None:
                b.names.setdefault(node_text(left).split("[")[0], None)
        elif t in ("if_statement", "try_statement", "with_statement", "block", "else_clause",
                   "elif_clause", "except_clause", "finally_clause", "with_clause"):
            stack.extend(reversed(n.children))
    return b


def ts_bindings(root: tree_sitter.Node) -> Bindings:
    """The module-level bindings of a TypeScript/JavaScript file (imports, declarations)."""
    b = Bindings()
    stack = list(reversed(root.children))
    while stack:
        n = stack.pop()
        t = n.type
        if t == "import_statement":
            for c in n.children:
                if c.type == "import_clause":
                    for k in c.children:
                        if k.type == "identifier":
                            b.names[node_text(k)] = None
                        elif k.type == "namespace_import":
                            ids = [x for x in k.named_children if x.type == "identifier"]
                            if ids:
                                b.names[node_text(ids[-1])] = None
                        elif k.type == "named_imports":
                            for s in k.named_children:
                                if s.type == "import_specifier":
                                    nm = s.child_by_field_name("alias") or s.child_by_field_name("name")
                                    b.names[node_text(nm)] = None
                elif c.type == "import_require_clause":
                    ids = [x for x in c.named_children if x.type == "identifier"]
                    if ids:
                        b.names[node_text(ids[0])] = None
        elif t == "import_alias":
            ids = [x for x in n.named_children if x.type == "identifier"]
            if ids:
                b.names[node_text(ids[0])] = None
        elif t == "export_statement":
            stack.extend(reversed(n.named_children))
        elif t in ("class_declaration", "abstract_class_declaration", "interface_declaration",
                   "type_alias_declaration", "enum_declaration", "function_declaration",
                   "generator_function_declaration", "function_signature", "module",
                   "internal_module", "class"):
            nm = n.child_by_field_name("name")
            if nm is not None:
                b.names[node_text(nm)] = None
        elif t in ("lexical_declaration", "variable_declaration"):
            for d in n.named_children:
                if d.type == "variable_declarator":
                    nm = d.child_by_field_name("name")
                    if nm is not None and nm.type == "identifier":
                        b.names[node_text(nm)] = None
        elif t in ("ambient_declaration", "expression_statement"):
            stack.extend(reversed(n.named_children))
    return b
