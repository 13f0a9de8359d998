"""Deterministic train/valid/test assignment by project (never by file).

A project's bucket is ``sha256("<registry>:<name>")`` modulo 100 -- the version is left out, so a
version bump in the manifest does not move a project to another split.  Buckets 0-79 are train,
80-89 valid, 90-99 test.  With few projects a language can miss a split; then the train projects
of that language with the highest buckets are moved, one per missing split (only when the
language has at least three projects), so every split has both languages whenever possible.
"""

from __future__ import annotations

import hashlib

__all__ = ["SPLITS", "bucket", "split_of", "assign_splits", "project_key"]

SPLITS = ("train", "valid", "test")
_BOUNDS = ((80, "train"), (90, "valid"), (100, "test"))


def project_key(project: str) -> str:
    """``pypi:attrs==23.2.0`` -> ``pypi:attrs``; ``npm:@a/b@1.0`` -> ``npm:@a/b``."""
    registry, _, rest = project.partition(":")
    if registry == "pypi":
        name = rest.split("==", 1)[0]
    elif registry == "npm":
        at = rest.rfind("@")
        name = rest[:at] if at > 0 else rest
    else:
        name = rest or registry
    return f"{registry}:{name.lower()}"


def bucket(project: str) -> int:
    """Stable bucket 0..99 of a project (same on every machine and Python run)."""
    digest = hashlib.sha256(project_key(project).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % 100


def split_of(project: str) -> str:
    """The split a project falls into by its bucket alone."""
    b = bucket(project)
    return next(name for bound, name in _BOUNDS if b < bound)


def assign_splits(projects: dict[str, str]) -> dict[str, str]:
    """Split of each project, given ``{project: language}``; see the module docstring."""
    out = {p: split_of(p) for p in sorted(projects)}
    for language in sorted(set(projects.values())):
        mine = sorted((p for p in out if projects[p] == language), key=lambda p: (-bucket(p), p))
        if len(mine) < 3:
            continue
        for split in SPLITS[1:]:
            if any(out[p] == split for p in mine):
                continue
            movable = [p for p in mine if out[p] == "train"]
            if len(movable) > 1:
                out[movable[0]] = split
    return out
