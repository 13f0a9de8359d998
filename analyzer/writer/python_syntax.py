"""`PYTHON_SYNTAX` and `PYTHON_ANCHORS`: the Python parts of the writer and of the editor's anchors,
built from `python_slots`, `bindings`, `imports` and `type_texts` (the Python adapter carries them).

Also what only Python's import step does: ``from __future__ import annotations`` when missing,
the warning for modules that may evaluate annotations at run time, and CPython's own parser check
(`py_parser_problem`: ``compile`` to an AST only), which alone decides whether a Python file has
syntax errors before and after the edit.  Does not: dispatch by language (see `source`).
"""

from __future__ import annotations

import ast

import tree_sitter

from typeinfer.analyzer.canonical_types import PYTHON_BUILTINS
from typeinfer.analyzer.writer.bindings import py_bindings
from typeinfer.analyzer.writer.edits import Edit, node_text
from typeinfer.analyzer.writer.imports import AUTO_IMPORTS, ImportPlan, py_import_edits
from typeinfer.analyzer.writer.python_slots import py_slot
from typeinfer.analyzer.writer.syntax import AnchorSyntax, WriterSyntax
from typeinfer.analyzer.writer.type_texts import py_type_names, py_type_problem

#: Modules whose presence means annotations may be evaluated at run time.
RUNTIME_ANNOTATION_MODULES = frozenset({
    "pydantic", "fastapi", "typer", "beartype", "typeguard", "strawberry", "sqlmodel", "cattrs",
    "msgspec", "attrs", "attr", "dacite", "marshmallow_dataclass", "litestar", "cyclopts",
})


def py_finish_imports(data: bytes, root: tree_sitter.Node, plan: ImportPlan, nl: str,
                      path: str) -> tuple[list[Edit], list[str], list[str]]:
    """The import edits of a Python file (with the future import when missing), the lines they add,
    and a warning when the file imports a module that may evaluate annotations at run time."""
    has_future = any(c.type == "future_import_statement" and "annotations" in
                     [node_text(n) for n in c.children_by_field_name("name")] for c in root.named_children)
    import_edits, added = py_import_edits(data, root, plan, nl, add_future=not has_future)
    warnings: list[str] = []
    runtime = sorted(m for m in RUNTIME_ANNOTATION_MODULES if imports_module(root, m))
    if runtime:
        warnings.append(f"{path}: imports {', '.join(runtime)}, which may evaluate annotations at "
                        "run time; names imported under TYPE_CHECKING are not available then")
    return import_edits, added, warnings


def imports_module(root: tree_sitter.Node, module: str) -> bool:
    """Whether a module imports `module` (or a submodule of it) at top level."""
    for n in root.named_children:
        if n.type == "import_statement":
            for c in n.children_by_field_name("name"):
                dotted = c.child_by_field_name("name") if c.type == "aliased_import" else c
                if node_text(dotted).split(".")[0] == module:
                    return True
        elif n.type == "import_from_statement":
            if node_text(n.child_by_field_name("module_name")).split(".")[0] == module:
                return True
    return False


def py_parser_problem(data: bytes) -> str | None:
    """Why CPython's own parser rejects the bytes (one line), or None when it accepts them.

    Only compiles to an AST (``compile(..., "exec", flags=ast.PyCF_ONLY_AST)``, no inherited
    future flags): nothing is executed.  The bytes go in as bytes, so a coding cookie applies and
    undecodable bytes are rejected as CPython rejects them."""
    try:
        compile(data, "<file>", "exec", dont_inherit=True, flags=ast.PyCF_ONLY_AST)
        return None
    except SyntaxError as exc:
        where = f"line {exc.lineno}: " if exc.lineno else ""
        return f"{where}{exc.msg}"
    except Exception as exc:  # ValueError (null bytes), RecursionError, MemoryError...
        return f"{type(exc).__name__}: {exc}".splitlines()[0]


def py_anchor_slot(node: tree_sitter.Node, kind: str) -> tuple[tree_sitter.Node, tree_sitter.Node | None] | None:
    """The name of a Python parameter / variable / attribute at `node`, and the node ``: T`` goes
    after (None: no inline annotation there)."""
    parent = node.parent
    if node.type == "identifier" and parent is not None and parent.type == "attribute" \
            and parent.child_by_field_name("object") == node:
        node, parent = parent, parent.parent  # self.x: the whole attribute is the target
    if node.type not in ("identifier", "attribute") or parent is None:
        return None
    name = node.child_by_field_name("attribute") if node.type == "attribute" else node
    if kind == "parameter":
        if parent.type in ("parameters", "list_splat_pattern", "dictionary_splat_pattern"):
            return name, node
        if parent.type == "default_parameter" and parent.child_by_field_name("name") == node:
            return name, node
        return name, None
    # variables and attributes: only a plain `name = value` (or `self.x = value`) takes `: T`
    if parent.type == "assignment" and parent.child_by_field_name("left") == node \
            and parent.child_by_field_name("type") is None and parent.child_by_field_name("right") is not None:
        grand = parent.parent
        if grand is not None and grand.type == "assignment":  # a = b = 1: not annotatable
            return name, None
        return name, node
    return name, None


PYTHON_SYNTAX = WriterSyntax(
    grammar="python",
    stub_suffix=".pyi",
    locate_slot=py_slot,
    bindings=py_bindings,
    type_problem=py_type_problem,
    type_names=py_type_names,
    builtin_names=PYTHON_BUILTINS | frozenset({"None"}),
    import_edits=py_finish_imports,
    auto_imports=AUTO_IMPORTS,
    coding_cookie=True,
    parser_problem=py_parser_problem,
    bindings_shadow_builtins=True,
)

PYTHON_ANCHORS = AnchorSyntax(
    functions=("function_definition",),
    containers=("function_definition", "class_definition"),
    name_slot=py_anchor_slot,
    return_arrow=True,
)
