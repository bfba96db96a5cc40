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
from tests.muscles.video_render.editing import Rendered, color_clip, pattern_clip, render, still_image, uri_of
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


@pytest.fixture(scope="module")
def red_blue_large(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path], str, str]:
    folder = tmp_path_factory.mktemp("pip")
    red = color_clip(folder / "red.mp4", "red", seconds=2.0, size="160x90")
    blue = color_clip(folder / "blue.mp4", "blue", seconds=2.0, size="160x90")
    return folder, {uri_of(red): red, uri_of(blue): blue}, uri_of(red), uri_of(blue)


def test_picture_in_picture_puts_a_quarter_size_red_inset_at_its_place_and_opacity_blends(
    red_blue_large: tuple[Path, dict[str, Path], str, str],
) -> None:
    folder, files, red, blue = red_blue_large
    # Half the width and height (a quarter of the frame) at x = 40, y = 18 of 160x90: the box is
    # 80 x 44 (the shape kept, sizes even); opaque for 0.5..1 s, half transparent for 1..1.5 s.
    inset = {"x": 0.25, "y": 0.2, "width": 0.5}
    timeline = {
        "tracks": [
            {"id": "base", "clips": [{"id": "back", "uri": blue, "source_out_s": 2.0}]},
            {
                "id": "pip",
                "clips": [
                    {"id": "solid", "uri": red, "source_out_s": 0.5, "start_s": 0.5, "layout": inset},
                    {
                        "id": "half",
                        "uri": red,
                        "source_in_s": 0.5,
                        "source_out_s": 1.0,
                        "start_s": 1.0,
                        "layout": {**inset, "opacity": 0.5},
                    },
                ],
            },
        ],
        "output": {"fps": 10, "crf": 0},
    }
    rendered = render(timeline, files, folder, name="pip.mp4")
    _one_graph(rendered.plan)
    _duration_matches(rendered)
    assert rendered.expected.layer_count == 1
    frames = rendered.frames()
    inside = [(20, 42), (40, 80), (60, 118)]  # (y, x): corners and centre of the box
    outside = [(16, 80), (64, 80), (40, 37), (40, 123), (5, 5), (85, 155)]
    for y, x in inside + outside:
        assert _near(frames[2][y, x], BLUE), (y, x)  # before the inset
        assert _near(frames[17][y, x], BLUE), (y, x)  # after it
    for y, x in outside:
        assert _near(frames[7][y, x], BLUE) and _near(frames[12][y, x], BLUE), (y, x)
    for y, x in inside:
        assert _near(frames[7][y, x], RED), (y, x)
        assert _near(frames[12][y, x], (RED + BLUE) / 2, 8), (y, x, frames[12][y, x])
    # The box's edges land on the asked pixels (within one).
    red_columns = np.nonzero(frames[7][40, :, 0] > 128)[0]
    red_rows = np.nonzero(frames[7][:, 80, 0] > 128)[0]
    assert abs(red_columns[0] - 40) <= 1 and abs(red_columns[-1] - 119) <= 1, red_columns
    assert abs(red_rows[0] - 18) <= 1 and abs(red_rows[-1] - 61) <= 1, red_rows


