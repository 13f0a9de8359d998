"""Types of TypeScript library calls, read from the ``.d.ts`` files in the project's ``node_modules``.

The TypeScript ecosystem ships its types: a package's ``types`` / ``typings`` entry (or
``exports["."].types``, or ``index.d.ts``), else ``@types/<package>``.  `Declarations` parses
those files with tree-sitter (never runs them) and answers what static facts need (the folders
come from `environment.node_modules_dirs`):

* `call_return(full_name)` -- the type a call of an exported function, a ``declare const f:
  (...) => T`` or a namespace member returns (``zod.z.string`` -> ``ZodString``); a class
  called with ``new`` (`construct`) gives its instance type;
* `method_return(owner_full_type, member)` -- a method of an exported class or interface,
  through its ``extends`` chain (``zod.ZodString`` ``.trim`` -> ``ZodString``).

Followed: ``export * from``, ``export { a as b } from``, ``export { local }``, ``import * as ns``
re-exported, ``export default``, ``export =``, and namespaces merged with functions.  Answered only
when certain: every overload agrees, and the type mentions no type parameter, ``this``,
``typeof``, ``keyof``, conditional or mapped type.  A type named by one identifier that the
package exports gets the full name ``<package>.<Name>``, so calls on the result resolve too.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from typeinfer.cpg.source import parser_for

from .writer.edits import node_text

_UNSAFE = re.compile(r"\b(this|typeof|keyof|infer|unique|asserts)\b|=>|\?|\{|\[K\b| is ")
_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_PRIMITIVES = frozenset({"string", "number", "boolean", "bigint", "symbol", "void", "undefined", "null", "object",
                         "any", "unknown", "never", "Promise", "Array", "Record", "Map", "Set", "Date", "RegExp",
                         "Error", "ReadonlyArray", "Uint8Array", "Buffer", "Function", "Partial", "Readonly",
                         "Iterable", "AsyncIterable", "Iterator", "AsyncIterator", "PromiseLike"})


@dataclass
class Decl:
    """What one name declares in a declaration file (merged across declarations of the name)."""

    returns: list[str] = field(default_factory=list)  #: call signatures' return type texts
    members: dict[str, list[str]] = field(default_factory=dict)  #: class / interface: method -> returns
    instance: bool = False  #: a class (``new`` gives an instance of it)
    type_params: frozenset[str] = frozenset()
    bases: list[str] = field(default_factory=list)  #: ``extends`` of a class or interface
    namespace: Mapping[str, Decl] | None = None  #: ``declare namespace N { ... }`` members
    file: Path | None = None


@dataclass
class DeclarationFile:
    """One parsed ``.d.ts``: its declarations, exports, imports and star re-exports."""

    path: Path
    decls: dict[str, Decl] = field(default_factory=dict)
    exports: dict[str, tuple[str | None, str]] = field(default_factory=dict)  #: name -> (from spec, name there)
    imports: dict[str, tuple[str, str]] = field(default_factory=dict)  #: alias -> (spec, name or "*")
    stars: list[str] = field(default_factory=list)


class Declarations:
    """Library types of the packages installed in `dirs` (see the module docstring)."""

    def __init__(self, dirs: tuple[Path, ...]) -> None:
        self.dirs = dirs
        self._files: dict[Path, DeclarationFile | None] = {}
        self._entries: dict[str, Path | None] = {}
        self._resolved: dict[tuple[Path, str], tuple[Decl | None, Path | None]] = {}

    # ------------------------------------------------------------------ public
    def call_return(self, full_name: str, construct: bool = False) -> tuple[str, str] | None:
        """(type, full type) of calling the library function `full_name` (``pkg.a.b``; with
        `construct`, ``new``-ing the class it names), or None.  Never raises."""
        try:
            found = self._split(full_name)
            if found is None:
                return None
            spec, path = found
            decl, file = self._walk(spec, path)
            if decl is None or file is None:
                return None
            if construct:
                return self._qualified(path[-1] if path else spec, spec, file, frozenset()) if decl.instance else None
            return self._one(decl.returns, file, decl.type_params)
        except (OSError, RecursionError, ValueError, UnicodeError):
            return None

    def method_return(self, owner_full: str, member: str) -> tuple[str, str] | None:
        """(type, full type) of ``owner.member(...)`` for a receiver of library type `owner_full`.
        Never raises."""
        try:
            found = self._split(owner_full)
            if found is None or not found[1]:
                return None
            decl, file = self._walk(*found)
            seen: set[int] = set()
            while decl is not None and file is not None and id(decl) not in seen:
                seen.add(id(decl))
                if member in decl.members:  # typed where it is declared (a base may be another package's)
                    return self._one(decl.members[member], file, decl.type_params)
                if not decl.bases:
                    return None
                base = decl.bases[0].split("<", 1)[0].strip()
                decl, file = self._lookup_from(file, base)
            return None
        except (OSError, RecursionError, ValueError, UnicodeError):
            return None

    # ------------------------------------------------------------------ packages
    def _split(self, full: str) -> tuple[str, list[str]] | None:
        """A full name's package spec and the path inside it (``@a/b.c.d`` -> ``@a/b``, [c, d])."""
        parts = full.split(".")
        for i in range(len(parts), 0, -1):
            spec = ".".join(parts[:i])
            if self._entry(spec) is not None:
                return spec, parts[i:]
        return None

    def _entry(self, spec: str) -> Path | None:
        if spec not in self._entries:
            self._entries[spec] = self._find_entry(spec)
        return self._entries[spec]

    def _find_entry(self, spec: str) -> Path | None:
        if not spec or spec.startswith(".") or not re.fullmatch(r"(@[\w.-]+/)?[\w.-]+(/[\w.-]+)*", spec):
            return None
        for base in self.dirs:
            for folder in (base / spec, base / "@types" / spec.lstrip("@").replace("/", "__")):
                entry = _package_entry(folder)
                if entry is not None:
                    return entry
        return None

    # ------------------------------------------------------------------ files
    def _file(self, path: Path) -> DeclarationFile | None:
        if path not in self._files:
            self._files[path] = _parse(path)
        return self._files[path]

    def _module(self, spec: str, importer: Path) -> Path | None:
        if spec.startswith("."):
            return _relative_declaration(importer.parent / spec)
        return self._entry(spec)

    def _walk(self, spec: str, path: list[str]) -> tuple[Decl | None, Path | None]:
        entry = self._entry(spec)
        if entry is None:
            return None, None
        if not path:
            return self._lookup_from(entry, "default")
        decl, file = self._lookup_from(entry, path[0])
        default, _ = self._lookup_from(entry, "default")
        if default is not None:
            # `pkg.x` is what both `import { x } from "pkg"` and `import pkg from "pkg"; pkg.x`
            # are called: with a default export, the two must agree
            if default.namespace is not None:
                if path[0] in default.namespace:
                    via_default = default.namespace[path[0]]
                    if decl is not None and via_default is not decl:
                        return None, None
                    decl, file = via_default, via_default.file or file or entry
                # else a default import cannot reach path[0]: the named export is meant
            elif decl is not None:
                return None, None  # the default's members are not known here: either could be meant
        for part in path[1:]:
            if decl is None or decl.namespace is None or part not in decl.namespace:
                return None, None
            decl = decl.namespace[part]
            file = decl.file or file
        return decl, file

    def lookup(self, path: Path, name: str) -> tuple[Decl | None, Path | None]:
        """The declaration `name` is in file `path` (exported, else declared or imported there)."""
        return self._lookup_from(path, name)

    def _lookup_from(self, path: Path, name: str, depth: int = 0) -> tuple[Decl | None, Path | None]:
        """The declaration `name` is, as exported by (or, failing that, declared in) file `path`;
        remembered, and a lookup that comes back to itself (re-export cycles) finds nothing."""
        key = (path, name)
        if key in self._resolved:
            return self._resolved[key]
        self._resolved[key] = (None, None)
        found = self._lookup_uncached(path, name, depth)
        self._resolved[key] = found
        return found

    def _lookup_uncached(self, path: Path, name: str, depth: int) -> tuple[Decl | None, Path | None]:
        f = self._file(path)
        if f is None or depth > 40:
            return None, None
        if name in f.exports:
            source, there = f.exports[name]
            if source is not None:
                target = self._module(source, path)
                return self._lookup_from(target, there, depth + 1) if target else (None, None)
            return self._local(f, there, depth)
        if name == "default":
            return None, None
        for star in f.stars:
            target = self._module(star, path)
            if target is not None:
                found = self._lookup_from(target, name, depth + 1)
                if found[0] is not None:
                    return found
        decl, file = self._local(f, name, depth)
        if decl is None and "default" in f.exports:  # `export = e`: named imports are e's namespace members
            default, file = self._lookup_from(path, "default", depth + 1)
            if default is not None and default.namespace is not None and name in default.namespace:
                return default.namespace[name], file
        return decl, file

    def _local(self, f: DeclarationFile, name: str, depth: int) -> tuple[Decl | None, Path | None]:
        if name in f.decls:
            return f.decls[name], f.path
        if name in f.imports:
            spec, there = f.imports[name]
            target = self._module(spec, f.path)
            if target is None:
                return None, None
            if there == "*":  # a namespace import: its exports, as a namespace
                return Decl(namespace=NamespaceExports(self, target), file=target), target
            return self._lookup_from(target, there, depth + 1)
        return None, None

    # ------------------------------------------------------------------ type texts
    def _one(self, texts: list[str], file: Path, type_params: frozenset[str]) -> tuple[str, str] | None:
        """The one answer of every signature in `texts` (written in `file`), else None."""
        spec = _package_of(file)
        if spec is None:
            return None
        answers = {self._qualified(t, spec, file, type_params) for t in texts}
        if len(answers) != 1:
            return None
        return next(iter(answers))

    def _qualified(self, text: str, spec: str, file: Path, type_params: frozenset[str],
                   scope: Path | None = None) -> tuple[str, str] | None:
        """(type, full type) of a type text written in `file` of package `spec`; names are read
        as `scope` (default: `file`) sees them, and must be what `spec` exports under that name."""
        text = " ".join(text.split())
        if not text or _UNSAFE.search(text) or any(w in type_params for w in _IDENT.findall(text)):
            return None
        qualified = re.fullmatch(r"([A-Za-z_$][\w$]*)\.([A-Za-z_$][\w$]*)", text)
        if qualified:  # core.Express, `core` a namespace import of another package
            declaring = self._file(file)
            bound = declaring.imports.get(qualified.group(1)) if declaring is not None else None
            if bound is None or bound[1] != "*" or bound[0].startswith("."):
                return None
            other = self._entry(bound[0])
            return self._qualified(qualified.group(2), bound[0], file, type_params, other) if other else None
        if "." in text.replace("...", ""):
            return None
        names = [w for w in _IDENT.findall(text) if w not in _PRIMITIVES]
        if len(names) == 1 and re.fullmatch(r"[A-Za-z_$][\w$]*", text):
            entry = self._entry(spec)
            exported, _ = self._lookup_from(entry, text) if entry is not None else (None, None)
            meant, _ = self._lookup_from(scope or file, text)  # what the name means where it is written
            if exported is not None and (meant is None or meant is exported):
                return text, f"{spec}.{text}"
            return None
        if names:
            return None  # a generic of library types: the type arguments need their own package
        return text, text


