"""A model that loads on first use.

A scan asks for a handful of slots, and static facts often settle all of them: then the model's
imports (numpy, tokenizers, onnxruntime) and its session are never paid for.  The files are
still checked up front (`verify_model_dir`), so a missing or corrupt model is reported before
any inference starts, as with an eager load.  A process loads one model folder once: a batch
worker analyses many projects with the session it loaded for the first (`_LOADED`, by folder,
with its files' modification times, so a retrained model is loaded afresh).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typeinfer.typemodel.model_files import calibrated_threshold, default_model_dir, verify_model_dir


#: model folder -> (its files' names and mtimes, the `TypePredictor` loaded from them in this process)
_LOADED: dict[str, tuple[tuple[tuple[str, int], ...], Any]] = {}


class LazyPredictor:
    """Stands in for a `TypePredictor`: `threshold` from the model's files, anything else loads it."""

    def __init__(self, model_dir: Path | str | None = None) -> None:
        self.model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
        verify_model_dir(self.model_dir)
        self.threshold = calibrated_threshold(self.model_dir)
        self._model: Any = None

    @property
    def loaded(self) -> bool:
        """Whether the model has been loaded (some slot needed it)."""
        return self._model is not None

    def model(self) -> Any:
        """The `TypePredictor`, loaded on the first call (files already checked)."""
        if self._model is None:
            from typeinfer.typemodel.predictor import TypePredictor

            folder = str(self.model_dir.resolve())
            stamp = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in self.model_dir.iterdir() if p.is_file()))
            if folder not in _LOADED or _LOADED[folder][0] != stamp:  # a retrained model replaces the old one
                _LOADED[folder] = (stamp, TypePredictor.load(self.model_dir, verify=False))
            self._model = _LOADED[folder][1]
        return self._model

    def __getattr__(self, name: str) -> Any:  # predict, meta, ...: whatever the model has
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.model(), name)
