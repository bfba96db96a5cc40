"""The ffmpeg runner against the real binary: progress, failures, and cancellation."""

from __future__ import annotations

import concurrent.futures
import json
import logging
import os
import stat
from pathlib import Path

import anyio
import imageio_ffmpeg
import pytest

from core.errors import FfmpegFailed
from core.ffmpeg.runner import FfmpegResult, ffmpeg_binary, ffprobe_binary, run_ffmpeg, run_ffmpeg_sync

pytestmark = pytest.mark.anyio

needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="scans /proc (Linux)")

THREE_SECOND_ENCODE = [
    "-re",  # realtime input: the run lasts ~3 s, long enough for several progress blocks
    "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=3",
    "-stats_period", "0.2",
    "-c:v", "mpeg4", "-y",
]  # fmt: skip
THIRTY_SECOND_REALTIME = [
    "-re",
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=160x120:rate=25:duration=30",
    "-f",
    "null",
    "-",
]


def _process_table() -> list[tuple[int, int, int, str]]:
    """(pid, ppid, pgrp, state) of every live process, read from /proc."""
    table = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat_line = (entry / "stat").read_text()
        except OSError:  # exited while we were looking
            continue
        # The command name may contain spaces and parentheses; the fields after its ')' do not.
        state, ppid, pgrp = stat_line.rsplit(")", 1)[1].split()[:3]
        table.append((int(entry.name), int(ppid), int(pgrp), state))
    return table


def _group_leaders() -> set[int]:
    own = os.getpgrp()
    return {pgrp for pid, ppid, pgrp, _ in _process_table() if ppid == os.getpid() and pgrp == pid != own}


# Group leaders already running when a test starts (a job watchdog beside a thread-mode Dask
# worker of an earlier test, say): a runner's ffmpeg is always a new one.
_earlier_leaders: set[int] = set()


@pytest.fixture(autouse=True)
def _note_earlier_leaders() -> None:
    _earlier_leaders.clear()
    _earlier_leaders.update(_group_leaders())


def _child_groups() -> set[int]:
    """Process groups led by a direct child: the runner starts ffmpeg as a group leader.

    Children sharing the test process's own group (a moto server, a sentinel fork server
    started by other tests in the same session) are not the runner's and are left out, and
    so are group leaders that were already running when the test started.
    """
    return _group_leaders() - _earlier_leaders


async def _assert_groups_gone(groups: set[int]) -> None:
    """Every process of ``groups`` is dead now, and gone once init has reaped the orphans."""
    assert groups, "no child process was seen while ffmpeg ran"
    # The runner reaps ffmpeg itself; a grandchild it killed is re-parented to init and
    # lingers as a zombie until init reaps it, which the bounded wait below allows for.
    living = [(pid, state) for pid, _, pgrp, state in _process_table() if pgrp in groups and state != "Z"]
    assert living == []
    with anyio.fail_after(10):
        # Reaping by init is no event this process can wait on: poll for it.
        while any(_group_exists(pgid) for pgid in groups):  # noqa: ASYNC110
            await anyio.sleep(0.05)


