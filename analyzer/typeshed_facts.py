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

The layer's parts (this module is its public API and the only one other modules import):

* `typeshed_lookup` -- finding names, annotations and classes in the stubs (typeshed-client);
* `typeshed_overloads` -- choosing an overload for what is known of a call's arguments;
* `typeshed_params` -- whether a parameter admits an instance of a class;
* `typeshed_nodes` -- the type nodes in between and their rendering to text;
* `typeshed_cache` -- the per-instance memo tables (and the recursion guard) they use.

Here: `TypeFact`, `Typeshed` (the questions above, each one catching every error and answering
``None``; memoizes function / method returns and attribute types) and `default_typeshed`.
"""

from __future__ import annotations

import ast
import functools
import sys
from dataclasses import dataclass
from pathlib import Path

from typeshed_client import OverloadedName

from typeinfer.analyzer.typeshed_cache import memoize
from typeinfer.analyzer.typeshed_lookup import Def, Mod, StubLookup
from typeinfer.analyzer.typeshed_nodes import (
    Node, canonical, decorator_names, is_typealias_ann, split_generic, subst, to_text, widen,
)
from typeinfer.analyzer.typeshed_overloads import OverloadChooser, signatures
from typeinfer.analyzer.typeshed_params import node_admits, parameter_annotation

__all__ = ["TypeFact", "Typeshed", "default_typeshed", "typeshed_for"]


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


_PROPERTY_DECORATORS = frozenset({"property", "cached_property", "abstractproperty"})


class Typeshed:
    """Type facts for stdlib modules and builtins from the bundled typeshed stubs.

    Cheap to construct (stubs are parsed lazily and cached per instance); use
    :func:`default_typeshed` for the shared instance.  No public method raises:
    odd input (``""``, ``"..."``, nonexistent modules) gives ``None`` / empty sets.

    Methods: ``resolve``, ``is_class``, ``function_return``, ``constructor_type``,
    ``method_return``, ``attribute_type``, ``variable_type``, ``class_members``, ``parameter_admits``,
    ``module_names``.  The stdlib stubs are searched, then the packages installed in
    ``search_path`` (a project's site-packages, `environment.site_packages`) when given.

    ``version`` is the Python version the stubs are evaluated for (``sys.version_info``
    conditions), ``platform`` the ``sys.platform`` value.
    """

    def __init__(self, version: tuple[int, int] | None = None, platform: str = sys.platform,
                 search_path: tuple[Path, ...] = ()) -> None:
        self._stubs = StubLookup(version or sys.version_info[:2], platform, search_path)
        self._overloads = OverloadChooser(self._stubs)
        self._function_return = memoize(self._function_return_uncached)
        self._method_return = memoize(self._method_return_uncached)
        self._attribute_type = memoize(self._attribute_type_uncached)
        self._parameter_admits = memoize(self._parameter_admits_uncached)

    # ------------------------------------------------------------------ public API

    def resolve(self, dotted: str) -> str | None:
        """Full name of a module-level symbol (or module), following re-exports and aliases.

        ``"os.path.join"`` -> ``"posixpath.join"``, ``"len"`` -> ``"builtins.len"``,
        ``"typing.List"`` -> ``"builtins.list"``, ``"io.TextIOWrapper"`` -> ``"io.TextIOWrapper"``
        (defined in ``_io``, shown under its public module), ``"os.path"`` -> ``"posixpath"``.
        ``None`` if unknown.
        """
        try:
            found = self._stubs.resolve_def(dotted)
            if isinstance(found, Mod):
                return found.module
            if isinstance(found, Def):
                return self._stubs.public(found.module, found.name)
            if isinstance(found, tuple):  # class member: (class Def, member name)
                cls, member = found
                return f"{self._stubs.public(cls.module, cls.name)}.{member}"
        except Exception:
            pass
        return None

    def is_class(self, full_name: str) -> bool:
        """Whether ``full_name`` (any spelling ``resolve`` accepts) names a class in typeshed."""
        try:
            return self._stubs.class_info(split_generic(full_name)[0]) is not None
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
        awaited: bool = False,
    ) -> TypeFact | None:
        """Return type of calling the module function / builtin ``full_name`` (with `awaited`,
        of awaiting the call: ``await asyncio.sleep(1, "x")`` -> ``str``).

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
                full_name, arg_count, tuple(keywords), first_arg_literal, literal_index, partial, awaited
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
            name, inline = split_generic(class_full_name)
            info = self._stubs.class_info(name)
            if info is None:
                return None
            args = tuple(type_args) if type_args else inline
            node = self._stubs.instance_node(info, args)
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
        awaited: bool = False,
    ) -> TypeFact | None:
        """Return type of ``receiver.method(...)`` for a receiver of class ``class_full_name``
        (with `awaited`, of ``await receiver.method(...)``).

        The method is looked up along the MRO (typeshed bases, typing protocols
        included).  The class's type parameters are substituted from
        ``receiver_type_args`` (``"list", "pop", ("int",)`` -> ``int``; the receiver may
        also be spelled ``"list[int]"``); ``Self`` is the receiver.  ``arg_count`` etc.
        count the call's arguments *without* the receiver and select overloads as in
        :meth:`function_return`.  ``None`` if unknown or still generic.
        """
        try:
            name, inline = split_generic(class_full_name)
            args = tuple(receiver_type_args) or inline
            return self._method_return(
                name, method, args, arg_count, tuple(keywords), first_arg_literal, literal_index, partial, awaited
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
            name, inline = split_generic(class_full_name)
            return self._attribute_type(name, attr, tuple(receiver_type_args) or inline)
        except Exception:
            return None

    def variable_type(self, full_name: str) -> TypeFact | None:
        """Declared type of a module-level variable (``sys.argv`` -> ``list[str]``,
        ``os.environ`` -> ``os._Environ[str]``); ``None`` for anything else."""
        try:
            found = self._stubs.resolve_def(full_name)
            if not isinstance(found, Def) or not isinstance(found.info.ast, ast.AnnAssign):
                return None
            if is_typealias_ann(found.info.ast.annotation):
                return None
            node = self._stubs.render(found.info.ast.annotation, found.module)
            return self._fact(node, f"typeshed:{self._stubs.public(found.module, found.name)}")
        except Exception:
            return None

    def class_members(self, class_full_name: str) -> frozenset[str]:
        """Names of all methods, attributes and properties, own and inherited.

        Empty for an unknown class: check :meth:`is_class` before using this to
        reject a type.  A class that defines ``__getattr__`` accepts any attribute.
        """
        try:
            return self._stubs.class_members(split_generic(class_full_name)[0])
        except Exception:
            return frozenset()

    def parameter_admits(self, function: str, position: int | None, keyword: str, cls: str,
                         receiver: str = "") -> bool | None:
        """Whether an instance of the builtin class `cls` (``"float"``; ``"None"``) may be passed
        as the argument at `position` (0-based, a method's receiver not counted) or named
        `keyword` to `function`: a module function or builtin (``builtins.format``), or, with
        `receiver` (a class full name, type arguments allowed: ``list[int]``), that class's
        method `function`.  True when some overload admits it, False when none does, None when
        that cannot be told (`typeshed_params.node_admits`)."""
        try:
            return self._parameter_admits(function, position, keyword, cls, receiver)
        except Exception:
            return None

    def module_names(self, module: str) -> frozenset[str]:
        """Names a stdlib module exports (its public, re-exported names); empty if unknown."""
        try:
            return self._stubs.module_names(module)
        except Exception:
            return frozenset()


    # ------------------------------------------------------------------ cached workers

    def _function_return_uncached(
        self,
        full_name: str,
        arg_count: int | None,
        keywords: tuple[str, ...],
        literal: str | None,
        literal_index: int | None,
        partial: bool,
        awaited: bool = False,
    ) -> TypeFact | None:
        found = self._stubs.resolve_def(full_name)
        if isinstance(found, tuple):  # Class.method(...) called through the class
            cls, member = found
            child = (cls.info.child_nodes or {}).get(member)
            defs = child.ast.definitions if child and isinstance(child.ast, OverloadedName) else [child and child.ast]
            fn = next((d for d in defs if isinstance(d, (ast.FunctionDef, ast.AsyncFunctionDef))), None)
            if fn is not None and not decorator_names(fn) & {"staticmethod", "classmethod"}:
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
                literal_index=literal_index, partial=partial, awaited=awaited,
            )
        if not isinstance(found, Def):
            return None
        if isinstance(found.info.ast, ast.ClassDef):
            return None if awaited else self.constructor_type(f"{found.module}.{found.name}")
        sigs = signatures(found.info, found.module, is_method=False)
        if not sigs:
            return None
        node = self._overloads.select(sigs, arg_count, keywords, literal, literal_index, {}, None, partial, awaited)
        if node is None:
            return None
        return self._fact(node, f"typeshed:{self._stubs.public(found.module, found.name)}", partial)

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
        awaited: bool = False,
    ) -> TypeFact | None:
        found = self._member(class_name, method, receiver_args)
        if found is None:
            return None
        owner, child, full_env, self_type = found
        if isinstance(child.ast, ast.ClassDef):
            return None
        if not isinstance(child.ast, (ast.FunctionDef, ast.AsyncFunctionDef, OverloadedName)):
            return None
        if isinstance(child.ast, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
            decorator_names(child.ast) & _PROPERTY_DECORATORS
        ):
            return None  # a property is not callable as a method (its value might be)
        sigs = signatures(child, owner.module, is_method=True)
        node = self._overloads.select(sigs, arg_count, keywords, literal, literal_index, full_env, self_type, partial,
                                      awaited)
        if node is None:
            return None
        return self._fact(node, f"typeshed:{owner.full}.{method}", partial)

    def _attribute_type_uncached(
        self, class_name: str, attr: str, receiver_args: tuple[str, ...]
    ) -> TypeFact | None:
        found = self._member(class_name, attr, receiver_args)
        if found is None:
            return None
        owner, child, full_env, self_type = found
        node = child.ast
        if isinstance(node, OverloadedName):  # property with setter/deleter
            getters = [
                d for d in node.definitions
                if isinstance(d, ast.FunctionDef) and decorator_names(d) & _PROPERTY_DECORATORS
            ]
            if not getters:
                return None
            node = getters[0]
        if isinstance(node, ast.AnnAssign):
            ann = node.annotation
        elif isinstance(node, ast.FunctionDef) and decorator_names(node) & _PROPERTY_DECORATORS:
            ann = node.returns
        else:
            return None
        rendered = subst(self._stubs.render(ann, owner.module), full_env, self_type)
        return self._fact(rendered, f"typeshed:{owner.full}.{attr}")

    def _member(self, class_name: str, member: str, receiver_args: tuple[str, ...]) -> tuple | None:
        """(defining class, its NameInfo, the type-variable bindings for the receiver, the
        receiver's type) of `member` looked up along the MRO of `class_name`; None if unknown."""
        root = self._stubs.class_info(class_name)
        if root is None or not member:
            return None
        hit = self._stubs.find_member(class_name, member)
        if hit is None:
            return None
        owner, env, child = hit
        return (owner, child, self._stubs.member_env(root, owner, env, receiver_args),
                self._stubs.instance_node(root, receiver_args))

    def _parameter_admits_uncached(self, function: str, position: int | None, keyword: str, cls: str,
                                   receiver: str) -> bool | None:
        env: dict = {}
        self_type: Node | None = None
        if receiver:
            name, args = split_generic(receiver)
            found_member = self._member(name, function, args)
            if found_member is None:
                return None
            owner, child, env, self_type = found_member
            sigs = signatures(child, owner.module, is_method=True)
        else:
            found = self._stubs.resolve_def(function)
            if not isinstance(found, Def):
                return None
            if isinstance(found.info.ast, ast.ClassDef):  # a constructor: its own __new__ or __init__
                return self._constructor_admits(f"{found.module}.{found.name}", position, keyword, cls)
            sigs = signatures(found.info, found.module, is_method=False)
        return self._signatures_admit(sigs, position, keyword, cls, env, self_type)

    def _constructor_admits(self, class_name: str, position: int | None, keyword: str, cls: str) -> bool | None:
        for method in ("__new__", "__init__"):
            hit = self._stubs.find_member(class_name, method)
            if hit is not None and hit[0].full != "builtins.object":
                return self._parameter_admits(method, position, keyword, cls, class_name)
        return None

    def _signatures_admit(self, sigs: list, position: int | None, keyword: str, cls: str, env: dict,
                          self_type: Node | None) -> bool | None:
        answers = []
        for sig in sigs:
            annotation = parameter_annotation(sig, position, keyword)
            if annotation is False:
                continue
            if annotation is None:
                return None
            answers.append(node_admits(self._stubs, subst(self._stubs.render(annotation, sig.module), env, self_type), cls))
        if not answers or None in answers:
            return None
        return any(answers)

    # ------------------------------------------------------------------ facts

    def _fact(self, node: Node, origin: str, partial: bool = False) -> TypeFact | None:
        text = to_text(widen(node), partial)
        if text is None:
            return None
        canonical_text = canonical(text)
        if not canonical_text:
            return None
        return TypeFact(type=canonical_text, full_type=text, origin=origin)


def default_typeshed() -> Typeshed:
    """The shared :class:`Typeshed` instance (current Python version and platform, stdlib only)."""
    return typeshed_for((), "")


@functools.lru_cache(maxsize=4)
def typeshed_for(search_path: tuple[Path, ...], installed: str = "") -> Typeshed:
    """The shared :class:`Typeshed` of the stdlib stubs plus the packages in `search_path`;
    `installed` (`environment.environment_fingerprint`) makes a new one once packages change."""
    return Typeshed(search_path=search_path)
