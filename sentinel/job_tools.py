"""The tools the runtime adds to a muscle with job-backed tools, as specs: ``submit_<tool>``
for each ``@tool(job=True)``, and the shared ``job_status``, ``cancel_job``, ``job_result`` and
``list_jobs`` (see core.serving.job_tools, which runs them).

Their schemas come from the SDK like every other tool's, from stand-in signatures: a submit
takes exactly the tool's arguments; job_result returns the tool's own type.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Union

from mcp.server.mcpserver.tools import Tool

from core.contract import ToolExample
from core.errors import AssetNotFound, InvalidArguments
from core.jobs import JobPage, JobStatus
from core.jobs.errors import JobCancelled, JobNotFinished, JobNotFound
from core.serving.job_tools import JOB_TOOL_HINTS, JOB_TOOLS, SUBMIT_PREFIX
from core.serving.strict_arguments import make_strict
from core.spec import ErrorSpec, ParamSpec, ToolSpec

__all__ = ["job_tool_specs"]

_JOB_ID = ParamSpec(name="job_id", annotation="str")
_JOB_ID_ERRORS = (JobNotFound,)


def job_tool_specs(
    job_tools: Sequence[tuple[ToolSpec, Any]],
    examples: Mapping[str, Sequence[ToolExample]],
    error_hint: Callable[[str], str],
    check_examples: Callable[[str, tuple[ToolExample, ...], Tool], None],
) -> list[ToolSpec]:
    """The added tools' specs: ``job_tools`` are (spec, method) of the job-backed tools;
    ``check_examples`` refuses examples that break the added tools' schemas."""
    added = []
    for spec, method in job_tools:
        signature = inspect.signature(method, eval_str=True)
        params = [
            p for name, p in signature.parameters.items() if name != "self" and name not in spec.injected
        ]
        submit = _sdk_tool(f"{SUBMIT_PREFIX}{spec.name}", params, JobStatus)
        check_examples(submit.name, tuple(examples.get(submit.name, ())), submit)
        first_line = spec.description.splitlines()[0]
        added.append(
            spec.model_copy(
                update={
                    "name": submit.name,
                    "title": f"Submit {spec.name} as a job",
                    "description": f"Start `{spec.name}` as a job and return its status at once; follow it with "
                    "job_status and fetch it with job_result (cancel_job stops it). Use it for work that may "
                    f"outlast your call's timeout; the same arguments give the same job. {spec.name}: {first_line}",
                    "injected": {},
                    "returns": "JobStatus",
                    "input_schema": submit.parameters,
                    "output_schema": submit.output_schema,
                    "examples": tuple(examples.get(submit.name, ())),
                    "read_only": False,
                    "destructive": spec.destructive,  # submitting destroys what the tool destroys
                    "idempotent": True,
                    "job": False,
                    "job_tool": True,
                }
            )
        )
    made = [spec for spec, _ in job_tools]
    result_types = [inspect.signature(method, eval_str=True).return_annotation for _, method in job_tools]
    result_type = result_types[0] if len(result_types) == 1 else Union[tuple(dict.fromkeys(result_types))]  # noqa: UP007
    job_id = [inspect.Parameter("job_id", inspect.Parameter.KEYWORD_ONLY, annotation=str)]
    paging = [
        inspect.Parameter("cursor", inspect.Parameter.KEYWORD_ONLY, annotation=str | None, default=None),
        inspect.Parameter("limit", inspect.Parameter.KEYWORD_ONLY, annotation=int, default=20),
    ]
    shared = {
        "job_status": (
            job_id,
            JobStatus,
            "A job's state (queued, running, succeeded, failed, cancelled), progress (0..1) and message, "
            "and its error when it failed or was cancelled.",
            _JOB_ID_ERRORS,
        ),
        "cancel_job": (
            job_id,
            JobStatus,
            "Cancel a job: its processes are stopped and it stores nothing. Returns the status once it has "
            "stopped (cancelling a finished job changes nothing).",
            _JOB_ID_ERRORS,
        ),
        "job_result": (
            job_id,
            result_type,
            f"The result of a finished job of {', '.join(s.name for s in made)}, as the tool returns it; the "
            "job's own error when it failed or was cancelled, job_not_finished while it runs.",
            (JobNotFound, JobNotFinished, JobCancelled, AssetNotFound),
        ),
        "list_jobs": (
            paging,
            JobPage,
            "Your jobs, newest first, `limit` (1-100) a page; pass `next_cursor` back as `cursor` for the next.",
            (InvalidArguments,),
        ),
    }
    for name in JOB_TOOLS:
        params, returns, description, errors = shared[name]
        hints = JOB_TOOL_HINTS[name]
        tool = _sdk_tool(name, params, returns)
        check_examples(name, tuple(examples.get(name, ())), tool)
        codes = [error.code for error in errors]
        if name == "job_result":
            codes += [error.code for spec in made for error in spec.errors]
        added.append(
            ToolSpec(
                name=name,
                title=name.replace("_", " ").capitalize(),
                description=description,
                is_async=True,
                params=tuple(
                    ParamSpec(
                        name=p.name, annotation=_annotation_text(p.annotation), default=_default_text(p)
                    )
                    for p in params
                ),
                injected={},
                returns=_annotation_text(returns)
                if name != "job_result"
                else " | ".join(s.returns for s in made),
                input_schema=tool.parameters,
                output_schema=tool.output_schema,
                examples=tuple(examples.get(name, ())),
                errors=tuple(ErrorSpec(code=code, hint=error_hint(code)) for code in dict.fromkeys(codes)),
                job_tool=True,
                **hints,
            )
        )
    return added


def _sdk_tool(name: str, params: list[inspect.Parameter], returns: Any) -> Tool:
    async def stand_in(**kwargs: Any) -> Any:  # never called
        raise NotImplementedError

    stand_in.__name__ = name
    keyword_only = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in params]
    stand_in.__signature__ = inspect.Signature(keyword_only, return_annotation=returns)  # type: ignore[attr-defined]
    return make_strict(Tool.from_function(stand_in, name=name, description=name))


def _annotation_text(annotation: Any) -> str:
    if annotation is str:
        return "str"
    if annotation is int:
        return "int"
    if annotation == (str | None):
        return "str | None"
    return getattr(annotation, "__name__", str(annotation))


def _default_text(param: inspect.Parameter) -> str | None:
    return None if param.default is inspect.Parameter.empty else repr(param.default)
