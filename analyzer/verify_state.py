"""What `annotate --verify` dropped, remembered so that a later run does not write it again.

A run with ``--verify`` decides again for every annotation it checks: those the checker
rejected are recorded, those it accepted are forgotten (the code may have changed since).  A run
without ``--verify`` leaves out every planned annotation whose slot and type were recorded.

Stored per project in the typeinfer cache (``$TYPEINFER_CACHE`` or ``~/.cache/typeinfer``), under
``verify/<sha256 of the project's resolved path, 16 hex digits>.json``; nothing is written into
the project.  A slot is identified without its line (lines move when the file is edited above
it).  JSON form::

    {"version": 1, "root": "/abs/project",
     "dropped": [{"file": "pkg/a.py", "kind": "parameter", "function": "pkg.a.inc", "name": "x",
                  "type": "str", "reason": "type checker: new error pkg/a.py:3: ..."}]}
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable

from typeinfer.cpg.atomic_write import atomic_path
from typeinfer.cpg.project import default_cache_dir

__all__ = ["DroppedAnnotation", "DroppedStore"]

VERSION = 1


@dataclass(frozen=True)
class DroppedAnnotation:
    """One annotation the checker rejected: its slot (without the line), its type, and why."""

    file: str
    kind: str
    function: str
    name: str
    type: str
    reason: str = ""

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """(file, kind, function, name, type): how a later run knows the annotation again."""
        return (self.file, self.kind, self.function, self.name, self.type)


class DroppedStore:
    """The recorded drops of one project; a file that cannot be read counts as empty."""

    def __init__(self, path: Path, root: str) -> None:
        self.path = path
        self.root = root
        self.entries: dict[tuple[str, str, str, str, str], DroppedAnnotation] = {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") == VERSION:
                for item in data.get("dropped", []):
                    entry = DroppedAnnotation(**{k: str(item.get(k, "")) for k in DroppedAnnotation.__dataclass_fields__})
                    self.entries[entry.key] = entry
        except (OSError, ValueError, TypeError, AttributeError):
            pass

    @classmethod
    def for_project(cls, root: Path, cache: Path | None = None) -> "DroppedStore":
        """The store of the project at `root` (a folder or a single file)."""
        resolved = str(Path(root).resolve())
        digest = hashlib.sha256(resolved.encode("utf-8", "surrogateescape")).hexdigest()[:16]
        return cls((cache or default_cache_dir()) / "verify" / f"{digest}.json", resolved)

    def get(self, file: str, kind: str, function: str, name: str, type_text: str) -> DroppedAnnotation | None:
        """The recorded drop of this slot and type, if any."""
        return self.entries.get((file, kind, function, name, type_text))

    def record(self, checked: Iterable[tuple[str, str, str, str, str]], dropped: Iterable[DroppedAnnotation]) -> None:
        """After a ``--verify`` run: forget the `checked` slot/type keys, then remember `dropped`;
        saved at once (atomically).  An unwritable cache only loses the memory."""
        for key in checked:
            self.entries.pop(key, None)
        for entry in dropped:
            self.entries[entry.key] = entry
        data = {"version": VERSION, "root": self.root,
                "dropped": [asdict(e) for _, e in sorted(self.entries.items())]}
        try:
            with atomic_path(self.path) as tmp:
                tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        except OSError:
            pass
