"""Python slots: where an annotation of each kind goes in a Python file, and when it must not.

`py_slot` re-locates an `Annotation` in the parse tree (the node at its position must be its
name) and returns the `Slot` with the edits that write the type; `py_class_fields_matter` and
`py_receiver` are shared with `analyzer.stubs`.  Does not: check the type text or its names,
plan imports, or apply the edits.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Callable, Iterator, TypeVar

import tree_sitter

from typeinfer.analyzer.writer.contract import Annotation
from typeinfer.analyzer.writer.edits import Edit, SkipSlot, Slot, node_at, node_text

T = TypeVar("T")

#: Class bases (last dotted component) whose class-level annotations create fields or members.
FIELD_MAKING_BASES = frozenset({
    "NamedTuple", "TypedDict", "Enum", "IntEnum", "StrEnum", "Flag", "IntFlag", "BaseModel",
    "BaseSettings", "Struct", "Model", "Schema", "SQLModel", "DeclarativeBase", "Document",
})


_PY_SCOPES = ("function_definition", "class_definition", "module")


def _py_scope(node: tree_sitter.Node) -> tree_sitter.Node:
    p = node.parent
    while p is not None and p.type not in _PY_SCOPES and p.type != "lambda":
        p = p.parent
    return p if p is not None else node


def _walk_scope(scope: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    """Nodes of a scope's own body (nested functions, classes and lambdas not entered)."""
    body = scope.child_by_field_name("body") if scope.type != "module" else scope
    if body is None:
        return
    stack = list(reversed(body.children))
    while stack:
        n = stack.pop()
        yield n
        if n.type in ("function_definition", "class_definition", "lambda"):
            continue
        stack.extend(reversed(n.children))


def _by_text(compute: Callable[[tree_sitter.Node], T]) -> Callable[[tree_sitter.Node], T]:
    """`compute(node)` remembered by the node's kind and text: a file's annotations ask about
    the same scope again and again, and the answer depends on the scope's text alone."""
    memo: OrderedDict[tuple[str, bytes], T] = OrderedDict()

    def cached(node: tree_sitter.Node) -> T:
        key = (node.type, node.text or b"")
        if key in memo:
            memo.move_to_end(key)
            return memo[key]
        value = memo[key] = compute(node)
        if len(memo) > 64:
            memo.popitem(last=False)
        return value

    return cached


@_by_text
def _py_scope_names(scope: tree_sitter.Node) -> tuple[frozenset[str], frozenset[str]]:
    """(names annotated in the scope, names declared global/nonlocal in it)."""
    annotated: set[str] = set()
    declared: set[str] = set()
    for n in _walk_scope(scope):
        if n.type == "assignment" and n.child_by_field_name("type") is not None:
            left = n.child_by_field_name("left")
            if left is not None and left.type == "identifier":
                annotated.add(node_text(left))
        elif n.type in ("global_statement", "nonlocal_statement"):
            declared.update(node_text(c) for c in n.named_children if c.type == "identifier")
    return frozenset(annotated), frozenset(declared)


def py_class_fields_matter(cls: tree_sitter.Node) -> str | None:
    """Why class-level annotations would change a class's behaviour, or None."""
    parent = cls.parent
    if parent is not None and parent.type == "decorated_definition":
        return "class-level assignment in a decorated class (an annotation could make it a field)"
    bases = cls.child_by_field_name("superclasses")
    if bases is not None:
        for b in bases.named_children:
            if b.type == "keyword_argument":
                continue
            last = node_text(b).split("[")[0].split(".")[-1].strip()
            if last in FIELD_MAKING_BASES:
                return f"class-level assignment in a {last} subclass (an annotation would make it a field)"
    return None


def _py_enclosing_function(node: tree_sitter.Node) -> tree_sitter.Node | None:
    p = node.parent
    while p is not None and p.type not in ("function_definition", "class_definition", "lambda"):
        p = p.parent
    return p if p is not None and p.type == "function_definition" else None


def _check_function(func: tree_sitter.Node | None, ann: Annotation) -> None:
    if not ann.function or func is None:
        return
    want = ann.function.split(".")[-1]
    have = node_text(func.child_by_field_name("name"))
    if want and have and want != have and want not in ("<lambda>", "<anonymous>"):
        raise SkipSlot(f"position mismatch: the name is in function {have!r}, not {ann.function!r}")