class NamespaceExports(Mapping[str, Decl]):
    """A namespace import's exports, looked up on demand (``import * as z`` re-exported as ``z``);
    it cannot list them, only answer for a name."""

    def __init__(self, owner: Declarations, path: Path) -> None:
        self.owner, self.path = owner, path

    def __getitem__(self, name: str) -> Decl:
        decl, file = self.owner.lookup(self.path, name)
        if decl is None:
            raise KeyError(name)
        if decl.file is None:
            decl.file = file
        return decl

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


@functools.lru_cache(maxsize=4)
def declarations_for(dirs: tuple[Path, ...], installed: str = "") -> Declarations:
    """The shared `Declarations` of these ``node_modules`` folders; `installed`
    (`environment.environment_fingerprint`) makes a new one once packages change."""
    return Declarations(dirs)


# ---------------------------------------------------------------------- reading files
def _package_entry(folder: Path) -> Path | None:
    manifest = folder / "package.json"
    if not folder.is_dir():
        return None
    candidates: list[str] = []
    try:
        data = json.loads(manifest.read_text(encoding="utf-8")) if manifest.is_file() else {}
    except (OSError, ValueError):
        data = {}
    if isinstance(data, dict):
        exports = data.get("exports")
        dot = exports.get(".") if isinstance(exports, dict) else None
        for node in (dot, (dot or {}).get("import") if isinstance(dot, dict) else None):
            if isinstance(node, dict) and isinstance(node.get("types"), str):
                candidates.append(node["types"])
        candidates += [data[k] for k in ("types", "typings") if isinstance(data.get(k), str)]
    candidates.append("index.d.ts")
    for rel in candidates:
        path = _relative_declaration(folder / rel)
        if path is not None:
            return path
    return None


