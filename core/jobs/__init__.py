"""Jobs: long work that outlives the call (and the process) that started it.

A job function is ``fn(ctx: JobContext, spec: SpecModel) -> ResultModel``; submit it with
:meth:`JobEngine.submit`, passing the function itself and a spec model. Every process on a data
dir shares one job table and one job daemon, which runs the jobs on Dask (an embedded loopback
cluster, or the scheduler at ``ATOMS_DASK_ADDRESS``). Muscles rarely call this directly: a tool
declared ``@tool(job=True)`` gets ``submit_<tool>`` and the shared job tools from the runtime.
Many jobs submitted together form a batch (``engine.batches``: one round trip, one priority,
followed and cancelled as a whole); a muscle queues another muscle's tool as a job with
:class:`ToolJob` and :func:`run_tool`, as ``submit_<tool>`` does.
"""

from core.jobs.batches import BatchJob, BatchPage, BatchState, BatchStatus
from core.jobs.context import JobContext
from core.jobs.engine import JobEngine
from core.jobs.errors import JobCancelled, JobFailed, JobNotFinished, JobNotFound
from core.jobs.model import JobError, JobPage, JobState, JobStatus, job_id_for
from core.jobs.tool_jobs import ToolJob, run_tool

__all__ = [
    "BatchJob",
    "BatchPage",
    "BatchState",
    "BatchStatus",
    "JobCancelled",
    "JobContext",
    "JobEngine",
    "JobError",
    "JobFailed",
    "JobNotFinished",
    "JobNotFound",
    "JobPage",
    "JobState",
    "JobStatus",
    "ToolJob",
    "job_id_for",
    "run_tool",
]
