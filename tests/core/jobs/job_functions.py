"""Job functions the tests submit. Workers import them by reference, so they live in a module."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from core.errors import InvalidInput
from core.ffmpeg import run_ffmpeg_sync
from core.jobs import JobContext

LONG_S = 60  # a render that only ends by being cancelled or killed (bounded all the same)


class Steps(BaseModel):
    model_config = ConfigDict(frozen=True)

    count: int = 4
    pause_s: float = 0.25
    label: str = ""


class Echo(BaseModel):
    echo: Steps
    tenant: str


class Why(BaseModel):
    why: str = ""


class Nothing(BaseModel):
    pass


class Render(BaseModel):
    output: str
    seconds: float = 1.0
    pid_file: str | None = None
    dir: str | None = None


class Rendered(BaseModel):
    output: str
    size_bytes: int


def steps(ctx: JobContext, spec: Steps) -> Echo:
    """Reports ``count`` steps, ``pause_s`` apart, then echoes its spec."""
    for step in range(spec.count):
        ctx.raise_if_cancelled()
        ctx.progress(step / spec.count, f"step {step + 1} of {spec.count}")
        time.sleep(spec.pause_s)
    return Echo(echo=spec, tenant=ctx.tenant_id)


def fail(ctx: JobContext, spec: Why) -> Nothing:
    raise InvalidInput("the spec asks for failure", value=spec.why, hint="Do not ask for failure.")


def crash(ctx: JobContext, spec: Why) -> Nothing:
    raise RuntimeError("a bug in the job function")


def not_a_model(ctx: JobContext, spec: Why) -> Nothing:
    return 42  # type: ignore[return-value]


def render(ctx: JobContext, spec: Render) -> Rendered:
    """Encodes ``seconds`` of testsrc in real time to ``output`` (temp file, then rename)."""
    output = Path(spec.output)
    if spec.pid_file is not None:
        Path(spec.pid_file).write_text(str(os.getpid()))
    temp = output.with_name(f".{output.name}.part")
    try:
        run_ffmpeg_sync(
            ["-re", "-f", "lavfi", "-i", f"testsrc=size=160x120:rate=10:duration={spec.seconds}",
             "-c:v", "mpeg4", "-f", "mp4", "-y", str(temp)],
            duration_s=spec.seconds,
            on_progress=ctx.progress,
            should_cancel=ctx.cancelled,
        )  # fmt: skip
        temp.replace(output)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    return Rendered(output=str(output), size_bytes=output.stat().st_size)


def render_slow_first(ctx: JobContext, spec: Render) -> Rendered:
    """The first attempt renders for a long time (the test kills its worker); later ones briefly."""
    assert spec.dir is not None
    marker = Path(spec.dir) / "first-attempt"
    first = not marker.exists()
    marker.touch()
    return render(
        ctx,
        spec.model_copy(
            update={
                "seconds": LONG_S if first else 1,
                "pid_file": str(Path(spec.dir) / f"worker-{int(first)}.pid"),
            }
        ),
    )
