"""What a batch's input names: repositories (local checkouts), each with a stable name and a
fingerprint of its content.

Input: a directory whose sub-directories are checkouts (hidden ones skipped), or a text file with
one path per line (``#`` starts a comment; relative paths are relative to the file).  A line
that is not a local directory becomes a repository that fails with the reason, so the batch can
report it and go on.  Names are the folder names, made unique with a short hash of the path.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from typeinfer.cpg.project import BuildOptions, discover

__all__ = ["Repo", "read_repos", "content_fingerprint"]


@dataclass(frozen=True)
class Repo:
    """One repository of a batch: its output name and where its checkout is."""

    name: str
    path: str
    problem: str = ""  #: why it cannot be analysed at all ("" when it can)


def read_repos(source: Path) -> list[Repo]:
    """The repositories `source` names (see the module docstring); raises OSError when `source`
    itself cannot be read."""
    if source.is_dir():
        paths = sorted(str(p.resolve()) for p in source.iterdir() if p.is_dir() and not p.name.startswith("."))
    else:
        paths = []
        for line in source.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                paths.append(line if re.match(r"^\w+://", line) else str((source.parent / line).resolve()))
    repos, used = [], set()
    for path in paths:
        base = re.sub(r"[^\w.-]+", "_", Path(path.rstrip("/")).name or "repo")
        name = base if base not in used else f"{base}-{hashlib.sha256(path.encode()).hexdigest()[:8]}"
        used.add(name)
        problem = ""
        if re.match(r"^\w+://", path):
            problem = "not a local directory: clone it first and list the checkout's path"
        elif not Path(path).is_dir():
            problem = "not a directory" if Path(path).exists() else "no such directory"
        repos.append(Repo(name, path, problem))
    return repos


def content_fingerprint(path: Path) -> str:
    """SHA-256 over the repository's Python and TypeScript files (relative paths and bytes), as
    the graph build discovers them; "" when it has none."""
    found = discover(path, BuildOptions())
    if not found.files:
        return ""
    digest = hashlib.sha256()
    for file, relpath in found.files:
        digest.update(relpath.encode("utf-8", "surrogateescape") + b"\0")
        try:
            digest.update(file.read_bytes())
        except OSError:
            digest.update(b"<unreadable>")
    return digest.hexdigest()
