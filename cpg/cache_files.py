"""Files of the on-disk caches: pickles written atomically, read back or ignored, and a
fingerprint of source code that makes a cache die with any change of the code behind it.

A cache is never the only copy of anything: every failure here only costs speed, so writing
answers whether it worked and reading answers None for a missing, damaged or foreign file.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path


def save_pickle(path: Path, obj: object) -> bool:
    """Write `obj` to `path` under a temporary name, then rename it into place; False when the
    cache cannot be written (read-only, full, ...)."""
    tmp_name = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as tmp:
            tmp_name = tmp.name
            pickle.dump(obj, tmp, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp_name, path)
        return True
    except (OSError, pickle.PicklingError, RecursionError):
        if tmp_name is not None:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass
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
