"""The editor's vocabulary rendered: every xfade transition, layers (picture-in-picture with
opacity), a Ken Burns move on a still, an identity LUT, aspect reframes, fades and colour clips.
Media are made at test time; pixels are checked on the render's frames, and each render is one
ffmpeg command with one filter graph."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from muscles.video.timeline import AUDIO_CURVES, TRANSITIONS
from muscles.video.video_render.graph import RenderPlan
from tests.muscles.video_render.editing import Rendered, color_clip, pattern_clip, render, uri_of
from tests.muscles.video_render.media import stream_lengths

RED, BLUE = np.array([254, 0, 0]), np.array([0, 0, 254])


def _one_graph(plan: RenderPlan) -> None:
    """One ffmpeg command, one filter graph, one output file."""
    graphs = [arg for arg in plan.args if arg in ("-filter_complex", "-filter_complex_script")]
    assert len(graphs) == 1, graphs
    assert sum(arg.startswith("file:") and arg.endswith(".mp4") for arg in plan.args[-1:]) == 1


def _near(pixel: Any, colour: Any, slack: int = 6) -> bool:
    return bool(np.all(np.abs(np.asarray(pixel, dtype=int) - colour) <= slack))


def _duration_matches(rendered: Rendered) -> None:
    frames, video_s, _ = stream_lengths(rendered.path)
    expected = rendered.expected
    assert abs(frames - expected.frame_count) <= 1, (frames, expected.frame_count)
    assert abs(video_s - expected.duration_s) <= 1 / expected.fps, (video_s, expected.duration_s)


@pytest.fixture(scope="module")
def patterns(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path], str, str]:
    """Two still gradients that differ everywhere (so no transition degenerates on flat colour)."""
    folder = tmp_path_factory.mktemp("patterns")
    first = pattern_clip(folder / "first.mp4", "r='X*4':g='Y*7':b='40'", seconds=30.0)
    second = pattern_clip(folder / "second.mp4", "r='250-Y*6':g='60':b='X*3+40'", seconds=30.0)
    return folder, {uri_of(first): first, uri_of(second): second}, uri_of(first), uri_of(second)


@pytest.fixture(scope="module")
def red_blue(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path], str, str]:
    folder = tmp_path_factory.mktemp("colours")
    red = color_clip(folder / "red.mp4", "red", seconds=30.0, size="64x36")
    blue = color_clip(folder / "blue.mp4", "blue", seconds=30.0, size="64x36")
    return folder, {uri_of(red): red, uri_of(blue): blue}, uri_of(red), uri_of(blue)


def test_every_transition_at_its_midpoint_differs_from_both_neighbours_and_at_its_ends_equals_them(
    patterns: tuple[Path, dict[str, Path], str, str],
) -> None:
    folder, files, red, blue = patterns
    names = sorted(TRANSITIONS)
    curves = sorted(AUDIO_CURVES)
    # Clips of 1 s at 10 fps, alternately red and blue, each joined to the next by a 0.4 s
    # transition: clip k starts at 0.6 k s, its transition at 0.6 (k + 1) s.
    clips = [
        {
            "id": f"c{k}",
            "uri": red if k % 2 == 0 else blue,
            "source_in_s": float(k // 2),
            "source_out_s": float(k // 2 + 1),
            "start_s": round(0.6 * k, 3),
        }
        for k in range(len(names) + 1)
    ]
    transitions = [
        {
            "from_clip": f"c{k}",
            "to_clip": f"c{k + 1}",
            "duration_s": 0.4,
            "transition": name,
            "audio_curve": curves[k % len(curves)],
        }
        for k, name in enumerate(names)
    ]
    timeline = {
        "tracks": [{"id": "v", "clips": clips}],
        "transitions": transitions,
        "output": {"fps": 10, "crf": 0},
    }
    rendered = render(timeline, files, folder, name="transitions.mp4")
    _one_graph(rendered.plan)
    _duration_matches(rendered)
    frames = rendered.frames()
    assert len(frames) == rendered.expected.frame_count == 6 * len(names) + 10
    first_picture, second_picture = frames[0], frames[10]
    for k, name in enumerate(names):
        before, after = (first_picture, second_picture) if k % 2 == 0 else (second_picture, first_picture)
        first = 6 * (k + 1)  # the transition's first frame
        middle = frames[first + 2]
        # Its ends: the neighbours, untouched just outside it; its first frame barely started
        # (a wipe's edge or rectcrop's border already shows).
        assert np.abs(frames[first - 1] - before).max() <= 3, name
        assert np.abs(frames[first] - before).mean() < 6, name
        assert np.abs(frames[first + 4] - after).max() <= 3, name
        for neighbour in (before, after):
            assert np.abs(middle - neighbour).mean() > 8, (name, np.abs(middle - neighbour).mean())


def test_fades_from_and_to_a_colour_and_colour_clips(
    red_blue: tuple[Path, dict[str, Path], str, str],
) -> None:
    folder, files, red, _ = red_blue
    timeline = {
        "tracks": [
            {
                "id": "v",
                "clips": [
                    {
                        "id": "a",
                        "uri": red,
                        "source_out_s": 1.0,
                        "fade_in": {"duration_s": 0.4, "color": "white"},
                    },
                    {
                        "id": "b",
                        "uri": "color:#00ff00",
                        "duration_s": 1.0,
                        "start_s": 1.0,
                        "fade_out": {"duration_s": 0.5},
                    },
                ],
            }
        ],
        "output": {"fps": 10, "crf": 0},
    }
    rendered = render(timeline, files, folder, name="fades.mp4")
    _one_graph(rendered.plan)
    _duration_matches(rendered)
    frames = rendered.frames().mean((1, 2))
    assert _near(frames[0], [254, 254, 254], 8)  # from white
    assert _near(frames[2], [254, 127, 127], 12)  # half way
    assert _near(frames[5], RED)
    assert _near(frames[10], [0, 254, 0], 8)  # the colour clip
    assert _near(frames[19], [0, 51, 0], 8)  # 0.4 s into a 0.5 s fade to black
