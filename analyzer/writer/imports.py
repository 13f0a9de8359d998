"""Import planning and placement: which imports the accepted annotations need, and the edits
that add them.

`ImportPlan` resolves the names of each type (builtin, bound, type parameter, given by a
`TypeImport`, or one of `AUTO_IMPORTS`) and refuses conflicts; `py_import_edits` adds
``from __future__ import annotations`` and an ``if TYPE_CHECKING:`` block, `ts_import_edits`
``import type`` lines, merging into existing imports (see the package docstring for the rules).
Does not: locate slots, apply edits, or check that the result parses.
"""

from __future__ import annotations

import sys

import tree_sitter

from typeinfer.analyzer.writer.bindings import Bindings
from typeinfer.analyzer.writer.contract import Annotation
from typeinfer.analyzer.writer.edits import Edit, line_end, line_start, node_text
from typeinfer.analyzer.writer.syntax import WriterSyntax
from typeinfer.analyzer.writer.type_texts import scope_type_params

#: Python names a type may use without a `TypeImport`: the module they are imported from.
#: ABCs come from ``collections.abc`` (PEP 585), the other typing constructs from ``typing``.
AUTO_IMPORTS: dict[str, str] = {
    **{n: "collections.abc" for n in (
        "Callable", "Iterable", "Iterator", "Generator", "AsyncIterable", "AsyncIterator",
        "AsyncGenerator", "Awaitable", "Coroutine", "Sequence", "MutableSequence", "Mapping",
        "MutableMapping", "MutableSet", "Collection", "Container", "Hashable", "Sized",
        "Reversible", "ItemsView", "KeysView", "ValuesView", "MappingView")},
    **{n: "typing" for n in (
        "Any", "Literal", "Union", "Optional", "Annotated", "Final", "ClassVar", "TypeVar",
        "ParamSpec", "TypeVarTuple", "Protocol", "Generic", "NoReturn", "Never", "Self",
        "LiteralString", "TypeGuard", "TypeIs", "Concatenate", "Unpack", "TypeAlias", "AnyStr",
        "IO", "TextIO", "BinaryIO", "SupportsInt", "SupportsFloat", "SupportsIndex", "SupportsAbs",
        "AbstractSet", "ContextManager", "AsyncContextManager", "NamedTuple", "TypedDict")},
    **{n: "collections" for n in ("defaultdict", "deque", "OrderedDict", "Counter", "ChainMap")},
    **{n: "pathlib" for n in ("Path", "PurePath", "PosixPath", "WindowsPath")},
    **{n: "re" for n in ("Pattern", "Match")},
    **{n: "datetime" for n in ("date", "timedelta", "timezone", "tzinfo")},
    "Decimal": "decimal", "Fraction": "fractions", "UUID": "uuid", "Enum": "enum",
    "TracebackType": "types", "ModuleType": "types", "Logger": "logging",
    "AbstractContextManager": "contextlib", "AbstractAsyncContextManager": "contextlib",
}


class ImportPlan:
    """Names to import, per module, collected while annotations are accepted."""

    def __init__(self, syntax: WriterSyntax, bindings: Bindings) -> None:
        self.syntax = syntax
        self.bindings = bindings
        self.wanted: dict[str, str] = {}  #: name -> module
        self.project: set[str] = set()  #: modules of the analyzed project

    def resolve(self, ann: Annotation, scope: tree_sitter.Node | None) -> dict[str, str] | str:
        """The imports this annotation adds (name -> module), or why it cannot be written."""
        given = {i.name: i.module for i in ann.imports}
        names = self.syntax.type_names(ann.type)
        tparams = scope_type_params(scope)
        out: dict[str, str] = {}
        for name in names:
            if name in self.syntax.builtin_names:
                if self.syntax.bindings_shadow_builtins and name in self.bindings.names:
                    return f"name conflict: {name!r} is rebound in this file, the type needs the builtin {name}"
                continue
            if name in tparams:
                continue
            module = given.get(name)
            if name in self.bindings.names:
                bound_from = self.bindings.names[name]
                if module and bound_from and not module.startswith(".") and not bound_from.startswith(".") \
                        and bound_from != module:
                    return f"name conflict: {name!r} is imported from {bound_from} here, the type needs {module}.{name}"
                continue
            if module is None:
                module = self.syntax.auto_imports.get(name)
            if module is None:
                if self.bindings.star:
                    continue  # may come from the star import; cannot tell
                return f"unresolved name {name!r} (not bound in the file and no import given)"
            planned = self.wanted.get(name) or out.get(name)
            if planned is not None and planned != module:
                return f"name conflict: {name!r} is already imported from {planned} for another annotation"
            out[name] = module
            if any(i.is_project and i.module == module for i in ann.imports):
                self.project.add(module)
        return out

    def accept(self, adds: dict[str, str]) -> None:
        self.wanted.update(adds)

    def by_module(self) -> dict[str, list[str]]:
        """Modules in isort's order: standard library, third party, project; names sorted."""
        mods: dict[str, list[str]] = {}
        for name, module in self.wanted.items():
            mods.setdefault(module, []).append(name)

        def group(m: str) -> tuple[int, str]:
            if m.startswith(".") or m in self.project:
                return (2, m)
            return (0 if m.split(".")[0] in sys.stdlib_module_names else 1, m)

        return {m: sorted(set(mods[m])) for m in sorted(mods, key=group)}


