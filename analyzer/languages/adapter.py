"""`LanguageAdapter`: the fields one language fills in (see the package docstring)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Callable, Mapping

if TYPE_CHECKING:  # the writer's modules do not import this package at module level
    from typeinfer.analyzer.writer.syntax import AnchorSyntax, WriterSyntax


@dataclass(frozen=True)
class StaticTables:
    """Built-in results the static typer may read off a table (empty for a language without them)."""

    #: global functions / static methods with a fixed result (METHOD_FULL_NAME -> type);
    #: ``None`` marks calls known to say nothing
    global_calls: Mapping[str, str | None] = field(default_factory=dict)
    #: ``new C(...)`` of a non-generic built-in class -> its type
    constructors: Mapping[str, str] = field(default_factory=dict)
    #: receiver kind -> member -> result (``"$elem"``: element type, ``"$self"``: the receiver's type)
    members: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: ``typeof x === "..."`` string -> the type it narrows to
    typeof: Mapping[str, str] = field(default_factory=dict)
    #: type of a numeric operand -> the type of ``-x`` / ``+x`` / ``~x``
    unary_numeric: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LanguageAdapter:
    """What one language contributes to the language-independent analysis."""

    name: str  #: the language name sources and predictions carry ("python", "typescript")
    self_names: frozenset[str]  #: names that denote the enclosing instance (or class)
    #: (full_name, decl_file, from_file) -> the module specifier an import of a project type uses
    import_module: Callable[[str, str, str], str]
    #: a project full name (``pkg/models.py:User``) -> its dotted name (``pkg.models.User``)
    dotted_name: Callable[[str], str]
    #: what separates module and name in a file's import table (``os.path`` / ``./models:User``)
    entity_separator: str
    #: whether a qualified type ``a.b.C`` names the module ``a.b`` it is imported from
    dotted_full_types: bool
    static_tables: StaticTables = field(default_factory=StaticTables)
    # -- the source writer and the editor's anchors (fields with defaults below this line)
    #: what the source writer and the stub writer need (slots, bindings, type texts, imports);
    #: None: the writer refuses the language
    writer: WriterSyntax | None = None
    #: which tree-sitter nodes anchor the editor's hints; None: the editor shows no inline slots
    anchors: AnchorSyntax | None = None
    # -- slicing, stripping, consistency, evidence and --verify (fields with defaults below this line)
    #: the type of a string value (an f-string, a template string): ``str`` / ``string``
    str_type: str = ""
    #: the type of a boolean value: ``bool`` / ``boolean``
    bool_type: str = ""
    #: what a bare ``return`` gives: ``None`` / ``undefined``
    bare_return_type: str = ""
    #: the type of an object literal ``{...}`` ("" when it says nothing)
    object_literal_type: str = ""
    #: (container of a literal: ``list``, ``set``..., its one element type or "" when empty or mixed)
    #: -> the literal's type ("" when it says nothing): ``list[int]`` / ``int[]``
    container_literal_type: Callable[[str, str], str] = field(default=lambda container, element: "")
    #: whether a tuple literal's type lists each element's type (``tuple[int, str]``)
    typed_tuple_literals: bool = False
    #: whether a lambda's parameters and result can carry annotations (Python's cannot)
    annotatable_lambdas: bool = True
    #: whether a function's first string statement is its docstring
    docstrings: bool = False
    #: whether the declared result of an ``async`` function wraps the returned values (``Promise<T>``)
    async_wraps_return: bool = False
    #: (an annotation's source text, its tree-sitter node type) -> the form the front end stores
    stored_annotation: Callable[[str, str], str] = field(default=lambda text, node_type: " ".join(text.split()))
    #: members of built-in types by outer type name (the consistency filter; typeshed answers for Python)
    builtin_members: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: types a value of which may have any member (the consistency filter accepts them)
    any_member_types: frozenset[str] = frozenset()
    #: members every instance of a project class has beyond the ones it declares
    implicit_members: frozenset[str] = frozenset()
    #: the typeshed module of built-in classes (``builtins``); "" when typeshed does not describe the language
    builtins_module: str = ""
    #: --verify: the checker's name: with `checker_executables`, what it is called; without, its
    #: pinned npm package (a key of `checkers.PINNED`): ``basedpyright`` / ``typescript`` (tsc)
    checker: str = ""
    #: --verify: executables looked for, in order, in the project's environment, typeinfer's own
    #: and on PATH (`checkers.find_checker`); empty: the pinned npm package `checker`
    checker_executables: tuple[str, ...] = ()
    #: --verify: what the checker's language server is called, after the checker's name
    #: (``-langserver``: ``basedpyright-langserver`` next to ``basedpyright``); empty: it has none
    checker_server_suffix: str = ""
    #: --verify: the checker's arguments after its command; ``{workdir}`` stands for the checked copy
    checker_args: tuple[str, ...] = ()
    #: --verify: (file name, JSON content) of the generated checker config written next to the sources
    checker_config: tuple[str, Mapping[str, object]] = ("", {})
    #: --verify: how the checker's output is read (a key of `checkers.PARSERS`): ``pyright-json`` / ``tsc-text``
    checker_output: str = ""

    @cached_property
    def builtin_types(self) -> frozenset[str]:
        """Type names usable in an annotation without an import: the writer's builtins and the
        names it imports on its own (``Optional``, ``Any``)."""
        assert self.writer is not None
        return self.writer.builtin_names | frozenset(self.writer.auto_imports)

    @cached_property
    def scope_node_types(self) -> frozenset[str]:
        """Function and class node types (where --verify attributes an error): the anchors' containers."""
        assert self.anchors is not None
        return frozenset(self.anchors.containers)

    def entity_dotted(self, entity: str) -> str:
        """An imported entity (``./models:User``) as a dotted name (``./models.User``)."""
        return entity.replace(self.entity_separator, ".")

    def split_entity(self, entity: str) -> tuple[str, str]:
        """An imported entity -> (module, original name); the module is "" when there is none."""
        module, _, original = entity.rpartition(self.entity_separator)
        return module, original