def _group_exists(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def ffmpeg_with_grandchild(tmp_path: Path) -> str:
    """An ffmpeg wrapper that leaves a sleeping grandchild in the group: only a group kill stops it."""
    script = tmp_path / "ffmpeg"
    script.write_text(f'#!/bin/sh\nsleep 600 </dev/null >/dev/null 2>&1 &\nexec "{ffmpeg_binary()}" "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


async def test_an_encode_reports_increasing_progress_ending_at_one(tmp_path: Path) -> None:
    reports: list[tuple[float, str]] = []

    async def on_progress(fraction: float, message: str) -> None:
        reports.append((fraction, message))

    with anyio.fail_after(60):
        result = await run_ffmpeg(
            [*THREE_SECOND_ENCODE, str(tmp_path / "out.mp4")], duration_s=3.0, on_progress=on_progress
        )

    assert isinstance(result, FfmpegResult)
    assert result.returncode == 0
    fractions = [fraction for fraction, _ in reports]
    assert len(fractions) >= 3
    assert fractions == sorted(set(fractions)), "fractions must strictly increase"
    assert all(0.0 <= fraction <= 1.0 for fraction in fractions)
    assert reports[-1] == (1.0, "done")
    assert "s of 3.0s" in reports[-2][1]
    assert (tmp_path / "out.mp4").stat().st_size > 0


async def test_a_run_without_duration_still_reports_completion(tmp_path: Path) -> None:
    reports: list[float] = []

    async def on_progress(fraction: float, message: str) -> None:
        reports.append(fraction)

    with anyio.fail_after(60):
        await run_ffmpeg(
            ["-f", "lavfi", "-i", "sine=duration=0.5", "-f", "null", "-"], on_progress=on_progress
        )

    assert reports == [1.0]


async def test_a_failing_command_raises_ffmpeg_failed_with_the_stderr_tail(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    missing = tmp_path / "missing.mp4"

    with (
        caplog.at_level(logging.DEBUG, logger="core.ffmpeg.runner"),
        anyio.fail_after(60),
        pytest.raises(FfmpegFailed) as caught,
    ):
        await run_ffmpeg(["-i", str(missing), "-f", "null", "-"])

    error = caught.value
    assert error.code == "ffmpeg_failed"
    assert isinstance(error.value, int) and error.value != 0
    assert "missing.mp4: No such file or directory" in error.details["stderr_tail"]
    assert "argv" not in error.details
    wire = json.dumps(error.to_dict())
    assert "Traceback" not in wire
    assert 'File "' not in wire
    assert str(tmp_path) not in wire
    # The command line stays on the server, in its log.
    assert str(missing) in caplog.text


def test_ffmpeg_failed_names_inputs_and_outputs_without_their_server_paths(tmp_path: Path) -> None:
    source = tmp_path / "in.wav"
    run_ffmpeg_sync(["-f", "lavfi", "-i", "sine=duration=0.2", str(source)])
    unwritable = tmp_path / "no-such-dir" / "out.wav"

    with pytest.raises(FfmpegFailed) as caught:
        run_ffmpeg_sync(["-i", f"file:{source}", "-y", str(unwritable)])

    wire = json.dumps(caught.value.to_dict())
    assert "out.wav" in caught.value.details["stderr_tail"]
    assert "out.wav" in caught.value.message
    assert str(tmp_path) not in wire


async def test_a_missing_binary_raises_ffmpeg_failed(tmp_path: Path) -> None:
    with pytest.raises(FfmpegFailed) as caught:
        await run_ffmpeg(["-version"], binary=str(tmp_path / "no-ffmpeg"))

    assert caught.value.value == str(tmp_path / "no-ffmpeg")


@needs_proc
async def test_an_error_in_on_progress_stops_ffmpeg_and_reaches_the_caller(
    ffmpeg_with_grandchild: str,
) -> None:
    groups: set[int] = set()

    async def on_progress(fraction: float, message: str) -> None:
        groups.update(_child_groups())
        raise ValueError("progress sink broke")

    with anyio.fail_after(30), pytest.raises(ValueError, match="progress sink broke"):
        await run_ffmpeg(
            THIRTY_SECOND_REALTIME, duration_s=30, on_progress=on_progress, binary=ffmpeg_with_grandchild
        )

    await _assert_groups_gone(groups)


@needs_proc
async def test_cancelling_a_run_kills_its_whole_process_group(ffmpeg_with_grandchild: str) -> None:
    groups: set[int] = set()
    first_progress = anyio.Event()

    async def on_progress(fraction: float, message: str) -> None:
        groups.update(_child_groups())
        first_progress.set()

    async def run() -> None:
        await run_ffmpeg(
            THIRTY_SECOND_REALTIME, duration_s=30, on_progress=on_progress, binary=ffmpeg_with_grandchild
        )

    with anyio.fail_after(30):
        async with anyio.create_task_group() as tg:
            tg.start_soon(run)
            await first_progress.wait()
            tg.cancel_scope.cancel()

    await _assert_groups_gone(groups)


@needs_proc
async def test_run_ffmpeg_sync_stops_the_process_group_when_should_cancel_says_so(
    ffmpeg_with_grandchild: str,
) -> None:
    groups: set[int] = set()
    reports: list[float] = []

    def on_progress(fraction: float, message: str) -> None:
        groups.update(_child_groups())
        reports.append(fraction)

    def run() -> None:
        run_ffmpeg_sync(
            THIRTY_SECOND_REALTIME,
            duration_s=30,
            on_progress=on_progress,
            should_cancel=lambda: bool(reports),
            binary=ffmpeg_with_grandchild,
        )

    # The worker thread is abandoned if it hangs, so a regression fails here instead of hanging.
    with anyio.fail_after(30), pytest.raises(concurrent.futures.CancelledError):
        await anyio.to_thread.run_sync(run, abandon_on_cancel=True)

    assert len(reports) == 1
    await _assert_groups_gone(groups)


def test_run_ffmpeg_sync_reports_progress_and_raises_on_failure(tmp_path: Path) -> None:
    reports: list[float] = []

    result = run_ffmpeg_sync(
        ["-f", "lavfi", "-i", "sine=duration=2", "-f", "null", "-"],
        duration_s=2.0,
        on_progress=lambda fraction, _: reports.append(fraction),
    )
    with pytest.raises(FfmpegFailed) as caught:
        run_ffmpeg_sync(["-i", str(tmp_path / "missing.wav"), "-f", "null", "-"])

    assert result.returncode == 0
    assert reports[-1] == 1.0
    assert reports == sorted(set(reports))
    assert "No such file or directory" in caught.value.details["stderr_tail"]


def test_ffmpeg_binary_falls_back_to_imageio_ffmpeg_when_path_has_none(tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()

    assert ffmpeg_binary(str(empty)) == imageio_ffmpeg.get_ffmpeg_exe()
    assert ffprobe_binary(str(empty)) is None


def test_ffmpeg_binary_prefers_the_one_on_the_search_path(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "ffmpeg").symlink_to(ffmpeg_binary())

    assert ffmpeg_binary(str(bin_dir)) == str(bin_dir / "ffmpeg")


def test_the_fallback_binary_runs(tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()

    result = run_ffmpeg_sync(
        ["-f", "lavfi", "-i", "sine=duration=0.2", "-f", "null", "-"], binary=ffmpeg_binary(str(empty))
    )

    assert result.returncode == 0
