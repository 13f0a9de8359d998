"""`annotate_source`: one file's bytes and annotations in, the edited bytes and a report out.

Parses the bytes, refuses a file that does not decode or (without ``force``) already has syntax
errors (`source_problem`), checks each type text, locates its slot (`locate`), plans the imports
(`imports`), splices everything in (`edits`), and drops the annotations that would make the result
parse worse than the original (found by bisection; each is skipped with `BREAKS_PARSING`).  For
Python, CPython's parser alone decides (tree-sitter misreads some valid code); for TypeScript,
tree-sitter's error nodes before and after.  What differs per language (slot lookup, bindings, type texts, imports, encoding,
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

__all__ = ["BREAKS_PARSING", "RUNTIME_ANNOTATION_MODULES", "annotate_source", "file_encoding", "grammar_of", "locate",
           "normalize_language", "source_problem", "stub_suffixes", "type_names", "type_problem", "writer_syntax"]


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


#: The `Skipped` reason of an annotation dropped because the file would no longer parse with it.
BREAKS_PARSING = "the annotation would make the file fail to parse"


def source_problem(data: bytes, language: str, path: str = "", force: bool = False,
                   tree: tree_sitter.Tree | None = None) -> str | None:
    """Why the writer leaves a file alone whatever its annotations (one line, no path), or None.

    Bytes that do not decode in the file's declared or detected encoding are never written (the
    splices would keep the bad bytes, and the language itself refuses such a file).  A file with
    syntax errors before the edit -- rejected by the language's own parser where the writer has
    one (Python: CPython), else holding tree-sitter ERROR/MISSING nodes -- is left alone unless
    `force`."""
    syntax = writer_syntax(language)
    encoding = declared_encoding(data, syntax.coding_cookie)
    try:
        data.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    except UnicodeDecodeError as exc:
        return f"not valid {encoding} text (bad byte at offset {exc.start}); the file is left unchanged"
    except LookupError:  # pragma: no cover - declared_encoding returns looked-up codecs only
        return f"unknown encoding {encoding}; the file is left unchanged"
    if force:
        return None
    if syntax.parser_problem is not None:
        problem = syntax.parser_problem(data)
        if problem is not None:
            return f"has syntax errors ({problem}); --force annotates it anyway"
        return None
    if tree is None:
        tree = parse(data, grammar_of(path, language) if path else syntax.grammar)
    errors = count_parse_errors(tree)
    if errors:
        return f"has syntax errors ({errors} parse error node(s)); --force annotates it anyway"
    return None


def annotate_source(data: bytes, path: str, language: str, annotations: list[Annotation],
                    force: bool = False, whole_file_checks: bool = True,
                    tree: tree_sitter.Tree | None = None) -> EditResult:
    """Write `annotations` into `data` (the bytes of `path`); see the module docstring for the rules.

    A file `source_problem` objects to is refused whole (`force` lets a file with syntax errors
    through).  An edit that would break parsing is not refused whole: the annotations that break
    it are found by bisection (apply half, check, recurse), each is skipped with `BREAKS_PARSING`,
    and the rest are written.  Without `whole_file_checks`, the file is not parsed again after the
    edit and `source_problem` is not asked: only where each annotation goes is decided (the
    language server marking the hints of one function after an edit inside it, where a whole-file
    check per keystroke would cost more than the rest; its code actions write with the checks).
    `tree`: `data`'s tree-sitter tree, when the caller has parsed it already."""
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
        tree = tree if tree is not None else parse(data, grammar)
    except Exception as exc:  # pragma: no cover - tree-sitter does not raise on bytes
        for a in annotations:
            result.skipped.append(Skipped(a, f"cannot parse ({exc})"))
        return result
    if annotations and whole_file_checks:
        problem = source_problem(data, lang, path, force, tree)
        if problem is not None:
            result.refused = problem
            return result
    root = tree.root_node
    bindings = syntax.bindings(root)
    plan = ImportPlan(syntax, bindings)
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
    if not accepted:
        return result

    # without `force`, `source_problem` has already had the language's parser accept the original
    original_ok = syntax.parser_problem is not None and (not force or syntax.parser_problem(data) is None)
    before = count_parse_errors(tree)

    def build(chosen: list[tuple[Annotation, Slot]]) -> tuple[bytes, list[Edit], list[str], list[str]]:
        """The bytes with `chosen` written (and the imports they need), the edits, lines added, warnings."""
        sub = ImportPlan(syntax, bindings)
        edits: list[Edit] = []
        for ann, slot in chosen:
            adds = sub.resolve(ann, slot.scope)
            if isinstance(adds, str):  # pragma: no cover - resolved with more accepted already
                continue
            sub.accept(adds)
            edits.extend(slot.edits)
        import_edits, added, warnings = syntax.import_edits(data, root, sub, nl, path)
        all_edits = edits + import_edits
        return apply_edits(data, all_edits, encoding), all_edits, added, warnings

    def breaks(new: bytes) -> str | None:
        """Why the edited bytes parse worse than the original, or None."""
        if original_ok:  # the language's own parser accepted the original: it alone decides
            assert syntax.parser_problem is not None
            return "the edited file is rejected by the Python parser" if syntax.parser_problem(new) is not None else None
        after = count_parse_errors(parse(new, grammar))
        if after > before:
            return f"the edit would add {after - before} syntax error(s)"
        return None

    def keep(good: list[tuple[Annotation, Slot]], candidates: list[tuple[Annotation, Slot]]) -> list[tuple[Annotation, Slot]]:
        """The part of `candidates` that can be written on top of `good` (which parses)."""
        if breaks(build(good + candidates)[0]) is None:
            return candidates
        if len(candidates) == 1:
            result.skipped.append(Skipped(candidates[0][0], BREAKS_PARSING))
            return []
        half = len(candidates) // 2
        first = keep(good, candidates[:half])
        return first + keep(good + first, candidates[half:])

    new, all_edits, added, warnings = build(accepted)
    if whole_file_checks and breaks(new) is not None:
        accepted = keep([], accepted)
        if not accepted:
            return result
        new, all_edits, added, warnings = build(accepted)
        if breaks(new) is not None:  # pragma: no cover - `keep` checked this very set
            result.refused = breaks(new)
            return result
    result.warnings.extend(warnings)
    result.data = new
    result.imports_added = added
    starts = line_starts(new)
    for ann, slot in accepted:
        off = shift_offset(slot.name_node.start_byte, all_edits, encoding)
        row, col = offset_to_point(starts, off)
        result.applied.append(Applied(ann, row + 1, col))
    return result
