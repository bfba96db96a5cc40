"""The one task the engine submits to Dask: it runs a job function and reports back.

It never raises: its return value says how the job ended (``succeeded`` with a result,
``failed`` with an error dict, ``cancelled``), so Dask retries a job only when its worker
died, never because the job function failed. Events go to the server over the worker's own
connection (``log_event`` on :data:`TOPIC`): ``started`` each time the function starts (the
server counts attempts from them) and ``progress``.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import importlib
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final, cast

from distributed import get_worker
from distributed.utils import sync
from pydantic import JsonValue, TypeAdapter, ValidationError

from core.errors import AtomsError, ContractViolation, InvalidArguments
from core.jobs.context import JobContext
from core.jobs.errors import JobCancelled
from core.settings import Settings, load_settings

__all__ = ["TOPIC", "Invocation", "cancel_event_name", "execute", "resolve_function"]

logger = logging.getLogger(__name__)

TOPIC: Final = "atoms-jobs"
JobFunction = Callable[[JobContext, dict[str, JsonValue]], dict[str, JsonValue]]
_RESULT = TypeAdapter(dict[str, JsonValue])


@dataclass(frozen=True)
class Invocation:
    """Everything a worker needs to run one run of one job (pickled to the worker)."""

    job_id: str
    tenant_id: str
    run_key: str
    function: str
    spec: dict[str, JsonValue]
    # The server's settings on an embedded cluster; None on a remote one, whose workers
    # read their own ATOMS_* environment.
    settings: Settings | None


def cancel_event_name(run_key: str) -> str:
    return f"atoms-cancel-{run_key}"


def resolve_function(name: str) -> JobFunction:
    """``package.module:function`` -> the function; a coded error when it is not there."""
    module_name, sep, attr = name.partition(":")
    if not sep or not module_name or not attr.isidentifier():
        raise InvalidArguments(
            "a job function is named 'package.module:function'",
            value=name,
            hint="Name a top-level function of an importable module, e.g. 'muscles.video.jobs:render'.",
        )
    try:
        function = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ContractViolation(
            f"job function {name} cannot be imported on the worker",
            value=name,
            hint="The module must be importable by the Dask workers (same code and sys.path as the server).",
        ) from exc
    return cast(JobFunction, function)


def execute(invocation: Invocation) -> dict[str, JsonValue]:
    """Run ``invocation`` on this worker; the outcome as a dict (see the module docstring)."""
    with _watched():
        return _execute(invocation)


def _execute(invocation: Invocation) -> dict[str, JsonValue]:
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
    try:
        return _run(invocation, ctx)
    finally:
        ctx.flush_progress()


def _run(invocation: Invocation, ctx: JobContext) -> dict[str, JsonValue]:
    try:
        function = resolve_function(invocation.function)
        result = function(ctx, invocation.spec)
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
    try:
        checked = _RESULT.validate_python(result)
    except ValidationError:
        error = ContractViolation(
            f"job function {invocation.function} returned {type(result).__name__}, not a JSON object",
            hint="A job function returns a dict of JSON values (e.g. a MediaRef's model_dump(mode='json')).",
        )
        return {"outcome": "failed", "error": error.to_dict()}
    return {"outcome": "succeeded", "result": checked}


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
