"""Finding things in the typeshed stubs: names, annotations and classes, through typeshed-client.

Does: three things, in `StubLookup` (one per Python version, platform and search path: the
bundled stdlib stubs, plus the packages of the analysed project's environment when given):

* names -- resolve a name as seen inside a stub module (builtins as fallback), a dotted name to
  its definition, a module, or a class member (``os.path.join`` -> ``posixpath.join``), following
  re-exports and plain aliases (``typing.List`` -> ``builtins.list``); give the public spelling of
  a private implementation module (``_io.TextIOWrapper`` -> ``io.TextIOWrapper``); list a module's
  exported names;
* annotations -- turn a stub annotation into `typeshed_nodes` type nodes (``Optional``, ``Union``,
  ``Literal``, ``Annotated``, ``ClassVar`` / ``Final``, TypeVars with bounds and constraints,
  ``Self``, ``LiteralString``, ``MaybeNone``, forward references; anything it cannot represent
  is ``UNKNOWN``);
* classes -- a class's type parameters, bases and protocol flag (`ClassInfo`), its C3 MRO with the
  TypeVar bindings of every base, member lookup along the MRO, all member names, and the
  bindings of a receiver's type arguments.

Does not: pick an overload or judge which arguments a signature takes (`typeshed_overloads`),
turn nodes into text or `TypeFact`s (`typeshed_nodes`, `typeshed_facts`), or guard its public
entry points against odd input -- the methods here may raise; `typeshed_facts.Typeshed`, the
public API, catches and answers ``None``.  Its memo tables and recursion guard come from
`typeshed_cache`.
"""

from __future__ import annotations

import ast
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import typeshed_client
from typeshed_client import ImportedName, NameInfo, OverloadedName
from typeshed_client.finder import ModulePath
from typeshed_client.resolver import ImportedInfo

from typeinfer.analyzer.typeshed_cache import CycleGuard, memoize
from typeinfer.analyzer.typeshed_nodes import (
    MAYBE_NONE, NONE, SELF, STR, UNKNOWN, Cls, Lit, Node, ParamList, Raw, TVar, UnionNode, collect_tvars, dotted,
    is_typealias_ann, subst, union,
)

__all__ = ["ClassInfo", "Def", "Mod", "StubLookup", "TYPING_MODULES"]

# typeshed-client logs what it finds odd in a module it parses (a name defined twice, common in
# installed packages' .py files): nothing the user of typeinfer can act on
logging.getLogger("typeshed_client").setLevel(logging.ERROR)

TYPING_MODULES = frozenset({"typing", "typing_extensions"})
# typing's ``X = _Alias()`` names
_TYPING_ALIASES = {
    "List": ("builtins", "list"),
    "Dict": ("builtins", "dict"),
    "Set": ("builtins", "set"),
    "FrozenSet": ("builtins", "frozenset"),
    "Tuple": ("builtins", "tuple"),
    "Type": ("builtins", "type"),
    "DefaultDict": ("collections", "defaultdict"),
    "Counter": ("collections", "Counter"),
    "Deque": ("collections", "deque"),
    "ChainMap": ("collections", "ChainMap"),
    "OrderedDict": ("collections", "OrderedDict"),
}
_UNKNOWN_SPECIALS = frozenset(
    {"Any", "Never", "NoReturn", "Concatenate", "Unpack", "TypeAlias", "Generic", "Protocol"}
)
_TYPEVAR_FACTORIES = frozenset({"TypeVar", "ParamSpec", "TypeVarTuple"})


