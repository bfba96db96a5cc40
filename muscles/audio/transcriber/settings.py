"""The transcriber's own settings (``ATOMS_WHISPER_*``): which model runs, where and how."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.errors import ConfigError

__all__ = ["WhisperSettings", "load_whisper_settings"]


class WhisperSettings(BaseSettings):
    """A faster-whisper model name (``tiny.en`` is bundled) or a CTranslate2 model directory."""

    model_config = SettingsConfigDict(env_prefix="ATOMS_WHISPER_", extra="ignore", frozen=True)

    model: str = "tiny.en"
    models_dir: Path | None = None
    device: Literal["cpu", "cuda", "auto"] = "cpu"
    compute_type: str = "int8"
    # Audio is decoded and transcribed one window at a time: memory and disk hold one window
    # (10 min of 16 kHz float32 is 38 MB), never the whole recording.
    window_s: float = Field(default=600.0, ge=60.0, le=3600.0)


def load_whisper_settings() -> WhisperSettings:
    """Read ``ATOMS_WHISPER_*``; a ConfigError names the variables that are wrong."""
    try:
        return WhisperSettings()
    except ValidationError as exc:
        names = ", ".join(
            f"ATOMS_WHISPER_{'_'.join(str(p) for p in err['loc']).upper()}" for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {names}", value=names) from None
