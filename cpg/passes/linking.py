"""Project linking pass: imports, inheritance, call resolution and type edges.

Needs: every file merged into the project graph (front end + per-file passes done).
Re-runnable: it first removes what an earlier run added, so `project.update_file` can call it
after any change.

What it resolves (the static part; inferred types sharpen it later through `TypeOracle`):

* IMPORT targets: Python ``import a.b as m`` / ``from .m import f`` and TypeScript
  ``import {f} from './m'`` to project files and their top-level definitions; anything else
  becomes an external dotted name (``os.path.join``, ``express:default``).
* INHERITS_FROM: base classes named in the same file or imported.
* CALL edges and METHOD_FULL_NAME of calls: plain names (nested, module-level, imported),
  constructors (``Foo()``, ``new Foo()``: CALL to ``__init__``/``constructor`` and EVAL_TYPE to
  the class), ``self.m()``/``this.m()`` through the class hierarchy, ``mod.f()`` on imported
  modules, and ``x.m()`` where x's declared type (or the type an oracle supplies) is known, or,
  for an untyped parameter x, the one type the project's calls pass it.
  External callees get their dotted name (``json.loads``, ``sqlite3.Cursor.execute``), also
  where the receiver's type names a library class the file never binds (``cur: sqlite3.Cursor``
  with only ``connect`` imported, ``s: str``).
* EVAL_TYPE from LOCAL / METHOD_PARAMETER_IN / MEMBER / METHOD_RETURN whose type names a project
  class.
"""

from __future__ import annotations

import builtins
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Iterable, Protocol

from ..dataflow import argument_for, assigned_value, self_writes
from ..graph import CodePropertyGraph, NodeId
from ..schema import (FIELD_ACCESS_OPS, MODULE_METHOD_NAME, OPERATOR_PREFIX, SELF_NAMES, UNRESOLVED_PREFIX,
                      Control, EdgeKind, NodeKind, Op, Prop)

_LINK_EDGES = (EdgeKind.CALL, EdgeKind.INHERITS_FROM, EdgeKind.EVAL_TYPE)
#: bases every class has, or that add no methods a call could mean (nor make a class a library's)
PLAIN_BASES = frozenset({"object", "builtins.object", "Generic", "typing.Generic", "Protocol", "typing.Protocol",
                          "ABC", "abc.ABC", "typing_extensions.Protocol"})
#: rounds of linking calls on parameters typed by their callers (`Linker._link_by_callers`)
CALLER_ROUNDS = 2
LINK_EDGES = _LINK_EDGES  #: the edges this pass adds (and removes before a re-run)
#: the kinds of the nodes it adds them from: calls (CALL, EVAL_TYPE), classes (INHERITS_FROM) and
#: typed slots (EVAL_TYPE)
_LINKED_KINDS = frozenset({NodeKind.CALL, NodeKind.TYPE_DECL, NodeKind.LOCAL, NodeKind.METHOD_PARAMETER_IN,
                           NodeKind.MEMBER, NodeKind.METHOD_RETURN})
