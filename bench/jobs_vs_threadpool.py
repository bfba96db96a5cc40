"""Job API overhead: short ffmpeg runs through JobEngine against a plain 2-thread pool.

- ours: ``JobEngine`` with the data dir's job daemon (its LocalCluster: 2 worker processes x
  1 thread, the default), the renders submitted in one batch (``submit_many``: one table
  transaction, one poke) of ``run_ffmpeg_job`` jobs and awaited; the table, the daemon's
  submits, Dask scheduling and worker events all included.
- anchor: ``ThreadPoolExecutor(max_workers=2)`` calling ``run_ffmpeg_sync`` with the same
  arguments: the least a server could do to run the same work 2 at a time.

Both run ``--jobs`` renders (``ffmpeg -f lavfi -i testsrc=d=1:s=320x240 -f null -``) per
round; rounds alternate which goes first so machine noise lands on both. The daemon's start
(cluster spawn) is timed apart and not in the ratio, and so is the point of one daemon per data
dir: a second process's first job call, which finds the daemon running. Target: ratio <= 1.2.

Run it with::

    uv run python bench/jobs_vs_threadpool.py [--jobs 50] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
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
from core.jobs.ffmpeg_job import FfmpegJobSpec, run_ffmpeg_job  # noqa: E402
from core.scope import Scope  # noqa: E402
from core.settings import Settings  # noqa: E402

TARGET = 1.2
ARGS = ["-f", "lavfi", "-i", "testsrc=d=1:s=320x240", "-f", "null", "-"]
SCOPE = Scope(tenant_id="bench")


def anchor(jobs: int) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        for future in [pool.submit(run_ffmpeg_sync, ARGS, duration_s=1.0) for _ in range(jobs)]:
            future.result()
    return time.perf_counter() - started


async def ours(engine: JobEngine, jobs: int) -> float:
    batch = uuid.uuid4().hex  # fresh specs: the same spec would be the same (finished) job
    started = time.perf_counter()
    specs = [FfmpegJobSpec(args=ARGS, duration_s=1.0, label=f"{batch}-{i}") for i in range(jobs)]
    submitted = await engine.submit_many(SCOPE, [(run_ffmpeg_job, spec) for spec in specs])
    finished = await asyncio.gather(*(engine.wait(SCOPE, job.job_id) for job in submitted))
    elapsed = time.perf_counter() - started
    failed = [status for status in finished if status.state != "succeeded"]
    if failed:
        raise SystemExit(f"{len(failed)} jobs did not succeed, e.g. {failed[0]}")
    return elapsed


FIRST_CALL = """
import sys, time
started = time.perf_counter()
import anyio
from pathlib import Path
from core.jobs import JobEngine
from core.jobs.ffmpeg_job import FfmpegJobSpec, run_ffmpeg_job
from core.scope import Scope
from core.settings import Settings

async def main():
    async with JobEngine(Settings(data_dir=Path(sys.argv[1]))) as engine:
        job = await engine.submit(Scope(tenant_id="bench"), run_ffmpeg_job, FfmpegJobSpec(args=sys.argv[2:], label=str(time.time())))
        await engine.wait(Scope(tenant_id="bench"), job.job_id)
anyio.run(main)
print(f"{time.perf_counter() - started:.3f}")
"""


def first_job_call(data: str) -> float:
    """Wall time of a fresh process's first job (import, submit, wait for the result)."""
    done = subprocess.run(
        [sys.executable, "-c", FIRST_CALL, data, *ARGS], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return float(done.stdout.strip().splitlines()[-1])


async def main(jobs: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as data:
        first = first_job_call(data)  # this one starts the data dir's daemon
        second = first_job_call(data)  # this one finds it running
        print(f"first process's first job call (starts the daemon): {first:.2f} s")
        print(f"a second process's first job call (daemon running):  {second:.2f} s  ({second / first:.2f}x)")
        async with JobEngine(Settings(data_dir=Path(data))) as engine:
            anchor(2)  # warm the page cache and ffmpeg's first start
            await ours(engine, 2)
            totals = {"anchor": 0.0, "ours": 0.0}
            for round_ in range(rounds):
                order = ("anchor", "ours") if round_ % 2 == 0 else ("ours", "anchor")
                for which in order:
                    elapsed = anchor(jobs) if which == "anchor" else await ours(engine, jobs)
                    totals[which] += elapsed
                    print(f"  round {round_ + 1} {which:<6} {jobs} renders: {elapsed:7.2f} s")
            await engine.stop_daemon()
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