def _package_of(file: Path) -> str | None:
    """The package a file under node_modules belongs to (``@types/x`` answers ``x``)."""
    parts = file.parts
    if "node_modules" not in parts:
        return None
    i = len(parts) - 1 - parts[::-1].index("node_modules")
    rest = parts[i + 1:]
    if not rest:
        return None
    if rest[0] == "@types" and len(rest) > 1:
        name = rest[1]
        return "@" + name.replace("__", "/") if "__" in name else name
    if rest[0].startswith("@") and len(rest) > 1:
        return f"{rest[0]}/{rest[1]}"
    return rest[0]


def _relative_declaration(base: Path) -> Path | None:
    """The declaration file a module path names (``./x.js`` -> ``x.d.ts``, ``./dir`` -> ``dir/index.d.ts``)."""
    text = str(base)
    stems = [text]
    for ext in (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"):
        if text.endswith(ext):
            stems.insert(0, text[: -len(ext)])
    for stem in stems:
        for suffix in (".d.ts", ".d.mts", ".d.cts", "/index.d.ts"):
            candidate = Path(stem + suffix) if not stem.endswith((".d.ts", ".d.mts", ".d.cts")) else Path(stem)
            if candidate.is_file():
                return candidate
    return None


def _parse(path: Path) -> DeclarationFile | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if len(data) > 4_000_000:
        return None
    tree = parser_for("typescript").parse(data)
    out = DeclarationFile(path)
    _statements(tree.root_node, out, out.decls, exported_scope=True)
    return out


def _string(node) -> str | None:  # noqa: ANN001
    for child in node.named_children:
        if child.type == "string":
            return node_text(child).strip("'\"`")
    return None


def _statements(block, out: DeclarationFile, decls: dict[str, Decl], exported_scope: bool) -> None:  # noqa: ANN001
    for node in block.named_children:
        kind = node.type
        if kind == "import_statement":
            spec = _string(node)
            clause = next((c for c in node.named_children if c.type == "import_clause"), None)
            if spec is not None and clause is not None and exported_scope:
                _import_clause(clause, spec, out)
        elif kind == "export_statement":
            _export(node, out, decls, exported_scope)
        elif kind == "ambient_declaration":
            _statements(node, out, decls, exported_scope)
        else:
            _declaration(node, decls)


def _import_clause(clause, spec: str, out: DeclarationFile) -> None:  # noqa: ANN001
    for part in clause.named_children:
        if part.type == "identifier":
            out.imports[node_text(part)] = (spec, "default")
        elif part.type == "namespace_import":
            ident = next((c for c in part.named_children if c.type == "identifier"), None)
            if ident is not None:
                out.imports[node_text(ident)] = (spec, "*")
        elif part.type == "named_imports":
            for item in part.named_children:
                names = [node_text(c) for c in item.named_children if c.type == "identifier"]
                if names:
                    out.imports[names[-1]] = (spec, names[0])


def _export(node, out: DeclarationFile, decls: dict[str, Decl], exported_scope: bool) -> None:  # noqa: ANN001
    source = _string(node)
    children = node.named_children
    clause = next((c for c in children if c.type == "export_clause"), None)
    text = node_text(node)
    if clause is not None:
        for item in clause.named_children:
            names = [node_text(c) for c in item.named_children if c.type == "identifier"]
            if names and exported_scope:
                out.exports[names[-1]] = (source, names[0])
        return
    if source is not None and exported_scope:  # export * from "x" (export * as ns: not followed)
        if re.match(r"export\s+\*\s+from", text):
            out.stars.append(source)
        return
    declared = [c for c in children if c.type not in ("string", "comment")]
    if len(declared) == 1 and declared[0].type == "identifier" and exported_scope:
        name = node_text(declared[0])  # export default x; / export = x;
        out.exports["default"] = (None, name)
        return
    for child in declared:
        if child.type == "ambient_declaration":
            _statements(child, out, decls, exported_scope)
        else:
            name = _declaration(child, decls)
            if name and exported_scope and text.lstrip().startswith("export default"):
                out.exports["default"] = (None, name)


def _declaration(node, decls: dict[str, Decl]) -> str | None:  # noqa: ANN001
    """Record one declaration in `decls`; returns its name."""
    kind = node.type
    name_node = node.child_by_field_name("name")
    name = node_text(name_node) if name_node is not None else None
    if kind in ("function_signature", "function_declaration") and name:
        decl = decls.setdefault(name, Decl())
        decl.type_params = decl.type_params | _type_params(node)
        ret = node.child_by_field_name("return_type")
        decl.returns.append(_annotation(ret) if ret is not None else "")
    elif kind in ("class_declaration", "abstract_class_declaration", "interface_declaration") and name:
        decl = decls.setdefault(name, Decl())
        decl.instance = decl.instance or kind != "interface_declaration"
        decl.type_params = decl.type_params | _type_params(node)
        for child in node.named_children:
            if child.type in ("class_heritage", "extends_type_clause"):
                decl.bases += [b.strip() for b in re.findall(r"extends\s+([\w$.<>, ]+?)(?:\s+implements|\{|$)",
                                                             node_text(child))]
            if child.type in ("class_body", "interface_body", "object_type"):
                for member in child.named_children:
                    if member.type in ("method_signature", "method_definition", "abstract_method_signature"):
                        mname = member.child_by_field_name("name")
                        ret = member.child_by_field_name("return_type")
                        if mname is not None:  # a generic overload: unknown ("" answers nothing)
                            generic = bool(_type_params(member))
                            decl.members.setdefault(node_text(mname), []).append(
                                "" if generic or ret is None else _annotation(ret))
    elif kind in ("lexical_declaration", "variable_declaration"):
        for declarator in node.named_children:
            if declarator.type != "variable_declarator":
                continue
            vname = declarator.child_by_field_name("name")
            vtype = declarator.child_by_field_name("type")
            if vname is None or vtype is None:
                continue
            decl = decls.setdefault(node_text(vname), Decl())
            function = next((c for c in vtype.named_children if c.type == "function_type"), None)
            if function is not None:
                ret = function.child_by_field_name("return_type")
                decl.type_params = decl.type_params | _type_params(function)
                decl.returns.append(node_text(ret) if ret is not None else "")
            name = node_text(vname)
    elif kind in ("internal_module", "module") and name:
        decl = decls.setdefault(name, Decl())
        body = node.child_by_field_name("body")
        if body is not None:
            inner: dict[str, Decl] = {}
            holder = DeclarationFile(Path())
            _statements(body, holder, inner, exported_scope=False)
            decl.namespace = {**(decl.namespace or {}), **inner}  # merged with earlier blocks
    return name


def _annotation(node) -> str:  # noqa: ANN001
    return node_text(node).lstrip(":").strip()


def _type_params(node) -> frozenset[str]:  # noqa: ANN001
    params = node.child_by_field_name("type_parameters")
    if params is None:
        return frozenset()
    return frozenset(node_text(p.child_by_field_name("name")) for p in params.named_children
                     if p.child_by_field_name("name") is not None)