def _simple_assignment(assign: tree_sitter.Node, target: tree_sitter.Node) -> None:
    if assign.type != "assignment" or assign.child_by_field_name("left") != target:
        raise SkipSlot("not a simple assignment")
    if assign.child_by_field_name("type") is not None:
        raise SkipSlot("already annotated")
    right = assign.child_by_field_name("right")
    stmt = assign.parent
    if right is None or right.type == "assignment" or assign.type != "assignment":
        raise SkipSlot("not a simple assignment (chained or without value)")
    if stmt is None or stmt.type != "expression_statement" or len(stmt.named_children) != 1:
        raise SkipSlot("not a simple assignment statement")


def py_slot(root: tree_sitter.Node, ann: Annotation, t: str) -> Slot:
    """The Python slot `ann` targets, with the edits that write type text `t`; raises `SkipSlot`."""
    node = node_at(root, ann.line - 1, ann.column)
    if node is None:
        raise SkipSlot(f"position mismatch: nothing at {ann.line}:{ann.column}")
    if ann.kind == "attribute":
        return _py_attribute(node, ann, t)
    if node.type != "identifier" or node_text(node) != ann.name:
        raise SkipSlot(f"position mismatch: expected {ann.name!r} at {ann.line}:{ann.column}, found {node_text(node)[:40]!r}")
    parent = node.parent
    assert parent is not None
    if ann.kind == "parameter":
        if parent.type in ("list_splat_pattern", "dictionary_splat_pattern"):
            splat = parent
            holder = splat.parent
            if holder is not None and holder.type in ("typed_parameter",):
                raise SkipSlot("already annotated")
            if holder is None or holder.type != "parameters":
                raise SkipSlot("lambda parameter" if holder is not None and holder.type == "lambda_parameters"
                            else "not a parameter")
            _check_function(holder.parent, ann)
            return Slot(("param", splat.start_byte), node, [Edit(splat.end_byte, splat.end_byte, f": {t}")], holder.parent)
        if parent.type in ("typed_parameter", "typed_default_parameter"):
            raise SkipSlot("already annotated")
        if parent.type == "lambda_parameters" or (parent.parent is not None and parent.parent.type == "lambda_parameters"):
            raise SkipSlot("lambda parameter")
        if parent.type == "parameters":
            _check_function(parent.parent, ann)
            return Slot(("param", node.start_byte), node, [Edit(node.end_byte, node.end_byte, f": {t}")], parent.parent)
        if parent.type == "default_parameter" and parent.child_by_field_name("name") == node:
            value = parent.child_by_field_name("value")
            holder = parent.parent
            if holder is not None and holder.type == "lambda_parameters":
                raise SkipSlot("lambda parameter")
            _check_function(holder.parent if holder is not None else None, ann)
            assert value is not None
            gap = root.text[node.end_byte:value.start_byte] if root.text is not None else b""
            if gap.replace(b" ", b"").replace(b"\t", b"") == b"=":
                edit = Edit(node.end_byte, value.start_byte, f": {t} = ")
            else:
                edit = Edit(node.end_byte, node.end_byte, f": {t}")
            return Slot(("param", parent.start_byte), node, [edit], holder.parent if holder is not None else None)
        raise SkipSlot("not a parameter")
    if ann.kind == "return":
        if parent.type != "function_definition" or parent.child_by_field_name("name") != node:
            raise SkipSlot("not a function name")
        if parent.child_by_field_name("return_type") is not None:
            raise SkipSlot("already annotated")
        params = parent.child_by_field_name("parameters")
        assert params is not None
        return Slot(("return", parent.start_byte), node, [Edit(params.end_byte, params.end_byte, f" -> {t}")], parent)
    # variable (or a class-level attribute, handled by _py_attribute)
    return _py_variable(node, ann, t)