@dataclass(frozen=True)
class Def:
    """A definition in a stub: ``module.name`` with its NameInfo."""

    module: str
    name: str
    info: NameInfo

    @property
    def full(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass(frozen=True)
class Mod:
    """A stub module."""

    module: str


@dataclass(frozen=True)
class ClassInfo:
    full: str  # public full name with "builtins." kept
    module: str  # module the ClassDef lives in
    node: ast.ClassDef
    children: dict
    params: tuple[TVar, ...]
    bases: tuple[Cls, ...]  # rendered with this class's own TypeVars
    is_protocol: bool


#: linearized MRO: (class, its TypeVars -> nodes in terms of the root class's TypeVars) pairs
Mro = tuple[tuple[ClassInfo, tuple[tuple[str, Node], ...]], ...]


class StubLookup:
    """Names, annotations and classes of the stdlib stubs for one Python version and platform.

    The workers behind ``lookup``, ``resolve_def``, ``class_info``, ``mro``, ``render_name``,
    ``public``, ``class_members`` and ``module_names`` are memoized per instance.
    """

    def __init__(self, version: tuple[int, int], platform: str, search_path: tuple[Path, ...] = ()) -> None:
        # an explicit search path (the analysed project's site-packages, or none: stdlib stubs
        # only) also means no subprocess to ask an interpreter for sys.path; installed packages'
        # .py files are parsed for their annotations, never imported
        self.ctx = typeshed_client.get_search_context(search_path=list(search_path), version=version, platform=platform,
                                                      allow_py_files=bool(search_path))
        self._resolver = typeshed_client.Resolver(self.ctx)
        self._rendering = CycleGuard()
        self.lookup: Callable[[str, str], Def | Mod | None] = memoize(self._lookup_uncached)
        self.resolve_def = memoize(self._resolve_def_uncached)
        self.class_info: Callable[[str], ClassInfo | None] = memoize(self._class_info_uncached)
        self.mro: Callable[[str], Mro] = memoize(self._mro_uncached)
        self.render_name: Callable[[str, str], Node] = memoize(self._render_name_uncached)
        self.class_members: Callable[[str], frozenset[str]] = memoize(self._class_members_uncached)
        self.module_names: Callable[[str], frozenset[str]] = memoize(self._module_names_uncached)
        self.public: Callable[[str, str], str] = memoize(self._public_uncached)
        self.redefined: Callable[[str], frozenset[str]] = memoize(self._redefined_uncached)

    # ------------------------------------------------------------------ names

    def _lookup_uncached(self, module: str, name: str) -> Def | Mod | None:
        """Resolve ``name`` as seen inside stub ``module`` (builtins as fallback)."""
        if not module or not name:
            return None
        mod_path = ModulePath(tuple(module.split(".")))
        if not all(mod_path):
            return None
        res = self._resolver.get_name(mod_path, name)
        if res is None and module != "builtins":
            res = self._resolver.get_name(ModulePath(("builtins",)), name)
            module = "builtins"
        if res is None:
            return None
        if isinstance(res, tuple) and not isinstance(res, (NameInfo, ImportedInfo)):
            return Mod(".".join(res))  # ModulePath
        if isinstance(res, ImportedInfo):
            src = ".".join(res.source_module)
            info = res.info
        else:
            src, info = module, res
        if isinstance(info.ast, ImportedName):  # unresolvable import chain
            return None
        if isinstance(info.ast, OverloadedName):
            defs = [d for d in info.ast.definitions if not isinstance(d, ImportedName)]
            if not defs:
                return None
            if not any(isinstance(d, (ast.FunctionDef, ast.AsyncFunctionDef)) for d in defs):
                info = NameInfo(info.name, info.is_exported, defs[-1], info.child_nodes)
        if info.name in self.redefined(src):
            return None  # typeshed-client keeps a module's first definition; the last one wins at run time
        found = Def(src, info.name, info)
        if src in TYPING_MODULES and info.name in _TYPING_ALIASES:
            tmod, tname = _TYPING_ALIASES[info.name]
            target = self.lookup(tmod, tname)
            if isinstance(target, Def):
                return target
        return found

    def _redefined_uncached(self, module: str) -> frozenset[str]:
        """Names an installed package's ``.py`` module binds more than once at its top level
        (``def f() -> int`` then ``def f() -> str``, or ``k = str``): their type is not known.
        Stubs (``.pyi``) declare each name once, conditions aside."""
        if not self.ctx.allow_py_files:  # the bundled stubs alone: no .py module to read
            return frozenset()
        path = typeshed_client.get_stub_file(module, search_context=self.ctx)
        if path is None or path.suffix != ".py":
            return frozenset()
        try:
            tree = ast.parse(path.read_bytes())
        except (OSError, SyntaxError, ValueError):
            return frozenset()
        counts: dict[str, int] = {}
        for stmt in tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names = [stmt.name]
            elif isinstance(stmt, ast.Assign):
                names = [t.id for t in stmt.targets if isinstance(t, ast.Name)]
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
                names = [stmt.target.id]
            elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
                names = [(a.asname or a.name).split(".")[0] for a in stmt.names]
            else:
                continue
            for name in names:
                counts[name] = counts.get(name, 0) + 1
        return frozenset(n for n, c in counts.items() if c > 1)

    def _resolve_def_uncached(self, dotted_name: str):
        """``Def`` / ``Mod`` for a dotted name, or ``(class Def, member)``; ``None``."""
        dotted_name = dotted_name.strip()
        if not dotted_name or dotted_name.startswith(".") or dotted_name.endswith("."):
            return None
        parts = dotted_name.split(".")
        if any(not p.isidentifier() for p in parts):
            return None
        if len(parts) == 1:
            return self.follow_alias(self.lookup("builtins", parts[0]))
        # the longest prefix that is a module
        for i in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:i])
            if typeshed_client.get_stub_file(module, search_context=self.ctx) is None:
                continue
            found = self.follow_alias(self.lookup_exact(module, parts[i]))
            for j, part in enumerate(parts[i + 1 :], start=i + 1):
                if isinstance(found, Mod):
                    found = self.follow_alias(self.lookup_exact(found.module, part))
                elif isinstance(found, Def) and isinstance(found.info.ast, ast.ClassDef):
                    children = found.info.child_nodes or {}
                    if part not in children or j != len(parts) - 1:
                        return None
                    return (found, part)
                else:
                    return None
            return found
        if typeshed_client.get_stub_file(dotted_name, search_context=self.ctx) is not None:
            return Mod(dotted_name)
        if parts[0] != "builtins":  # "str.join": a member of a builtin class
            return self.resolve_def(f"builtins.{dotted_name}")
        return None

    def lookup_exact(self, module: str, name: str) -> Def | Mod | None:
        """Like ``lookup`` but without the builtins fallback (``os.len`` is not ``len``)."""
        mod_path = ModulePath(tuple(module.split(".")))
        if self._resolver.get_name(mod_path, name) is None:
            sub = f"{module}.{name}"
            if typeshed_client.get_stub_file(sub, search_context=self.ctx) is not None:
                return Mod(sub)
            return None
        return self.lookup(module, name)

    def follow_alias(self, found: Def | Mod | None, depth: int = 0) -> Def | Mod | None:
        """Follow ``X = Y`` / ``X: TypeAlias = Y`` where Y is a plain (dotted) name."""
        if not isinstance(found, Def) or depth > 10:
            return found
        node = found.info.ast
        value = None
        if isinstance(node, ast.Assign):
            value = node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None and is_typealias_ann(node.annotation):
            value = node.value
        if isinstance(value, ast.Name):
            return self.follow_alias(self.lookup(found.module, value.id), depth + 1)
        if isinstance(value, ast.Attribute):
            name = dotted(value)
            if name:
                head, *rest = name.split(".")
                target = self.lookup(found.module, head)
                for part in rest:
                    if not isinstance(target, Mod):
                        return found
                    target = self.lookup_exact(target.module, part)
                return self.follow_alias(target, depth + 1)
        return found

    def _public_uncached(self, module: str, name: str) -> str:
        """Public spelling of ``module.name``: ``_io.TextIOWrapper`` -> ``io.TextIOWrapper``,
        ``httpx._client.Client`` -> ``httpx.Client`` (the package that re-exports it)."""
        parts = module.split(".")
        last = parts[-1]
        if any(p.startswith("_") and not p.startswith("__") for p in parts):
            candidates = []
            if last.startswith("_") and not last.startswith("__"):
                candidates.append(".".join(parts[:-1] + [last[1:]]))
            first_private = next(i for i, p in enumerate(parts) if p.startswith("_") and not p.startswith("__"))
            candidates.extend(".".join(parts[:i]) for i in range(first_private, 0, -1))  # re-exporting packages
            if module == "_collections_abc":
                candidates.insert(0, "collections.abc")
            for cand in candidates:
                try:
                    target = self.lookup_exact(cand, name)
                except Exception:
                    continue
                if isinstance(target, Def) and target.module == module and target.name == name:
                    return f"{cand}.{name}"
        return f"{module}.{name}"

    def display(self, d: Def) -> str:
        """Public name of a definition as a type: builtins bare (``str``), others qualified."""
        full = self.public(d.module, d.name)
        return full[len("builtins.") :] if full.startswith("builtins.") else full

    def _module_names_uncached(self, module: str) -> frozenset[str]:
        if not module or any(not p.isidentifier() for p in module.split(".")):
            return frozenset()
        names = typeshed_client.get_stub_names(module, search_context=self.ctx)
        if names is None:
            return frozenset()
        mod = self._resolver.get_module(ModulePath(tuple(module.split("."))))
        try:
            dunder_all = mod.get_dunder_all(self._resolver)
        except Exception:
            dunder_all = None
        if dunder_all is not None:
            return frozenset(dunder_all)
        return frozenset(n for n, info in names.items() if info.is_exported)

    # ------------------------------------------------------------------ annotations -> nodes

    def render(self, expr: ast.expr | None, module: str) -> Node:
        """Turn a stub annotation (in ``module``) into a type node."""
        if expr is None:
            return UNKNOWN
        if isinstance(expr, ast.Constant):
            if expr.value is None:
                return NONE
            if expr.value is Ellipsis:
                return Raw("...")
            if isinstance(expr.value, str):  # forward reference
                try:
                    return self.render(ast.parse(expr.value, mode="eval").body, module)
                except SyntaxError:
                    return UNKNOWN
            return UNKNOWN
        if isinstance(expr, (ast.Name, ast.Attribute)):
            name = dotted(expr)
            return self.render_name(module, name) if name else UNKNOWN
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
            return union([self.render(expr.left, module), self.render(expr.right, module)])
        if isinstance(expr, ast.List):
            return ParamList(tuple(self.render(e, module) for e in expr.elts))
        if isinstance(expr, ast.Subscript):
            base = expr.value
            items = expr.slice.elts if isinstance(expr.slice, ast.Tuple) else [expr.slice]
            special = self.special_name(base, module)
            if special == "Literal":
                return self._literal(items, module)
            if special in ("Annotated", "ClassVar", "Final", "Required", "NotRequired", "ReadOnly"):
                return self.render(items[0], module)
            if special == "Optional":
                return union([self.render(items[0], module), NONE])
            if special == "Union":
                return union([self.render(i, module) for i in items])
            if special in ("TypeGuard", "TypeIs"):
                return Cls("bool")
            head = self.render(base, module)
            if not isinstance(head, Cls) or head.args:
                return UNKNOWN
            return Cls(head.name, tuple(self.render(i, module) for i in items))
        return UNKNOWN

    def special_name(self, expr: ast.expr, module: str) -> str | None:
        """The name of the ``typing`` / ``typing_extensions`` object `expr` refers to, else ``None``."""
        name = dotted(expr)
        if not name:
            return None
        head, *rest = name.split(".")
        found = self.lookup(module, head)
        for part in rest:
            if not isinstance(found, Mod):
                return None
            found = self.lookup_exact(found.module, part)
        if isinstance(found, Def) and found.module in TYPING_MODULES:
            return found.name
        return None

    def _render_name_uncached(self, module: str, name: str) -> Node:
        # a recursive alias: stop, unknown
        return self._rendering.run((module, name), lambda: self._render_name_inner(module, name), UNKNOWN)

    def _render_name_inner(self, module: str, name: str) -> Node:
        head, *rest = name.split(".")
        found = self.lookup(module, head)
        for part in rest:
            if isinstance(found, Mod):
                found = self.lookup_exact(found.module, part)
            elif isinstance(found, Def) and isinstance(found.info.ast, ast.ClassDef):
                child = (found.info.child_nodes or {}).get(part)
                if child is None or not isinstance(child.ast, ast.ClassDef):
                    return UNKNOWN
                found = Def(found.module, f"{found.name}.{part}", child)
            else:
                return UNKNOWN
        return self._def_to_node(found)

    def _def_to_node(self, found: Def | Mod | None, depth: int = 0) -> Node:
        if not isinstance(found, Def) or depth > 20:
            return UNKNOWN
        name, node = found.name, found.info.ast
        if found.module in TYPING_MODULES:
            if name in _UNKNOWN_SPECIALS:
                return UNKNOWN
            if name == "Self":
                return SELF
            if name == "LiteralString":
                return STR
            if name == "Callable":
                return Cls("collections.abc.Callable")
            if name in ("Optional", "Union", "Literal", "Annotated", "ClassVar", "Final"):
                return UNKNOWN  # bare special form
        if found.module == "_typeshed" and name == "MaybeNone":
            return MAYBE_NONE
        if isinstance(node, ast.ClassDef):
            return Cls(self.display(found))
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            func = dotted(node.value.func) or ""
            fname = func.rsplit(".", 1)[-1]
            if fname in _TYPEVAR_FACTORIES:
                if fname != "TypeVar":
                    return UNKNOWN  # ParamSpec / TypeVarTuple: never a concrete type
                return self._typevar(found, node.value)
            if fname == "NewType":
                return Cls(self.display(found))
            return UNKNOWN
        value = None
        if isinstance(node, ast.Assign):
            value = node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None and is_typealias_ann(node.annotation):
            value = node.value
        if value is not None:
            return self.render(value, found.module)
        return UNKNOWN

    def _typevar(self, found: Def, call: ast.Call) -> TVar:
        constraints = tuple(self.render(a, found.module) for a in call.args[1:])
        bound = None
        for kw in call.keywords:
            if kw.arg == "bound":
                bound = self.render(kw.value, found.module)
        return TVar(found.full, constraints, bound)

    def _literal(self, items: list[ast.expr], module: str) -> Node:
        values: list[object] = []
        for item in items:
            if isinstance(item, ast.Constant):
                values.append(item.value)
            elif isinstance(item, ast.UnaryOp) and isinstance(item.operand, ast.Constant):
                values.append(-item.operand.value if isinstance(item.op, ast.USub) else item.operand.value)
            elif isinstance(item, ast.Attribute):  # enum member: Literal[Color.RED]
                owner = self.render(item.value, module)
                values.append(owner if isinstance(owner, Cls) else UNKNOWN)
            else:  # nested Literal alias
                inner = self.render(item, module)
                if isinstance(inner, Lit):
                    values.extend(inner.values)
                elif isinstance(inner, UnionNode) and all(isinstance(m, Lit) for m in inner.members):
                    for m in inner.members:
                        values.extend(m.values)
                else:
                    values.append(UNKNOWN)
        return Lit(tuple(values))

    # ------------------------------------------------------------------ classes

    def _class_info_uncached(self, full_name: str) -> ClassInfo | None:
        found = self.resolve_def(full_name)
        if isinstance(found, tuple):  # nested class
            cls, member = found
            child = (cls.info.child_nodes or {}).get(member)
            if child is None:
                return None
            found = Def(cls.module, f"{cls.name}.{member}", child)
        if not isinstance(found, Def) or not isinstance(found.info.ast, ast.ClassDef):
            return None
        node: ast.ClassDef = found.info.ast
        module = found.module
        params: list[TVar] = []
        explicit: list[TVar] | None = None
        bases: list[Cls] = []
        is_protocol = False
        for b in node.bases:
            special = self.special_name(b.value if isinstance(b, ast.Subscript) else b, module)
            rendered = self.render(b, module)
            if special in ("Generic", "Protocol"):
                is_protocol = is_protocol or special == "Protocol"
                if isinstance(b, ast.Subscript):
                    items = b.slice.elts if isinstance(b.slice, ast.Tuple) else [b.slice]
                    explicit = [t for t in (self.render(i, module) for i in items) if isinstance(t, TVar)]
                continue
            if isinstance(rendered, Cls):
                bases.append(rendered)
                for a in rendered.args:
                    collect_tvars(a, params)
        if explicit is not None:
            params = explicit
        full = self.public(module, found.name)
        return ClassInfo(full, module, node, found.info.child_nodes or {}, tuple(params), tuple(bases), is_protocol)

    def info_for_display(self, display_name: str) -> ClassInfo | None:
        """`ClassInfo` of a class named as a type node names it (``str``, ``re.Pattern``)."""
        return self.class_info(display_name if "." in display_name else f"builtins.{display_name}")

    def _mro_uncached(self, full_name: str) -> Mro:
        """Linearized MRO: (class, env) pairs; env maps that class's TypeVars to nodes
        in terms of the root class's own TypeVars."""
        root = self.class_info(full_name)
        if root is None:
            return ()
        order = self._linearize(root.full, set())
        envs: dict[str, dict[str, Node]] = {root.full: {}}
        infos: dict[str, ClassInfo] = {root.full: root}
        queue = [root]
        while queue:
            info = queue.pop(0)
            env = envs[info.full]
            for base in info.bases:
                binfo = self.info_for_display(base.name)
                if binfo is None or binfo.full in envs:
                    continue
                args = [subst(a, env, None) for a in base.args]
                envs[binfo.full] = (
                    {p.name: a for p, a in zip(binfo.params, args)} if len(args) == len(binfo.params) else {}
                )
                infos[binfo.full] = binfo
                queue.append(binfo)
        out = []
        for name in order:
            if name in infos:
                out.append((infos[name], tuple(envs[name].items())))
        return tuple(out)

    def _linearize(self, full: str, seen: set[str]) -> list[str]:
        """C3 linearization over class full names (DFS order if C3 fails)."""
        info = self.class_info(full)
        if info is None or full in seen or len(seen) > 60:
            return []
        seen = seen | {full}
        base_names = []
        for b in info.bases:
            bi = self.info_for_display(b.name)
            if bi is not None and bi.full not in base_names:
                base_names.append(bi.full)
        if not base_names and info.full != "builtins.object":
            base_names = ["builtins.object"]
        seqs = [self._linearize(b, seen) for b in base_names] + [list(base_names)]
        result = [info.full]
        seqs = [s[:] for s in seqs if s]
        while seqs:
            for seq in seqs:
                head = seq[0]
                if not any(head in s[1:] for s in seqs):
                    break
            else:  # inconsistent: fall back to DFS order
                for s in seqs:
                    for x in s:
                        if x not in result:
                            result.append(x)
                return result
            result.append(head)
            seqs = [[x for x in s if x != head] for s in seqs]
            seqs = [s for s in seqs if s]
        return result

    def instance_node(self, info: ClassInfo, args: tuple[str, ...]) -> Cls:
        """The type of an instance of `info`, with `args` attached when they fit its parameters."""
        name = info.full[len("builtins.") :] if info.full.startswith("builtins.") else info.full
        if args and self.receiver_env(info, args):
            return Cls(name, tuple(Raw(a) for a in args))
        return Cls(name)

    def receiver_env(self, info: ClassInfo, args: tuple[str, ...]) -> dict[str, Node]:
        """Root class TypeVars -> receiver type arguments ({} if they do not fit)."""
        if not args:
            return {}
        params = info.params
        if info.full == "builtins.tuple" and len(params) == 1:
            items = [a for a in args if a != "..."]
            node = union([Raw(a) for a in items]) if items else UNKNOWN
            return {params[0].name: node}
        if len(args) != len(params):
            return {}
        return {p.name: Raw(a) for p, a in zip(params, args)}

    def member_env(self, root: ClassInfo, owner: ClassInfo, env: dict, receiver_args: tuple[str, ...]) -> dict:
        """Type-variable bindings for a member found on `owner` (a base of `root` or `root`
        itself), with the receiver's type arguments substituted."""
        recv_env = self.receiver_env(root, receiver_args)
        full_env = {k: subst(v, recv_env, None) for k, v in env.items()}
        full_env.update(recv_env if owner is root else {})
        return full_env

    def find_member(self, class_name: str, member: str) -> tuple[ClassInfo, dict, NameInfo] | None:
        """(defining class, env, NameInfo) of ``member`` along the MRO, or None."""
        for info, env in self.mro(class_name):
            child = info.children.get(member)
            if child is not None:
                return info, dict(env), child
        return None

    def _class_members_uncached(self, full_name: str) -> frozenset[str]:
        names: set[str] = set()
        for info, _env in self.mro(full_name):
            names.update(info.children)
        return frozenset(names)
