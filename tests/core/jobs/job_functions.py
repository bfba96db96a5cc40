"""Job functions the tests submit. Workers import them by name, so they live in a module."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

from pydantic import JsonValue

from core.errors import InvalidInput
from core.ffmpeg.runner import run_ffmpeg_sync
from core.jobs import JobContext

LONG_S = 60  # a render that only ends by being cancelled or killed (bounded all the same)


def steps(ctx: JobContext, spec: dict[str, JsonValue]) -> dict[str, JsonValue]:
    """Reports ``count`` steps, ``pause_s`` apart, then echoes its spec."""
    count = int(spec.get("count", 4))  # type: ignore[arg-type]
    pause = float(spec.get("pause_s", 0.25))  # type: ignore[arg-type]
    for step in range(count):
        ctx.raise_if_cancelled()
        ctx.progress(step / count, f"step {step + 1} of {count}")
        time.sleep(pause)
    return {"echo": spec, "tenant": ctx.tenant_id}


def fail(ctx: JobContext, spec: dict[str, JsonValue]) -> dict[str, JsonValue]:
    raise InvalidInput("the spec asks for failure", value=spec.get("why"), hint="Do not ask for failure.")


def crash(ctx: JobContext, spec: dict[str, JsonValue]) -> dict[str, JsonValue]:
    raise RuntimeError("a bug in the job function")


def not_a_dict(ctx: JobContext, spec: dict[str, JsonValue]) -> dict[str, JsonValue]:
    return 42  # type: ignore[return-value]


def render(ctx: JobContext, spec: dict[str, JsonValue]) -> dict[str, JsonValue]:
    """Encodes ``seconds`` of testsrc in real time to ``output`` (temp file, then rename)."""
    output = Path(str(spec["output"]))
    seconds = float(spec["seconds"])  # type: ignore[arg-type]
    if "pid_file" in spec:
        Path(str(spec["pid_file"])).write_text(str(os.getpid()))
    temp = output.with_name(f".{output.name}.part")
    try:
        run_ffmpeg_sync(
            ["-re", "-f", "lavfi", "-i", f"testsrc=size=160x120:rate=10:duration={seconds}",
             "-c:v", "mpeg4", "-f", "mp4", "-y", str(temp)],
            duration_s=seconds,
            on_progress=ctx.progress,
            should_cancel=ctx.cancelled,
        )  # fmt: skip
        temp.replace(output)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    return {"output": str(output), "size_bytes": output.stat().st_size}


def render_slow_first(ctx: JobContext, spec: dict[str, JsonValue]) -> dict[str, JsonValue]:
    """The first attempt renders for a long time (the test kills its worker); later ones briefly."""
    marker = Path(str(spec["dir"])) / "first-attempt"
    first = not marker.exists()
    marker.touch()
    seconds = LONG_S if first else 1
    return render(
        ctx,
        {**spec, "seconds": seconds, "pid_file": str(Path(str(spec["dir"])) / f"worker-{int(first)}.pid")},
    )