def test_a_ken_burns_move_on_a_still_moves_the_crop_by_the_keyframed_amount(tmp_path: Path) -> None:
    # A horizontal ramp: red = 255 x / 159, so a pixel's red says which source column it shows.
    still = still_image(
        tmp_path / "ramp.png", "color=black:s=160x90,format=gbrp,geq=r='X*255/159':g='128':b='Y*2'"
    )
    uri = uri_of(still)
    timeline = {
        "tracks": [
            {
                "id": "v",
                "clips": [
                    {
                        "id": "still",
                        "uri": uri,
                        "duration_s": 1.2,
                        "automation": {
                            "lanes": [
                                {"parameter": "scale", "keyframes": [{"time_s": 0.0, "value": 2.0}]},
                                {
                                    "parameter": "position_x",
                                    "keyframes": [
                                        {"time_s": 0.0, "value": 0.25},
                                        {"time_s": 1.0, "value": 0.75},
                                    ],
                                },
                            ]
                        },
                    }
                ],
            }
        ],
        "output": {"fps": 10, "crf": 0},
    }
    rendered = render(timeline, {uri: still}, tmp_path, name="kenburns.mp4")
    _one_graph(rendered.plan)
    _duration_matches(rendered)
    frames = rendered.frames()
    assert len(frames) == 12

    def centre_column(frame: Any) -> float:
        """The source column shown at the frame's centre (from the ramp's red)."""
        return float(frame[30:60, 78:82, 0].mean()) * 159 / 255

    # Twice zoomed, the 80-column window is centred on pan_x * 160: 40 at 0 s, 80 at 0.5 s,
    # 120 at 1 s; the window is 80 wide, so a step of 4 output columns is 2 source columns.
    shown = [centre_column(frames[index]) for index in (0, 5, 10)]
    assert abs(shown[0] - 40) <= 3 and abs(shown[1] - 80) <= 3 and abs(shown[2] - 120) <= 3, shown
    assert abs((shown[2] - shown[0]) - 80) <= 3, shown
    span = frames[5][45, :, 0].astype(float) * 159 / 255
    assert abs((span[-1] - span[0]) - 80) <= 4, (span[0], span[-1])  # the window is half the picture


def _identity_cube(path: Path, size: int = 17) -> Path:
    lines = ['TITLE "identity"', f"LUT_3D_SIZE {size}"]
    steps = [index / (size - 1) for index in range(size)]
    lines += [f"{r:.6f} {g:.6f} {b:.6f}" for b in steps for g in steps for r in steps]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_an_identity_lut_leaves_frames_unchanged_and_a_grade_changes_them(tmp_path: Path) -> None:
    clip = pattern_clip(tmp_path / "ramp.mp4", "r='X*4':g='Y*7':b='40+X'", seconds=1.0)
    uri = uri_of(clip)
    lut = _identity_cube(tmp_path / "identity.cube")
    lut_uri = uri_of(lut)
    base = {
        "tracks": [{"id": "v", "clips": [{"id": "c", "uri": uri, "source_out_s": 1.0}]}],
        "output": {"fps": 10, "crf": 0},
    }
    plain = render(base, {uri: clip}, tmp_path, name="plain.mp4").frames()
    graded = {**base, "output": {**base["output"], "grade": {"lut": lut_uri}}}
    rendered = render(graded, {uri: clip}, tmp_path, name="lut.mp4", assets={lut_uri: lut})
    _one_graph(rendered.plan)
    assert any("lut3d=" in arg for arg in rendered.plan.args)
    assert np.abs(rendered.frames() - plain).max() <= 1
    grey = {
        **base,
        "tracks": [
            {"id": "v", "clips": [{"id": "c", "uri": uri, "source_out_s": 1.0, "grade": {"saturation": 0}}]}
        ],
    }
    frames = render(grey, {uri: clip}, tmp_path, name="grey.mp4").frames()
    assert (
        np.abs(frames[..., 0] - frames[..., 1]).max() <= 3
        and np.abs(plain[..., 0] - plain[..., 1]).max() > 100
    )


