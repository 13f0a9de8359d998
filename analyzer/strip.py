"""Removing type annotations from real code, so that annotated code can serve as a test set.

`strip_annotations(data, path, language)` removes the annotations of the slots the slicer
targets and records each one as a `RemovedAnnotation` keyed the way `analyzer.slices` keys
its slices: (kind, enclosing function's qualified name, name).  `strip_tree(src, dst)` does
it for a directory.  Used by `typeinfer eval PATH` (`analyzer.evaluate_dir`) and by the
end-to-end tests (strip a typed package, annotate it back, compare).

What is removed (byte splices on the tree-sitter tree, applied from the end):

* parameters -- Python ``x: T`` -> ``x``, ``x: T = d`` -> ``x=d`` (PEP 8 spacing),
  ``*args: T`` / ``**kw: T``; TypeScript ``x: T``, ``x?: T`` -> ``x?``, ``{a}: T`` -> ``{a}``,
  ``...r: T[]`` -> ``...r``, ``x: T = d`` -> ``x = d``;
* returns -- Python ``) -> T:`` -> ``):``; TypeScript ``): T`` -> ``)`` (functions, methods,
  arrow functions, function expressions, getters);
* variables -- Python ``x: T = v`` -> ``x = v`` in modules and functions; TypeScript
  ``const x: T = v`` -> ``const x = v``;
* attributes -- Python class-level ``x: T = v`` -> ``x = v`` in a plain class and
  ``self.x: T = v`` -> ``self.x = v`` in its methods; TypeScript class properties ``x: T = v``
  -> ``x = v`` and ``x: T;`` -> ``x;`` (an untyped property is valid TypeScript, implicitly
  ``any``; the MEMBER and its slot stay, so the label is still scorable); constructor
  parameter properties ``constructor(private x: T)`` (one annotation, two slots: a
  ``parameter`` and an ``attribute`` record).

What is left alone, recorded as `KeptAnnotation` with the reason:

* annotation-only statements: Python ``x: T`` / ``self.x: T`` (removing the statement can empty
  a block) and TypeScript ``let x: T;`` (without a value the slot would vanish);
* fields whose annotation defines them: class-level annotations in dataclasses, attrs classes,
  NamedTuple, TypedDict, Protocol and pydantic-like models (``BaseModel``, ``BaseSettings``,
  ``SQLModel``, ``msgspec.Struct``);
* signatures: ``@overload`` defs, TypeScript overload / ``declare`` / abstract / interface
  signatures (no body: the annotation is all there is);
* TypeScript ``x!: T`` and ``declare x: T`` properties (the ``!`` / ``declare`` needs the type),
  type predicates ``x is T`` / ``asserts x`` (they are not value types), destructuring variable
  patterns ``const {a}: T = v`` and namespace-level variables (no slice targets them),
  ``this: T`` and Python ``self``/``cls`` (not slots), ``catch (e: unknown)``;
* annotations of code the graph does not model (a function inside a parse error).
`strip_tree` copies ``.pyi`` and ``.d.ts`` files unchanged: in stubs the annotations are the code.

Names come from the front end itself: the file's AST-level graph (`cpg.frontends.build_ast`)
gives each function's qualified name and NAME, each class's, and each TypeScript property's,
by start byte, so a record names its slot exactly as the slicer will, including TypeScript's
arrow functions named after their variable or property (``cpg/frontends/typescript.py``
header).  Nothing here imports or runs the analysed code.

The stripped text must parse with no more ERROR/MISSING nodes than the original.  When it does
not (tree-sitter-typescript rejects ``b? // comment`` before ``)``), the splices at the new
errors are left out (their annotations kept, reason "stripping it breaks the parse") and the
file is tried again, up to `MAX_REPAIRS` times; after that the original bytes come back
unchanged, with no records and ``error`` saying so.
"""

from __future__ import annotations

import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import tree_sitter

