"""Framing lanes (scale, position_x, position_y) render as a crop-and-zoom: over a still frame
of four coloured quadrants, the view moves from the whole frame into the red top-left quadrant
exactly as the keyframes say."""

from __future__ import annotations

from pathlib import Path

from tests.muscles.video_render.framing import (
    BLUE,
    GREEN,
    RED,
    WHITE,
    H,
    W,
    nearest,
    red_width,
    render_frames,
)


def test_framing_keyframes_move_the_crop_as_they_say(tmp_path: Path) -> None:
    def lane(parameter: str, start: float, end: float) -> dict[str, object]:
        keys = [{"time_s": 0.0, "value": start}, {"time_s": 1.0, "value": end}]
        return {"parameter": parameter, "keyframes": keys}

    clip = {
        "id": "c",
        "uri": "",
        "automation": {
            "lanes": [lane("scale", 1.0, 2.0), lane("position_x", 0.5, 0.25), lane("position_y", 0.5, 0.25)]
        },
    }
    timeline = {"tracks": [{"id": "v", "clips": [clip]}], "output": {"fps": 25, "crf": 10}}
    decoded = render_frames(tmp_path, timeline)
    assert len(decoded) == 50
    first, middle, last = decoded[0], decoded[12], decoded[40]  # t = 0, 0.48 s, 1.6 s
    # t=0: scale 1, centred: the whole frame, four quadrants.
    assert [nearest(first[y, x]) for y, x in ((40, 80), (40, 240), (130, 80), (130, 240))] == [
        RED,
        GREEN,
        BLUE,
        WHITE,
    ]
    assert abs(red_width(first) - W // 2) <= 2
    # t=0.48 s: scale 1.48, centre (0.38, 0.38): the window spans x 0.042..0.718 of the frame,
    # so red (x < 0.5) fills (0.5 - 0.042) / 0.676 of the output's width.
    scale = 1.48
    centre = 0.5 - 0.25 * 0.48
    left = centre - 0.5 / scale
    expected = (0.5 - left) * scale * W
    assert abs(red_width(middle) - expected) <= 4, (red_width(middle), expected)
    # t >= 1 s: scale 2 on (0.25, 0.25): the red quadrant fills the frame.
    assert {nearest(last[y, x]) for y in range(5, H, 20) for x in range(5, W, 20)} == {RED}
    assert red_width(middle) > red_width(first)
