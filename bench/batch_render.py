"""video_batch_render against a plain 2-thread pool running the same ffmpeg commands.

- ours: the generated video_batch_render server through the official MCP client (in memory):
  ``queue_batch`` of ``--renders`` renders (each timeline checked against media_v2's records,
  one table transaction, one poke of the data dir's job daemon, one Dask graph update), then
  ``wait_batch`` until all are done. Each job is video_render's render job on a Dask worker
  process (2 x 1 thread, the default): the input hard-linked out of storage, ONE ffmpeg, the
  MP4 hashed, probed and renamed into media_v2, progress and outcome written to the job table.
- anchor: ``ThreadPoolExecutor(max_workers=2)`` running the same ffmpeg commands: the render
  body itself (``render_timeline``: the encode video_render plans, the output's length check
  and the publish probe, on the same stored source, published the same way), one thread per
  render, no job engine. The ratio is the batch and job layer's cost (MCP, the check, table,
  daemon, Dask, worker events), which is what this muscle adds. Target: ratio <= 1.1.
- also printed: the bare encode commands alone (``plan_render``'s argv) in the same pool, for
  scale: the render body's own extra processes (length check, probe) are video_render's.

The renders are short (a 0.5 s 160x90 clip at ultrafast, ~60 ms of ffmpeg each on an idle
core) so the per-job overhead shows. The daemon's start and each worker's first import are
warmed up before timing; rounds alternate which side goes first.

    uv run python bench/batch_render.py [--renders 50] [--rounds 3]
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import anyio
from mcp import Client

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from core.ffmpeg.runner import ffmpeg_binary  # noqa: E402 - needs the repo root on sys.path
from core.media import BlockingWorkspace, Workspace  # noqa: E402
from core.media.store import MediaStore  # noqa: E402
from core.progress import RecordingProgress  # noqa: E402
from core.scope import Scope  # noqa: E402
from core.settings import Settings  # noqa: E402
from muscles.video.timeline import Timeline  # noqa: E402
from muscles.video.video_render.plan import plan_render  # noqa: E402
from muscles.video.video_render.render import render_timeline  # noqa: E402
from tests.media_samples import write_test_video  # noqa: E402

TARGET = 1.1
SCOPE = Scope(tenant_id="bench")


def _render(uri: str, filename: str) -> dict[str, Any]:
    clip = {"id": "c", "uri": uri, "source_in_s": 0.04}
    return {
        "timeline": {"tracks": [{"id": "v", "clips": [clip]}], "output": {"preset": "ultrafast"}},
        "filename": filename,
    }


def anchor(renders: list[dict[str, Any]], settings: Settings, store: MediaStore) -> float:
    """The render body of every render, two at a time on plain threads."""

    async def body(render: dict[str, Any]) -> None:
        with BlockingWorkspace(
            store, SCOPE, settings.data_dir / "work", check_cancelled=anyio.from_thread.check_cancelled
        ) as blocking:
            timeline = Timeline.model_validate(render["timeline"])
            await render_timeline(Workspace(blocking), RecordingProgress(), timeline, render["filename"])

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        for future in [pool.submit(anyio.run, body, render) for render in renders]:
            future.result()
    return time.perf_counter() - started


def bare(renders: list[dict[str, Any]], source: Path, facts: Any, out: Path) -> float:
    """Only the encode command of each render, two at a time."""
    out.mkdir(exist_ok=True)
    commands = []
    for index, render in enumerate(renders):
        timeline = Timeline.model_validate(render["timeline"])
        plan = plan_render(
            timeline, {"c": source}, {timeline.clips()[0].uri: facts}, out / f"{index}.mp4", work_dir=out
        )
        commands.append([ffmpeg_binary(), "-nostdin", "-loglevel", "error", "-y", *plan.args])
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        for future in [pool.submit(subprocess.run, argv, check=True) for argv in commands]:
            future.result()
    return time.perf_counter() - started


async def ours(client: Client, renders: list[dict[str, Any]]) -> float:
    started = time.perf_counter()
    queued = await client.call_tool("queue_batch", {"renders": renders})
    assert not queued.is_error and queued.structured_content is not None, queued.content
    batch_id = queued.structured_content["batch_id"]
    while True:
        waited = await client.call_tool("wait_batch", {"batch_id": batch_id, "timeout_s": 50})
        assert waited.structured_content is not None
        if waited.structured_content["state"] not in ("queued", "running"):
            break
    elapsed = time.perf_counter() - started
    if waited.structured_content["counts"] != {"succeeded": len(renders)}:
        raise SystemExit(f"not every render succeeded: {waited.structured_content['counts']}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp_name:
        tmp = Path(tmp_name)
        settings = Settings(data_dir=tmp / "data", tenant_id="bench", signing_key="bench-key")  # type: ignore[arg-type]
        store = MediaStore.from_settings(settings)
        path = write_test_video(tmp / "clip.mp4", seconds=0.5, size="160x90")
        ref = store.register_staged(SCOPE, store.stage_local(path), "clip.mp4")
        facts = store.describe(SCOPE, ref.uri).info
        module = importlib.import_module("muscles.video.video_batch_render.mcp")
        module.runtime.configure(settings)

        async def run() -> dict[str, float]:
            totals = {"anchor": 0.0, "ours": 0.0, "bare": 0.0}
            async with Client(module.server) as client:
                # Warm-up: the daemon starts, each worker imports the render code once.
                await ours(client, [_render(ref.uri, f"warm-{i}.mp4") for i in range(4)])
                anchor([_render(ref.uri, f"warm-a{i}.mp4") for i in range(2)], settings, store)
                for round_ in range(args.rounds):
                    order = ("anchor", "ours", "bare") if round_ % 2 == 0 else ("ours", "anchor", "bare")
                    for which in order:
                        # Fresh filenames each time: the same render again is the same (done) job.
                        renders = [_render(ref.uri, f"{which}{round_}-{i}.mp4") for i in range(args.renders)]
                        if which == "anchor":
                            elapsed = await anyio.to_thread.run_sync(anchor, renders, settings, store)
                        elif which == "bare":
                            elapsed = await anyio.to_thread.run_sync(
                                bare, renders, path, facts, tmp / f"bare-{round_}"
                            )
                        else:
                            elapsed = await ours(client, renders)
                        totals[which] += elapsed
                        print(f"  round {round_ + 1} {which:<6} {args.renders} renders: {elapsed:7.2f} s")
            await module.runtime.jobs.stop_daemon()
            await module.runtime.stop()
            return totals

        totals = anyio.run(run)
    ratio = totals["ours"] / totals["anchor"]
    verdict = "meets" if ratio <= TARGET else "MISSES"
    print(
        f"render body, thread pool (2 workers): {totals['anchor']:.2f} s   video_batch_render: {totals['ours']:.2f} s"
    )
    print(f"ratio {ratio:.3f}   target <= {TARGET:.2f} ({verdict} it)")
    print(
        f"for scale: bare encode commands, same pool: {totals['bare']:.2f} s (ours / bare {totals['ours'] / totals['bare']:.3f})"
    )


if __name__ == "__main__":  # the worker processes are spawned: they re-import this module
    main()
