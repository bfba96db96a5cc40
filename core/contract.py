"""The muscle contract: what a ``service.py`` author writes against.

A muscle is one class subclassing :class:`Muscle`; its docstring describes it. Its tools are
methods marked :func:`tool` with typed parameters and a typed return value. Parameters
annotated :class:`~core.progress.Progress` or :class:`~core.scope.Scope` are injected by the
runtime and never appear in the tool's input schema. Failures raise :mod:`core.errors`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Literal, TypeVar, get_type_hints, overload

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator

from core.errors import AtomsError
from core.settings import Settings

__all__ = [
    "CanvasTool",
    "Muscle",
    "ToolExample",
    "ToolOptions",
    "injected_parameters",
    "tool",
    "tool_options",
]

_F = TypeVar("_F", bound=Callable[..., Any])
_TOOL_ATTR = "__atoms_tool__"
CAPABILITY_PATTERN = re.compile(r"cap(\.[a-z][a-z0-9_]*){2,}")


class ToolExample(BaseModel):
    """A request and the response the tool gives for it; a test proves they match.

    Where some output differs from machine to machine (a model's probabilities, an encoder's
    bytes and so the hash of its file), ``compare`` names the fields that do not, as dotted
    paths (``media.duration_s``, ``segments.0.text``): only those are compared, and SKILL.md says
    so. Empty means the whole response is compared.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str
    request: dict[str, JsonValue]
    response: JsonValue
    compare: tuple[str, ...] = Field(default=(), description="Dotted paths compared; empty: everything")


class CanvasTool(BaseModel):
    """A UI control a canvas may render for this muscle, bound to one of its tools."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    icon: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    type: Literal["toggle", "trigger", "panel_pop", "slider", "select"]
    tool: str = Field(description="Name of the bound tool")
    action: str | None = Field(default=None, description="What the control does, shown as its label")


class ToolOptions(BaseModel):
    """What ``@tool`` records on a method."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str | None = None
    examples: tuple[ToolExample, ...] = ()
    errors: tuple[str, ...] = Field(default=(), description="Codes of the errors this tool raises")
    read_only: bool = False
    destructive: bool = False
    idempotent: bool = False
    open_world: bool = False
    job: bool = Field(
        default=False,
        description="The tool can outlast a client's call timeout: also offered as submit_<tool>, a job",
    )
    check: Callable[..., Any] | None = Field(
        default=None,
        description="For a job tool: a method taking the tool's arguments that raises what is wrong "
        "with them, so submit_<tool> refuses a bad call before any job exists",
    )
    queues_jobs: bool = Field(
        default=False,
        description="The tool queues jobs itself (a batch): the tenant's concurrent-jobs quota admits it",
    )

    @field_validator("errors", mode="before")
    @classmethod
    def _codes(cls, value: object) -> object:
        # Accept error classes as well as their codes: @tool(errors=[AssetNotFound]).
        if isinstance(value, (list, tuple)):
            return tuple(v.code if isinstance(v, type) and issubclass(v, AtomsError) else v for v in value)
        return value


@overload
def tool(fn: _F, /) -> _F: ...


@overload
def tool(
    *,
    title: str | None = None,
    examples: Sequence[ToolExample] = (),
    errors: Sequence[type[AtomsError] | str] = (),
    read_only: bool = False,
    destructive: bool = False,
    idempotent: bool = False,
    open_world: bool = False,
    job: bool = False,
    check: Callable[..., Any] | None = None,
    queues_jobs: bool = False,
) -> Callable[[_F], _F]: ...


def tool(
    fn: _F | None = None,
    /,
    *,
    title: str | None = None,
    examples: Sequence[ToolExample] = (),
    errors: Sequence[type[AtomsError] | str] = (),
    read_only: bool = False,
    destructive: bool = False,
    idempotent: bool = False,
    open_world: bool = False,
    job: bool = False,
    check: Callable[..., Any] | None = None,
    queues_jobs: bool = False,
) -> _F | Callable[[_F], _F]:
    """Mark a muscle method as an MCP tool. Works bare (``@tool``) or with options.

    ``job=True`` declares a tool that can outlast a client's call timeout: the runtime then
    also offers ``submit_<tool>`` (the same call as a job, answered at once with its id) and
    the muscle gets the shared ``job_status``, ``cancel_job``, ``job_result`` and ``list_jobs``.
    ``check`` (a method defined before the tool, taking the same arguments, injected ones
    included) raises what is wrong with a call, so ``submit_<tool>`` refuses it at once.
    ``queues_jobs=True`` marks a tool that queues jobs itself (a batch of renders): like a
    ``submit_<tool>``, the tenant's concurrent-jobs quota must admit the call.
    """
    options = ToolOptions(
        title=title,
        examples=tuple(examples),
        errors=tuple(errors),
        read_only=read_only,
        destructive=destructive,
        idempotent=idempotent,
        open_world=open_world,
        job=job,
        check=check,
        queues_jobs=queues_jobs,
    )

    def mark(method: _F) -> _F:
        setattr(method, _TOOL_ATTR, options)
        return method

    return mark(fn) if fn is not None else mark


# What the runtime injects, by the annotation's class (named, so this module imports none of
# them: a Workspace brings storage and ffmpeg with it).
_INJECTED: dict[str, str] = {
    "core.progress.Progress": "progress",
    "core.scope.Scope": "scope",
    "core.media.workspace.Workspace": "workspace",
}


def injected_parameters(method: Callable[..., Any]) -> dict[str, str]:
    """Parameters the runtime fills in (by annotation): name -> "progress" | "scope" | "workspace"."""
    injected = {}
    for name, hint in get_type_hints(method).items():
        kind = _INJECTED.get(f"{getattr(hint, '__module__', '')}.{getattr(hint, '__qualname__', '')}")
        if name != "return" and kind is not None:
            injected[name] = kind
    return injected


def tool_options(method: object) -> ToolOptions | None:
    """The options ``@tool`` recorded, or ``None`` for a plain method."""
    options = getattr(method, _TOOL_ATTR, None)
    return options if isinstance(options, ToolOptions) else None


class Muscle:
    """Base class of every muscle. Subclasses set the class attributes and define tools.

    One instance serves every call of a process. What must load once (models, clients) is
    loaded in :meth:`startup`, which the runtime awaits once before the first call, and
    released in :meth:`shutdown`.
    """

    version: ClassVar[str] = "0.0.0"
    capabilities: ClassVar[Sequence[str]] = ()
    canvas_tools: ClassVar[Sequence[CanvasTool]] = ()
    # Examples of the job tools the runtime adds for job-backed tools, by tool name
    # (submit_<tool>, job_status, cancel_job, job_result, list_jobs).
    job_examples: ClassVar[Mapping[str, Sequence[ToolExample]]] = {}

    def __init__(self, settings: Settings, *, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.clock = clock

    async def startup(self) -> None:
        """Load per-process resources. The default loads nothing."""

    async def shutdown(self) -> None:
        """Release what :meth:`startup` loaded."""
