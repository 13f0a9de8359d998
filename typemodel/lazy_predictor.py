"""A model that loads on first use.

A scan asks for a handful of slots, and static facts often settle all of them: then the model's
imports (numpy, tokenizers, onnxruntime) and its session are never paid for.  The files are
still checked up front (`verify_model_dir`), so a missing or corrupt model is reported before
any inference starts, as with an eager load.  A process loads one model folder once: a batch
worker analyses many projects with the session it loaded for the first (`_LOADED`, keyed by the
folder and its files' modification times, so a retrained model is loaded afresh).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typeinfer.typemodel.model_files import calibrated_threshold, default_model_dir, verify_model_dir


#: (model folder, its files' names and mtimes) -> the `TypePredictor` loaded from it in this process
_LOADED: dict[tuple[str, tuple[tuple[str, int], ...]], Any] = {}


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

            key = (str(self.model_dir.resolve()),
                   tuple(sorted((p.name, p.stat().st_mtime_ns) for p in self.model_dir.iterdir() if p.is_file())))
            if key not in _LOADED:
                for old in [k for k in _LOADED if k[0] == key[0]]:
                    del _LOADED[old]  # that folder's earlier files: a retrained model replaces it
                _LOADED[key] = TypePredictor.load(self.model_dir, verify=False)
            self._model = _LOADED[key]
        return self._model

    def __getattr__(self, name: str) -> Any:  # predict, meta, ...: whatever the model has
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.model(), name)
