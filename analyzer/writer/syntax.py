"""`WriterSyntax` and `AnchorSyntax`: what one language contributes to the source writer, the stub
writer and the editor's anchors.  Each `LanguageAdapter` (`analyzer.languages`) carries one of
each (``writer``, ``anchors``); the language-independent code (`source`, `analyzer.stubs`,
`lsp.anchors`) asks ``adapter_for(language)`` for them instead of branching on the language name.

Needs: only the types it names.  Does not: locate, edit or parse anything itself; the Python and
TypeScript instances are built in `python_syntax` / `typescript_syntax` from the functions of
`python_slots`, `typescript_slots`, `bindings`, `imports` and `type_texts`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Mapping

import tree_sitter

if TYPE_CHECKING:
    from typeinfer.analyzer.writer.bindings import Bindings
    from typeinfer.analyzer.writer.contract import Annotation
    from typeinfer.analyzer.writer.edits import Edit, Slot


@dataclass(frozen=True)
class WriterSyntax:
    """How the writer handles one language's files."""

    #: the tree-sitter grammar of a file whose extension says nothing
    grammar: str
    #: the extension of the language's stub / declaration files (".pyi", ".d.ts")
    stub_suffix: str
    #: (root, annotation, type text) -> the slot; raises `SkipSlot` with a reason
    locate_slot: Callable[[tree_sitter.Node, Annotation, str], Slot]
    #: the names a file binds at module level
    bindings: Callable[[tree_sitter.Node], Bindings]
    #: why a type text cannot be written, or None
    type_problem: Callable[[str], str | None]
    #: the names a type text needs bound
    type_names: Callable[[str], list[str]]
    #: names a type may use without an import or a binding
    builtin_names: frozenset[str]
    #: (data, root, `ImportPlan`, newline, path) -> (import edits, the lines added, warnings)
    #: (`ImportPlan` is not named here: `imports` reads this module)
    import_edits: Callable[..., tuple[list[Edit], list[str], list[str]]]
    #: names imported without a `TypeImport` (name -> module); empty where there are none
    auto_imports: Mapping[str, str] = field(default_factory=dict)
    #: grammars of the language whose files take no inline annotation (only stubs)
    stub_only_grammars: frozenset[str] = frozenset()
    #: whether a PEP 263 style coding cookie in the first two lines sets the file's encoding
    coding_cookie: bool = False
    #: bytes -> why the language's own parser rejects them (one line), or None when it accepts them;
    #: a language without one here (None) is judged by tree-sitter's ERROR/MISSING nodes instead
    parser_problem: Callable[[bytes], str | None] | None = None
    #: whether a module-level binding of a builtin's name (``bytes = str``) makes that name in an
    #: annotation mean the binding: an annotation needing the builtin is then refused
    bindings_shadow_builtins: bool = False


@dataclass(frozen=True)
class AnchorSyntax:
    """Which tree-sitter nodes anchor an editor hint for each kind of slot."""

    #: node types of the functions a return annotation belongs to
    functions: tuple[str, ...]
    #: node types whose names make up an enclosing function's dotted name
    containers: tuple[str, ...]
    #: (node at the name, slot kind) -> (name node, node the annotation goes after or None), or None
    #: when the node is no name of such a slot; not used for returns
    name_slot: Callable[[tree_sitter.Node, str], tuple[tree_sitter.Node, tree_sitter.Node | None] | None]
    #: whether a return annotation is written `` -> T`` (else ``: T``)
    return_arrow: bool = False