def _py_variable(node: tree_sitter.Node, ann: Annotation, t: str) -> Slot:
    assign = node.parent
    assert assign is not None
    if assign.type == "assignment" and assign.child_by_field_name("left") == node and \
            assign.child_by_field_name("type") is not None:
        raise SkipSlot("already annotated")
    _simple_assignment(assign, node)
    scope = _py_scope(assign)
    if scope.type == "lambda":
        raise SkipSlot("inside a lambda")
    annotated, declared = _py_scope_names(scope)
    name = node_text(node)
    if name in declared:
        raise SkipSlot(f"{name!r} is declared global/nonlocal here (an annotation would be a SyntaxError)")
    if name in annotated:
        raise SkipSlot("already annotated elsewhere in the scope")
    if scope.type == "class_definition":
        why = py_class_fields_matter(scope)
        if why:
            raise SkipSlot(why)
    key = ("attribute", scope.start_byte, name) if scope.type == "class_definition" else ("variable", assign.start_byte)
    return Slot(key, node, [Edit(node.end_byte, node.end_byte, f": {t}")], scope)


def _py_class_of_method(func: tree_sitter.Node) -> tree_sitter.Node | None:
    p = func.parent
    if p is not None and p.type == "decorated_definition":
        p = p.parent
    if p is not None and p.type == "block" and p.parent is not None and p.parent.type == "class_definition":
        return p.parent
    return None


def py_receiver(func: tree_sitter.Node) -> str | None:
    """The name of a function's first parameter (``self`` of a method), or None."""
    params = func.child_by_field_name("parameters")
    if params is None:
        return None
    for p in params.named_children:
        if p.type == "identifier":
            return node_text(p)
        if p.type in ("typed_parameter",) and p.named_children and p.named_children[0].type == "identifier":
            return node_text(p.named_children[0])
        return None
    return None


def _py_class_declares(cls: tree_sitter.Node, name: str) -> bool:
    """Whether the class annotates `name` in its body or as `self.name: T` in a method."""
    return name in _py_scope_names(cls)[0] or name in _py_annotated_attributes(cls)


@_by_text
def _py_annotated_attributes(cls: tree_sitter.Node) -> frozenset[str]:
    """The attributes a class's methods annotate (``self.name: T = ...``)."""
    out = set()
    body = cls.child_by_field_name("body")
    stack = list(body.children) if body is not None else []
    while stack:
        n = stack.pop()
        if n.type == "class_definition":
            continue
        if n.type == "assignment" and n.child_by_field_name("type") is not None:
            left = n.child_by_field_name("left")
            if left is not None and left.type == "attribute":
                out.add(node_text(left.child_by_field_name("attribute")))
        stack.extend(n.children)
    return frozenset(out)


def _py_attribute(node: tree_sitter.Node, ann: Annotation, t: str) -> Slot:
    want = ann.name.split(".")[-1]
    parent = node.parent
    if parent is not None and parent.type == "attribute" and node.type == "identifier":
        attr = parent
        name_node = attr.child_by_field_name("attribute")
        obj = attr.child_by_field_name("object")
        if name_node is None or obj is None or node_text(name_node) != want or obj.type != "identifier":
            raise SkipSlot(f"position mismatch: expected {ann.name!r} at {ann.line}:{ann.column}, found {node_text(attr)[:40]!r}")
        func = _py_enclosing_function(attr)
        cls = _py_class_of_method(func) if func is not None else None
        if func is None or cls is None or py_receiver(func) != node_text(obj):
            raise SkipSlot("not an attribute of the method's receiver")
        assign = attr.parent
        if assign is not None and assign.type == "assignment" and assign.child_by_field_name("left") == attr \
                and assign.child_by_field_name("type") is not None:
            raise SkipSlot("already annotated")
        if assign is None:
            raise SkipSlot("not a simple assignment")
        _simple_assignment(assign, attr)
        if _py_class_declares(cls, want):
            raise SkipSlot("already annotated elsewhere in the class")
        return Slot(("attribute", cls.start_byte, want), name_node, [Edit(attr.end_byte, attr.end_byte, f": {t}")], cls)
    if node.type == "identifier" and node_text(node) == want and parent is not None and parent.type == "assignment":
        scope = _py_scope(parent)
        if scope.type != "class_definition":
            raise SkipSlot("not a class attribute")
        cls_ann = Annotation("variable", want, ann.function, ann.line, ann.column, ann.type, ann.imports)
        return _py_variable(node, cls_ann, t)
    raise SkipSlot(f"position mismatch: expected {ann.name!r} at {ann.line}:{ann.column}, found {node_text(node)[:40]!r}")
