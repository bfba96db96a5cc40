"""Jobs: long work submitted to Dask, followed, cancelled, and recorded in a job table.

A job function is ``function(ctx: JobContext, spec: dict) -> dict`` at the top level of a
module the workers can import, named ``"package.module:function"``. See :class:`JobEngine`.
"""

from core.jobs.context import JobContext
from core.jobs.engine import JobEngine
from core.jobs.errors import JobCancelled, JobFailed, JobNotFinished, JobNotFound
from core.jobs.model import JobState, JobStatus, job_id_for

__all__ = [
    "JobCancelled",
    "JobContext",
    "JobEngine",
    "JobFailed",
    "JobNotFinished",
    "JobNotFound",
    "JobState",
    "JobStatus",
    "job_id_for",
]
