"""Static type facts for the Python standard library and builtins, read from typeshed.

Part of issue 3 ("Static type facts").  This layer answers questions such as
"what does ``open(p)`` return?" or "which members does ``pathlib.Path`` have?"
from the typeshed stubs bundled with the ``typeshed-client`` package (offline).

Principle: **when the layer does not know, it says unknown** (``None``).  A return
type that still contains ``Any`` / ``Incomplete``, an unbound TypeVar, a ParamSpec,
``Never`` or an unresolvable name is never turned into a guess.

Handled on the way:

* overloads - if every applicable overload agrees, that type; otherwise the
  overload selected by argument count / keywords / a string-literal argument
  (``open(p, "rb")``) when that is unambiguous; else unknown;
* ``Self`` (and old-style ``self: _S`` TypeVars) - the receiver class;
* TypeVars - class parameters are substituted from the receiver's type
  arguments through the whole MRO (``list[int].pop`` -> ``int``,
  ``defaultdict[str, int].get``); a str literal argument binds a TypeVar
  parameter (``re.compile("x")`` -> ``re.Pattern[str]``);
* ``LiteralString`` -> ``str``; ``Literal[...]`` in a result is widened to the
  type of its values (``Literal[True]`` -> ``bool``);
* ``X | MaybeNone`` (typeshed's "Any, but really maybe None" marker) -> ``X | None``;
* re-exports and aliases (``os.path.join`` -> ``posixpath.join``,
  ``typing.List`` -> ``builtins.list``); private implementation modules are
  shown under their public name (``_io.TextIOWrapper`` -> ``io.TextIOWrapper``).

``TypeFact.type`` is the canonical form produced by
``typeinfer.analyzer.canonical_types.canonicalize(text, "python")``;
``TypeFact.full_type`` keeps module qualifiers (builtins stay bare).
"""

from __future__ import annotations

import ast
import functools
import sys
from dataclasses import dataclass
from typing import Union

import typeshed_client
from typeshed_client import ImportedName, NameInfo, OverloadedName
from typeshed_client.finder import ModulePath
from typeshed_client.resolver import ImportedInfo

__all__ = ["TypeFact", "Typeshed", "default_typeshed"]


@dataclass(frozen=True)
class TypeFact:
    """A type known from typeshed.

    ``type``: canonical form (``re.Pattern[str]`` -> ``Pattern[str]``);
    ``full_type``: with module qualifiers (``re.Pattern[str]``, ``io.TextIOWrapper``,
    builtins bare: ``list[str]``); ``origin``: where it came from
    (``"typeshed:re.compile"``).
    """

    type: str
    full_type: str
    origin: str


# --------------------------------------------------------------------------- type nodes
# A small internal type representation, so that TypeVars can be substituted and
# unknown parts detected before anything is rendered to text.


@dataclass(frozen=True)
class _Cls:
    name: str  # public full name; builtins bare ("str", "re.Pattern")
    args: tuple["_Node", ...] = ()


@dataclass(frozen=True)
class _TVar:
    name: str  # full name of the TypeVar ("typing.AnyStr", "builtins._T")
    constraints: tuple["_Node", ...] = ()
    bound: "_Node | None" = None


@dataclass(frozen=True)
class _Union:
    members: tuple["_Node", ...]


@dataclass(frozen=True)
class _Lit:
    values: tuple[object, ...]  # python values; enum members as _Cls of the enum


@dataclass(frozen=True)
class _Raw:
    text: str  # "None", "...", or a caller-supplied type argument


@dataclass(frozen=True)
class _ParamList:
    items: tuple["_Node", ...]  # the ``[A, B]`` of Callable[[A, B], R]


@dataclass(frozen=True)
class _Special:
    kind: str  # "unknown" | "self" | "maybe_none"


_Node = Union[_Cls, _TVar, _Union, _Lit, _Raw, _ParamList, _Special]
_UNKNOWN = _Special("unknown")
_SELF = _Special("self")
_MAYBE_NONE = _Special("maybe_none")
_NONE = _Raw("None")
_STR = _Cls("str")

_TYPING_MODULES = frozenset({"typing", "typing_extensions"})
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
_PROPERTY_DECORATORS = frozenset({"property", "cached_property", "abstractproperty"})


