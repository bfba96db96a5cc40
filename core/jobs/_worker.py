"""The one task the job daemon submits to Dask: it runs a job function and reports back.

A job function is ``fn(ctx: JobContext, spec: SpecModel) -> ResultModel`` with pydantic models
for both, at the top level of a module (or as a class's method) the workers can import; it is
recorded by reference (``module:qualname``) so a restarted daemon can run it again.

The task never raises: its return value says how the job ended (``succeeded`` with the result
as JSON, ``failed`` with an error dict, ``cancelled``), so Dask retries a job only when its
worker died, never because the job function failed. Events go to the daemon over the worker's
own connection (``log_event`` on :data:`TOPIC`): ``started`` each time the function starts
(attempts are counted from them) and ``progress``.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import importlib
import inspect
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final, cast, get_type_hints

from pydantic import BaseModel, JsonValue

from core.errors import AtomsError, ContractViolation, InvalidArguments
from core.jobs.context import JobContext
from core.jobs.errors import JobCancelled
from core.metering.meter import metered
from core.observability.requests import request_id_scope
from core.settings import Settings, load_settings

__all__ = [
    "TOPIC",
    "Invocation",
    "cancel_event_name",
    "execute",
    "function_ref",
    "resolve_function",
    "spec_type",
]

logger = logging.getLogger(__name__)

TOPIC: Final = "atoms-jobs"
JobFunction = Callable[[JobContext, Any], BaseModel]


@dataclass(frozen=True)
class Invocation:
    """Everything a worker needs to run one run of one job (pickled to the worker)."""

    job_id: str
    tenant_id: str
    run_key: str
    function: str  # module:qualname
    spec: dict[str, Any]
    # The server's settings on an embedded cluster; None on a remote one, whose workers
    # read their own ATOMS_* environment.
    settings: Settings | None
    request_id: str | None = None  # the request that submitted the job: its logs carry it


def cancel_event_name(run_key: str) -> str:
    return f"atoms-cancel-{run_key}"


def function_ref(fn: Callable[..., Any]) -> str:
    """How a job function is recorded: ``module:qualname``, refused unless it resolves back to
    ``fn`` (a lambda or a nested function cannot be run again by a restarted daemon)."""
    ref = f"{getattr(fn, '__module__', '')}:{getattr(fn, '__qualname__', '')}"
    try:
        found = resolve_function(ref)
    except ContractViolation:
        found = None
    if found is not fn:
        raise InvalidArguments(
            "a job function must be importable by name",
            value=ref,
            hint="Submit a function defined at the top level of a module (or a class's method).",
        )
    return ref


def resolve_function(ref: str) -> JobFunction:
    """``module:qualname`` -> the function; a coded error when it is not there."""
    module_name, _, qualname = ref.partition(":")
    try:
        found: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError, ValueError) as exc:
        raise ContractViolation(
            f"job function {ref} cannot be imported on the worker",
            value=ref,
            hint="The module must be importable by the Dask workers (same code and sys.path as the server).",
        ) from exc
    return cast(JobFunction, found)


def spec_type(fn: Callable[..., Any]) -> type[BaseModel]:
    """The pydantic model a job function takes as its spec (its second parameter)."""
    hints = get_type_hints(fn)
    params = [name for name in inspect.signature(fn).parameters if name != "self"]
    found = hints.get(params[1]) if len(params) >= 2 else None
    if not (isinstance(found, type) and issubclass(found, BaseModel)):
        raise ContractViolation(
            f"job function {getattr(fn, '__qualname__', fn)} takes no pydantic spec model",
            hint="Write it as fn(ctx: JobContext, spec: SomeModel) -> ResultModel.",
        )
    return found


def execute(invocation: Invocation) -> dict[str, JsonValue]:
    """Run ``invocation`` on this worker; the outcome as a dict (see the module docstring),
    with what the run consumed under ``usage`` (wall and CPU seconds, bytes in and out: a
    worker runs one job at a time, so its process CPU time is the job's, plus ffmpeg's)."""
    with _watched(), request_id_scope(invocation.request_id), metered() as meter:
        wall, cpu = time.monotonic(), time.process_time()
        outcome = _execute(invocation)
        meter.add(cpu_s=time.process_time() - cpu)
        outcome["usage"] = {
            "wall_s": round(time.monotonic() - wall, 6),
            "cpu_s": round(meter.cpu_s, 6),
            "bytes_in": meter.bytes_in,
            "bytes_out": meter.bytes_out,
        }
        return outcome


def _execute(invocation: Invocation) -> dict[str, JsonValue]:
    # Imported here: this module is also read by servers (function_ref), which need no Dask.
    from distributed import get_worker
    from distributed.utils import sync

    worker = get_worker()

    def emit(kind: str, fraction: float = 0.0, message: str = "") -> None:
        event = {"job_id": invocation.job_id, "run": invocation.run_key, "type": kind}
        worker.log_event(TOPIC, {**event, "fraction": fraction, "message": message})

    cancel_name = cancel_event_name(invocation.run_key)

    def cancel_flag() -> bool:
        # The worker's own scheduler connection: a distributed.Event would open a second
        # client per worker for this one question.
        return bool(sync(worker.loop, worker.scheduler.event_is_set, name=cancel_name))

    ctx = JobContext(
        job_id=invocation.job_id,
        tenant_id=invocation.tenant_id,
        settings=invocation.settings or _own_settings(),
        emit=functools.partial(emit, "progress"),
        cancel_flag=cancel_flag,
    )
    emit("started")
    logger.info("job %s started (request %s)", invocation.job_id, invocation.request_id or "-")
    try:
        return _run(invocation, ctx)
    finally:
        ctx.flush_progress()


def _run(invocation: Invocation, ctx: JobContext) -> dict[str, JsonValue]:
    try:
        function = resolve_function(invocation.function)
        spec = spec_type(function).model_validate(invocation.spec)
        result = function(ctx, spec)
    except (JobCancelled, concurrent.futures.CancelledError):
        return {"outcome": "cancelled"}
    except AtomsError as exc:
        # A failure caused by the cancel (say, a killed subprocess) is a cancellation.
        return {"outcome": "cancelled"} if ctx.cancelled() else {"outcome": "failed", "error": exc.to_dict()}
    except Exception as exc:  # the boundary between a job function and the engine
        logger.exception("job %s: %s raised", invocation.job_id, invocation.function)
        if ctx.cancelled():
            return {"outcome": "cancelled"}
        error = AtomsError(
            f"job function {invocation.function} raised {type(exc).__name__}",
            hint="This is a bug in the job function; the worker log has the traceback.",
        )
        return {"outcome": "failed", "error": error.to_dict()}
    if not isinstance(result, BaseModel):
        error = ContractViolation(
            f"job function {invocation.function} returned {type(result).__name__}, not a pydantic model",
            hint="A job function returns a pydantic model (its JSON is the job's result).",
        )
        return {"outcome": "failed", "error": error.to_dict()}
    return {"outcome": "succeeded", "result": result.model_dump(mode="json")}


@functools.cache
def _own_settings() -> Settings:
    return load_settings()


_watchdog_lock = threading.Lock()
_watchdog: subprocess.Popen[bytes] | None = None


@contextlib.contextmanager
def _watched() -> Iterator[None]:
    """Tell this process's watchdog (see :mod:`core.jobs._watchdog`) a job runs meanwhile."""
    pipe = _watchdog_pipe()
    _tell(pipe, b"+")
    try:
        yield
    finally:
        _tell(pipe, b"-")


def _tell(pipe: IO[bytes] | None, news: bytes) -> None:
    if pipe is not None:
        with contextlib.suppress(OSError):  # a dead watchdog is restarted by the next job
            pipe.write(news)
            pipe.flush()


def _watchdog_pipe() -> IO[bytes] | None:
    """The pipe to this process's watchdog, started on first use (or again if it died)."""
    global _watchdog
    with _watchdog_lock:
        if _watchdog is None or _watchdog.poll() is not None:
            # The pipe's write end stays in this process only (close_fds keeps it out of
            # every child), so the watchdog reads end-of-file exactly when this process is gone.
            _watchdog = subprocess.Popen(
                [sys.executable, str(Path(__file__).with_name("_watchdog.py")), str(os.getpid())],
                stdin=subprocess.PIPE,
                start_new_session=True,
            )
        return _watchdog.stdin
