"""Writing inferred types back into source (issue 6, "Writing source"): the back end of `typeinfer annotate`.

Needs: the bytes of one file and a list of `Annotation` (the pipeline's decisions: which slot gets
which type, where the slot's name is, which imports the type needs).  Does not: decide types,
canonicalize them, or look at any other file; it never imports or runs the analyzed code (Python
annotation texts are parsed with ``ast.parse`` only).  Stubs (``--stub``) are in `analyzer.stubs`,
which shares the slot lookup of this package.

API
===

``annotate_source(data, path, language, annotations, force=False) -> EditResult``
    Pure: the new bytes, what was applied (with the name's position in the new bytes), what was
    skipped and why, the import lines added, and ``refused`` when the file is left alone whole
    (does not decode; syntax errors before the edit without ``force``).  Never raises on analyzed data.
``write_file_atomically(path, original, new) -> WriteOutcome``
    Re-reads the file and writes only if it still holds ``original``; temp file in the same
    directory, permission bits copied, fsync, ``os.replace``.  Every failure is a message.
``unified_diff(path, old, new) -> str``
    ``a/path`` / ``b/path`` unified diff, decoded with the file's encoding.
``stub_path(path) -> Path``, ``write_stub(path, text) -> WriteOutcome``
    Where a stub goes, and writing one (never over a stub that typeinfer did not generate).

JSON forms (``to_json`` / ``from_json``)::

    Annotation: {"kind": "parameter", "name": "x", "function": "Cart.add", "line": 3, "column": 12,
                 "type": "list[User]",
                 "imports": [{"module": "pkg.models", "name": "User", "is_project": true}]}
    EditResult: {"path": "pkg/cart.py", "language": "python", "changed": true, "refused": null,
                 "applied": [{"annotation": {...}, "line": 5, "column": 12}],   # position after the edit
                 "skipped": [{"annotation": {...}, "reason": "already annotated"}],
                 "imports_added": ["from __future__ import annotations", "from pkg.models import User"],
                 "warnings": []}
    WriteOutcome: {"path": "pkg/cart.py", "written": false, "message": "changed on disk during the run"}

Positions: ``line`` is 1-based, ``column`` a 0-based *byte* column (tree-sitter's unit; a UTF-8 BOM
counts on line 1).  The slot is always re-located: the file is parsed again, the node at
(line, column) must be the slot's name; anything else is skipped ("position mismatch"), never
guessed.  Python attributes may be positioned on ``self`` of ``self.x`` or on ``x``; TypeScript
destructured parameters on the pattern, whose name is its text with whitespace runs collapsed.

What is written
===============

Python: parameter ``x`` -> ``x: T``, ``x=1`` -> ``x: T = 1`` (PEP 8), ``*args: T``, ``**kw: T``;
return -> `` -> T`` right after the closing parenthesis of the parameters; variable -> a simple
``name = value`` statement (one target, not chained, not augmented, not a ``for``/``with`` target)
becomes ``name: T = value``, unless the name is annotated anywhere else in the same scope or is
declared ``global``/``nonlocal`` there (an annotated global is a SyntaxError); attribute ->
``self.x = v`` becomes ``self.x: T = v`` (in ``__init__`` or any other method whose first
parameter is the receiver; skipped when the class already declares ``x`` anywhere), or a
class-level ``x = v`` like a variable.  Class-level assignments are *not* annotated in classes that
are decorated or that derive from ``NamedTuple``/``TypedDict``/``Enum``/``BaseModel``/... (see
`FIELD_MAKING_BASES`): there an annotation turns a class variable into a field or changes the
enum, which changes what the program does.  ``lambda`` parameters are never annotated.

TypeScript (``.ts``/``.tsx``; JavaScript files only get stubs): parameter ``x`` -> ``x: T``,
``x?`` -> ``x?: T``, ``{a, b}`` -> ``{a, b}: T``, ``...r`` -> ``...r: T``, ``x => ...`` ->
``(x: T) => ...``; return -> ``): T`` after the parameters of function declarations, function
expressions, methods and arrows (``x => ...`` -> ``(x): T => ...``), positioned on the function's
name, or for an anonymous function on the variable / property / object key it is assigned to;
never for constructors and setters; variable ``const/let/var x = ...`` -> ``const x: T = ...``
(not in destructuring, not ``for (const x of ...)``); class property ``x = 1;`` -> ``x: T = 1;``
(after ``?``/``!``).  ``this.x = v`` is skipped (TypeScript needs a property declaration).

Nothing that already has an annotation is touched.  Everything else stays byte-identical: edits are
byte-offset splices applied from the end; inserted lines use the file's line ending (CRLF/LF) and
encoding (UTF-8, a PEP 263 cookie); a BOM stays.  Type texts are checked before use: they must
parse as a type on their own and contain no newline or comment (``#``, ``//``, ``/*``), else the
annotation is skipped.  Every name a type uses must be a builtin, already bound at module level,
given by a `TypeImport`, a type parameter in scope, or (Python) a `typing`/`collections.abc`/common
stdlib name from `AUTO_IMPORTS`; otherwise the annotation is skipped ("unresolved name").

Imports (decision)
==================

Python: every file that gets an annotation gets ``from __future__ import annotations`` (after the
module docstring and existing ``__future__`` imports, before everything else) when it is missing:
annotations are then never evaluated at run time, so ``list[int]`` and ``X | None`` are valid on
3.7+ and the names they use need not exist at run time.  All imports the annotations need go into
one ``if TYPE_CHECKING:`` block (reused if the module has one, created after the last top-level
import otherwise, with ``from typing import TYPE_CHECKING`` merged into an existing
``from typing import ...`` or added).  These imports never run, so they cannot create an import
cycle, slow down start-up, or fail for a dependency that is only installed for type checking.
Project types are imported by the absolute module path of the `TypeImport` (a relative one, with
leading dots, is written as given): absolute imports do not depend on where the file sits, and
this module does not know the project's package layout.  A name already bound at module level
(imported, defined, assigned, also inside ``if``/``try``) is never imported again; if it is bound
by ``from M import Name`` from a *different* absolute module, the annotation is skipped ("name
conflict").  Within the ``TYPE_CHECKING`` block, names are merged into an existing
``from M import ...`` of the same module.  Caveat (reported as a warning): libraries that evaluate
annotations at run time (pydantic, FastAPI, typer, beartype, ...) cannot see names imported under
``TYPE_CHECKING``; files importing them get a warning in `EditResult.warnings`.

TypeScript: ``import type { Foo } from "./models";`` after the last top-level import (or before
the first statement), merged into an existing ``import type { ... } from`` the same module, quote
style and semicolon copied from the existing imports.  ``import type`` is erased when compiled, so
it cannot create a run-time cycle.  Names already bound in the file are not imported.

Safety: a file whose bytes do not decode in its declared (or default UTF-8) encoding is refused,
and so is one with syntax errors before the edit unless ``force`` (Python: CPython's parser rejects
it; TypeScript: tree-sitter ERROR/MISSING nodes); ``refused`` says why and the bytes stay as they
are.  The edited bytes are parsed again -- Python with CPython's parser alone (``compile`` to an
AST, nothing runs; tree-sitter misreads some valid code), TypeScript by counting tree-sitter's
error nodes -- and when they parse worse than the original, the annotations responsible are found
by bisection and skipped with `source.BREAKS_PARSING`; the rest are written.  Idempotence: a second run on the output
finds every slot annotated and changes nothing (``annotate_source(out, ...)`` with the positions of
`Applied` skips all as "already annotated"; with the old positions they are skipped too).

Writing: see `write_file_atomically` (changed-on-disk check, read-only files are left alone,
symlinks are followed, hard links are not preserved).

Modules
=======

One module a stage; each says in its docstring what it does and does not do.  This package
re-exports the public API above, so ``from typeinfer.analyzer.writer import ...`` is all most
callers need.

``contract``          `Annotation`, `TypeImport` and the results (`EditResult`, `Applied`, `Skipped`,
                      `WriteOutcome`), with their JSON forms.
``syntax``            `WriterSyntax` / `AnchorSyntax`: what one language contributes; every
                      `LanguageAdapter` carries one of each (``writer``, ``anchors``).
``python_syntax``     `PYTHON_SYNTAX` / `PYTHON_ANCHORS`, from the Python functions below.
``typescript_syntax`` `TYPESCRIPT_SYNTAX` / `TYPESCRIPT_ANCHORS`, likewise.
``edits``             bytes: encodings, line endings, positions, `Edit` splices, `Slot`.
``python_slots``      where each kind of annotation goes in Python, and when it must not.
``typescript_slots``  the same for TypeScript (and JavaScript, for stubs).
``type_texts``        whether a type text can be written and the names it uses (TypeScript texts
                      are parsed by `canonical_types.ts_type_node`).
``bindings``          the names a file binds at module level.
``imports``           import planning (`ImportPlan`, `AUTO_IMPORTS`) and placement.
``source``            `locate` and `annotate_source`, which tie the stages together; the one place
                      (with `analyzer.stubs` and `lsp.anchors`) that picks a language's parts,
                      by ``adapter_for(language)``.
``files``             atomic writes, stub paths and stub writes, unified diffs.

`analyzer.stubs` (a different output) uses the slot lookup, bindings and import planning through
the public names of these modules.

This package's `__init__` imports nothing: the API lives in its modules (`source.annotate_source`,
`contract.Annotation` / `EditResult` / `TypeImport`, `files.write_file_atomically` / `unified_diff`
/ `stub_path` / `write_stub`, `imports.AUTO_IMPORTS`), so that the language adapters can import
the writer's per-language parts without running the dispatcher that looks the adapters up.
"""
