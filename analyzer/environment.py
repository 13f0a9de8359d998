"""The analysed project's environment: where its installed packages' types are.

A project's library calls (``httpx.Client().get(url)`` -> ``httpx.Response``) can be typed
statically from the annotations and stubs of the packages installed for it: inline-annotated
packages, ``-stubs`` packages and ``.pyi`` files beside the code.  This module only finds the
``site-packages`` folders; `typeshed_facts.typeshed_for` reads them (parsing, never importing).

Where, in order, the first that has one:
1. ``--python PATH`` (`InferenceOptions.python`): an interpreter (``.venv/bin/python``) or an
   environment folder;
2. a virtual environment in the project folder or one of its parents: ``.venv``, ``venv``,
   ``env`` holding a ``pyvenv.cfg``;
3. ``VIRTUAL_ENV``, unless it is the environment typeinfer itself runs from (then it describes
   typeinfer's dependencies, not the project's: pass ``--python``).
Nothing is executed: the folders are read from the environment's layout
(``lib/python3.X/site-packages``, ``Lib/site-packages`` on Windows).  Without an environment the
answer is empty and only the bundled standard-library stubs are used.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

#: folder names of a project-local virtual environment
LOCAL_ENV_NAMES = (".venv", "venv", "env")
#: how many parent folders of the project are searched for one
PARENT_LEVELS = 3


def site_packages(root: Path | None, python: Path | None = None) -> tuple[Path, ...]:
    """The ``site-packages`` folders of the project's environment (see the module docstring)."""
    env, found = _find(root, python)
    if found is not None:
        return found
    return _of_environment(env) if env is not None else ()


def find_environment(root: Path | None, python: Path | None = None) -> Path | None:
    """The project's environment folder (see the module docstring), or None; never raises."""
    return _find(root, python)[0]


def _find(root: Path | None, python: Path | None) -> tuple[Path | None, tuple[Path, ...] | None]:
    """(the environment folder, its site-packages when finding it listed them already)."""
    try:
        if python is not None:
            return _environment_of(Path(python)), None
        for folder in project_folders(root):
            for name in LOCAL_ENV_NAMES:
                candidate = folder / name
                if (candidate / "pyvenv.cfg").is_file():
                    found = _of_environment(candidate)
                    if found:
                        return candidate, found
        active = os.environ.get("VIRTUAL_ENV")
        if active and Path(active).resolve() != Path(sys.prefix).resolve():
            return Path(active), None
    except OSError:  # an unreadable folder on the way: no environment
        pass
    return None, None


def node_modules_dirs(root: Path | None) -> tuple[Path, ...]:
    """``node_modules`` folders in `root` and its parents, nearest first (TypeScript library
    types, `ts_declarations`); never raises."""
    found = []
    try:
        for folder in project_folders(root):
            if (folder / "node_modules").is_dir():
                found.append(folder / "node_modules")
    except OSError:
        pass
    return tuple(found)


def project_folders(root: Path | None) -> list[Path]:
    """`root` (its folder, for a file) and up to `PARENT_LEVELS` parents: where a project keeps
    its environment and its node_modules."""
    if root is None:
        return []
    start = root if root.is_dir() else root.parent
    return [start, *list(start.resolve().parents)[:PARENT_LEVELS]]


def environment_fingerprint(paths: tuple[Path, ...]) -> str:
    """What is installed in `paths` (site-packages or node_modules folders): each entry's name
    and modification time, hashed; "" for none.  Part of a cached result's key."""
    if not paths:
        return ""
    digest = hashlib.blake2b(digest_size=12)
    for path in paths:
        digest.update(str(path).encode())
        try:
            entries = sorted((e.name, e.stat(follow_symlinks=False).st_mtime_ns) for e in os.scandir(path))
        except OSError:
            entries = []
        digest.update(repr(entries).encode())
    return digest.hexdigest()


def _environment_of(python: Path) -> Path:
    """The environment folder of an interpreter path (``X/bin/python`` -> ``X``), or `python`
    itself when it is a folder."""
    if python.is_dir():
        return python
    parent = python.parent
    return parent.parent if parent.name in ("bin", "Scripts") else parent


def _of_environment(env: Path) -> tuple[Path, ...]:
    try:
        found = sorted(p for p in env.glob("lib/python3*/site-packages") if p.is_dir())
        windows = env / "Lib" / "site-packages"
        if windows.is_dir():
            found.append(windows)
    except OSError:
        return ()
    return tuple(found)