def is_docstring(n: tree_sitter.Node) -> bool:
    """Whether a statement is a bare string (a docstring where it comes first)."""
    return n.type == "expression_statement" and len(n.named_children) == 1 and n.named_children[0].type in (
        "string", "concatenated_string")


def _py_type_checking_block(root: tree_sitter.Node) -> tree_sitter.Node | None:
    for n in root.named_children:
        if n.type == "if_statement":
            cond = node_text(n.child_by_field_name("condition")).strip()
            block = n.child_by_field_name("consequence")
            if cond.split(".")[-1] == "TYPE_CHECKING" and block is not None and block.named_children \
                    and block.start_point[0] > n.start_point[0]:  # not `if TYPE_CHECKING: import x`
                return block
    return None


def _merge_into(stmt: tree_sitter.Node, names: list[str]) -> Edit:
    """Add names after the last imported name of a ``from M import a, b`` / ``import type {a}``."""
    if stmt.type == "import_statement":  # TypeScript
        spec = None
        for c in stmt.children:
            if c.type == "import_clause":
                for k in c.children:
                    if k.type == "named_imports":
                        specs = [s for s in k.named_children if s.type == "import_specifier"]
                        if specs:
                            spec = specs[-1]
        assert spec is not None
        return Edit(spec.end_byte, spec.end_byte, "".join(f", {n}" for n in names))
    last = stmt.children_by_field_name("name")[-1]
    return Edit(last.end_byte, last.end_byte, "".join(f", {n}" for n in names))


