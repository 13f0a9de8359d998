"""Position units: tree-sitter counts UTF-8 bytes, the LSP counts UTF-16 code units.

What it does: converts columns of one line between bytes, characters (Python `str` indices) and
UTF-16 code units, both ways, and maps a whole-document position to a byte offset.  What it does
not do: guess line endings beyond ``\\n`` (a ``\\r`` before it stays part of the line, which
does not move any column before it).

Columns that fall inside a character (a byte in the middle of a UTF-8 sequence, a unit between
the two halves of a surrogate pair) round down to the character's start; columns past the end of
the line clamp to its end.  ASCII lines take a fast path: every unit is the same.
"""

from __future__ import annotations


def utf16_len(text: str) -> int:
    """Length of `text` in UTF-16 code units."""
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def char_to_utf16(line: str, char_col: int) -> int:
    """Character index in `line` -> UTF-16 column."""
    return utf16_len(line[:max(0, char_col)])


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


def byte_to_utf16(line: str, byte_col: int) -> int:
    """tree-sitter column (bytes) -> LSP column (UTF-16 units)."""
    return char_to_utf16(line, byte_to_char(line, byte_col))


def utf16_to_byte(line: str, col16: int) -> int:
    """LSP column (UTF-16 units) -> tree-sitter column (bytes)."""
    return char_to_byte(line, utf16_to_char(line, col16))


class LineIndex:
    """Lines of one document text, for conversions that need the line's content."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")
        self._offsets: list[int] | None = None  #: byte offset of each line start, built on demand

    def line(self, n: int) -> str:
        """Line `n` (0-based), "" past the end."""
        return self.lines[n] if 0 <= n < len(self.lines) else ""

    def byte_to_utf16(self, line: int, byte_col: int) -> int:
        return byte_to_utf16(self.line(line), byte_col)

    def utf16_to_byte(self, line: int, col16: int) -> int:
        return utf16_to_byte(self.line(line), col16)

    def line_end16(self, line: int) -> int:
        return utf16_len(self.line(line))

    def byte_offset(self, line: int, col16: int) -> int:
        """Whole-document byte offset of an LSP position (clamped to the document)."""
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
        return self._offsets[line] + self.utf16_to_byte(line, col16)