_TS_EXTENSIONS = (".ts", ".tsx", ".d.ts", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")
_CONSTRUCTORS = ("__init__", "constructor")
_PYTHON_BUILTINS = frozenset(n for n in dir(builtins) if not n.startswith("_"))
_PYTHON_BUILTIN_TYPES = frozenset(n for n in _PYTHON_BUILTINS if isinstance(getattr(builtins, n), type))
#: builtin classes whose call makes an instance of the class (``dict()``, ``bytearray(b)``);
#: ``type(x)`` answers x's class and ``super()`` a proxy, so neither is one
_PYTHON_BUILTIN_CLASSES = frozenset(f"builtins.{n}" for n in _PYTHON_BUILTINS
                                    if isinstance(getattr(builtins, n), type) and n not in ("type", "super"))
#: the last part of a library name that PEP 8 spells as a class (``Session``, ``AsyncClient``; not
#: ``XML``, ``get``): calling it makes an instance, as ``new`` does in TypeScript
_CLASS_NAME = re.compile(r"[A-Z][A-Z0-9]*[a-z][A-Za-z0-9]*")
#: library functions spelled as classes, whose call makes no instance of that name: parameter
#: declarations (``Depends(get_db)``, ``Field(...)``), element factories, and the functional forms
#: that make a new class (``NamedTuple("P", ...)``, ``Enum("Color", ...)``)
_NOT_CONSTRUCTORS = frozenset({
    *(f"fastapi.{n}" for n in ("Depends", "Security", "Query", "Path", "Body", "Header", "Cookie", "Form", "File")),
    "pydantic.Field", "pydantic.PrivateAttr", "sqlmodel.Field", "sqlmodel.Relationship",
    *(f"lxml.etree.{n}" for n in ("Element", "SubElement", "ElementTree", "Comment", "PI", "ProcessingInstruction",
                                   "Entity")),
    "typing.NamedTuple", "typing.TypedDict", "typing.NewType",
    *(f"enum.{n}" for n in ("Enum", "IntEnum", "StrEnum", "Flag", "IntFlag")),
})
#: TypeScript/JavaScript globals whose members calls are named after (``JSON.parse``).
_TS_GLOBALS = frozenset({
    "JSON", "Math", "Object", "Array", "Promise", "Number", "String", "Boolean", "Date", "RegExp",
    "Map", "Set", "WeakMap", "WeakSet", "Symbol", "Reflect", "console", "process", "Buffer",
    "window", "document", "globalThis", "parseInt", "parseFloat", "isNaN", "setTimeout",
    "setInterval", "clearTimeout", "fetch", "require", "Error", "TypeError", "BigInt", "Intl",
    "encodeURIComponent", "decodeURIComponent", "structuredClone", "queueMicrotask",
})


class TypeOracle(Protocol):
    """Supplies a type for a node whose type the graph does not declare (inferred types)."""

    def type_of(self, cpg: CodePropertyGraph, node: NodeId) -> str | None: ...


@dataclass
class Target:
    """What a name resolves to: a project node, a project module (file), or an external name."""

    node: NodeId | None = None
    module_file: str | None = None
    external: str | None = None
    variable: NodeId | None = None  #: a module-level LOCAL of a project file (``from a import db``)


@dataclass
class SymbolIndex:
    """Lookup tables over the merged graph."""

    by_full_name: dict[str, NodeId] = field(default_factory=dict)  #: METHOD / TYPE_DECL full names
    module_files: dict[str, str] = field(default_factory=dict)  #: python dotted module -> relpath
    files: set[str] = field(default_factory=set)
    imports: dict[str, dict[str, Target]] = field(default_factory=dict)  #: relpath -> alias -> target
    default_exports: dict[str, NodeId] = field(default_factory=dict)  #: TS relpath -> default export
    star_exports: dict[str, list[str]] = field(default_factory=dict)  #: TS relpath -> ``export *`` specs
    reexports: dict[str, set[str]] = field(default_factory=dict)  #: TS relpath -> names ``export {x} from``
    module_locals: dict[str, dict[str, NodeId]] = field(default_factory=dict)  #: relpath -> module-level LOCALs


def principal_type_name(annotation: str) -> str | None:
    """The class a declared type is about: ``Optional[Foo]`` / ``Foo | None`` / ``'Foo'`` -> ``Foo``."""
    text = annotation.strip().strip("'\"")
    for wrapper in ("Optional[", "typing.Optional[", "Annotated[", "typing.Annotated[", "Final[", "ClassVar["):
        if text.startswith(wrapper) and text.endswith("]"):
            text = text[len(wrapper):-1].split(",")[0].strip()
    parts = [p.strip() for p in re.split(r"\|", text) if p.strip() not in ("None", "null", "undefined", "")]
    if len(parts) != 1:
        return None
    match = re.match(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*", parts[0].strip("'\""))
    return match.group(0) if match else None


def python_module_names(relpath: str) -> list[str]:
    """Dotted names of a Python file's module: ``pkg/mod.py`` -> ``pkg.mod``; ``src/pkg/mod.py`` also ``pkg.mod``."""
    path = PurePosixPath(relpath)
    parts = list(path.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    names = [".".join(parts)] if parts else []
    for prefix in ("src", "lib", "python"):  # src layouts: src/pkg/mod.py is pkg.mod
        if len(parts) > 1 and parts[0] == prefix:
            names.append(".".join(parts[1:]))
    return names


def build_index(cpg: CodePropertyGraph) -> SymbolIndex:
    """Index full names and modules, then resolve every file's imports (once per set of files:
    the index reads only the files' structure).  Shared: callers must not change it."""
    return cpg.derived("symbol_index", lambda: _new_index(cpg))


def _new_index(cpg: CodePropertyGraph) -> SymbolIndex:
    index = SymbolIndex(files=set(cpg.files))
    # the first declaration of a full name, the last default export of a file, in the file's graph
    # order: a full name and a default export belong to one file, whose ids grow in that order
    for n in sorted((*cpg.nodes(NodeKind.METHOD), *cpg.nodes(NodeKind.TYPE_DECL))):
        props = cpg.props(n)
        index.by_full_name.setdefault(props[Prop.FULL_NAME], n)
        if "default" in props.get(Prop.MODIFIERS, ()) and "export" in props.get(Prop.MODIFIERS, ()):
            index.default_exports[n[0]] = n
    for rel, info in cpg.files.items():
        if info.language == "python":
            for name in python_module_names(rel):
                index.module_files.setdefault(name, rel)
    raw: dict[str, dict[str, str]] = {}
    for n in cpg.nodes(NodeKind.IMPORT):
        props = cpg.props(n)
        alias = props.get(Prop.IMPORTED_AS) or ""
        rel = n[0]
        entity = props[Prop.IMPORTED_ENTITY]
        reexport = "reexport" in (props.get(Prop.MODIFIERS) or ())
        if reexport and not alias and entity.endswith(":*"):
            index.star_exports.setdefault(rel, []).append(entity[:-2])  # export * from './y'
            continue
        if not alias or alias == "*":
            continue
        if reexport:
            index.reexports.setdefault(rel, set()).add(alias)
        head, _, rest = entity.partition(".")
        if cpg.files[rel].language == "python" and rest and alias == head and not entity.startswith("."):
            entity = head  # `import os.path` binds `os`, the top-level package
        raw.setdefault(rel, {})[alias] = entity
    _ModuleLocals(cpg, index).collect()
    resolving: set[tuple[str, str]] = set()

    def imported(rel: str, alias: str) -> Target | None:
        """The target of `alias` bound by an import of file `rel` (resolved on demand, cycles cut)."""
        table = index.imports.setdefault(rel, {})
        if alias in table:
            return table[alias]
        if alias not in raw.get(rel, {}) or (rel, alias) in resolving:
            return None
        resolving.add((rel, alias))
        table[alias] = _resolve_import(index, rel, cpg.files[rel].language, raw[rel][alias], imported)
        resolving.discard((rel, alias))
        return table[alias]

    for rel in sorted(raw):
        for alias in raw[rel]:
            imported(rel, alias)
    return index


class _ModuleLocals:
    """Collects the LOCALs declared at module level (direct children of a file's module method)."""

    def __init__(self, cpg: CodePropertyGraph, index: SymbolIndex) -> None:
        self.cpg, self.index = cpg, index

    def collect(self) -> None:
        for rel in self.cpg.files:
            module = self.index.by_full_name.get(f"{rel}:{MODULE_METHOD_NAME}")
            if module is None:
                continue
            table = self.index.module_locals.setdefault(rel, {})
            for child in self.cpg.out(module, EdgeKind.AST):
                for node in ([child] + (self.cpg.out(child, EdgeKind.AST)
                                        if self.cpg.kind(child) == NodeKind.BLOCK else [])):
                    if self.cpg.kind(node) == NodeKind.LOCAL:
                        table.setdefault(self.cpg.get(node, Prop.NAME, ""), node)


def _resolve_import(index: SymbolIndex, rel: str, language: str, entity: str, imported=None) -> Target:
    """What one import binds; `imported(file, name)` follows re-exports (Python package imports,
    TypeScript ``export {x} from`` / ``export * from``)."""
    if language == "python":
        dotted = _absolute_python(rel, entity)
        if dotted in index.module_files:
            return Target(module_file=index.module_files[dotted])
        module, _, name = dotted.rpartition(".")
        if module in index.module_files:
            file = index.module_files[module]
            node = index.by_full_name.get(f"{file}:{name}")
            if node is not None:
                return Target(node=node)
            submodule = index.module_files.get(dotted)
            if submodule:
                return Target(module_file=submodule)
            forwarded = imported(file, name) if imported is not None else None
            if forwarded is not None and (forwarded.node or forwarded.module_file or forwarded.variable):
                return forwarded  # `from pkg import engine`, pkg/__init__.py: `from .db import engine`
            return Target(external=dotted, variable=index.module_locals.get(file, {}).get(name))
        return Target(external=dotted)
    spec, _, name = entity.rpartition(":")
    file = _resolve_ts_module(index, rel, spec) if spec.startswith(".") else None
    if file is None:
        return Target(external=f"{spec}.{name}" if name not in ("*", "default") else spec)
    if name == "*":
        return Target(module_file=file)
    if name == "default":
        node = index.default_exports.get(file)
        return Target(node=node) if node else Target(module_file=file)
    found = _ts_export(index, file, name, imported, set())
    if found is not None and found.node is None and found.module_file is None and found.external is None:
        found = Target(external=f"{spec}.{name}", variable=found.variable)  # keeps the dotted name it had
    return found if found is not None else Target(external=f"{spec}.{name}")


def _ts_export(index: SymbolIndex, file: str, name: str, imported, seen: set[str]) -> Target | None:
    """What TypeScript module `file` exports as `name`: a definition, a module-level variable, or a
    re-export (``export {x} from './y'``, ``export * from './y'``)."""
    if file in seen:
        return None
    seen.add(file)
    node = index.by_full_name.get(f"{file}:{name}")
    if node is not None:
        return Target(node=node)
    local = index.module_locals.get(file, {}).get(name)
    if local is not None:
        return Target(variable=local)
    if imported is not None and name in index.reexports.get(file, ()):
        forwarded = imported(file, name)
        if forwarded is not None:
            return forwarded
    for spec in index.star_exports.get(file, ()):
        target = _resolve_ts_module(index, file, spec) if spec.startswith(".") else None
        if target is not None:
            found = _ts_export(index, target, name, imported, seen)
            if found is not None:
                return found
    return None


def _absolute_python(rel: str, entity: str) -> str:
    if not entity.startswith("."):
        return entity
    level = len(entity) - len(entity.lstrip("."))
    package = list(PurePosixPath(rel).parent.parts)
    if level > 1:
        package = package[: len(package) - (level - 1)]
    rest = entity[level:]
    names = python_module_names("/".join(package + ["__init__.py"])) if package else [""]
    base = names[-1] if names else ""
    return ".".join(p for p in (base, rest) if p)


def _resolve_ts_module(index: SymbolIndex, rel: str, spec: str) -> str | None:
    base = PurePosixPath(rel).parent / spec
    parts: list[str] = []
    for part in base.parts:  # normalise ./ and ../ without touching the disk
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    stem = "/".join(parts)
    for candidate in [stem] + [stem + ext for ext in _TS_EXTENSIONS] + [f"{stem}/index{ext}" for ext in _TS_EXTENSIONS]:
        if candidate in index.files:
            return candidate
    if stem.endswith(".js"):  # TS sources import './x.js' meaning './x.ts'
        return _resolve_ts_module(index, rel, spec[:-3])
    return None


class Linker:
    """Resolves names, calls and types over one project graph."""

    def __init__(self, cpg: CodePropertyGraph, oracle: TypeOracle | None = None) -> None:
        self.cpg = cpg
        self.index = build_index(cpg)
        self.oracle = oracle
        self._mro_cache: dict[NodeId, list[NodeId]] = {}
        self._method_of: dict[NodeId, NodeId | None] = {}
        self._callee_cache: dict[NodeId, tuple[Target | None, bool]] = {}
        self._return_cache: dict[tuple[NodeId, bool], Target | None] = {}
        self._variable_cache: dict[NodeId, Target | None] = {}
        self._member_cache: dict[tuple[NodeId, str], Target | None] = {}
        self._library_bases: dict[NodeId, str | None] = {}
        self._passed_cache: dict[NodeId, Target | None] = {}
        self._passed_busy: set[NodeId] = set()
        self._callee_busy: set[NodeId] = set()
        self._member_busy: set[tuple[NodeId, str]] = set()
        #: answers given while a cycle was cut short, kept until the answer being worked out is given
        self._tentative: dict[Any, Any] = {}
        self._cycle_seen = False
        self._by_callers = False  #: parameters are typed by their callers (`run`'s last rounds)
        #: the answer being worked out read an untyped parameter that its callers may type (or an
        #: answer that did, or one given while a cycle was cut short)
        self._touched = False
        #: the calls, attributes ((class, name)) and variables whose remembered answers did: only
        #: those can answer otherwise once the callers type the parameters (`_link_by_callers`)
        self._read_parameter: set[Any] = set()
        self._variable_busy: set[NodeId] = set()
        self._definition_busy: set[NodeId] = set()  #: writes whose value's type is being worked out
        self._module_local_set = {n for table in self.index.module_locals.values() for n in table.values()}

    # -- names
    def resolve_name(self, rel: str, scope_qualname: str, name: str) -> Target | None:
        """A name as seen from inside `scope_qualname` of file `rel` (innermost scope first)."""
        parts = scope_qualname.split(".") if scope_qualname and scope_qualname != MODULE_METHOD_NAME else []
        for depth in range(len(parts), -1, -1):
            prefix = ".".join(parts[:depth])
            node = self.index.by_full_name.get(f"{rel}:{prefix + '.' if prefix else ''}{name}")
            if node is not None:
                return Target(node=node)
        return self.index.imports.get(rel, {}).get(name)

    def resolve_type(self, rel: str, scope_qualname: str, annotation: str) -> Target | None:
        """The class a declared type names: project TYPE_DECL, or external dotted name."""
        if ":" in annotation and annotation.partition(":")[0] in self.index.files:
            node = self.index.by_full_name.get(annotation.strip())  # a written-back full name
            return Target(node=node) if node is not None else None
        name = principal_type_name(annotation)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        target = self.resolve_name(rel, scope_qualname, head)
        if target is None:
            return self._qualified_type(name) if rest else None
        if not rest:
            if target.node is not None and self.cpg.kind(target.node) == NodeKind.TYPE_DECL:
                return target
            return target if target.external else None
        if target.module_file is not None:
            node = self.index.by_full_name.get(f"{target.module_file}:{rest}")
            return Target(node=node) if node is not None and self.cpg.kind(node) == NodeKind.TYPE_DECL else None
        if target.external is not None:
            return Target(external=f"{target.external}.{rest}")
        return None

    def _qualified_type(self, dotted: str) -> Target | None:
        """A fully qualified type name not bound in the file: a project class or an external one."""
        module, _, cls = dotted.rpartition(".")
        while module:
            file = self.index.module_files.get(module)
            if file is not None:
                node = self.index.by_full_name.get(f"{file}:{cls}")
                return Target(node=node) if node is not None and self.cpg.kind(node) == NodeKind.TYPE_DECL else None
            module, _, head = module.rpartition(".")
            cls = f"{head}.{cls}"
        return Target(external=dotted)

    # -- classes
    def mro(self, type_decl: NodeId) -> list[NodeId]:
        """The class and its project ancestors, nearest first (breadth-first, no duplicates)."""
        if type_decl not in self._mro_cache:
            self._mro_cache[type_decl] = self.cpg.lineage(type_decl)
        return self._mro_cache[type_decl]

    def _binds(self, type_decl: NodeId, name: str) -> bool:
        """Whether a project class or its project bases bind `name` other than as a method (an
        attribute, a class-level value, a nested class), or `name` is a dunder the language gives
        every object (``self.__class__()``)."""
        if name.startswith("__") and name.endswith("__"):
            return True
        for cls in self.mro(type_decl):
            if name in self_writes(self.cpg, cls) or self._class_level(cls, name) or any(
                    self.cpg.get(c, Prop.NAME) == name and self.cpg.kind(c) in (NodeKind.MEMBER, NodeKind.TYPE_DECL)
                    for c in self.cpg.ast_children(cls)):
                return True
        return False

    def _library_base(self, type_decl: NodeId) -> str | None:
        """The one library class a project class derives from, directly or through project classes
        (``tornado.web.RequestHandler``), by its dotted name; None with none, or with several (a
        mixin's method could be either's).  A base made by a call (``six.with_metaclass(...)``,
        ``namedtuple(...)``) and a TypeScript ``implements`` (an interface: no methods) are none."""
        if type_decl in self._library_bases:
            return self._library_bases[type_decl]
        found: set[str] = set()
        for cls in self.mro(type_decl):
            scope = self.cpg.get(cls, Prop.FULL_NAME, "").partition(":")[2].rpartition(".")[0]
            bases = self.cpg.get(cls, Prop.INHERITS_FROM_TYPE_FULL_NAME, ()) or ()
            if self.cpg.files[cls[0]].language != "python":
                extends = re.search(r"\bextends\s+([\w$.]+)", str(self.cpg.get(cls, Prop.CODE, "")))
                bases = [extends.group(1)] if extends else []
            for base in bases:
                text = re.sub(r"[<\[].*$", "", base)
                if text in PLAIN_BASES or "(" in text or "=" in text:
                    continue
                target = self.resolve_type(cls[0], scope, text)
                if target is not None and target.external is not None and target.external not in PLAIN_BASES:
                    found.add(target.external)
        result = found.pop() if len(found) == 1 else None
        self._library_bases[type_decl] = result
        return result

    def find_method(self, type_decl: NodeId, name: str) -> NodeId | None:
        """Method `name` of a class or its project ancestors."""
        for cls in self.mro(type_decl):
            node = self.index.by_full_name.get(f"{self.cpg.get(cls, Prop.FULL_NAME)}.{name}")
            if node is not None and self.cpg.kind(node) == NodeKind.METHOD:
                return node
        return None

    # -- the pass
    def run(self, files: Iterable[str] | None = None, nodes: Iterable[NodeId] | None = None) -> None:
        """Link the whole project, or only the nodes of `files`, or only `nodes` (the rest keeps
        its links)."""
        attrs = self.cpg.g._node  # direct dict access: this loop visits every node
        if nodes is None:
            nodes = attrs if files is None else [n for f in files for n in self.cpg.file_nodes(f)]
        # only these kinds get this pass's edges; the graph's order kept (answers are cached as they come)
        nodes = [n for n in nodes if attrs[n][Prop.KIND] in _LINKED_KINDS]
        self._remove_links(nodes)
        self._mro_cache.clear()
        self._callee_cache.clear()
        self._return_cache.clear()
        self._variable_cache.clear()
        self._member_cache.clear()
        self._library_bases.clear()
        self._read_parameter.clear()
        for n in nodes:
            if attrs[n][Prop.KIND] == NodeKind.TYPE_DECL:
                self._link_bases(n)
        self._by_callers = False
        calls = []
        for n in nodes:
            props = attrs[n]
            kind = props[Prop.KIND]
            if kind == NodeKind.CALL:
                self._link_call(n, props)
                if self._is_open(n):
                    calls.append(n)  # still open: perhaps a call on a parameter its callers type
            elif kind in (NodeKind.LOCAL, NodeKind.METHOD_PARAMETER_IN, NodeKind.MEMBER, NodeKind.METHOD_RETURN):
                declared = props.get(Prop.TYPE_FULL_NAME)  # declared, or written back by inference
                if declared:
                    target = self.resolve_type(n[0], self._scope_of(n), declared)
                    if target is not None and target.node is not None:
                        self.cpg.add_edge(n, target.node, EdgeKind.EVAL_TYPE)
        self._link_by_callers(calls)
        for call in calls:
            if self._is_open(call):
                self._link_by_receiver_type(call)

    def _link_by_callers(self, calls: list[NodeId]) -> None:
        """Link the calls left open on an untyped parameter (``def fetch(session, url):
        session.get(url)``) with the type the project's calls pass it (``fetch(s, u)`` with ``s =
        aiohttp.ClientSession()``; through a helper passing its parameter on, and calls on a value
        it gives, ``y = s.make(); y.build()``, too).  Asked only once every call has a callee, since
        the callers must be known.  Each round works out every call's callee before applying any
        (the answer does not depend on which call comes first), and a round more looks again at
        what the first linked, for the functions whose callers only that round linked: a link
        whose callers now disagree is taken back.  Only the calls whose answer read an untyped
        parameter are asked (through other calls and variables too: ``with p as m: m.close()``):
        the others answer the same."""
        self._by_callers = True
        linked: set[NodeId] = set()
        try:
            for _ in range(CALLER_ROUNDS):
                calls = [c for c in calls if self._is_open(c) and c in self._read_parameter]
                asked = calls + sorted(linked)
                if not asked:
                    return
                # each answer that read such a parameter was given before (these) callers were
                # asked: those of the calls asked, and of the calls (and variables) they read through
                for key in (*asked, *self._read_parameter):
                    self._callee_cache.pop(key, None)
                    self._variable_cache.pop(key, None)
                self._passed_cache.clear()
                self._member_cache.clear()  # `self.x = param`: the parameter's callers type it now
                answers = {call: self._callee(call) for call in asked}
                callers_changed = False  # a function gained or lost a caller: its parameters may type anew
                for call in sorted(linked):
                    before = tuple(self.cpg.out(call, EdgeKind.CALL))
                    self._unlink(call)
                    target, is_new = answers[call]
                    self._apply(call, target, self.cpg.get(call, Prop.NAME, ""), is_new)
                    if target is None:
                        linked.discard(call)
                    callers_changed |= before != tuple(self.cpg.out(call, EdgeKind.CALL))
                for call in calls:
                    target, is_new = answers[call]
                    if target is not None:
                        self._apply(call, target, self.cpg.get(call, Prop.NAME, ""), is_new)
                        linked.add(call)
                        callers_changed |= bool(self.cpg.out(call, EdgeKind.CALL))
                if not callers_changed:
                    return
        finally:
            self._by_callers = False

    def _link_by_receiver_type(self, call: NodeId) -> None:
        """An open method call whose receiver has a type of a library class the file never binds
        (``cur: sqlite3.Cursor`` where only ``connect`` is imported; ``s: str``): ``Type.method``."""
        props = self.cpg.props(call)
        if not self.cpg.out(call, EdgeKind.RECEIVER) or props.get(Prop.NAME, "").startswith(OPERATOR_PREFIX):
            return
        receiver = self.cpg.arguments(call).get(0)
        if receiver is None:
            return
        rprops = self.cpg.props(receiver)
        typ = None
        if rprops[Prop.KIND] == NodeKind.IDENTIFIER:
            refs = self.cpg.out(receiver, EdgeKind.REF)
            if refs:
                typ = self.cpg.get(refs[0], Prop.TYPE_FULL_NAME)
        elif rprops[Prop.KIND] == NodeKind.CALL and self.oracle is not None:
            typ = self.oracle.type_of(self.cpg, receiver)
        name = principal_type_name(typ) if typ else None
        if name and "." not in name and self.cpg.files[call[0]].language == "python" \
                and name in _PYTHON_BUILTIN_TYPES:
            name = f"builtins.{name}"  # the linker's convention for builtins (builtins.open)
        if name and "." in name:
            props[Prop.METHOD_FULL_NAME] = f"{name}.{props[Prop.NAME]}"

    def _unlink(self, call: NodeId) -> None:
        """Take back what `_apply` gave a call: its callee edges, type edges and resolved name."""
        self._remove_links([call])
        props = self.cpg.props(call)
        props[Prop.METHOD_FULL_NAME] = self._original_full_name(props)

    def _remove_links(self, nodes: Iterable[NodeId]) -> None:
        """Remove the edges this pass adds out of `nodes`."""
        succ = self.cpg.g._succ
        self.cpg.g.remove_edges_from([(n, d, k) for n in nodes for d, kinds in succ[n].items()
                                      for k in kinds if k in _LINK_EDGES])

    def _is_open(self, call: NodeId) -> bool:
        """A call no resolution has reached (still ``<unresolved>.name``)."""
        return str(self.cpg.get(call, Prop.METHOD_FULL_NAME, "")).startswith(UNRESOLVED_PREFIX)

    def _passed_type(self, param: NodeId) -> Target | None:
        """The type every project call of `param`'s function that passes a typed argument for it
        agrees on (None: no typed argument, or two types)."""
        if param in self._passed_cache:
            return self._passed_cache[param]
        if param in self._passed_busy:  # functions passing the parameter round in a cycle
            self._cycle_seen = True
            return None
        self._passed_busy.add(param)
        outer, self._cycle_seen = self._cycle_seen, False
        method = self.cpg.ast_parent(param)
        found: dict[tuple, Target] = {}
        for call in self.cpg.into(method, EdgeKind.CALL) if method is not None else ():
            arg = argument_for(self.cpg, call, method, param)
            typed = self._value_type(arg) if arg is not None else None
            if typed is not None:
                found.setdefault((typed.node, typed.external, typed.module_file), typed)
        result = next(iter(found.values())) if len(found) == 1 else None
        self._passed_busy.discard(param)
        if not self._cycle_seen:  # an answer given while a cycle was cut short may be another call's
            self._passed_cache[param] = result
        self._cycle_seen = outer or self._cycle_seen
        return result

    def _enclosing_method(self, n: NodeId) -> NodeId | None:
        """The METHOD a node belongs to (memoized along the way up)."""
        nodes = self.cpg.g._node
        chain = []
        node: NodeId | None = self.cpg.ast_parent(n)
        while node is not None and nodes[node][Prop.KIND] != NodeKind.METHOD:
            if node in self._method_of:
                node = self._method_of[node]
                break
            chain.append(node)
            node = self.cpg.ast_parent(node)
        for visited in chain:
            self._method_of[visited] = node
        return node

    def _scope_of(self, n: NodeId) -> str:
        method = self._enclosing_method(n) if self.cpg.kind(n) != NodeKind.METHOD else n
        if method is None:
            return ""
        return self.cpg.get(method, Prop.FULL_NAME, "").partition(":")[2]

    def _link_bases(self, n: NodeId) -> None:
        scope = self.cpg.get(n, Prop.FULL_NAME, "").partition(":")[2].rpartition(".")[0]
        for base in self.cpg.get(n, Prop.INHERITS_FROM_TYPE_FULL_NAME, ()) or ():
            target = self.resolve_type(n[0], scope, re.sub(r"[<\[].*$", "", base))
            if target is not None and target.node is not None and target.node != n \
                    and self.cpg.kind(target.node) == NodeKind.TYPE_DECL:  # not `extends makeClass()`
                self.cpg.add_edge(n, target.node, EdgeKind.INHERITS_FROM)

    def _link_call(self, call: NodeId, props: dict) -> None:
        name = props.get(Prop.NAME, "")
        full = props.get(Prop.METHOD_FULL_NAME, "")
        if full.startswith(OPERATOR_PREFIX) or name.startswith(OPERATOR_PREFIX):
            return
        original = self._original_full_name(props)
        props[Prop.METHOD_FULL_NAME] = original
        props["_UNRESOLVED_FULL_NAME"] = original
        target, is_new = self._callee(call)
        if target is not None:
            self._apply(call, target, name, is_new)

    @staticmethod
    def _original_full_name(props: dict) -> str:
        """The METHOD_FULL_NAME the front end gave (an earlier run may have replaced it)."""
        full = props.get(Prop.METHOD_FULL_NAME, "")
        if full.startswith(UNRESOLVED_PREFIX):
            return full
        return props.get("_UNRESOLVED_FULL_NAME", UNRESOLVED_PREFIX + props.get(Prop.NAME, ""))

    def _callee(self, call: NodeId) -> tuple[Target | None, bool]:
        """What a call invokes (a METHOD, a class's constructor, an external name) and whether it is
        ``new``; memoized, and free of side effects, so receivers' types can ask about any call."""
        cached = self._callee_cache.get(call)
        if cached is not None:
            self._touched |= call in self._read_parameter
            return cached
        tentative = self._tentative.get(call)
        if tentative is not None:
            self._touched = True
            return tentative
        if call in self._callee_busy:  # a cycle (x = x.f()): nothing, this time round
            self._cycle_seen = self._touched = True
            return None, False
        self._callee_busy.add(call)
        outer, self._cycle_seen = self._cycle_seen, False
        touched, self._touched = self._touched, False
        result = self._compute_callee(call)
        self._callee_busy.discard(call)
        self._keep(self._callee_cache, call, result)
        self._remember_touched(call, touched)
        self._cycle_seen = outer or self._cycle_seen
        return result

    def _remember_touched(self, key: Any, outer: bool) -> None:
        """After working out the answer for `key`: remember whether it read a parameter its callers
        may type (`_read_parameter`), and pass that on to the answer it was asked for (`outer`:
        whether that one had already)."""
        if self._touched:
            self._read_parameter.add(key)
        self._touched = outer or self._touched

    def _keep(self, cache: dict, key: Any, result: Any) -> None:
        """Remember an answer: for good, unless it was given while a cycle was cut short inside
        an answer still being worked out further up; then only until that answer is given (so
        that one ask works each part out once, and a later ask afresh)."""
        if not self._cycle_seen or not self._busy():
            cache[key] = result
        else:
            self._tentative[key] = result
        if not self._busy():
            self._tentative.clear()

    def _busy(self) -> bool:
        """Whether an answer is being worked out further up: one given now while a cycle was cut
        short is that answer's part, not final."""
        return bool(self._callee_busy or self._member_busy or self._passed_busy or self._definition_busy)

    def _compute_callee(self, call: NodeId) -> tuple[Target | None, bool]:
        props = self.cpg.props(call)
        name = props.get(Prop.NAME, "")
        if name.startswith(OPERATOR_PREFIX):
            return None, False
        full = self._original_full_name(props)
        rel = call[0]
        scope = self._scope_of(call)
        receiver = self.cpg.arguments(call).get(0) if self.cpg.out(call, EdgeKind.RECEIVER) else None
        is_new = "new" in (props.get(Prop.MODIFIERS) or ()) or full.startswith(UNRESOLVED_PREFIX + "new:")
        if receiver is None:
            target = self.resolve_name(rel, scope, name)
            if target is None and name == "cls" and self.cpg.files[rel].language == "python":
                cls = self._enclosing_class(call)  # cls() inside a classmethod
                if cls is not None:
                    return Target(node=cls), is_new
            if target is None:
                target = self._global(rel, name)
            if target is not None and target.node is None and target.module_file is None and target.external is None:
                return None, is_new
            return target, is_new
        if self._is_super_call(receiver):
            cls = self._enclosing_class(call)
            if cls is None:
                return None, is_new
            for base in self.mro(cls)[1:]:
                method = self.find_method(base, name)
                if method is not None:
                    return Target(node=method), is_new
            return None, is_new
        owner = self._receiver_target(rel, scope, receiver)
        if owner is None:
            return None, is_new
        if owner.node is not None and self.cpg.kind(owner.node) == NodeKind.TYPE_DECL:
            method = self.find_method(owner.node, name)
            if method is not None:
                return Target(node=method), is_new
            # self.get_argument() in a RequestHandler subclass; not a name the class binds itself
            base = None if self._binds(owner.node, name) else self._library_base(owner.node)
            return (Target(external=f"{base}.{name}") if base else None), is_new
        if owner.module_file is not None:
            node = self.index.by_full_name.get(f"{owner.module_file}:{name}")
            return (Target(node=node) if node is not None else None), is_new
        if owner.external is not None:
            return Target(external=f"{owner.external}.{name}"), is_new
        return None, is_new

    def _is_super_call(self, receiver: NodeId) -> bool:
        props = self.cpg.props(receiver)
        return (props[Prop.KIND] == NodeKind.CALL and props.get(Prop.NAME) == "super"
                and self.cpg.files[receiver[0]].language == "python")

    def _apply(self, call: NodeId, target: Target | None, name: str, is_new: bool) -> None:
        if target is None:
            return
        if target.node is not None:
            kind = self.cpg.kind(target.node)
            if kind == NodeKind.METHOD:
                self._set_callee(call, target.node)
            elif kind == NodeKind.TYPE_DECL:
                self.cpg.add_edge(call, target.node, EdgeKind.EVAL_TYPE)
                init = next((m for m in (self.find_method(target.node, c) for c in _CONSTRUCTORS) if m), None)
                if init is not None:
                    self._set_callee(call, init)
                else:
                    self.cpg.props(call)[Prop.METHOD_FULL_NAME] = self.cpg.get(target.node, Prop.FULL_NAME)
        elif target.external is not None:
            self.cpg.props(call)[Prop.METHOD_FULL_NAME] = target.external

    def _set_callee(self, call: NodeId, method: NodeId) -> None:
        self.cpg.props(call)[Prop.METHOD_FULL_NAME] = self.cpg.get(method, Prop.FULL_NAME)
        self.cpg.add_edge(call, method, EdgeKind.CALL)

    def _receiver_target(self, rel: str, scope: str, receiver: NodeId) -> Target | None:
        """What the receiver of a method call is: a class (instance or class object), a module, or an
        external name."""
        props = self.cpg.props(receiver)
        kind = props[Prop.KIND]
        if kind == NodeKind.IDENTIFIER:
            name = props[Prop.NAME]
            if name in SELF_NAMES:
                cls = self._enclosing_class(receiver)
                if cls is not None:
                    return Target(node=cls)
            declared = self._declared_type(receiver)
            if declared is not None:
                return declared
            target = self.resolve_name(rel, scope, name)
            if target is not None and target.variable is not None:
                typed = self._variable_type(target.variable)  # from a import db; db.query()
                if typed is not None:
                    return typed
            if target is not None and (target.module_file or target.external):
                return target
            if target is not None and target.node is not None and self.cpg.kind(target.node) == NodeKind.TYPE_DECL:
                return target  # Foo.static_method(), Foo.class_method()
            if target is None and not self.cpg.out(receiver, EdgeKind.REF):
                return self._global(rel, name)  # JSON.parse, console.log, str.join
            return None
        if kind == NodeKind.CALL and props.get(Prop.NAME) in FIELD_ACCESS_OPS:
            args = self.cpg.arguments(receiver)
            inner, field_node = args.get(1), args.get(2)
            if inner is None or field_node is None:
                return None
            owner = self._receiver_target(rel, scope, inner)
            attr = self.cpg.get(field_node, Prop.NAME, "")
            if owner is None:
                return None
            if owner.node is not None and self.cpg.kind(owner.node) == NodeKind.TYPE_DECL:
                return self._member_type(owner.node, attr)  # self.db.query(), repo.db.query()
            if owner.external is not None:
                return Target(external=f"{owner.external}.{attr}")
            if owner.module_file is not None:
                node = self.index.by_full_name.get(f"{owner.module_file}:{attr}")
                if node is not None and self.cpg.kind(node) == NodeKind.TYPE_DECL:
                    return Target(node=node)  # mod.Class.method(...) called on the class object
                local = self.index.module_locals.get(owner.module_file, {}).get(attr)
                if local is None and self.cpg.files[owner.module_file].language != "python":
                    found = _ts_export(self.index, owner.module_file, attr, None, set())
                    local = found.variable if found is not None else None
                if local is not None:
                    typed = self._variable_type(local)  # models.sequelize.query()
                    if typed is not None:
                        return typed
                sub = self.index.module_files.get(
                    next(iter(python_module_names(owner.module_file)), "") + "." + attr)
                return Target(module_file=sub) if sub else None
            return None
        if kind == NodeKind.CALL:
            return self._value_type(receiver)
        return None

    def _member_type(self, cls: NodeId, attr: str) -> Target | None:
        """The class of attribute `attr` of `cls` (or of a project base): its declared or
        written-back type, else the one type that the values with a known type among those the
        class gives it agree on - ``self.attr = ...`` in its own code (``self.session =
        requests.Session()``; ``self.db = db`` with the parameter typed by its callers), an
        initializer, a class-level ``attr = value``; values of no known type do not count, as
        for a parameter's callers (`_passed_type`)."""
        key = (cls, attr)
        if key in self._member_cache:
            self._touched |= key in self._read_parameter
            return self._member_cache[key]
        if key in self._tentative:
            self._touched = True
            return self._tentative[key]
        if key in self._member_busy:  # a cycle (self.q = self.q.filter(c)): the other assignments decide
            self._cycle_seen = self._touched = True
            return None
        self._member_busy.add(key)
        outer, self._cycle_seen = self._cycle_seen, False
        touched, self._touched = self._touched, False
        result = None
        for owner in self.mro(cls):
            member = self.cpg.attribute_member(owner, attr)
            if member is not None:
                declared, result = self._annotated_type(member)
                if declared:
                    break
            writes = self_writes(self.cpg, owner).get(attr, ())
            values = [assigned_value(self.cpg, w) for w in writes]
            if member is not None:
                values += self.cpg.ast_children(member)  # an initializer: ``private db = new Pool()``
            found: dict[tuple, Target] = {}
            typed_values = [self._value_type(value) if value is not None else None for value in values]
            for local in self._class_level(owner, attr):  # Python: ``session = requests.Session()``
                values.append(local)
                typed_values.append(self._variable_type(local))
            for typed in typed_values:
                if typed is not None:
                    found.setdefault((typed.node, typed.external, typed.module_file), typed)
            if len(found) == 1:
                result = next(iter(found.values()))
                break
            if found or values or member is not None:
                result = None
                break  # two types, or assigned here but untyped: not a base's either
        self._member_busy.discard(key)
        self._keep(self._member_cache, key, result)
        self._remember_touched(key, touched)
        self._cycle_seen = outer or self._cycle_seen
        return result

    def _class_level(self, cls: NodeId, attr: str) -> list[NodeId]:
        """The LOCALs a Python class body binds under `attr` (``session = requests.Session()``)."""
        body = next((c for c in self.cpg.ast_children(cls) if self.cpg.kind(c) == NodeKind.BLOCK), None)
        if body is None:
            return []
        return [c for c in self.cpg.ast_children(body)
                if self.cpg.kind(c) == NodeKind.LOCAL and self.cpg.get(c, Prop.NAME) == attr]

    def _global(self, rel: str, name: str) -> Target | None:
        """A name bound nowhere in the project: a builtin (Python) or a global (TypeScript)."""
        if self.cpg.files[rel].language == "python":
            return Target(external=f"builtins.{name}") if name in _PYTHON_BUILTINS else None
        return Target(external=name) if name in _TS_GLOBALS else None

    def _value_type(self, expr: NodeId, awaited: bool = False) -> Target | None:
        """The class (project TYPE_DECL or external name) an expression's value has, from what the
        project declares: constructor calls, calls of methods with a declared return type, awaits of
        them, variables."""
        props = self.cpg.props(expr)
        kind = props[Prop.KIND]
        if kind == NodeKind.IDENTIFIER:
            return self._declared_type(expr)
        if kind != NodeKind.CALL:
            return None
        name = props.get(Prop.NAME, "")
        if name == Op.AWAIT:
            inner = self.cpg.arguments(expr).get(1)
            return self._value_type(inner, awaited=True) if inner is not None else None
        if name.startswith(OPERATOR_PREFIX):
            return None
        for typed in self.cpg.out(expr, EdgeKind.EVAL_TYPE):
            return Target(node=typed)
        target, is_new = self._callee(expr)
        if target is not None and target.node is None and target.external is not None and \
                (is_new or self._python_class_call(expr, target.external)):
            return Target(external=target.external)  # new Sequelize(...), dict(): an instance of the class
        if target is None or target.node is None:
            return None
        node_kind = self.cpg.kind(target.node)
        if node_kind == NodeKind.TYPE_DECL:
            return target
        if node_kind == NodeKind.METHOD:
            return self._return_type(target.node, awaited)
        return None

    def _python_class_call(self, call: NodeId, external: str) -> bool:
        """Whether a Python call of library name `external` makes an instance of it: a builtin
        class (``dict()``), or a name of an imported module spelled as a class
        (``httpx.AsyncClient()``, ``requests.Session()``)."""
        if self.cpg.files[call[0]].language != "python":
            return False
        if external in _PYTHON_BUILTIN_CLASSES:
            return True
        module, _, last = external.rpartition(".")
        return bool(module) and module != "builtins" and _CLASS_NAME.fullmatch(last) is not None \
            and external not in _NOT_CONSTRUCTORS

    def _return_type(self, method: NodeId, awaited: bool) -> Target | None:
        """The declared return type of a project method (of its awaited value for ``async``)."""
        key = (method, awaited)
        if key in self._return_cache:
            return self._return_cache[key]
        self._return_cache[key] = None
        result = None
        is_async = "async" in (self.cpg.get(method, Prop.MODIFIERS) or ())
        ret = next((r for r in self.cpg.out(method, EdgeKind.AST) if self.cpg.kind(r) == NodeKind.METHOD_RETURN), None)
        annotation = self.cpg.get(ret, Prop.TYPE_FULL_NAME) if ret is not None else None
        if annotation and not (is_async and not awaited and self.cpg.files[method[0]].language == "python"):
            text = annotation.strip()
            if awaited:  # Promise<Db> / Awaitable[Db] / Coroutine[Any, Any, Db]
                match = re.match(r"^(?:Promise|PromiseLike|Awaitable|typing\.Awaitable)\s*[<\[](.*)[>\]]$", text)
                if match:
                    text = match.group(1)
            if not text.startswith(("Promise<", "PromiseLike<")):
                result = self.resolve_type(method[0], self._scope_of(method), text)
            if result is not None and result.node is not None and self.cpg.kind(result.node) != NodeKind.TYPE_DECL:
                result = None
        self._return_cache[key] = result
        return result

    def _variable_type(self, decl: NodeId) -> Target | None:
        """The type of a variable from its declaration (or an inferred type), else from the first
        assignment to it whose value has a known type (module-level ``db = Database()``)."""
        if decl in self._variable_cache:
            self._touched |= decl in self._read_parameter or decl in self._variable_busy
            return self._variable_cache[decl]
        self._variable_cache[decl] = None
        self._variable_busy.add(decl)
        touched, self._touched = self._touched, False
        declared, result = self._annotated_type(decl)
        if not declared:
            for ident in sorted(self.cpg.into(decl, EdgeKind.REF)):
                if not self.cpg.get(ident, Prop.IS_WRITE):
                    continue
                result = self._assigned_type(ident)
                if result is not None:
                    break
        self._variable_cache[decl] = result
        self._variable_busy.discard(decl)
        self._remember_touched(decl, touched)
        return result

    def _annotated_type(self, decl: NodeId) -> tuple[bool, Target | None]:
        """(whether the declaration has a type, declared or from the oracle; the class it names)."""
        for typed in self.cpg.out(decl, EdgeKind.EVAL_TYPE):
            return True, Target(node=typed)
        annotation = self.cpg.get(decl, Prop.TYPE_FULL_NAME)
        if not annotation and self.oracle is not None:
            annotation = self.oracle.type_of(self.cpg, decl)
        if annotation:
            return True, self.resolve_type(decl[0], self._scope_of(decl), annotation)
        return False, None

    def _assigned_type(self, definition: NodeId) -> Target | None:
        """The type a write (``x = value``, ``with value as x``) gives its target."""
        value = assigned_value(self.cpg, definition)
        if value is None:
            return None
        typed = self._value_type(value)
        holder = self.cpg.ast_parent(self.cpg.ast_parent(definition))
        if typed is not None and holder is not None and self.cpg.kind(holder) == NodeKind.CONTROL_STRUCTURE \
                and self.cpg.get(holder, Prop.CONTROL_STRUCTURE_TYPE) == Control.WITH:
            typed = self._entered_type(typed, "async" in (self.cpg.get(holder, Prop.MODIFIERS) or ()))
        return typed

    def _entered_type(self, manager: Target, is_async: bool) -> Target | None:
        """``with m as x``: the return type of the manager's ``__enter__`` (``__aenter__``) when the
        project declares one, else the manager's own type (the usual ``return self``)."""
        if manager.node is not None:
            enter = self.find_method(manager.node, "__aenter__" if is_async else "__enter__")
            if enter is not None:
                declared = self._return_type(enter, awaited=True)
                if declared is not None:
                    return declared
        return manager

    def _declared_type(self, ident: NodeId) -> Target | None:
        refs = self.cpg.out(ident, EdgeKind.REF)
        if not refs:
            return None
        decl = refs[0]
        declared, annotated = self._annotated_type(decl)
        if declared:
            return annotated
        # x = Foo(), x = make(), with open(p) as x: follow the reaching definitions
        for definition in self.cpg.into(ident, EdgeKind.REACHING_DEF):
            if definition in self._definition_busy:  # a loop that copies values round (x = y; y = x)
                self._cycle_seen = self._touched = True
                continue
            self._definition_busy.add(definition)
            try:
                typed = self._assigned_type(definition)
            finally:
                self._definition_busy.discard(definition)
            if typed is not None:
                return typed
        if self.cpg.kind(decl) == NodeKind.METHOD_PARAMETER_IN \
                and all(d == decl for d in self.cpg.into(ident, EdgeKind.REACHING_DEF)):
            self._touched = True
            if self._by_callers:
                return self._passed_type(decl)  # not once reassigned (``client = client.adapter()``)
        if self.cpg.kind(decl) == NodeKind.LOCAL and decl in self._module_local_set:
            typed = self._variable_type(decl)  # a module-level variable used in a function
            # project classes only here: a module-level instance of an external class read inside a
            # function of its own file (`const pool = new Pool()` in a handler) is left to inference
            # for now (tests/test_scan.py counts that flow among those needing an inferred type)
            return typed if typed is not None and typed.node is not None else None
        return None

    def _enclosing_class(self, n: NodeId) -> NodeId | None:
        method = self._enclosing_method(n)
        # skip lambdas / arrows nested in the method: `this` is the class's in arrows too
        while method is not None:
            parent = self.cpg.ast_parent(method)
            while parent is not None and self.cpg.kind(parent) == NodeKind.BLOCK:
                parent = self.cpg.ast_parent(parent)
            if parent is not None and self.cpg.kind(parent) == NodeKind.TYPE_DECL:
                return parent
            if parent is None or self.cpg.kind(parent) != NodeKind.METHOD:
                return None
            method = parent
        return None


def link_project(cpg: CodePropertyGraph, oracle: TypeOracle | None = None,
                 files: Iterable[str] | None = None, nodes: Iterable[NodeId] | None = None) -> Linker:
    """Run the linking pass (over `files` or `nodes` only, when given); returns the linker."""
    linker = Linker(cpg, oracle)
    linker.run(files, nodes)
    return linker