def py_import_edits(data: bytes, root: tree_sitter.Node, plan: ImportPlan, nl: str,
                     add_future: bool) -> tuple[list[Edit], list[str]]:
    """Edits adding the future import, TYPE_CHECKING and the planned imports; and their lines."""
    edits: list[Edit] = []
    added: list[str] = []
    children = [c for c in root.named_children if c.type != "comment"]
    futures = [c for c in children if c.type == "future_import_statement"]
    doc = children[0] if children and is_docstring(children[0]) else None

    def anchor_after(node: tree_sitter.Node) -> tuple[int, str]:
        end = line_end(data, node.end_byte)
        prefix = nl if end == len(data) and not data.endswith((b"\n", b"\r")) else ""
        return end, prefix

    # the head anchor: after futures, after the docstring, or before the first statement
    if futures:
        head, head_prefix = anchor_after(futures[-1])
        head_kind = "future"
    elif doc is not None:
        head, head_prefix = anchor_after(doc)
        head_kind = "doc"
    else:
        first = children[0] if children else None
        head = line_start(data, first.start_byte) if first is not None else len(data)
        head_prefix = nl if head == len(data) and data and not data.endswith((b"\n", b"\r")) else ""
        head_kind = "top"
    order = 0
    head_text: list[str] = []
    if add_future:
        line = "from __future__ import annotations"
        head_text.append((nl if head_kind == "doc" else "") + line + nl)
        added.append(line)
    modules = plan.by_module()
    if modules:
        block = _py_type_checking_block(root)
        if block is not None:
            stmts = [c for c in block.named_children if c.type != "comment"]
            indent = data[line_start(data, stmts[0].start_byte):stmts[0].start_byte].decode("utf-8", "replace") \
                if stmts else "    "
            if indent.strip() or not indent:
                indent = "    "
            existing = {node_text(s.child_by_field_name("module_name")): s for s in stmts
                        if s.type == "import_from_statement"
                        and not any(c.type == "wildcard_import" for c in s.children)
                        and s.children_by_field_name("name")}
            new_lines = []
            for module, names in modules.items():
                if module in existing:
                    edits.append(_merge_into(existing[module], names))
                    added.append(f"from {module} import {', '.join(names)} (merged)")
                else:
                    line = f"from {module} import {', '.join(names)}"
                    new_lines.append(indent + line + nl)
                    added.append(line)
            if new_lines:
                last = block.children[-1] if block.children else block
                at, prefix = anchor_after(last)
                edits.append(Edit(at, at, prefix + "".join(new_lines), 5))
        else:
            chunk: list[str] = []
            if "TYPE_CHECKING" not in plan.bindings.names:
                typing_from = [c for c in children if c.type == "import_from_statement"
                               and node_text(c.child_by_field_name("module_name")) == "typing"
                               and not any(k.type == "wildcard_import" for k in c.children)
                               and c.children_by_field_name("name")]
                if typing_from:
                    edits.append(_merge_into(typing_from[0], ["TYPE_CHECKING"]))
                    added.append("from typing import TYPE_CHECKING (merged)")
                else:
                    chunk.append("from typing import TYPE_CHECKING" + nl)
                    added.append("from typing import TYPE_CHECKING")
            first_def = next((i for i, c in enumerate(children) if c.type in (
                "function_definition", "class_definition", "decorated_definition")), len(children))
            imports = [c for c in children[:first_def] if c.type in ("import_statement", "import_from_statement")]
            chunk.append(nl + "if TYPE_CHECKING:" + nl)
            for module, names in modules.items():
                line = f"from {module} import {', '.join(names)}"
                chunk.append("    " + line + nl)
                added.append(line)
            if imports:
                at, prefix = anchor_after(imports[-1])
                edits.append(Edit(at, at, prefix + "".join(chunk), 5))
            else:
                head_text.extend(chunk)
    if head_text:
        text = head_prefix + "".join(head_text)
        nxt = data[head:head + 2]
        if head_kind in ("doc", "top") and nxt[:1] not in (b"\n", b"\r") and head < len(data):
            text += nl  # a blank line before the code that follows
        edits.append(Edit(head, head, text, order))
    return edits, added


def ts_import_edits(data: bytes, root: tree_sitter.Node, plan: ImportPlan, nl: str) -> tuple[list[Edit], list[str]]:
    """Edits adding the planned ``import type`` lines (or merging into existing ones); and their lines."""
    edits: list[Edit] = []
    added: list[str] = []
    modules: dict[str, list[str]] = {}
    for name, module in plan.wanted.items():
        modules.setdefault(module, []).append(name)
    if not modules:
        return edits, added
    imports = [c for c in root.named_children if c.type == "import_statement"]
    type_imports: dict[str, tree_sitter.Node] = {}
    for imp in imports:
        is_type = any(c.type == "type" for c in imp.children)
        clause = next((c for c in imp.children if c.type == "import_clause"), None)
        named = clause is not None and any(k.type == "named_imports" and any(
            s.type == "import_specifier" for s in k.named_children) for k in clause.children)
        only_named = clause is not None and all(k.type in ("named_imports",) for k in clause.named_children)
        src = imp.child_by_field_name("source")
        if is_type and named and only_named and src is not None:
            type_imports.setdefault(node_text(src)[1:-1], imp)
    quote, semi = '"', ";"
    if imports:
        src = imports[-1].child_by_field_name("source")
        if src is not None and node_text(src)[:1] in ("'", '"'):
            quote = node_text(src)[:1]
        semi = ";" if node_text(imports[-1]).rstrip().endswith(";") else ""
    lines = []
    for module in sorted(modules):
        names = sorted(set(modules[module]))
        if module in type_imports:
            edits.append(_merge_into(type_imports[module], names))
            added.append(f"import type {{ {', '.join(names)} }} from {quote}{module}{quote} (merged)")
        else:
            line = f"import type {{ {', '.join(names)} }} from {quote}{module}{quote}{semi}"
            lines.append(line + nl)
            added.append(line)
    if lines:
        if imports:
            at = line_end(data, imports[-1].end_byte)
            prefix = nl if at == len(data) and not data.endswith((b"\n", b"\r")) else ""
            edits.append(Edit(at, at, prefix + "".join(lines), 5))
        else:
            first = next((c for c in root.named_children if c.type != "comment"), None)
            at = line_start(data, first.start_byte) if first is not None else len(data)
            text = "".join(lines)
            if first is not None:
                text += nl
            edits.append(Edit(at, at, text, 5))
    return edits, added