@pytest.mark.parametrize(
    ("aspect", "fit", "size"),
    [
        ("9:16", "crop", (102, 180)),
        ("1:1", "pad", (180, 180)),
        ("4:5", "blur", (144, 180)),
        ("16:9", "pad", (320, 180)),
    ],
)
def test_aspect_conversions_give_the_exact_output_size(
    tmp_path: Path, aspect: str, fit: str, size: tuple[int, int]
) -> None:
    clip = pattern_clip(tmp_path / "wide.mp4", "r='X*0.8':g='Y*1.4':b='200'", seconds=0.4, size="320x180")
    uri = uri_of(clip)
    timeline = {
        "tracks": [{"id": "v", "clips": [{"id": "c", "uri": uri}]}],
        "output": {"fps": 10, "crf": 0, "aspect": aspect, "fit": fit},
    }
    rendered = render(timeline, {uri: clip}, tmp_path)
    _one_graph(rendered.plan)
    assert (rendered.plan.width, rendered.plan.height) == size
    assert (rendered.expected.output_width, rendered.expected.output_height) == size
    frame = rendered.frames()[0]
    assert frame.shape[:2] == (size[1], size[0])  # read back at its own size
    top = frame[1, size[0] // 2]
    if fit == "pad" and size != (320, 180):
        assert top.max() <= 20  # black bars
    else:
        assert top[2] > 150  # picture (or its blurred copy) reaches the edge


def _keys(*pairs: tuple[float, float]) -> list[dict[str, float]]:
    return [{"time_s": time_s, "value": value} for time_s, value in pairs]


def test_keyframed_position_size_rotation_and_opacity_move_a_layer(
    red_blue_large: tuple[Path, dict[str, Path], str, str],
) -> None:
    folder, files, red, blue = red_blue_large
    box = {"x": 0.375, "y": 0.4, "width": 0.25}  # 40 x 22 at (60, 36): centred on (80, 47)

    def clip(index: int, parameter: str, keys: list[dict[str, float]]) -> dict[str, Any]:
        return {
            "id": f"{parameter}",
            "uri": red,
            "source_in_s": index * 0.4,
            "source_out_s": index * 0.4 + 0.4,
            "speed": 0.4,  # 0.4 s of source over 1 s of timeline
            "start_s": float(index),
            "layout": box,
            "automation": {"lanes": [{"parameter": parameter, "keyframes": keys}]},
        }

    timeline = {
        "tracks": [
            {"id": "base", "clips": [{"id": "back", "uri": blue, "source_out_s": 2.0, "speed": 0.5}]},
            {
                "id": "moves",
                "muted": True,
                "clips": [
                    clip(0, "x", _keys((0.0, 0.0), (1.0, 0.5))),
                    clip(1, "size", _keys((0.0, 1.0), (1.0, 2.0))),
                    clip(2, "rotation", _keys((0.0, 90.0))),
                    clip(3, "opacity", _keys((0.0, 0.0), (1.0, 1.0))),
                ],
            },
        ],
        "output": {"fps": 10, "crf": 0},
    }
    rendered = render(timeline, files, folder, name="moves.mp4")
    _one_graph(rendered.plan)
    _duration_matches(rendered)
    frames = rendered.frames()

    def red_span(frame: Any) -> tuple[int, int, int, int]:
        """First and last red column and row."""
        rows, columns = np.nonzero(frame[..., 0] > 128)
        return int(columns.min()), int(columns.max()), int(rows.min()), int(rows.max())

    assert red_span(frames[0])[:2] == (0, 39)  # x = 0
    left, right, _, _ = red_span(frames[5])  # x = 0.25 half way
    assert abs(left - 40) <= 1 and abs(right - 79) <= 1, (left, right)
    left, right, top, bottom = red_span(frames[15])  # size 1.5: 60 x 33 about the same centre
    assert abs((right - left + 1) - 60) <= 2 and abs((bottom - top + 1) - 33) <= 2, (left, right, top, bottom)
    assert abs((left + right) / 2 - 79.5) <= 1.5
    left, right, top, bottom = red_span(frames[25])  # turned a quarter: 22 wide, 40 high
    assert abs((right - left + 1) - 22) <= 2 and abs((bottom - top + 1) - 40) <= 2, (left, right, top, bottom)
    assert _near(frames[30][47, 80], BLUE)  # opacity 0
    assert _near(frames[35][47, 80], (RED + BLUE) / 2, 10), frames[35][47, 80]  # opacity 0.5
