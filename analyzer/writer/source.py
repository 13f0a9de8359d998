"""`annotate_source`: one file's bytes and annotations in, the edited bytes and a report out.

Parses the bytes, checks each type text, locates its slot (`locate`), plans the imports
(`imports`), splices everything in (`edits`), and refuses the result when it parses worse than
the original.  What differs per language (slot lookup, bindings, type texts, imports, encoding,
the extra parser check) is the `WriterSyntax` of the language's adapter
(``adapter_for(language).writer``, built in `python_syntax` / `typescript_syntax`); a language
with no adapter is refused (`UnknownLanguageError`).  Pure: does not read or write files (see
`files`), and never raises on analyzed data.
"""

from __future__ import annotations

import tree_sitter

from typeinfer.analyzer.writer.contract import Annotation, Applied, EditResult, Skipped
from typeinfer.analyzer.writer.edits import (
    Edit,
    SkipSlot,
    Slot,
    apply_edits,
    declared_encoding,
    file_newline,
    line_starts,
    offset_to_point,
    shift_offset,
)
from typeinfer.analyzer.writer.imports import ImportPlan
from typeinfer.analyzer.writer.python_syntax import RUNTIME_ANNOTATION_MODULES
from typeinfer.analyzer.writer.syntax import WriterSyntax
from typeinfer.cpg.source import count_parse_errors, grammar_for_path, parse

__all__ = ["RUNTIME_ANNOTATION_MODULES", "annotate_source", "file_encoding", "grammar_of", "locate",
           "normalize_language", "stub_suffixes", "type_names", "type_problem", "writer_syntax"]


def writer_syntax(language: str) -> WriterSyntax:
    """The writer's part of the language's adapter; `UnknownLanguageError` for a language without one."""
    from typeinfer.analyzer.languages import adapter_for  # the adapters import this package's modules

    syntax = adapter_for(language).writer
    if syntax is None:
        raise ValueError(f"the source writer does not support the language {language!r}")
    return syntax


def normalize_language(language: str) -> str:
    """The writer's name of a language: its adapter's name; `UnknownLanguageError` for any other."""
    from typeinfer.analyzer.languages import adapter_for

    return adapter_for(language).name


def stub_suffixes() -> tuple[str, ...]:
    """The extensions of every registered language's stub / declaration files."""
    from typeinfer.analyzer.languages import ADAPTERS

    return tuple(a.writer.stub_suffix for a in ADAPTERS)


def type_problem(t: str, language: str) -> str | None:
    """Why a type text cannot be written in `language`, or None."""
    return writer_syntax(language).type_problem(t)


def type_names(t: str, language: str) -> list[str]:
    """The names a type text of `language` needs bound (roots of dotted names), textual order, no duplicates."""
    return writer_syntax(language).type_names(t)


def file_encoding(data: bytes, language: str) -> str:
    """The codec of a file: a PEP 263 cookie for a language that reads one (Python), else UTF-8."""
    return declared_encoding(data, writer_syntax(language).coding_cookie)


def grammar_of(path: str, language: str) -> str:
    """The tree-sitter grammar of a file: by its extension, else the language's own."""
    g = grammar_for_path(path)
    if g is not None:
        return g[1]
    return writer_syntax(language).grammar


def locate(root: tree_sitter.Node, ann: Annotation, language: str, type_text: str | None = None) -> Slot | str:
    """The slot an annotation targets, or why it cannot be annotated (a one-line reason)."""
    t = ann.type if type_text is None else type_text
    try:
        return writer_syntax(language).locate_slot(root, ann, t)
    except SkipSlot as s:
        return s.reason
    except (AssertionError, AttributeError, ValueError) as exc:  # an odd tree: skip, never crash
        return f"cannot locate the slot ({type(exc).__name__})"


def annotate_source(data: bytes, path: str, language: str, annotations: list[Annotation]) -> EditResult:
    """Write `annotations` into `data` (the bytes of `path`); see the module docstring for the rules."""
    syntax = writer_syntax(language)
    lang = normalize_language(language)
    result = EditResult(path=path, language=lang, original=data, data=data)
    grammar = grammar_of(path, lang)
    if grammar in syntax.stub_only_grammars:
        for a in annotations:
            result.skipped.append(Skipped(a, "JavaScript file: inline type annotations are not valid (use --stub)"))
        return result
    if path.endswith(stub_suffixes()):
        for a in annotations:
            result.skipped.append(Skipped(a, "declaration/stub file: not annotated"))
        return result
    encoding = declared_encoding(data, syntax.coding_cookie)
    nl = file_newline(data).decode("ascii")
    try:
        tree = parse(data, grammar)
    except Exception as exc:  # pragma: no cover - tree-sitter does not raise on bytes
        for a in annotations:
            result.skipped.append(Skipped(a, f"cannot parse ({exc})"))
        return result
    root = tree.root_node
    plan = ImportPlan(syntax, syntax.bindings(root))
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
    import_edits, added, warnings = syntax.import_edits(data, root, plan, nl, path)
    result.warnings.extend(warnings)
    all_edits = edits + import_edits
    new = apply_edits(data, all_edits, encoding)
    before = count_parse_errors(tree)
    new_tree = parse(new, grammar)
    after = count_parse_errors(new_tree)
    if after > before:
        result.refused = f"the edit would add {after - before} syntax error(s)"
        return result
    refusal = syntax.refuse_edit(data, new)
    if refusal is not None:
        result.refused = refusal
        return result
    result.data = new
    result.imports_added = added
    starts = line_starts(new)
    for ann, slot in accepted:
        off = shift_offset(slot.name_node.start_byte, all_edits, encoding)
        row, col = offset_to_point(starts, off)
        result.applied.append(Applied(ann, row + 1, col))
    return result

