"""SRT and WebVTT read into cues, and cues laid out for libass: wrapped, paged, words lit."""

from __future__ import annotations

import pytest

from muscles.video.timeline import CaptionTrack, TimelineInvalid
from muscles.video.video_render.captions import caption_sheet
from muscles.video.video_render.subtitles import Cue, parse_subtitles
from muscles.video.video_render.text import undrawable


def _dialogues(script: str) -> list[str]:
    return [line for line in script.splitlines() if line.startswith("Dialogue:")]


def test_srt_and_vtt_give_the_same_cues_without_markup() -> None:
    srt = "1\r\n00:00:01,500 --> 00:00:02,250\r\n<i>Héllo</i>\r\nthere\r\n\r\n2\r\n00:00:03,000 --> 00:00:04,000\r\n日本語\r\n"
    vtt = (
        "\ufeffWEBVTT\n\nNOTE a comment\n\nintro\n00:01.500 --> 00:02.250 align:start\n<c.yellow>Héllo</c>\nthere\n\n"
        "00:00:03.000 --> 00:00:04.000\n日本語\n"
    )
    expected = [Cue(1.5, 2.25, "Héllo there"), Cue(3.0, 4.0, "日本語")]
    assert parse_subtitles(srt, caption_id="c") == parse_subtitles(vtt, caption_id="c") == expected


@pytest.mark.parametrize("text", ["", "WEBVTT\n\nno cues here\n", "1\n00:00:01 --> soon\nhi\n"])
def test_a_file_without_readable_cues_names_the_caption_track(text: str) -> None:
    with pytest.raises(TimelineInvalid) as raised:
        parse_subtitles(text, caption_id="subs")
    assert raised.value.value == "subs.uri"


def test_a_long_cue_wraps_at_the_line_length_and_pages_at_the_line_count() -> None:
    track = CaptionTrack.model_validate(
        {"id": "c", "uri": "atoms://media/x/c.srt", "style": {"max_chars_per_line": 12, "max_lines": 2}}
    )
    cue = Cue(0.0, 4.0, "one two three four five six seven eight")
    events = _dialogues(caption_sheet(track, [cue], 320, 180).script)
    assert [event.split(",,")[-1] for event in events] == [r"one two\Nthree four", r"five six\Nseven eight"]
    # Each page is on screen for its share of the characters: 17 and 19 of 36.
    assert events[0].startswith("Dialogue: 0,0:00:00.00,0:00:01.89,")
    assert events[1].startswith("Dialogue: 0,0:00:01.89,0:00:04.00,")


def test_word_timings_light_each_word_until_the_next_one_starts() -> None:
    words = [{"word": "日本", "start": 1.0, "end": 1.4}, {"word": "語", "start": 1.5, "end": 1.9}]
    track = CaptionTrack.model_validate(
        {"id": "c", "uri": "atoms://media/x/c.srt", "words": words, "offset_s": 10}
    )
    events = _dialogues(caption_sheet(track, [Cue(0.8, 2.0, "日本語")], 320, 180).script)
    assert events == [
        r"Dialogue: 0,0:00:10.80,0:00:11.50,Default,,0,0,0,,{\1c&H00D4FF&\1a&H00&}日本{\1c&HFFFFFF&\1a&H00&}語",
        r"Dialogue: 0,0:00:11.50,0:00:12.00,Default,,0,0,0,,日本{\1c&H00D4FF&\1a&H00&}語{\1c&HFFFFFF&\1a&H00&}",
    ]


def test_override_braces_and_backslashes_in_text_stay_text() -> None:
    track = CaptionTrack.model_validate({"id": "c", "uri": "atoms://media/x/c.srt"})
    (event,) = _dialogues(caption_sheet(track, [Cue(0, 1, r"{\b1}bold\N")], 320, 180).script)
    assert "{" not in event.split(",,")[-1] and "\\" not in event.split(",,")[-1]


def test_a_private_use_character_has_no_glyph_and_latin_has_one() -> None:
    assert undrawable(["Ça va \ue000 \u200d"]) == ["\ue000"]
