"""`annotate_source`: one file's bytes and annotations in, the edited bytes and a report out.

Parses the bytes, checks each type text (`type_texts`), locates its slot (`locate`, over
`python_slots` / `typescript_slots`), plans the imports (`imports`), splices everything in
(`edits`), and refuses the result when it parses worse than the original.  Pure: does not read
or write files (see `files`), and never raises on analyzed data.
"""

from __future__ import annotations

import ast

import tree_sitter

from typeinfer.analyzer.writer.bindings import py_bindings, ts_bindings
from typeinfer.analyzer.writer.contract import Annotation, Applied, EditResult, Skipped, normalize_language
from typeinfer.analyzer.writer.edits import (
    Edit,
    SkipSlot,
    Slot,
    apply_edits,
    file_encoding,
    file_newline,
    line_starts,
    node_text,
    offset_to_point,
    shift_offset,
)
from typeinfer.analyzer.writer.imports import ImportPlan, py_import_edits, ts_import_edits
from typeinfer.analyzer.writer.python_slots import py_slot
from typeinfer.analyzer.writer.type_texts import type_problem
from typeinfer.analyzer.writer.typescript_slots import ts_slot
from typeinfer.cpg.source import count_parse_errors, grammar_for_path, parse

#: Modules whose presence means annotations may be evaluated at run time.
RUNTIME_ANNOTATION_MODULES = frozenset({
    "pydantic", "fastapi", "typer", "beartype", "typeguard", "strawberry", "sqlmodel", "cattrs",
    "msgspec", "attrs", "attr", "dacite", "marshmallow_dataclass", "litestar", "cyclopts",
})


def grammar_of(path: str, language: str) -> str:
    """The tree-sitter grammar of a file: by its extension, else the language's own."""
    g = grammar_for_path(path)
    if g is not None:
        return g[1]
    return "python" if language == "python" else "typescript"


def locate(root: tree_sitter.Node, ann: Annotation, language: str, type_text: str | None = None) -> Slot | str:
    """The slot an annotation targets, or why it cannot be annotated (a one-line reason)."""
    t = ann.type if type_text is None else type_text
    try:
        if language == "python":
            return py_slot(root, ann, t)
        return ts_slot(root, ann, t)
    except SkipSlot as s:
        return s.reason
    except (AssertionError, AttributeError, ValueError) as exc:  # an odd tree: skip, never crash
        return f"cannot locate the slot ({type(exc).__name__})"


def _ast_ok(data: bytes) -> bool:
    try:
        ast.parse(data)
        return True
    except Exception:  # SyntaxError, ValueError (null bytes), RecursionError, MemoryError...
        return False


def annotate_source(data: bytes, path: str, language: str, annotations: list[Annotation]) -> EditResult:
    """Write `annotations` into `data` (the bytes of `path`); see the module docstring for the rules."""
    lang = normalize_language(language)
    result = EditResult(path=path, language=lang, original=data, data=data)
    grammar = grammar_of(path, lang)
    if lang != "python" and grammar == "javascript":
        for a in annotations:
            result.skipped.append(Skipped(a, "JavaScript file: inline type annotations are not valid (use --stub)"))
        return result
    if path.endswith(".d.ts") or path.endswith(".pyi"):
        for a in annotations:
            result.skipped.append(Skipped(a, "declaration/stub file: not annotated"))
        return result
    encoding = file_encoding(data, lang)
    nl = file_newline(data).decode("ascii")
    try:
        tree = parse(data, grammar)
    except Exception as exc:  # pragma: no cover - tree-sitter does not raise on bytes
        for a in annotations:
            result.skipped.append(Skipped(a, f"cannot parse ({exc})"))
        return result
    root = tree.root_node
    bindings = py_bindings(root) if lang == "python" else ts_bindings(root)
    plan = ImportPlan(lang, bindings)
    edits: list[Edit] = []
    accepted: list[tuple[Annotation, Slot]] = []
    taken: set[tuple] = set()
    for ann in annotations:
        problem = type_problem(ann.type, lang)
        if problem is not None:
            result.skipped.append(Skipped(ann, problem))
            continue
        slot = locate(root, ann, lang)
        if isinstance(slot, str):
            result.skipped.append(Skipped(ann, slot))
            continue
        if slot.key in taken:
            result.skipped.append(Skipped(ann, "duplicate: the slot already gets a type in this run"))
            continue
        adds = plan.resolve(ann, slot.scope)
        if isinstance(adds, str):
            result.skipped.append(Skipped(ann, adds))
            continue
        plan.accept(adds)
        taken.add(slot.key)
        accepted.append((ann, slot))
        edits.extend(slot.edits)
    if not accepted:
        return result
    if lang == "python":
        has_future = any(c.type == "future_import_statement" and "annotations" in
                         [node_text(n) for n in c.children_by_field_name("name")] for c in root.named_children)
        import_edits, added = py_import_edits(data, root, plan, nl, add_future=not has_future)
        runtime = sorted(m for m in RUNTIME_ANNOTATION_MODULES if _imports_module(root, m))
        if runtime:
            result.warnings.append(f"{path}: imports {', '.join(runtime)}, which may evaluate annotations at "
                                   "run time; names imported under TYPE_CHECKING are not available then")
    else:
        import_edits, added = ts_import_edits(data, root, plan, nl)
    all_edits = edits + import_edits
    new = apply_edits(data, all_edits, encoding)
    before = count_parse_errors(tree)
    new_tree = parse(new, grammar)
    after = count_parse_errors(new_tree)
    if after > before:
        result.refused = f"the edit would add {after - before} syntax error(s)"
        return result
    if lang == "python" and _ast_ok(data) and not _ast_ok(new):
        result.refused = "the edited file is rejected by the Python parser"
        return result
    result.data = new
    result.imports_added = added
    starts = line_starts(new)
    for ann, slot in accepted:
        off = shift_offset(slot.name_node.start_byte, all_edits, encoding)
        row, col = offset_to_point(starts, off)
        result.applied.append(Applied(ann, row + 1, col))
    return result


def _imports_module(root: tree_sitter.Node, module: str) -> bool:
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