from typeinfer.cpg.frontends import build_ast
from typeinfer.cpg.frontends.python import callee_key
from typeinfer.cpg.project import EXCLUDED_DIRS
from typeinfer.cpg.schema import MODULE_METHOD_NAME, EdgeKind, NodeKind, Prop
from typeinfer.cpg.source import (DEFAULT_MAX_BYTES, count_parse_errors, grammar_for_path, parse,
                                  source_from_text)

from .languages import adapter_for

#: Decorators / bases whose classes declare fields by annotation (class-level annotations kept).
_FIELD_DECORATORS = frozenset({
    "dataclass", "dataclasses.dataclass", "pydantic.dataclasses.dataclass", "attr.s", "attr.attrs",
    "attrs.define", "attr.define", "attrs.frozen", "attr.frozen", "attrs.mutable", "attr.mutable",
    "define", "frozen", "mutable", "attrs", "dataclass_transform", "typing.dataclass_transform",
})
_FIELD_BASES = frozenset({
    "NamedTuple", "TypedDict", "Protocol", "BaseModel", "BaseSettings", "SQLModel", "Struct",
    "RootModel", "GenericModel",
})
_OVERLOAD = frozenset({"overload", "typing.overload", "typing_extensions.overload"})
_TS_FUNCTIONS = frozenset({
    "function_declaration", "generator_function_declaration", "function_expression", "function",
    "generator_function", "arrow_function", "method_definition",
})
_TS_SIGNATURES = frozenset({"function_signature", "method_signature", "abstract_method_signature"})
_TS_CLASSES = frozenset({"class_declaration", "abstract_class_declaration", "class"})
_TS_NAMESPACES = frozenset({"internal_module", "module"})
_TS_ACCESS = frozenset({"private", "protected", "public", "readonly", "override"})
#: Rounds of "leave alone the annotations next to new parse errors and try again" before giving up.
MAX_REPAIRS = 3
#: Files `strip_tree` copies unchanged: stubs, where annotations are the code.
STUB_SUFFIXES = (".pyi", ".d.ts", ".d.mts", ".d.cts")


@dataclass
class RemovedAnnotation:
    """One annotation removed from a slot (JSON: ``asdict``)."""

    kind: str  #: "parameter", "return", "variable" or "attribute"
    name: str  #: the slot's name as the slicer gives it (a return: the function's NAME)
    function: str  #: enclosing function's dotted qualified name ("" at module level and for attributes)
    class_name: str  #: enclosing class as the slicer records it ("" when none)
    annotation: str  #: as written, whitespace runs collapsed the way the front end stores it
    line: int  #: 1-based line of the slot's name in the ORIGINAL file
    column: int = 0  #: 0-based byte column of that name in the original
    stripped_line: int = 0  #: the same line in the stripped file (multi-line annotations shift lines)

    def key(self, file: str) -> tuple[str, str, str, str]:
        """(file, kind, function, name): what joins a label to its slice / prediction."""
        return (file, self.kind, self.function, self.name)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class KeptAnnotation:
    """An annotation deliberately left in place, and why (see the module docstring)."""

    kind: str
    name: str
    function: str
    class_name: str
    annotation: str
    line: int
    reason: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class StripResult:
    """The stripped bytes and what was (and was not) removed."""

    new_bytes: bytes
    removed: list[RemovedAnnotation] = field(default_factory=list)
    kept: list[KeptAnnotation] = field(default_factory=list)
    error: str | None = None  #: why nothing was stripped (then `new_bytes` is the input)

    def to_json(self) -> dict[str, Any]:
        return {"removed": [r.to_json() for r in self.removed], "kept": [k.to_json() for k in self.kept],
                "error": self.error}


# --------------------------------------------------------------------------------------------
# names from the front end


