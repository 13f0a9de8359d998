"""Files of the on-disk caches: pickles written atomically, read back or ignored, and a
fingerprint of source code that makes a cache die with any change of the code behind it.

A cache is never the only copy of anything: every failure here only costs speed, so writing
answers whether it worked and reading answers None for a missing, damaged or foreign file.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

from typeinfer.cpg.atomic_write import atomic_path


def save_pickle(path: Path, obj: object) -> bool:
    """Write `obj` to `path` under a temporary name, then rename it into place (`atomic_path`;
    readable by the user only, as caches were always written); False when the cache cannot be
    written (read-only, full, ...)."""
    try:
        with atomic_path(path, mode=0o600) as tmp, tmp.open("wb") as handle:
            pickle.dump(obj, handle, protocol=pickle.HIGHEST_PROTOCOL)
        return True
    except (OSError, pickle.PicklingError, RecursionError):
        return False


def load_pickle(path: Path) -> object | None:
    """The object pickled at `path`, or None (missing, unreadable, damaged, of another version)."""
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, TypeError,
            IndexError, MemoryError):
        return None


def source_fingerprint(folder: Path) -> str:
    """Hash of every ``.py`` file under `folder` (paths and bytes)."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.py")):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]
