"""Reading source files and parsing them with tree-sitter, with every failure turned into a message.

Nothing here raises on bad input: `read_source` returns a `SourceFile` or a `SourceError` whose
message names the file.  Grammars come from the individual wheels (tree-sitter >= 0.25 API).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import tree_sitter
import tree_sitter_javascript
import tree_sitter_python
import tree_sitter_typescript

#: Files larger than this are skipped (minified bundles, generated code).
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
#: A line longer than this, or an average line longer than MINIFIED_AVG, marks a minified file.
MINIFIED_LINE = 5000
MINIFIED_AVG = 300

#: extension -> (language of the analysis, tree-sitter grammar name)
EXTENSIONS: dict[str, tuple[str, str]] = {
    ".py": ("python", "python"),
    ".pyi": ("python", "python"),
    ".ts": ("typescript", "typescript"),
    ".mts": ("typescript", "typescript"),
    ".cts": ("typescript", "typescript"),
    ".tsx": ("typescript", "tsx"),
    ".js": ("typescript", "javascript"),
    ".mjs": ("typescript", "javascript"),
    ".cjs": ("typescript", "javascript"),
    ".jsx": ("typescript", "javascript"),
}


@lru_cache(maxsize=None)
def ts_language(grammar: str) -> tree_sitter.Language:
    """The tree-sitter Language for a grammar name ("python", "typescript", "tsx", "javascript")."""
    capsule = {
        "python": tree_sitter_python.language,
        "typescript": tree_sitter_typescript.language_typescript,
        "tsx": tree_sitter_typescript.language_tsx,
        "javascript": tree_sitter_javascript.language,
    }[grammar]()
    return tree_sitter.Language(capsule)


def parser_for(grammar: str) -> tree_sitter.Parser:
    """A fresh parser for a grammar (parsers are not shared across threads)."""
    return tree_sitter.Parser(ts_language(grammar))


def grammar_for_path(path: str | os.PathLike[str]) -> tuple[str, str] | None:
    """(language, grammar) for a file name, or None if the extension is not supported.

    ``.d.ts`` declaration files are analysed as TypeScript like any other ``.ts`` file.
    """
    return EXTENSIONS.get(Path(path).suffix.lower())


def carries_annotations(path: str | os.PathLike[str]) -> bool:
    """Whether the file's syntax has type annotations: Python and TypeScript do, JavaScript (which
    is analysed with the TypeScript pipeline) does not, so its imports are values, never types."""
    g = grammar_for_path(path)
    return g is not None and g[1] != "javascript"


@dataclass(frozen=True)
class SourceFile:
    """The bytes of one file that can be parsed."""

    path: Path  #: absolute path on disk
    relpath: str  #: relative to the project root, forward slashes
    language: str
    grammar: str
    data: bytes
    content_hash: str
    warning: str | None = None  #: something the user should know, though the file was parsed


@dataclass(frozen=True)
class SourceError:
    """A file that cannot be analysed, and why (one line, naming the file)."""

    relpath: str
    message: str


def content_hash(data: bytes) -> str:
    """sha256 hex digest of file bytes."""
    return hashlib.sha256(data).hexdigest()


def looks_minified(data: bytes) -> bool:
    """Whether file bytes look like a minified bundle (a very long line, or long lines on average)."""
    lines = data.split(b"\n")
    return max((len(ln) for ln in lines), default=0) > MINIFIED_LINE or len(data) / max(1, len(lines)) > MINIFIED_AVG


def read_source(path: Path, relpath: str, max_bytes: int = DEFAULT_MAX_BYTES,
                skip_minified: bool = False) -> SourceFile | SourceError:
    """Read a file for parsing, or say in one line why it cannot be.

    With `skip_minified`, a minified JavaScript bundle (a vendored ``redoc.standalone.js``) is
    skipped: it holds no annotations to learn from or write, and graph building and inference on
    it cost more than the rest of a typical package.
    """
    lang = grammar_for_path(path)
    if lang is None:
        return SourceError(relpath, f"{relpath}: unsupported file type")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return SourceError(relpath, f"{relpath}: skipped, {size} bytes is over the {max_bytes}-byte limit")
        data = path.read_bytes()
    except OSError as exc:
        return SourceError(relpath, f"{relpath}: cannot read ({exc.strerror or exc})")
    if b"\x00" in data[:8192]:
        return SourceError(relpath, f"{relpath}: skipped, looks like a binary file")
    if skip_minified and lang[1] == "javascript" and looks_minified(data):
        return SourceError(relpath, f"{relpath}: skipped, a minified JavaScript bundle (--include-minified analyses it)")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # tree-sitter parses the bytes anyway; a few bad bytes (Latin-1 in a comment) end up in
        # strings or comments, so such a file is still analysed, with a warning.
        if not _mostly_text(data):
            return SourceError(relpath, f"{relpath}: skipped, not UTF-8 text (bad byte at offset {exc.start})")
        warning = f"{relpath}: not valid UTF-8 (bad byte at offset {exc.start}); analysed anyway"
        return SourceFile(path, relpath, lang[0], lang[1], data, content_hash(data), warning)
    return SourceFile(path, relpath, lang[0], lang[1], data, content_hash(data))


def _mostly_text(data: bytes) -> bool:
    """Latin-1 or similar text with a few bad bytes is still worth parsing."""
    text = data.decode("utf-8", errors="replace")
    return text.count("\ufffd") <= max(8, len(text) // 200)


def parse(source: SourceFile | bytes, grammar: str | None = None) -> tree_sitter.Tree:
    """Parse bytes with the grammar of a source file (or the grammar named)."""
    if isinstance(source, SourceFile):
        return parser_for(source.grammar).parse(source.data)
    assert grammar is not None
    return parser_for(grammar).parse(source)


def count_parse_errors(tree: tree_sitter.Tree) -> int:
    """Number of ERROR and MISSING nodes (iterative walk: deep trees must not overflow)."""
    return count_errors(tree.root_node)


def count_errors(node: tree_sitter.Node) -> int:
    """Number of ERROR and MISSING nodes under `node`, itself included."""
    if not node.has_error:
        return 0
    count = 0
    stack = [node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            count += 1
        if node.has_error:
            stack.extend(node.children)
    return count


def source_from_text(text: str | bytes, relpath: str) -> SourceFile:
    """A SourceFile for in-memory text (tests, the language server's unsaved buffers)."""
    lang = grammar_for_path(relpath)
    if lang is None:
        raise ValueError(f"{relpath}: unsupported file type")
    data = text.encode("utf-8") if isinstance(text, str) else text
    return SourceFile(Path(relpath), relpath, lang[0], lang[1], data, content_hash(data))
