"""Position units: tree-sitter counts UTF-8 bytes; an LSP client counts in the position encoding
it negotiated: UTF-16 code units (the default every client supports), UTF-8 bytes or UTF-32
code points (characters).

What it does: converts columns of one line between bytes, characters (Python `str` indices) and
the client's units (`ENCODINGS`), both ways, and maps a whole-document position to a byte offset.
Every position the server reads or sends goes through a `LineIndex` built with the document's
negotiated encoding.  What it does
not do: guess line endings beyond ``\\n`` (a ``\\r`` before it stays part of the line, which
does not move any column before it).

Columns that fall inside a character (a byte in the middle of a UTF-8 sequence, a unit between
the two halves of a surrogate pair) round down to the character's start; columns past the end of
the line clamp to its end.  ASCII lines take a fast path: every unit is the same.
"""

from __future__ import annotations

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"
#: the position encodings the server speaks (LSP 3.17 `PositionEncodingKind` values)
ENCODINGS = (UTF8, UTF16, UTF32)


def utf16_len(text: str) -> int:
    """Length of `text` in UTF-16 code units."""
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def utf16_to_char(line: str, col16: int) -> int:
    """UTF-16 column -> character index in `line` (rounds down inside a surrogate pair)."""
    if col16 <= 0:
        return 0
    if line.isascii():
        return min(col16, len(line))
    units = 0
    for i, ch in enumerate(line):
        width = 2 if ord(ch) > 0xFFFF else 1
        if units + width > col16:
            return i
        units += width
    return len(line)


def byte_to_char(line: str, byte_col: int) -> int:
    """UTF-8 byte column -> character index in `line` (rounds down inside a character)."""
    if byte_col <= 0:
        return 0
    if line.isascii():
        return min(byte_col, len(line))
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))


def char_to_byte(line: str, char_col: int) -> int:
    """Character index in `line` -> UTF-8 byte column."""
    if line.isascii():
        return max(0, min(char_col, len(line)))
    return len(line[:max(0, char_col)].encode("utf-8"))


def units_len(text: str, encoding: str = UTF16) -> int:
    """Length of `text` in the units of `encoding`."""
    if encoding == UTF16:
        return utf16_len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", errors="surrogatepass"))
    return len(text)


def char_to_col(line: str, char_col: int, encoding: str = UTF16) -> int:
    """Character index in `line` -> column in the units of `encoding`."""
    return units_len(line[:max(0, char_col)], encoding)


def col_to_char(line: str, col: int, encoding: str = UTF16) -> int:
    """Column in the units of `encoding` -> character index in `line` (rounds down inside a character)."""
    if encoding == UTF16:
        return utf16_to_char(line, col)
    if encoding == UTF8:
        return byte_to_char(line, col)
    return max(0, min(col, len(line)))


class LineIndex:
    """Lines of one document text, for conversions that need the line's content; columns the
    client sends or receives are in `encoding`'s units."""

    def __init__(self, text: str, encoding: str = UTF16, lines: list[str] | None = None) -> None:
        self.text = text
        self.encoding = encoding
        self.lines = text.split("\n") if lines is None else lines  #: `lines`: the text's, when the caller has them
        self._offsets: list[int] | None = None  #: byte offset of each line start, built on demand

    def line(self, n: int) -> str:
        """Line `n` (0-based), "" past the end."""
        return self.lines[n] if 0 <= n < len(self.lines) else ""

    def byte_to_col(self, line: int, byte_col: int) -> int:
        """tree-sitter column (bytes) of line `line` -> the client's column."""
        text = self.line(line)
        return char_to_col(text, byte_to_char(text, byte_col), self.encoding)

    def col_to_byte(self, line: int, col: int) -> int:
        """The client's column of line `line` -> tree-sitter column (bytes)."""
        text = self.line(line)
        return char_to_byte(text, col_to_char(text, col, self.encoding))

    def byte_offset(self, line: int, col: int) -> int:
        """Whole-document byte offset of a client position (clamped to the document)."""
        if self._offsets is None:
            offsets, total = [], 0
            for text in self.lines:
                offsets.append(total)
                total += len(text.encode("utf-8")) + 1
            self._offsets = offsets
        if line >= len(self.lines):
            return self._offsets[-1] + len(self.lines[-1].encode("utf-8"))
        if line < 0:
            return 0
        return self._offsets[line] + self.col_to_byte(line, col)