@dataclass(frozen=True)
class _Def:
    """A definition in a stub: ``module.name`` with its NameInfo."""

    module: str
    name: str
    info: NameInfo

    @property
    def full(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass(frozen=True)
class _Mod:
    module: str


@dataclass(frozen=True)
class _ClassInfo:
    full: str  # public full name with "builtins." kept
    module: str  # module the ClassDef lives in
    node: ast.ClassDef
    children: dict
    params: tuple[_TVar, ...]
    bases: tuple[_Cls, ...]  # rendered with this class's own TypeVars
    is_protocol: bool


@dataclass(frozen=True)
class _Sig:
    """One (overload of a) function, parsed for applicability checks."""

    node: ast.FunctionDef | ast.AsyncFunctionDef
    module: str
    positional: tuple[ast.arg, ...]  # includes positional-only, first param dropped for methods
    n_posonly: int
    n_required_pos: int
    vararg: ast.arg | None
    kwonly: tuple[ast.arg, ...]
    kwonly_required: frozenset[str]
    kwarg: ast.arg | None
    self_annotation: ast.expr | None


def _canonical(text: str) -> str | None:
    from typeinfer.analyzer.canonical_types import canonicalize  # written by another engineer

    return canonicalize(text, "python")


def _decorator_names(node: ast.AST) -> set[str]:
    names: set[str] = set()
    for dec in getattr(node, "decorator_list", ()):
        if isinstance(dec, ast.Call):
            dec = dec.func
        if isinstance(dec, ast.Name):
            names.add(dec.id)
        elif isinstance(dec, ast.Attribute):
            names.add(dec.attr)
    return names


def _split_generic(text: str) -> tuple[str, tuple[str, ...]]:
    """``"dict[str, list[int]]"`` -> ``("dict", ("str", "list[int]"))``."""
    text = text.strip()
    if not text.endswith("]") or "[" not in text:
        return text, ()
    head, inner = text.split("[", 1)
    inner = inner[:-1]
    args, depth, cur = [], 0, []
    for ch in inner:
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        if ch == "," and depth == 0:
            args.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        args.append("".join(cur).strip())
    return head.strip(), tuple(args)


class Typeshed:
    """Type facts for stdlib modules and builtins from the bundled typeshed stubs.

    Cheap to construct (stubs are parsed lazily and cached per instance); use
    :func:`default_typeshed` for the shared instance.  No public method raises:
    odd input (``""``, ``"..."``, nonexistent modules) gives ``None`` / empty sets.

    Methods: ``resolve``, ``is_class``, ``function_return``, ``constructor_type``,
    ``method_return``, ``attribute_type``, ``variable_type``, ``class_members``,
    ``module_names``.  Only stdlib stubs are searched (no third-party packages).

    ``version`` is the Python version the stubs are evaluated for (``sys.version_info``
    conditions), ``platform`` the ``sys.platform`` value.
    """

    def __init__(self, version: tuple[int, int] | None = None, platform: str = sys.platform) -> None:
        # search_path=[]: stdlib stubs only, and no subprocess to ask for sys.path.
        self._ctx = typeshed_client.get_search_context(
            search_path=[], version=version or sys.version_info[:2], platform=platform
        )
        self._resolver = typeshed_client.Resolver(self._ctx)
        self._in_progress: set[tuple[str, str]] = set()
        cache = functools.lru_cache(maxsize=8192)
        self._lookup = cache(self._lookup_uncached)
        self._resolve_def = cache(self._resolve_def_uncached)
        self._class_info = cache(self._class_info_uncached)
        self._mro = cache(self._mro_uncached)
        self._render_name = cache(self._render_name_uncached)
        self._function_return = cache(self._function_return_uncached)
        self._method_return = cache(self._method_return_uncached)
        self._attribute_type = cache(self._attribute_type_uncached)
        self._class_members = cache(self._class_members_uncached)
        self._module_names = cache(self._module_names_uncached)
        self._public = cache(self._public_uncached)

    # ------------------------------------------------------------------ public API

    def resolve(self, dotted: str) -> str | None:
        """Full name of a module-level symbol (or module), following re-exports and aliases.

        ``"os.path.join"`` -> ``"posixpath.join"``, ``"len"`` -> ``"builtins.len"``,
        ``"typing.List"`` -> ``"builtins.list"``, ``"io.TextIOWrapper"`` -> ``"io.TextIOWrapper"``
        (defined in ``_io``, shown under its public module), ``"os.path"`` -> ``"posixpath"``.
        ``None`` if unknown.
        """
        try:
            found = self._resolve_def(dotted)
            if isinstance(found, _Mod):
                return found.module
            if isinstance(found, _Def):
                return self._public(found.module, found.name)
            if isinstance(found, tuple):  # class member: (class _Def, member name)
                cls, member = found
                return f"{self._public(cls.module, cls.name)}.{member}"
        except Exception:
            pass
        return None

    def is_class(self, full_name: str) -> bool:
        """Whether ``full_name`` (any spelling ``resolve`` accepts) names a class in typeshed."""
        try:
            return self._class_info(_split_generic(full_name)[0]) is not None
        except Exception:
            return False

    def function_return(
        self,
        full_name: str,
        arg_count: int | None = None,
        keywords: tuple[str, ...] = (),
        first_arg_literal: str | None = None,
        *,
        literal_index: int | None = None,
        partial: bool = False,
    ) -> TypeFact | None:
        """Return type of calling the module function / builtin ``full_name``.

        ``arg_count``: number of positional arguments; ``keywords``: the keyword
        argument names.  When ``arg_count`` is given, the two are taken as the
        complete argument list (missing required parameters rule an overload out);
        pass ``arg_count=None`` for calls with ``*args`` / ``**kwargs`` unpacking.  ``first_arg_literal``: value of the first string-literal
        argument of the call, at positional index ``literal_index`` if given; without
        an index it is matched against the first ``Literal[...]``-typed parameter
        (e.g. ``open``'s ``mode``), else against the first parameter.

        Overloads: the common return type of all applicable overloads, else the one
        overload picked out by a literal argument, else ``None``.  Calling a class
        gives :meth:`constructor_type`.  ``partial=True`` erases unknown type
        arguments instead of giving up (``sorted(xs)`` -> ``list``); by default a
        result with any unknown part is ``None``.
        """
        try:
            return self._function_return(
                full_name, arg_count, tuple(keywords), first_arg_literal, literal_index, partial
            )
        except Exception:
            return None

    def constructor_type(
        self, class_full_name: str, type_args: tuple[str, ...] | list[str] | None = None
    ) -> TypeFact | None:
        """Type of ``Cls(...)``: an instance of the class (``pathlib.Path`` -> ``Path``).

        ``type_args`` (e.g. ``("str", "int")`` for ``dict``) are attached when their
        number matches the class's type parameters.  ``None`` if not a known class.
        """
        try:
            name, inline = _split_generic(class_full_name)
            info = self._class_info(name)
            if info is None:
                return None
            args = tuple(type_args) if type_args else inline
            node = self._instance_node(info, args)
            return self._fact(node, f"typeshed:{info.full}", partial=True)
        except Exception:
            return None

    def method_return(
        self,
        class_full_name: str,
        method: str,
        receiver_type_args: tuple[str, ...] = (),
        arg_count: int | None = None,
        keywords: tuple[str, ...] = (),
        first_arg_literal: str | None = None,
        *,
        literal_index: int | None = None,
        partial: bool = False,
    ) -> TypeFact | None:
        """Return type of ``receiver.method(...)`` for a receiver of class ``class_full_name``.

        The method is looked up along the MRO (typeshed bases, typing protocols
        included).  The class's type parameters are substituted from
        ``receiver_type_args`` (``"list", "pop", ("int",)`` -> ``int``; the receiver may
        also be spelled ``"list[int]"``); ``Self`` is the receiver.  ``arg_count`` etc.
        count the call's arguments *without* the receiver and select overloads as in
        :meth:`function_return`.  ``None`` if unknown or still generic.
        """
        try:
            name, inline = _split_generic(class_full_name)
            args = tuple(receiver_type_args) or inline
            return self._method_return(
                name, method, args, arg_count, tuple(keywords), first_arg_literal, literal_index, partial
            )
        except Exception:
            return None

    def attribute_type(
        self, class_full_name: str, attr: str, receiver_type_args: tuple[str, ...] = ()
    ) -> TypeFact | None:
        """Type of ``receiver.attr`` for an annotated attribute or a property.

        ``ClassVar[X]`` / ``Final[X]`` give ``X``.  Methods give ``None``.
        """
        try:
            name, inline = _split_generic(class_full_name)
            return self._attribute_type(name, attr, tuple(receiver_type_args) or inline)
        except Exception:
            return None

    def variable_type(self, full_name: str) -> TypeFact | None:
        """Declared type of a module-level variable (``sys.argv`` -> ``list[str]``,
        ``os.environ`` -> ``os._Environ[str]``); ``None`` for anything else."""
        try:
            found = self._resolve_def(full_name)
            if not isinstance(found, _Def) or not isinstance(found.info.ast, ast.AnnAssign):
                return None
            if self._is_typealias_ann(found.info.ast.annotation):
                return None
            node = self._render(found.info.ast.annotation, found.module)
            return self._fact(node, f"typeshed:{self._public(found.module, found.name)}")
        except Exception:
            return None

    def class_members(self, class_full_name: str) -> frozenset[str]:
        """Names of all methods, attributes and properties, own and inherited.

        Empty for an unknown class: check :meth:`is_class` before using this to
        reject a type.  A class that defines ``__getattr__`` accepts any attribute.
        """
        try:
            return self._class_members(_split_generic(class_full_name)[0])
        except Exception:
            return frozenset()

    def module_names(self, module: str) -> frozenset[str]:
        """Names a stdlib module exports (its public, re-exported names); empty if unknown."""
        try:
            return self._module_names(module)
        except Exception:
            return frozenset()

    # ------------------------------------------------------------------ name lookup

    def _lookup_uncached(self, module: str, name: str) -> _Def | _Mod | None:
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
            return _Mod(".".join(res))  # ModulePath
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
        found = _Def(src, info.name, info)
        if src in _TYPING_MODULES and info.name in _TYPING_ALIASES:
            tmod, tname = _TYPING_ALIASES[info.name]
            target = self._lookup(tmod, tname)
            if isinstance(target, _Def):
                return target
        return found

    def _resolve_def_uncached(self, dotted: str):
        """``_Def`` / ``_Mod`` for a dotted name, or ``(class _Def, member)``; ``None``."""
        dotted = dotted.strip()
        if not dotted or dotted.startswith(".") or dotted.endswith("."):
            return None
        parts = dotted.split(".")
        if any(not p.isidentifier() for p in parts):
            return None
        if len(parts) == 1:
            return self._follow_alias(self._lookup("builtins", parts[0]))
        # the longest prefix that is a module
        for i in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:i])
            if typeshed_client.get_stub_file(module, search_context=self._ctx) is None:
                continue
            found = self._follow_alias(self._lookup_exact(module, parts[i]))
            for j, part in enumerate(parts[i + 1 :], start=i + 1):
                if isinstance(found, _Mod):
                    found = self._follow_alias(self._lookup_exact(found.module, part))
                elif isinstance(found, _Def) and isinstance(found.info.ast, ast.ClassDef):
                    children = found.info.child_nodes or {}
                    if part not in children or j != len(parts) - 1:
                        return None
                    return (found, part)
                else:
                    return None
            return found
        if typeshed_client.get_stub_file(dotted, search_context=self._ctx) is not None:
            return _Mod(dotted)
        if parts[0] != "builtins":  # "str.join": a member of a builtin class
            return self._resolve_def(f"builtins.{dotted}")
        return None

    def _lookup_exact(self, module: str, name: str) -> _Def | _Mod | None:
        """Like ``_lookup`` but without the builtins fallback (``os.len`` is not ``len``)."""
        mod_path = ModulePath(tuple(module.split(".")))
        if self._resolver.get_name(mod_path, name) is None:
            sub = f"{module}.{name}"
            if typeshed_client.get_stub_file(sub, search_context=self._ctx) is not None:
                return _Mod(sub)
            return None
        return self._lookup(module, name)

    def _follow_alias(self, found: _Def | _Mod | None, depth: int = 0) -> _Def | _Mod | None:
        """Follow ``X = Y`` / ``X: TypeAlias = Y`` where Y is a plain (dotted) name."""
        if not isinstance(found, _Def) or depth > 10:
            return found
        node = found.info.ast
        value = None
        if isinstance(node, ast.Assign):
            value = node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None and self._is_typealias_ann(
            node.annotation
        ):
            value = node.value
        if isinstance(value, ast.Name):
            return self._follow_alias(self._lookup(found.module, value.id), depth + 1)
        if isinstance(value, ast.Attribute):
            dotted = self._dotted(value)
            if dotted:
                head, *rest = dotted.split(".")
                target = self._lookup(found.module, head)
                for part in rest:
                    if not isinstance(target, _Mod):
                        return found
                    target = self._lookup_exact(target.module, part)
                return self._follow_alias(target, depth + 1)
        return found

    @staticmethod
    def _dotted(node: ast.expr) -> str | None:
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        parts.append(node.id)
        return ".".join(reversed(parts))

    def _is_typealias_ann(self, ann: ast.expr) -> bool:
        return (isinstance(ann, ast.Name) and ann.id == "TypeAlias") or (
            isinstance(ann, ast.Attribute) and ann.attr == "TypeAlias"
        )

    def _public_uncached(self, module: str, name: str) -> str:
        """Public spelling of ``module.name``: ``_io.TextIOWrapper`` -> ``io.TextIOWrapper``."""
        last = module.rsplit(".", 1)[-1]
        if last.startswith("_") and not last.startswith("__"):
            candidates = [module.rsplit(".", 1)[0] + "." + last[1:] if "." in module else last[1:]]
            if module == "_collections_abc":
                candidates.insert(0, "collections.abc")
            for cand in candidates:
                try:
                    target = self._lookup_exact(cand, name)
                except Exception:
                    continue
                if isinstance(target, _Def) and target.module == module and target.name == name:
                    return f"{cand}.{name}"
        return f"{module}.{name}"

    def _display(self, d: _Def) -> str:
        full = self._public(d.module, d.name)
        return full[len("builtins.") :] if full.startswith("builtins.") else full

    # ------------------------------------------------------------------ rendering

    def _render(self, expr: ast.expr | None, module: str) -> _Node:
        """Turn a stub annotation (in ``module``) into a type node."""
        if expr is None:
            return _UNKNOWN
        if isinstance(expr, ast.Constant):
            if expr.value is None:
                return _NONE
            if expr.value is Ellipsis:
                return _Raw("...")
            if isinstance(expr.value, str):  # forward reference
                try:
                    return self._render(ast.parse(expr.value, mode="eval").body, module)
                except SyntaxError:
                    return _UNKNOWN
            return _UNKNOWN
        if isinstance(expr, (ast.Name, ast.Attribute)):
            dotted = self._dotted(expr)
            return self._render_name(module, dotted) if dotted else _UNKNOWN
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
            return self._union([self._render(expr.left, module), self._render(expr.right, module)])
        if isinstance(expr, ast.List):
            return _ParamList(tuple(self._render(e, module) for e in expr.elts))
        if isinstance(expr, ast.Subscript):
            base = expr.value
            items = expr.slice.elts if isinstance(expr.slice, ast.Tuple) else [expr.slice]
            special = self._special_name(base, module)
            if special == "Literal":
                return self._literal(items, module)
            if special in ("Annotated", "ClassVar", "Final", "Required", "NotRequired", "ReadOnly"):
                return self._render(items[0], module)
            if special == "Optional":
                return self._union([self._render(items[0], module), _NONE])
            if special == "Union":
                return self._union([self._render(i, module) for i in items])
            if special in ("TypeGuard", "TypeIs"):
                return _Cls("bool")
            head = self._render(base, module)
            if not isinstance(head, _Cls) or head.args:
                return _UNKNOWN
            return _Cls(head.name, tuple(self._render(i, module) for i in items))
        return _UNKNOWN

    def _special_name(self, expr: ast.expr, module: str) -> str | None:
        dotted = self._dotted(expr)
        if not dotted:
            return None
        head, *rest = dotted.split(".")
        found = self._lookup(module, head)
        for part in rest:
            if not isinstance(found, _Mod):
                return None
            found = self._lookup_exact(found.module, part)
        if isinstance(found, _Def) and found.module in _TYPING_MODULES:
            return found.name
        return None

    def _render_name_uncached(self, module: str, dotted: str) -> _Node:
        key = (module, dotted)
        if key in self._in_progress:  # recursive alias: stop, unknown
            return _UNKNOWN
        self._in_progress.add(key)
        try:
            return self._render_name_inner(module, dotted)
        finally:
            self._in_progress.discard(key)

    def _render_name_inner(self, module: str, dotted: str) -> _Node:
        head, *rest = dotted.split(".")
        found = self._lookup(module, head)
        for part in rest:
            if isinstance(found, _Mod):
                found = self._lookup_exact(found.module, part)
            elif isinstance(found, _Def) and isinstance(found.info.ast, ast.ClassDef):
                child = (found.info.child_nodes or {}).get(part)
                if child is None or not isinstance(child.ast, ast.ClassDef):
                    return _UNKNOWN
                found = _Def(found.module, f"{found.name}.{part}", child)
            else:
                return _UNKNOWN
        return self._def_to_node(found)

    def _def_to_node(self, found: _Def | _Mod | None, depth: int = 0) -> _Node:
        if not isinstance(found, _Def) or depth > 20:
            return _UNKNOWN
        name, node = found.name, found.info.ast
        if found.module in _TYPING_MODULES:
            if name in _UNKNOWN_SPECIALS:
                return _UNKNOWN
            if name == "Self":
                return _SELF
            if name == "LiteralString":
                return _STR
            if name == "Callable":
                return _Cls("collections.abc.Callable")
            if name in ("Optional", "Union", "Literal", "Annotated", "ClassVar", "Final"):
                return _UNKNOWN  # bare special form
        if found.module == "_typeshed" and name == "MaybeNone":
            return _MAYBE_NONE
        if isinstance(node, ast.ClassDef):
            return _Cls(self._display(found))
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            func = self._dotted(node.value.func) or ""
            fname = func.rsplit(".", 1)[-1]
            if fname in _TYPEVAR_FACTORIES:
                if fname != "TypeVar":
                    return _UNKNOWN  # ParamSpec / TypeVarTuple: never a concrete type
                return self._typevar(found, node.value)
            if fname == "NewType":
                return _Cls(self._display(found))
            return _UNKNOWN
        value = None
        if isinstance(node, ast.Assign):
            value = node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None and self._is_typealias_ann(
            node.annotation
        ):
            value = node.value
        if value is not None:
            return self._render(value, found.module)
        return _UNKNOWN

    def _typevar(self, found: _Def, call: ast.Call) -> _TVar:
        constraints = tuple(self._render(a, found.module) for a in call.args[1:])
        bound = None
        for kw in call.keywords:
            if kw.arg == "bound":
                bound = self._render(kw.value, found.module)
        return _TVar(found.full, constraints, bound)

    def _literal(self, items: list[ast.expr], module: str) -> _Node:
        values: list[object] = []
        for item in items:
            if isinstance(item, ast.Constant):
                values.append(item.value)
            elif isinstance(item, ast.UnaryOp) and isinstance(item.operand, ast.Constant):
                values.append(-item.operand.value if isinstance(item.op, ast.USub) else item.operand.value)
            elif isinstance(item, ast.Attribute):  # enum member: Literal[Color.RED]
                owner = self._render(item.value, module)
                values.append(owner if isinstance(owner, _Cls) else _UNKNOWN)
            else:  # nested Literal alias
                inner = self._render(item, module)
                if isinstance(inner, _Lit):
                    values.extend(inner.values)
                elif isinstance(inner, _Union) and all(isinstance(m, _Lit) for m in inner.members):
                    for m in inner.members:
                        values.extend(m.values)
                else:
                    values.append(_UNKNOWN)
        return _Lit(tuple(values))

    @staticmethod
    def _union(members: list[_Node]) -> _Node:
        flat: list[_Node] = []
        for m in members:
            for x in m.members if isinstance(m, _Union) else (m,):
                if x not in flat:
                    flat.append(x)
        return flat[0] if len(flat) == 1 else _Union(tuple(flat))

    # ------------------------------------------------------------------ finishing nodes

    def _subst(self, node: _Node, env: dict[str, _Node], self_type: _Node | None) -> _Node:
        if isinstance(node, _TVar):
            return env.get(node.name, node)
        if node is _SELF:
            return self_type if self_type is not None else node
        if isinstance(node, _Cls) and node.args:
            return _Cls(node.name, tuple(self._subst(a, env, self_type) for a in node.args))
        if isinstance(node, _Union):
            return self._union([self._subst(m, env, self_type) for m in node.members])
        if isinstance(node, _ParamList):
            return _ParamList(tuple(self._subst(m, env, self_type) for m in node.items))
        return node

    def _widen(self, node: _Node) -> _Node:
        """Literal[...] -> the type of its values; MaybeNone in a union -> None."""
        if isinstance(node, _Lit):
            out: list[_Node] = []
            for v in node.values:
                if isinstance(v, _Cls) or v is _UNKNOWN:
                    out.append(v)
                elif v is None:
                    out.append(_NONE)
                elif isinstance(v, bool):
                    out.append(_Cls("bool"))
                elif isinstance(v, (int, str, bytes)):
                    out.append(_Cls(type(v).__name__))
                else:
                    out.append(_UNKNOWN)
            return self._union(out) if out else _UNKNOWN
        if isinstance(node, _Union):
            members = [self._widen(m) for m in node.members]
            if any(m is _MAYBE_NONE for m in members):
                members = [_NONE if m is _MAYBE_NONE else m for m in members]
            return self._union(members)
        if isinstance(node, _Cls) and node.args:
            return _Cls(node.name, tuple(self._widen(a) for a in node.args))
        if isinstance(node, _ParamList):
            return _ParamList(tuple(self._widen(a) for a in node.items))
        return node

    def _to_text(self, node: _Node, partial: bool, top: bool = True) -> str | None:
        """Render a finished node; ``None`` if any part is unknown (``partial``: erase args)."""
        if isinstance(node, _Raw):
            return node.text
        if isinstance(node, _Cls):
            if not node.args:
                return node.name
            args = [self._to_text(a, partial, top=False) for a in node.args]
            if any(a is None for a in args):
                return node.name if partial else None
            return f"{node.name}[{', '.join(args)}]"  # type: ignore[arg-type]
        if isinstance(node, _Union):
            parts = [self._to_text(m, partial, top=False) for m in node.members]
            if any(p is None for p in parts):
                return None
            return " | ".join(dict.fromkeys(parts))  # type: ignore[arg-type]
        if isinstance(node, _ParamList):
            parts = [self._to_text(m, partial, top=False) for m in node.items]
            if any(p is None for p in parts):
                return None
            return "[" + ", ".join(parts) + "]"  # type: ignore[arg-type]
        return None  # _TVar, unknown, Self left over, MaybeNone alone, raw Literal

    def _fact(self, node: _Node, origin: str, partial: bool = False) -> TypeFact | None:
        text = self._to_text(self._widen(node), partial)
        if text is None:
            return None
        canonical = _canonical(text)
        if not canonical:
            return None
        return TypeFact(type=canonical, full_type=text, origin=origin)

    # ------------------------------------------------------------------ classes

    def _class_info_uncached(self, full_name: str) -> _ClassInfo | None:
        found = self._resolve_def(full_name)
        if isinstance(found, tuple):  # nested class
            cls, member = found
            child = (cls.info.child_nodes or {}).get(member)
            if child is None:
                return None
            found = _Def(cls.module, f"{cls.name}.{member}", child)
        if not isinstance(found, _Def) or not isinstance(found.info.ast, ast.ClassDef):
            return None
        node: ast.ClassDef = found.info.ast
        module = found.module
        params: list[_TVar] = []
        explicit: list[_TVar] | None = None
        bases: list[_Cls] = []
        is_protocol = False
        for b in node.bases:
            special = self._special_name(b.value if isinstance(b, ast.Subscript) else b, module)
            rendered = self._render(b, module)
            if special in ("Generic", "Protocol"):
                is_protocol = is_protocol or special == "Protocol"
                if isinstance(b, ast.Subscript):
                    items = b.slice.elts if isinstance(b.slice, ast.Tuple) else [b.slice]
                    explicit = [t for t in (self._render(i, module) for i in items) if isinstance(t, _TVar)]
                continue
            if isinstance(rendered, _Cls):
                bases.append(rendered)
                for a in rendered.args:
                    self._collect_tvars(a, params)
        if explicit is not None:
            params = explicit
        full = self._public(module, found.name)
        return _ClassInfo(full, module, node, found.info.child_nodes or {}, tuple(params), tuple(bases), is_protocol)

    def _collect_tvars(self, node: _Node, out: list[_TVar]) -> None:
        if isinstance(node, _TVar):
            if all(t.name != node.name for t in out):
                out.append(node)
        elif isinstance(node, _Cls):
            for a in node.args:
                self._collect_tvars(a, out)
        elif isinstance(node, _Union):
            for m in node.members:
                self._collect_tvars(m, out)

    def _info_for_display(self, display_name: str) -> _ClassInfo | None:
        return self._class_info(display_name if "." in display_name else f"builtins.{display_name}")

    def _mro_uncached(self, full_name: str) -> tuple[tuple[_ClassInfo, tuple[tuple[str, _Node], ...]], ...]:
        """Linearized MRO: (class, env) pairs; env maps that class's TypeVars to nodes
        in terms of the root class's own TypeVars."""
        root = self._class_info(full_name)
        if root is None:
            return ()
        order = self._linearize(root.full, set())
        envs: dict[str, dict[str, _Node]] = {root.full: {}}
        infos: dict[str, _ClassInfo] = {root.full: root}
        queue = [root]
        while queue:
            info = queue.pop(0)
            env = envs[info.full]
            for base in info.bases:
                binfo = self._info_for_display(base.name)
                if binfo is None or binfo.full in envs:
                    continue
                args = [self._subst(a, env, None) for a in base.args]
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
        info = self._class_info(full)
        if info is None or full in seen or len(seen) > 60:
            return []
        seen = seen | {full}
        base_names = []
        for b in info.bases:
            bi = self._info_for_display(b.name)
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

    def _instance_node(self, info: _ClassInfo, args: tuple[str, ...]) -> _Cls:
        name = info.full[len("builtins.") :] if info.full.startswith("builtins.") else info.full
        if args and self._receiver_env(info, args):
            return _Cls(name, tuple(_Raw(a) for a in args))
        return _Cls(name)

    def _receiver_env(self, info: _ClassInfo, args: tuple[str, ...]) -> dict[str, _Node]:
        """Root class TypeVars -> receiver type arguments ({} if they do not fit)."""
        if not args:
            return {}
        params = info.params
        if info.full == "builtins.tuple" and len(params) == 1:
            items = [a for a in args if a != "..."]
            node = self._union([_Raw(a) for a in items]) if items else _UNKNOWN
            return {params[0].name: node}
        if len(args) != len(params):
            return {}
        return {p.name: _Raw(a) for p, a in zip(params, args)}

    def _find_member(self, class_name: str, member: str):
        """(defining class, env, NameInfo) of ``member`` along the MRO, or None."""
        for info, env in self._mro(class_name):
            child = info.children.get(member)
            if child is not None:
                return info, dict(env), child
        return None

    def _class_members_uncached(self, full_name: str) -> frozenset[str]:
        names: set[str] = set()
        for info, _env in self._mro(full_name):
            names.update(info.children)
        return frozenset(names)

    def _module_names_uncached(self, module: str) -> frozenset[str]:
        if not module or any(not p.isidentifier() for p in module.split(".")):
            return frozenset()
        names = typeshed_client.get_stub_names(module, search_context=self._ctx)
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

    # ------------------------------------------------------------------ signatures & overloads

    def _signatures(self, info: NameInfo, module: str, is_method: bool) -> list[_Sig]:
        node = info.ast
        defs = node.definitions if isinstance(node, OverloadedName) else [node]
        fdefs = [d for d in defs if isinstance(d, (ast.FunctionDef, ast.AsyncFunctionDef))]
        overloads = [d for d in fdefs if "overload" in _decorator_names(d)]
        if overloads:
            fdefs = overloads  # the implementation signature is not a call target
        sigs = []
        for fn in fdefs:
            a = fn.args
            positional = list(a.posonlyargs) + list(a.args)
            n_posonly = len(a.posonlyargs)
            n_defaults = len(a.defaults)
            required = len(positional) - n_defaults
            self_ann = None
            if is_method and "staticmethod" not in _decorator_names(fn) and positional:
                self_ann = positional[0].annotation
                positional = positional[1:]
                n_posonly = max(0, n_posonly - 1)
                required = max(0, required - 1)
            kw_required = frozenset(
                arg.arg for arg, d in zip(a.kwonlyargs, a.kw_defaults) if d is None
            )
            sigs.append(
                _Sig(fn, module, tuple(positional), n_posonly, required, a.vararg, tuple(a.kwonlyargs),
                     kw_required, a.kwarg, self_ann)
            )
        return sigs

    def _accepts_str_literal(self, node: _Node, value: str) -> tuple[str, dict[str, _Node]] | None:
        """How a parameter of type ``node`` takes the str literal ``value``.

        ``("literal", {})``: through a matching ``Literal[...]``; ``("plain", {})``: through
        a str-compatible type; ``("typevar", {T: str})``: it binds a TypeVar; ``None``: no.
        """
        if isinstance(node, _Lit):
            return ("literal", {}) if value in node.values else None
        if isinstance(node, _TVar):
            if node.constraints:
                return ("typevar", {node.name: _STR}) if _STR in node.constraints else None
            if node.bound is not None and self._accepts_str_literal(node.bound, value) is None:
                return None
            return ("typevar", {node.name: _STR})
        if node is _UNKNOWN or node is _MAYBE_NONE:
            return ("plain", {})
        if isinstance(node, _Union):
            best = None
            rank = {"literal": 3, "typevar": 2, "plain": 1}
            for m in node.members:
                got = self._accepts_str_literal(m, value)
                if got and (best is None or rank[got[0]] > rank[best[0]]):
                    best = got
            return best
        if isinstance(node, _Cls):
            if node.name in ("str", "object"):
                return ("plain", {})
            target = self._info_for_display(node.name)
            if target is None:
                return None
            str_mro = {i.full: dict(env) for i, env in self._mro("builtins.str")}
            if target.full in str_mro:
                # nominal base of str; its type arguments must take str (Iterable[str], not Sequence[int])
                env = str_mro[target.full]
                for param, arg in zip(target.params, node.args):
                    if env.get(param.name) == _STR and not self._takes_str(arg):
                        return None
                return ("plain", {})
            if target.is_protocol:
                own = set(target.children) - {"__slots__", "__class_getitem__"}
                if own and own <= self._class_members("builtins.str"):
                    return ("plain", {})
        return None

    def _takes_str(self, node: _Node) -> bool:
        """Whether a type argument position typed ``node`` can hold ``str``."""
        if isinstance(node, _Union):
            return any(self._takes_str(m) for m in node.members)
        if isinstance(node, _Cls):
            return node.name in ("str", "object") and not node.args
        return isinstance(node, _TVar) or node is _UNKNOWN

    def _applicable(
        self,
        sig: _Sig,
        arg_count: int | None,
        keywords: tuple[str, ...],
        literal: str | None,
        literal_slot: str | None,
    ) -> tuple[str, dict[str, _Node], tuple] | None:
        """None if the overload cannot take these arguments, else (how the literal
        matched: "literal" / "typevar" / "plain" / "" (no literal), TypeVar bindings,
        the annotations of the other provided arguments as ((slot, node), ...))."""
        names_pos = [p.arg for p in sig.positional]
        if arg_count is not None:
            if arg_count < 0 or (arg_count > len(names_pos) and sig.vararg is None):
                return None
        kw_params = {p.arg: p for p in sig.kwonly}
        filled_by_kw: dict[str, ast.arg | None] = {}
        for k in keywords:
            if k in names_pos[sig.n_posonly :]:
                if arg_count is not None and names_pos.index(k) < arg_count:
                    return None  # given twice
                filled_by_kw[k] = sig.positional[names_pos.index(k)]
            elif k in kw_params:
                filled_by_kw[k] = kw_params[k]
            elif sig.kwarg is not None:
                filled_by_kw[k] = sig.kwarg
            else:
                return None
        if arg_count is not None:
            for i in range(arg_count, sig.n_required_pos):
                if names_pos[i] not in filled_by_kw:
                    return None
            if not sig.kwonly_required <= set(filled_by_kw):
                return None
        # slot -> parameter for every provided argument (only when arg_count is known)
        slots: dict[str, ast.arg | None] = {}
        if arg_count is not None:
            for i in range(arg_count):
                slots[f"#{i}"] = sig.positional[i] if i < len(sig.positional) else sig.vararg
            for k, p in filled_by_kw.items():
                slots[k] = p
        how, binds, target_slot = "", {}, None
        if literal is not None:
            target_slot = literal_slot or "#0"
            if target_slot.startswith("#"):
                i = int(target_slot[1:])
                target = sig.positional[i] if i < len(sig.positional) else sig.vararg
            else:
                target = filled_by_kw.get(target_slot)
            if target is None:
                return None
            got = self._accepts_str_literal(self._render(target.annotation, sig.module), literal)
            if got is None:
                return None
            how, binds = got
        others = tuple(
            (slot, self._render(p.annotation, sig.module) if p is not None else _UNKNOWN)
            for slot, p in sorted(slots.items())
            if slot != target_slot
        )
        return how, binds, others

    def _literal_slot(
        self,
        sigs: list[_Sig],
        arg_count: int | None,
        keywords: tuple[str, ...],
        literal: str | None,
        literal_index: int | None,
    ) -> str | None:
        """The argument slot ("#i" positional, or a keyword name) holding the literal.

        Given ``literal_index``: that position.  Otherwise the first provided slot whose
        parameter is ``Literal[...]``-typed in some overload (``open``'s ``mode``), else
        the first argument.  One slot for all overloads, so they stay comparable.
        """
        if literal is None:
            return None
        if literal_index is not None:
            return f"#{literal_index}"
        for sig in sigs:
            slots: list[tuple[str, ast.arg]] = [
                (f"#{i}", p) for i, p in enumerate(sig.positional) if arg_count is None or i < arg_count
            ]
            kw = {p.arg: p for p in (*sig.positional[sig.n_posonly :], *sig.kwonly)}
            slots += [(k, kw[k]) for k in keywords if k in kw]
            if arg_count is None:
                slots += [(p.arg, p) for p in sig.kwonly]
            for slot, p in slots:
                ann = self._render(p.annotation, sig.module)
                if isinstance(ann, _Lit) or self._is_literal_union(ann):
                    if arg_count is None and slot.startswith("#"):
                        continue  # position unknown without an argument count
                    return slot
        return "#0"

    @staticmethod
    def _is_literal_union(node: _Node) -> bool:
        return isinstance(node, _Union) and any(isinstance(m, _Lit) for m in node.members)

    def _select(
        self,
        sigs: list[_Sig],
        arg_count: int | None,
        keywords: tuple[str, ...],
        literal: str | None,
        literal_index: int | None,
        env: dict[str, _Node],
        self_type: _Node | None,
        partial: bool,
    ) -> _Node | None:
        """Pick the return type node among overloads (see ``function_return``)."""
        literal_slot = self._literal_slot(sigs, arg_count, keywords, literal, literal_index)
        cands = []
        self_text = self._to_text(self_type, False) if self_type is not None else None
        for sig in sigs:
            got = self._applicable(sig, arg_count, keywords, literal, literal_slot)
            if got is None:
                continue
            how, binds, others = got
            local_env = dict(env)
            local_env.update(binds)
            if sig.self_annotation is not None and self_type is not None:
                ann = self._render(sig.self_annotation, sig.module)
                if isinstance(ann, _TVar):  # old-style ``def f(self: _S) -> _S``
                    local_env[ann.name] = self_type
                elif isinstance(ann, _Cls) and ann.args and self_text is not None:
                    # overloads on the receiver's parameters: ``self: Pattern[str]``
                    want = self._to_text(self._widen(self._subst(ann, env, self_type)), False)
                    if want is not None and _canonical(want) != _canonical(self_text):
                        continue
            ret = self._render(sig.node.returns, sig.module)
            if isinstance(sig.node, ast.AsyncFunctionDef):
                ret = _Cls("collections.abc.Coroutine", (_UNKNOWN, _UNKNOWN, ret))
            ret = self._widen(self._subst(ret, local_env, self_type))
            cands.append((others, ret, self._to_text(ret, partial)))
        if not cands:
            return None
        first = cands[0]
        if len({c[2] for c in cands}) == 1:
            return first[1] if first[2] is not None else None
        # Overloads disagree.  When the call's arguments are all known by count and
        # every argument other than the literal meets the same annotation in every
        # candidate, only arity and the literal decide, both known: a type checker
        # takes the first matching overload (``open(p, "rb")`` -> BufferedReader).
        if arg_count is not None and all(c[0] == first[0] for c in cands):
            return first[1] if first[2] is not None else None
        return None

    # ------------------------------------------------------------------ cached workers

    def _function_return_uncached(
        self,
        full_name: str,
        arg_count: int | None,
        keywords: tuple[str, ...],
        literal: str | None,
        literal_index: int | None,
        partial: bool,
    ) -> TypeFact | None:
        found = self._resolve_def(full_name)
        if isinstance(found, tuple):  # Class.method(...) called through the class
            cls, member = found
            child = (cls.info.child_nodes or {}).get(member)
            defs = child.ast.definitions if child and isinstance(child.ast, OverloadedName) else [child and child.ast]
            fn = next((d for d in defs if isinstance(d, (ast.FunctionDef, ast.AsyncFunctionDef))), None)
            if fn is not None and not _decorator_names(fn) & {"staticmethod", "classmethod"}:
                # plain instance method: the first argument is the receiver
                if arg_count is not None:
                    if arg_count < 1:
                        return None
                    arg_count -= 1
                if literal_index is not None:
                    if literal_index == 0:
                        literal = None
                    literal_index = None if literal_index == 0 else literal_index - 1
            return self.method_return(
                f"{cls.module}.{cls.name}", member, (), arg_count, keywords, literal,
                literal_index=literal_index, partial=partial,
            )
        if not isinstance(found, _Def):
            return None
        if isinstance(found.info.ast, ast.ClassDef):
            return self.constructor_type(f"{found.module}.{found.name}")
        sigs = self._signatures(found.info, found.module, is_method=False)
        if not sigs:
            return None
        node = self._select(sigs, arg_count, keywords, literal, literal_index, {}, None, partial)
        if node is None:
            return None
        return self._fact(node, f"typeshed:{self._public(found.module, found.name)}", partial)

    def _method_return_uncached(
        self,
        class_name: str,
        method: str,
        receiver_args: tuple[str, ...],
        arg_count: int | None,
        keywords: tuple[str, ...],
        literal: str | None,
        literal_index: int | None,
        partial: bool,
    ) -> TypeFact | None:
        root = self._class_info(class_name)
        if root is None or not method:
            return None
        hit = self._find_member(class_name, method)
        if hit is None:
            return None
        owner, env, child = hit
        if isinstance(child.ast, ast.ClassDef):
            return None
        if not isinstance(child.ast, (ast.FunctionDef, ast.AsyncFunctionDef, OverloadedName)):
            return None
        if isinstance(child.ast, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
            _decorator_names(child.ast) & _PROPERTY_DECORATORS
        ):
            return None  # a property is not callable as a method (its value might be)
        full_env = self._member_env(root, owner, env, receiver_args)
        self_type = self._instance_node(root, receiver_args)
        sigs = self._signatures(child, owner.module, is_method=True)
        node = self._select(sigs, arg_count, keywords, literal, literal_index, full_env, self_type, partial)
        if node is None:
            return None
        return self._fact(node, f"typeshed:{owner.full}.{method}", partial)

    def _member_env(self, root, owner, env: dict, receiver_args: tuple[str, ...]) -> dict:  # noqa: ANN001
        """Type-variable bindings for a member found on `owner` (a base of `root` or `root`
        itself), with the receiver's type arguments substituted."""
        recv_env = self._receiver_env(root, receiver_args)
        full_env = {k: self._subst(v, recv_env, None) for k, v in env.items()}
        full_env.update(recv_env if owner is root else {})
        return full_env

    def _attribute_type_uncached(
        self, class_name: str, attr: str, receiver_args: tuple[str, ...]
    ) -> TypeFact | None:
        root = self._class_info(class_name)
        if root is None or not attr:
            return None
        hit = self._find_member(class_name, attr)
        if hit is None:
            return None
        owner, env, child = hit
        node = child.ast
        if isinstance(node, OverloadedName):  # property with setter/deleter
            getters = [
                d for d in node.definitions
                if isinstance(d, ast.FunctionDef) and _decorator_names(d) & _PROPERTY_DECORATORS
            ]
            if not getters:
                return None
            node = getters[0]
        if isinstance(node, ast.AnnAssign):
            ann = node.annotation
        elif isinstance(node, ast.FunctionDef) and _decorator_names(node) & _PROPERTY_DECORATORS:
            ann = node.returns
        else:
            return None
        full_env = self._member_env(root, owner, env, receiver_args)
        rendered = self._subst(self._render(ann, owner.module), full_env, self._instance_node(root, receiver_args))
        return self._fact(rendered, f"typeshed:{owner.full}.{attr}")


@functools.lru_cache(maxsize=1)
def default_typeshed() -> Typeshed:
    """The shared :class:`Typeshed` instance (current Python version and platform)."""
    return Typeshed()
