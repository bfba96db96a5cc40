"""Job API overhead: short ffmpeg runs through JobEngine against a plain 2-thread pool.

- ours: ``JobEngine`` on its embedded LocalCluster (2 worker processes x 1 thread, the
  default), each render submitted as a job (``core.jobs.ffmpeg_job:run_ffmpeg_job``) and
  awaited; submit, Dask scheduling, worker events, the SQLite job table all included.
- anchor: ``ThreadPoolExecutor(max_workers=2)`` calling ``run_ffmpeg_sync`` with the same
  arguments: the least a server could do to run the same work 2 at a time.

Both run ``--jobs`` renders (``ffmpeg -f lavfi -i testsrc=d=1:s=320x240 -f null -``) per
round; rounds alternate which goes first so machine noise lands on both. Engine start-up
(cluster spawn) is timed apart and not in the ratio. Target: ratio <= 1.2 (total wall time).

Run it with::

    uv run python bench/jobs_vs_threadpool.py [--jobs 50] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from core.ffmpeg.runner import run_ffmpeg_sync  # noqa: E402 - needs the repo root on sys.path
from core.jobs import JobEngine  # noqa: E402
from core.settings import Settings  # noqa: E402

TARGET = 1.2
ARGS = ["-f", "lavfi", "-i", "testsrc=d=1:s=320x240", "-f", "null", "-"]
FUNCTION = "core.jobs.ffmpeg_job:run_ffmpeg_job"


def anchor(jobs: int) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        for future in [pool.submit(run_ffmpeg_sync, ARGS, duration_s=1.0) for _ in range(jobs)]:
            future.result()
    return time.perf_counter() - started


async def ours(engine: JobEngine, jobs: int) -> float:
    batch = uuid.uuid4().hex  # fresh specs: the same spec would be the same (finished) job
    started = time.perf_counter()
    submitted = [
        await engine.submit(
            "bench", "ffmpeg", FUNCTION, {"args": ARGS, "duration_s": 1.0, "n": f"{batch}-{i}"}
        )
        for i in range(jobs)
    ]
    finished = await asyncio.gather(*(engine.wait("bench", job.job_id) for job in submitted))
    elapsed = time.perf_counter() - started
    failed = [status for status in finished if status.state != "succeeded"]
    if failed:
        raise SystemExit(f"{len(failed)} jobs did not succeed, e.g. {failed[0]}")
    return elapsed


async def main(jobs: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as data:
        t0 = time.perf_counter()
        async with JobEngine(Settings(data_dir=Path(data))) as engine:
            print(f"engine start (LocalCluster, 2 processes): {time.perf_counter() - t0:.2f} s")
            anchor(2)  # warm the page cache and ffmpeg's first start
            await ours(engine, 2)
            totals = {"anchor": 0.0, "ours": 0.0}
            for round_ in range(rounds):
                order = ("anchor", "ours") if round_ % 2 == 0 else ("ours", "anchor")
                for which in order:
                    elapsed = anchor(jobs) if which == "anchor" else await ours(engine, jobs)
                    totals[which] += elapsed
                    print(f"  round {round_ + 1} {which:<6} {jobs} renders: {elapsed:7.2f} s")
    ratio = totals["ours"] / totals["anchor"]
    verdict = "meets" if ratio <= TARGET else "MISSES"
    print(f"thread pool (2 workers): {totals['anchor']:.2f} s   job API: {totals['ours']:.2f} s")
    print(f"ratio {ratio:.3f}   target <= {TARGET:.2f} ({verdict} it)")


if __name__ == "__main__":  # the worker processes are spawned: they re-import this module
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2)
    options = parser.parse_args()
    asyncio.run(main(options.jobs, options.rounds))
