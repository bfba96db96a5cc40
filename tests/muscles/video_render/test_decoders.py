"""A render opens each source once per forward run of its clips, not once per clip: the plan's
decoder count is the number of distinct sources, and the render still matches describe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio

from core.media import probe_sync
from muscles.video.timeline import Timeline
from muscles.video.video_render.plan import plan_render
from tests.media_samples import write_test_video
from tests.muscles.video_render.conftest import RenderServer
from tests.muscles.video_render.media import register_clip, stream_lengths

CUT_S = 0.4


def _interleaved(uris: list[str], cuts_per_source: int) -> dict[str, Any]:
    """Cuts taken in turn from each source, each source read forwards."""
    clips = []
    for step in range(cuts_per_source):
        for number, uri in enumerate(uris):
            start = len(clips) * CUT_S
            source_in = round(step * CUT_S, 3)
            clips.append(
                {
                    "id": f"s{number}c{step}",
                    "uri": uri,
                    "source_in_s": source_in,
                    "source_out_s": round(source_in + CUT_S, 3),
                    "start_s": round(start, 3),
                }
            )
    return {"tracks": [{"id": "v", "clips": clips}], "output": {"fps": 25, "width": 160, "height": 90}}


def _plan(timeline: dict[str, Any], files: dict[str, Path], tmp: Path) -> Any:
    model = Timeline.model_validate(timeline)
    facts = {uri: probe_sync(path) for uri, path in files.items()}
    sources = {clip.id: files[clip.uri] for clip in model.clips()}
    return plan_render(model, sources, facts, tmp / "out.mp4", work_dir=tmp)


def test_the_plan_opens_one_decoder_per_distinct_source(tmp_path: Path) -> None:
    files = {
        f"atoms://media/{n:032x}/s{n}.mp4": write_test_video(tmp_path / f"s{n}.mp4", seconds=3)
        for n in range(3)
    }
    plan = _plan(_interleaved(list(files), cuts_per_source=6), files, tmp_path)
    assert plan.decoders == 3
    assert plan.args.count("-i") == 3  # 18 clips, 3 inputs


def test_a_cut_that_goes_back_in_its_source_gets_a_decoder_of_its_own(tmp_path: Path) -> None:
    uri = "atoms://media/" + "a" * 32 + "/s.mp4"
    files = {uri: write_test_video(tmp_path / "s.mp4", seconds=3)}
    clips = [
        {"id": "late", "uri": uri, "source_in_s": 2.0, "source_out_s": 2.5},
        {"id": "early", "uri": uri, "source_in_s": 0.5, "source_out_s": 1.0, "start_s": 0.5},
        {"id": "later", "uri": uri, "source_in_s": 1.5, "source_out_s": 2.0, "start_s": 1.0},
    ]
    plan = _plan({"tracks": [{"id": "v", "clips": clips}]}, files, tmp_path)
    # "early" goes back (a new run); "later" reads on from "early" in the same run.
    assert plan.decoders == 2


def test_an_interleaved_timeline_renders_with_describes_frames(render_server: RenderServer) -> None:
    server = render_server
    refs = [
        register_clip(server.store, server.scope, server.media, f"s{n}.mp4", seconds=2, size="160x90")
        for n in range(2)
    ]
    timeline = _interleaved([ref.uri for ref in refs], cuts_per_source=4)

    async def run() -> dict[str, Any]:
        async with server.session() as client:
            with anyio.fail_after(120):
                result = await client.call_tool("render", {"timeline": timeline})
        assert not result.is_error and result.structured_content is not None, result.content
        return result.structured_content

    content = anyio.run(run)
    path = server.store.materialize(server.scope, content["media"]["uri"], server.settings.data_dir / "o.mp4")
    frames, video_s, audio_s = stream_lengths(path)
    expected = round(8 * CUT_S * 25)
    assert frames == expected == content["frame_count"]
    assert audio_s is not None and abs(audio_s - video_s) <= 1 / 25


def test_a_thousand_clip_plan_fits_the_kernels_argument_limit(tmp_path: Path) -> None:
    files = {
        f"atoms://media/{n:032x}/s{n}.mp4": write_test_video(tmp_path / f"s{n}.mp4", seconds=1)
        for n in range(10)
    }
    # Cuts of 0.4 s read forwards from 1 s sources would run past their ends: the plan does not
    # check media bounds (the timeline checks do), so only the command's shape is tested here.
    plan = _plan(_interleaved(list(files), cuts_per_source=100), files, tmp_path)
    assert plan.decoders == 10
    assert max(len(arg.encode()) for arg in plan.args) < 128 * 1024  # Linux's MAX_ARG_STRLEN
    script = Path(plan.args[plan.args.index("-filter_complex_script") + 1])
    graph = plan.text_files[script]
    # One cutter per stream and source, not one per clip.
    assert graph.count("segment=timestamps=") == 20 and graph.count("trim=start=") == 0