@dataclass
class _Names:
    """Start byte -> what the front end called the function / class / property there."""

    functions: dict[int, tuple[str, str, str]] = field(default_factory=dict)  #: (qualname, NAME, class)
    classes: dict[int, str] = field(default_factory=dict)  #: qualname
    members: dict[int, str] = field(default_factory=dict)  #: MEMBER NAME


def _names(data: bytes, path: str) -> _Names:
    fg = build_ast(source_from_text(data, path))
    parent: dict[int, int] = {}
    for src, dst, kind, _ in fg.edges:
        if kind == EdgeKind.AST:
            parent[dst] = src
    out = _Names()

    def qual(props: dict) -> str:
        return str(props.get(Prop.FULL_NAME, "")).partition(":")[2]

    for nid, props in fg.nodes.items():
        kind = props[Prop.KIND]
        start = props.get(Prop.START_BYTE)
        if start is None:
            continue
        if kind == NodeKind.METHOD and props.get(Prop.NAME) != MODULE_METHOD_NAME:
            up = parent.get(nid)
            while up is not None and fg.nodes[up][Prop.KIND] == NodeKind.BLOCK:
                up = parent.get(up)
            cls = qual(fg.nodes[up]) if up is not None and fg.nodes[up][Prop.KIND] == NodeKind.TYPE_DECL else ""
            out.functions.setdefault(start, (qual(props), str(props.get(Prop.NAME, "")), cls))
        elif kind == NodeKind.TYPE_DECL:
            out.classes.setdefault(start, qual(props))
        elif kind == NodeKind.MEMBER:
            out.members.setdefault(start, str(props.get(Prop.NAME, "")))
    return out


# --------------------------------------------------------------------------------------------
# the walk


@dataclass(frozen=True)
class _Ctx:
    """Where a node is: the nearest enclosing def / class / namespace, and the nearest function."""

    scope: str = "module"  #: "module", "function", "class" or "namespace"
    scope_node: tree_sitter.Node | None = None
    function: tree_sitter.Node | None = None


