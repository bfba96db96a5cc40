"""Canvas types: each type's schema is valid and holds its initial state; the video editor's
embeds video_timeline's Timeline exactly as the model says (a drift test, since the gateway may
not import muscles), so a timeline the canvas commits is one the model accepts."""

from __future__ import annotations

import copy
import difflib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.canvas.types import SCHEMA_DIR, CanvasTypes
from gateway.errors import StateInvalid, UnknownCanvasType
from muscles.video.timeline.model import Timeline

ROOT = Path(__file__).resolve().parents[3]


def test_the_timeline_schema_file_is_the_timeline_model_schema() -> None:
    written = (SCHEMA_DIR / "timeline.schema.json").read_text(encoding="utf-8")
    expected = json.dumps(Timeline.model_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    diff = "".join(
        difflib.unified_diff(
            written.splitlines(keepends=True), expected.splitlines(keepends=True), "file", "model"
        )
    )
    assert written == expected, f"run `uv run python scripts/gen_canvas_schemas.py`:\n{diff}"


def test_the_generator_reports_a_stale_file() -> None:
    proc = subprocess.run(
        [sys.executable, "scripts/gen_canvas_schemas.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr


def test_every_type_registers_a_valid_schema_that_holds_its_initial_state() -> None:
    types = CanvasTypes()
    assert types.names() == ["generic", "planning", "video_editor"]
    for name in types.names():
        canvas_type = types.get(name)
        canvas_type.check(canvas_type.initial)
        assert canvas_type.initial["tokens"] == {} and canvas_type.initial["commands"] == {}


def test_a_timeline_the_model_accepts_validates_and_one_it_refuses_is_named_by_path_and_rule() -> None:
    editor = CanvasTypes().get("video_editor")
    good = Timeline.model_validate(
        {"tracks": [{"id": "v", "clips": [{"id": "c1", "uri": "atoms://media/" + "a" * 32 + "/x.mp4"}]}]}
    )
    state = copy.deepcopy(editor.initial)
    state["timeline"] = good.model_dump(mode="json")
    editor.check(state)
    state["timeline"]["tracks"][0]["clips"][0]["speed"] = "fast"
    with pytest.raises(StateInvalid) as refused:
        editor.check(state)
    assert refused.value.details["path"] == "/timeline/tracks/0/clips/0/speed"
    assert refused.value.details["rule"] == "type"
    del state["timeline"]["tracks"][0]["clips"][0]["speed"]
    state["timeline"]["tracks"][0]["clips"][0]["colour"] = "red"  # the model forbids extra fields
    with pytest.raises(StateInvalid) as extra:
        editor.check(state)
    assert extra.value.details["rule"] == "additionalProperties"


def test_an_unknown_type_is_refused_naming_the_registered_ones() -> None:
    with pytest.raises(UnknownCanvasType, match="generic, planning, video_editor"):
        CanvasTypes().get("spreadsheet")
