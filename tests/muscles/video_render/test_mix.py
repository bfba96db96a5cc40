"""The mix an editor asks for: a music bed ducked under a voice by the depth asked, clip fades,
and the final mix at its loudness target (two passes: an analysis run, then one render graph)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pyloudnorm
import pytest

from core.media import MediaInfo
from core.media.ref import MediaRef
from muscles.audio.loudness import Loudness
from muscles.video.timeline import CaptionTrack, Timeline
from muscles.video.video_render.mix import MixPass
from muscles.video.video_render.plan import plan_render
from muscles.video.video_render.subtitles import CaptionCues, Cue
from tests.media_samples import write_silent_video, write_tone_wav
from tests.muscles.video_render.conftest import RenderServer
from tests.muscles.video_render.sound import RATE, decoded_sound, tone_level_db

WAIT_S = 120.0
MUSIC_HZ, VOICE_HZ = 220.0, 2000.0
DEPTH_DB = 12.0
TARGET_LUFS = -20.0


def _register(server: RenderServer, path: Path) -> MediaRef:
    return server.store.register_staged(server.scope, server.store.stage_local(path), path.name)


def _timeline(picture: str, voice: str, music: str, **audio: Any) -> dict[str, Any]:
    return {
        "tracks": [
            {"id": "v", "clips": [{"id": "pic", "uri": picture, "source_out_s": 4.0}]},
            {
                "id": "voice",
                "kind": "audio",
                "role": "voice",
                "clips": [{"id": "talk", "uri": voice, "source_out_s": 1.5, "start_s": 1.5}],
            },
            {
                "id": "bed",
                "kind": "audio",
                "role": "music",
                "clips": [{"id": "song", "uri": music, "source_out_s": 4.0, "sound": {"fade_in_s": 0.3}}],
            },
        ],
        "audio": {
            "ducking": [
                {
                    "music_track": "bed",
                    "voice_track": "voice",
                    "depth_db": DEPTH_DB,
                    "attack_s": 0.2,
                    "release_s": 0.2,
                }
            ],
            **audio,
        },
        "output": {"fps": 25, "preset": "ultrafast", "audio_bitrate": "192k"},
    }


def _render(server: RenderServer, timeline: dict[str, Any]) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        async with server.session() as client:
            with anyio.fail_after(WAIT_S):
                result = await client.call_tool("render", {"timeline": timeline})
        assert result.structured_content is not None and not result.is_error, result.content
        return result.structured_content

    return anyio.run(run)


@pytest.fixture
def media(render_server: RenderServer) -> tuple[str, str, str]:
    folder = render_server.media
    picture = _register(render_server, write_silent_video(folder / "pic.mp4", seconds=4, size="160x90"))
    voice = _register(
        render_server, write_tone_wav(folder / "voice.wav", seconds=2, rate=RATE, freq=VOICE_HZ)
    )
    music = _register(
        render_server, write_tone_wav(folder / "music.wav", seconds=4, rate=RATE, freq=MUSIC_HZ)
    )
    return picture.uri, voice.uri, music.uri


def test_music_ducks_by_the_depth_asked_and_the_mix_lands_on_its_loudness_target(
    render_server: RenderServer, media: tuple[str, str, str]
) -> None:
    timeline = _timeline(*media, loudness={"integrated_lufs": TARGET_LUFS, "true_peak_db": -1.0})
    content = _render(render_server, timeline)
    stored = render_server.store.materialize(
        render_server.scope, content["media"]["uri"], render_server.media / "out.mp4"
    )
    sound = decoded_sound(stored)
    # The voice plays 1.5..3.0 s; the music's ramps end 0.2 s either side of it.
    before = tone_level_db(sound, 0.5, 1.2, MUSIC_HZ)
    during = tone_level_db(sound, 1.8, 2.5, MUSIC_HZ)
    after = tone_level_db(sound, 3.3, 3.9, MUSIC_HZ)
    assert abs((before - during) - DEPTH_DB) <= 2.0, (before, during)
    assert abs(after - before) <= 1.0, (before, after)
    assert tone_level_db(sound, 1.8, 2.5, VOICE_HZ) - tone_level_db(sound, 0.5, 1.2, VOICE_HZ) > 40
    # The music's 0.3 s fade in: its first 0.1 s is far below its level once faded in.
    assert before - tone_level_db(sound, 0.0, 0.1, MUSIC_HZ) > 10
    loudness = pyloudnorm.Meter(RATE).integrated_loudness(sound)
    assert abs(loudness - TARGET_LUFS) <= 0.5, loudness
    assert content["loudness_lufs"] is not None and abs(content["loudness_lufs"] - TARGET_LUFS) <= 0.5
    assert content["warnings"] == []


def test_a_loudness_target_adds_an_analysis_run_and_the_render_stays_one_graph(tmp_path: Path) -> None:
    """Captions, ducking, fades and the loudness gain all sit in the render's one graph."""
    video = MediaInfo(
        format_name="mov", duration_s=4.0, has_video=True, has_audio=False, width=160, height=90, fps=25.0
    )
    tone = MediaInfo(format_name="wav", duration_s=4.0, has_video=False, has_audio=True)
    uris = [
        "atoms://media/" + "a" * 32 + "/pic.mp4",
        "atoms://media/" + "b" * 32 + "/v.wav",
        "atoms://media/" + "c" * 32 + "/m.wav",
    ]
    timeline = Timeline.model_validate(_timeline(*uris, loudness={"integrated_lufs": TARGET_LUFS}))
    facts = {uris[0]: video, uris[1]: tone, uris[2]: tone}
    sources = {clip.id: tmp_path / f"{clip.id}.src" for clip in timeline.clips()}
    target = timeline.audio.loudness
    assert target is not None
    analysis = plan_render(
        timeline, sources, facts, tmp_path / "o.mp4", work_dir=tmp_path, mix_pass=MixPass(target)
    )
    assert analysis.args[-3:] == ["-f", "null", "-"]
    analysis_graph = analysis.args[analysis.args.index("-filter_complex") + 1]
    assert "print_format=json" in analysis_graph
    assert ":v:0]" not in analysis_graph  # the analysis decodes no picture
    measured = Loudness(integrated_lufs=-30, true_peak_dbtp=-12, lra_lu=2, threshold_lufs=-40)
    track = CaptionTrack.model_validate({"id": "subs", "uri": "atoms://media/" + "d" * 32 + "/t.srt"})
    captions = [CaptionCues(track, [Cue(0.5, 2.0, "hello")])]
    render = plan_render(
        timeline,
        sources,
        facts,
        tmp_path / "o.mp4",
        work_dir=tmp_path,
        mix_pass=MixPass(target, measured),
        captions=captions,
    )
    assert render.args.count("-filter_complex") == 1 and "-filter_complex_script" not in render.args
    assert render.args.count("-map") == 2 and render.args[-1] == f"file:{tmp_path / 'o.mp4'}"
    graph = render.args[render.args.index("-filter_complex") + 1]
    assert "measured_I=-30" in graph and "linear=true" in graph and "volume='" in graph
    assert "ass=filename=" in graph and "afade=t=in" in graph
    assert [path.name for path in render.text_files] == ["captions-0.ass"]