class _Stripper:
    def __init__(self, data: bytes, path: str, language: str, tree: tree_sitter.Tree, names: _Names) -> None:
        self.data = data
        self.path = path
        self.language = language
        self.tree = tree
        self.names = names
        self.splices: list[tuple[int, int, str]] = []  #: (start, end, replacement)
        self.removed: list[tuple[int, tuple[int, int, str], RemovedAnnotation]] = []  #: (name offset, splice, record)
        self.kept: list[KeptAnnotation] = []

    # ----------------------------------------------------------------- helpers
    def text(self, node: tree_sitter.Node) -> str:
        return self.data[node.start_byte:node.end_byte].decode("utf-8", errors="replace")

    def annotation(self, node: tree_sitter.Node) -> str:
        """The front end's stored form (the adapter's `stored_annotation`)."""
        return adapter_for(self.language).stored_annotation(self.text(node), node.type)

    def remove(self, kind: str, name: str, function: str, class_name: str, annotation: str,
               at: tree_sitter.Node, start: int, end: int, replacement: str = "") -> None:
        self.splices.append((start, end, replacement))
        self.record(kind, name, function, class_name, annotation, at)

    def record(self, kind: str, name: str, function: str, class_name: str, annotation: str,
               at: tree_sitter.Node) -> None:
        """A removed slot, tied to the splice added last (two slots may share one splice)."""
        self.removed.append((at.start_byte, self.splices[-1], RemovedAnnotation(
            kind=kind, name=name, function=function, class_name=class_name, annotation=annotation,
            line=at.start_point[0] + 1, column=at.start_point[1])))

    def keep(self, kind: str, name: str, function: str, class_name: str, annotation: str,
             at: tree_sitter.Node, reason: str) -> None:
        self.kept.append(KeptAnnotation(kind, name, function, class_name, annotation, at.start_point[0] + 1, reason))

    def function_names(self, fn: tree_sitter.Node | None) -> tuple[str, str, str] | None:
        """(qualname, NAME, class) of a function node; ("", "", "") at module level; None if unmodelled."""
        if fn is None:
            return ("", "", "")
        return self.names.functions.get(fn.start_byte)

    # ----------------------------------------------------------------- driver
    def run(self) -> None:
        walk = self.walk_python if self.language == "python" else self.walk_typescript
        stack: list[tuple[tree_sitter.Node, _Ctx]] = [(self.tree.root_node, _Ctx())]
        while stack:
            node, ctx = stack.pop()
            inner = walk(node, ctx)
            stack.extend((c, inner) for c in reversed(node.children) if c.is_named)

    # ----------------------------------------------------------------- Python
    def walk_python(self, node: tree_sitter.Node, ctx: _Ctx) -> _Ctx:
        t = node.type
        if t == "function_definition":
            self.py_function(node, ctx)
            return _Ctx("function", node, node)
        if t == "class_definition":
            return _Ctx("class", node, ctx.function)
        if t == "assignment" and node.child_by_field_name("type") is not None:
            self.py_assignment(node, ctx)
        return ctx

    @staticmethod
    def _decorator_keys(definition: tree_sitter.Node, data: bytes) -> set[str]:
        parent = definition.parent
        if parent is None or parent.type != "decorated_definition":
            return set()
        keys = set()
        for d in parent.named_children:
            if d.type == "decorator":
                text = data[d.start_byte:d.end_byte].decode("utf-8", errors="replace").lstrip("@")
                keys.add(callee_key(text))
        return keys

    def py_function(self, fn: tree_sitter.Node, ctx: _Ctx) -> None:
        names = self.function_names(fn)
        params = fn.child_by_field_name("parameters")
        returns = fn.child_by_field_name("return_type")
        typed = [p for p in (params.named_children if params is not None else ())
                 if p.type in ("typed_parameter", "typed_default_parameter")]
        if not typed and returns is None:
            return
        overload = bool(self._decorator_keys(fn, self.data) & _OVERLOAD)
        qual, name, cls = names if names is not None else ("", "", "")
        reason = "overload signature" if overload else ("function not modelled" if names is None else "")
        first = next((p for p in (params.named_children if params is not None else ())
                      if p.type not in ("keyword_separator", "positional_separator", "comment")), None)
        for p in typed:
            type_ts = p.child_by_field_name("type")
            if p.type == "typed_default_parameter":
                name_ts = p.child_by_field_name("name")
            else:
                name_ts = next((c for c in p.named_children if c.type != "type"), None)
            if name_ts is None or type_ts is None:
                continue
            ident = name_ts
            if ident.type in ("list_splat_pattern", "dictionary_splat_pattern"):
                ident = next(iter(ident.named_children), ident)
            pname = self.text(ident) if ident.type == "identifier" else ""
            note = self.annotation(type_ts)
            if reason:
                self.keep("parameter", pname, qual, cls, note, ident, reason)
            elif p == first and cls and pname in ("self", "cls"):
                self.keep("parameter", pname, qual, cls, note, ident, "self parameter (not a slot)")
            elif p.type == "typed_default_parameter":
                value = p.child_by_field_name("value")
                if value is None:
                    continue
                self.remove("parameter", pname, qual, cls, note, ident, name_ts.end_byte, value.start_byte, "=")
            else:
                self.remove("parameter", pname, qual, cls, note, ident, name_ts.end_byte, type_ts.end_byte)
        if returns is not None and params is not None:
            note = self.annotation(returns)
            at = fn.child_by_field_name("name") or fn
            if reason:
                self.keep("return", name, qual, cls, note, at, reason)
            else:
                self.remove("return", name, qual, cls, note, at, params.end_byte, returns.end_byte)

    def py_assignment(self, node: tree_sitter.Node, ctx: _Ctx) -> None:
        left, type_ts, right = (node.child_by_field_name(f) for f in ("left", "type", "right"))
        if left is None or type_ts is None:
            return
        note = self.annotation(type_ts)
        fn_names = self.function_names(ctx.function) or ("", "", "")
        if left.type == "identifier":
            name = self.text(left)
            if ctx.scope == "class":
                cls_node = ctx.scope_node
                assert cls_node is not None
                cls = self.names.classes.get(cls_node.start_byte)
                if cls is None:
                    self.keep("attribute", name, "", "", note, left, "class not modelled")
                elif right is None:
                    self.keep("attribute", name, "", cls, note, left, "annotation-only statement")
                elif self.py_field_class(cls_node):
                    self.keep("attribute", name, "", cls, note, left, "field declared by its annotation")
                else:
                    self.remove("attribute", name, "", cls, note, left, left.end_byte, type_ts.end_byte)
                return
            if ctx.function is not None and self.function_names(ctx.function) is None:
                self.keep("variable", name, "", "", note, left, "function not modelled")
            elif right is None:
                self.keep("variable", name, fn_names[0], fn_names[2], note, left, "annotation-only statement")
            else:
                self.remove("variable", name, fn_names[0], fn_names[2], note, left, left.end_byte, type_ts.end_byte)
            return
        if left.type == "attribute":
            obj, attr = left.child_by_field_name("object"), left.child_by_field_name("attribute")
            name = self.text(attr) if attr is not None else self.text(left)
            cls = self.py_self_class(ctx, obj)
            if cls is None:
                self.keep("attribute", name, "", "", note, left, "not a slot (not self.<name> in a method)")
            elif right is None:
                self.keep("attribute", name, "", cls, note, left, "annotation-only statement")
            else:
                self.remove("attribute", name, "", cls, note, left, left.end_byte, type_ts.end_byte)
            return
        self.keep("variable", self.text(left), fn_names[0], "", note, left, "not a slot (target is not a name)")

    def py_self_class(self, ctx: _Ctx, obj: tree_sitter.Node | None) -> str | None:
        """The class qualname when `obj` is the first parameter of a method directly in a class."""
        fn = ctx.function
        if obj is None or obj.type != "identifier" or fn is None or ctx.scope_node is not fn:
            return None
        up = fn.parent
        while up is not None and up.type not in ("function_definition", "class_definition"):
            up = up.parent
        if up is None or up.type != "class_definition":
            return None
        if "staticmethod" in self._decorator_keys(fn, self.data):
            return None
        params = fn.child_by_field_name("parameters")
        first = next((p for p in (params.named_children if params is not None else ())
                      if p.type not in ("keyword_separator", "positional_separator", "comment")), None)
        if first is None:
            return None
        ident = first if first.type == "identifier" else (
            first.child_by_field_name("name") or next(iter(first.named_children), None))
        if ident is None or ident.type != "identifier" or self.text(ident) != self.text(obj):
            return None
        return self.names.classes.get(up.start_byte)

    def py_field_class(self, cls_node: tree_sitter.Node) -> bool:
        """Dataclass, attrs, NamedTuple, TypedDict, Protocol, pydantic-like: annotations are fields."""
        keys = self._decorator_keys(cls_node, self.data)
        if keys & _FIELD_DECORATORS or any(k.rsplit(".", 1)[-1] in ("dataclass", "define", "frozen") for k in keys):
            return True
        supers = cls_node.child_by_field_name("superclasses")
        for arg in (supers.named_children if supers is not None else ()):
            if arg.type == "keyword_argument":
                continue
            if callee_key(self.text(arg)).rsplit(".", 1)[-1] in _FIELD_BASES:
                return True
        return False

    # ----------------------------------------------------------------- TypeScript
    def walk_typescript(self, node: tree_sitter.Node, ctx: _Ctx) -> _Ctx:
        t = node.type
        if t in _TS_FUNCTIONS:
            self.ts_function(node)
            return _Ctx("function", node, node)
        if t == "class_static_block":
            return _Ctx("function", node, node)
        if t in _TS_SIGNATURES:
            self.ts_signature(node)
            return _Ctx("function", node, node)
        if t in _TS_CLASSES:
            self.ts_class(node)
            return _Ctx("class", node, ctx.function)
        if t in _TS_NAMESPACES:
            return _Ctx("namespace", node, ctx.function)
        if t == "variable_declarator" and node.child_by_field_name("type") is not None:
            self.ts_variable(node, ctx)
        return ctx

    def ts_params(self, fn: tree_sitter.Node):
        """(parameter node, name node, name, type node) of each typed parameter."""
        params = fn.child_by_field_name("parameters")
        for p in (params.named_children if params is not None else ()):
            if p.type not in ("required_parameter", "optional_parameter"):
                continue
            pattern, type_ts = p.child_by_field_name("pattern"), p.child_by_field_name("type")
            if pattern is None or type_ts is None:
                continue
            if pattern.type == "rest_pattern":
                inner = next(iter(pattern.named_children), None)
                if inner is None:
                    continue
                name_ts = inner
            else:
                name_ts = pattern
            name = self.text(name_ts) if name_ts.type in ("identifier", "this") else " ".join(self.text(name_ts).split())
            yield p, name_ts, name, type_ts

    def ts_signature(self, fn: tree_sitter.Node) -> None:
        names = self.function_names(fn) or ("", "", "")
        for _, name_ts, name, type_ts in self.ts_params(fn):
            self.keep("parameter", name, names[0], names[2], self.annotation(type_ts), name_ts, "signature (no body)")
        rt = fn.child_by_field_name("return_type")
        if rt is not None:
            self.keep("return", names[1], names[0], names[2], self.annotation(rt), fn, "signature (no body)")

    def ts_function(self, fn: tree_sitter.Node) -> None:
        names = self.function_names(fn)
        if fn.child_by_field_name("body") is None:
            self.ts_signature(fn)
            return
        qual, fname, cls = names if names is not None else ("", "", "")
        reason = "" if names is not None else "function not modelled"
        is_ctor = fn.type == "method_definition" and fname == "constructor" and bool(cls)
        for p, name_ts, name, type_ts in self.ts_params(fn):
            note = self.annotation(type_ts)
            if reason:
                self.keep("parameter", name, qual, cls, note, name_ts, reason)
                continue
            if name_ts.type == "this":
                self.keep("parameter", name, qual, cls, note, name_ts, "this parameter (not a slot)")
                continue
            before = type_ts.prev_sibling
            start = before.end_byte if before is not None else type_ts.start_byte
            self.remove("parameter", name, qual, cls, note, name_ts, start, type_ts.end_byte)
            access = {"override" if c.type == "override_modifier" else self.text(c) if c.is_named else c.type
                      for c in p.children if c.type in ("accessibility_modifier", "override_modifier", "readonly")}
            if is_ctor and name_ts.type == "identifier" and (access & _TS_ACCESS):
                self.record("attribute", name, "", cls, note, name_ts)
        rt = fn.child_by_field_name("return_type")
        if rt is None:
            return
        note = self.annotation(rt)
        if reason:
            self.keep("return", fname, qual, cls, note, fn, reason)
        elif rt.type != "type_annotation":
            self.keep("return", fname, qual, cls, note, fn, "type predicate / assertion")
        else:
            before = rt.prev_sibling
            start = before.end_byte if before is not None else rt.start_byte
            self.remove("return", fname, qual, cls, note, fn, start, rt.end_byte)

    def ts_class(self, node: tree_sitter.Node) -> None:
        body = node.child_by_field_name("body")
        cls = self.names.classes.get(node.start_byte)
        for f in (body.named_children if body is not None else ()):
            if f.type not in ("public_field_definition", "field_definition"):
                continue
            type_ts = f.child_by_field_name("type")
            if type_ts is None:
                continue
            name_ts = f.child_by_field_name("name") or f.child_by_field_name("property")
            name = self.names.members.get(f.start_byte) or (self.text(name_ts) if name_ts is not None else "")
            note = self.annotation(type_ts)
            at = name_ts or f
            tokens = {c.type for c in f.children}
            if cls is None:
                self.keep("attribute", name, "", "", note, at, "class not modelled")
            elif "!" in tokens:
                self.keep("attribute", name, "", cls, note, at, "definite assignment x!: T needs its type")
            elif "declare" in tokens:
                self.keep("attribute", name, "", cls, note, at, "declare field needs its type")
            else:
                before = type_ts.prev_sibling
                start = before.end_byte if before is not None else type_ts.start_byte
                self.remove("attribute", name, "", cls, note, at, start, type_ts.end_byte)

    def ts_variable(self, node: tree_sitter.Node, ctx: _Ctx) -> None:
        name_ts, type_ts, value = (node.child_by_field_name(f) for f in ("name", "type", "value"))
        if name_ts is None or type_ts is None:
            return
        name = self.text(name_ts)
        note = self.annotation(type_ts)
        names = self.function_names(ctx.function)
        if names is None:
            self.keep("variable", name, "", "", note, name_ts, "function not modelled")
        elif ctx.scope == "namespace":
            self.keep("variable", name, names[0], "", note, name_ts, "namespace-level variable (no slice)")
        elif name_ts.type != "identifier":
            self.keep("variable", name, names[0], names[2], note, name_ts, "destructuring pattern (no slot)")
        elif value is None:
            self.keep("variable", name, names[0], names[2], note, name_ts, "declaration without a value")
        else:
            self.remove("variable", name, names[0], names[2], note, name_ts, name_ts.end_byte, type_ts.end_byte)

    # ----------------------------------------------------------------- applying
    def chosen(self, dropped: set[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        """The splices to apply, sorted, without `dropped` and without overlaps (the outer one wins)."""
        out: list[tuple[int, int, str]] = []
        for sp in sorted(set(self.splices) - dropped, key=lambda s: (s[0], -s[1])):
            if out and sp[0] < out[-1][1]:
                continue
            out.append(sp)
        return out

    def apply(self, chosen: list[tuple[int, int, str]]) -> tuple[bytes, list[RemovedAnnotation]]:
        """Splice from the end; the records of applied splices, with their stripped lines filled in."""
        out = bytearray(self.data)
        for start, end, rep in reversed(chosen):
            out[start:end] = rep.encode()
        lost: list[tuple[int, int]] = []  # (end of splice, newlines removed up to it)
        total = 0
        for start, end, rep in chosen:
            total += self.data.count(b"\n", start, end) - rep.count("\n")
            lost.append((end, total))
        applied = set(chosen)
        records = []
        for offset, splice, rec in sorted(self.removed, key=lambda r: r[0]):
            if splice not in applied:
                continue
            shift = 0
            for end, cum in lost:
                if end > offset:
                    break
                shift = cum
            rec.stripped_line = rec.line - shift
            records.append(rec)
        return bytes(out), records

    def drop(self, splices: set[tuple[int, int, str]], reason: str) -> None:
        """Turn the records of dropped splices into kept annotations."""
        for _, splice, rec in self.removed:
            if splice in splices:
                self.kept.append(KeptAnnotation(rec.kind, rec.name, rec.function, rec.class_name, rec.annotation,
                                                rec.line, reason))


def _error_spans(tree: tree_sitter.Tree) -> list[tuple[int, int]]:
    """Byte spans of ERROR / MISSING nodes (iterative walk)."""
    out = []
    stack = [tree.root_node] if tree.root_node.has_error else []
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            out.append((node.start_byte, node.end_byte))
        elif node.has_error:
            stack.extend(node.children)
    return out


def _to_original(offset: int, chosen: list[tuple[int, int, str]]) -> int:
    """A byte offset of the stripped text -> the corresponding offset of the original."""
    delta = 0
    for start, end, rep in chosen:
        if start - delta >= offset:
            break
        delta += (end - start) - len(rep.encode())
    return offset + delta


def strip_annotations(data: bytes, path: str, language: str) -> StripResult:
    """Remove the slot annotations of one file's bytes (see the module docstring)."""
    grammar = grammar_for_path(path)
    if grammar is None:
        return StripResult(data, error=f"{path}: unsupported file type")
    if grammar[0] != language:
        raise ValueError(f"{path}: a {grammar[0]} file, not {language}")
    tree = parse(data, grammar[1])
    stripper = _Stripper(data, path, language, tree, _names(data, path))
    stripper.run()
    if not stripper.splices:
        return StripResult(data, [], stripper.kept)
    before = count_parse_errors(tree)
    dropped: set[tuple[int, int, str]] = set()
    for _ in range(MAX_REPAIRS + 1):
        chosen = stripper.chosen(dropped)
        new, removed = stripper.apply(chosen)
        new_tree = parse(new, grammar[1])
        after = count_parse_errors(new_tree)
        if after <= before:
            stripper.drop(dropped, "stripping it breaks the parse")
            return StripResult(new, removed, stripper.kept)
        # leave alone the splices at or just before each new ERROR node and try again
        culprits: set[tuple[int, int, str]] = set()
        for err_start, err_end in _error_spans(new_tree):
            lo, hi = _to_original(err_start, chosen), _to_original(err_end, chosen)
            near = [sp for sp in chosen if sp[1] >= lo and sp[0] <= hi]
            if not near:
                near = [sp for sp in chosen if sp[1] <= lo][-1:]
            culprits.update(near)
        if not culprits:
            break
        dropped |= culprits
    return StripResult(data, [], stripper.kept,
                       error=f"{path}: stripping would add parse errors ({before} -> {after}); left unchanged")


def _is_stub(relpath: str) -> bool:
    return relpath.lower().endswith(STUB_SUFFIXES)


def strip_tree_results(src: Path, dst: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> dict[str, StripResult]:
    """Copy `src` to `dst` stripping every supported file; the result of each stripped file by relpath.

    Skips ``node_modules``, ``.git`` and the other directories the project build never enters,
    and symbolic links.  Stubs (``.pyi``, ``.d.ts``) and files over `max_bytes` are copied as-is.
    """
    src, dst = Path(src), Path(dst)
    results: dict[str, StripResult] = {}
    if src.is_file():
        dst.mkdir(parents=True, exist_ok=True)
        files = [(src, src.name)]
    else:
        files = []
        stack = [src]
        while stack:
            directory = stack.pop()
            for entry in sorted(directory.iterdir(), key=lambda p: p.name):
                if entry.is_symlink():
                    continue
                if entry.is_dir():
                    if entry.name not in EXCLUDED_DIRS:
                        stack.append(entry)
                elif entry.is_file():
                    files.append((entry, entry.relative_to(src).as_posix()))
    for path, rel in sorted(files, key=lambda f: f[1]):
        target = dst / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        grammar = grammar_for_path(rel)
        if grammar is None or _is_stub(rel) or path.stat().st_size > max_bytes:
            shutil.copyfile(path, target)
            continue
        data = path.read_bytes()
        if b"\x00" in data[:8192]:
            shutil.copyfile(path, target)
            continue
        result = strip_annotations(data, rel, grammar[0])
        target.write_bytes(result.new_bytes)
        results[rel] = result
    return results


def strip_tree(src: Path, dst: Path) -> dict[str, list[RemovedAnnotation]]:
    """Copy `src` to `dst` with annotations stripped; removed annotations by relative path."""
    return {rel: r.removed for rel, r in strip_tree_results(src, dst).items()}
