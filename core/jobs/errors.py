"""The errors of the job API, each with a stable code.

AtomsError
├── NotFound
│   └── JobNotFound         job_not_found
├── InvalidInput
│   └── JobNotFinished      job_not_finished
├── JobCancelled            job_cancelled
└── JobFailed               job_failed
"""

from __future__ import annotations

from core.errors import AtomsError, InvalidInput, NotFound

__all__ = ["JobCancelled", "JobFailed", "JobNotFinished", "JobNotFound"]


class JobNotFound(NotFound):
    code = "job_not_found"
    default_hint = "Job ids come from submit and belong to the tenant that submitted them."


class JobNotFinished(InvalidInput):
    code = "job_not_finished"
    default_hint = "Poll status (or call wait) until the state is succeeded, failed or cancelled."
    http_status = 409


class JobCancelled(AtomsError):
    """Raised inside a job function that saw its cancel flag; also the error of a cancelled job."""

    code = "job_cancelled"
    default_hint = "The job was cancelled; submit it again to run it."
    http_status = 409


class JobFailed(AtomsError):
    code = "job_failed"
    default_hint = "Read details.error for the job function's own error code and hint."
