"""MuscleSpec: everything known about a muscle, as JSON. The sentinel writes it; the
templates and registry_sync read it; nothing re-derives what it says."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from core.contract import CanvasTool, ToolExample

__all__ = ["ErrorSpec", "MuscleSpec", "ParamSpec", "ToolSpec"]

Injected = Literal["progress", "scope", "workspace"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ParamSpec(_Frozen):
    """A tool parameter as written in service.py (source text, so mcp.py can repeat it)."""

    name: str
    annotation: str
    default: str | None = Field(default=None, description="Source text of the default, if any")


class ErrorSpec(_Frozen):
    code: str
    hint: str


class ToolSpec(_Frozen):
    name: str
    title: str
    description: str
    is_async: bool
    params: tuple[ParamSpec, ...]
    injected: dict[str, Injected] = Field(description="Runtime-injected parameters: name -> kind")
    returns: str = Field(description="Source text of the return annotation")
    input_schema: dict[str, Any]
    output_schema: dict[str, Any] | None
    examples: tuple[ToolExample, ...] = ()
    errors: tuple[ErrorSpec, ...] = ()
    read_only: bool = False
    destructive: bool = False
    idempotent: bool = False
    open_world: bool = False
    job: bool = Field(default=False, description="Also offered as submit_<name>, a job")
    job_tool: bool = Field(default=False, description="Added by the runtime for the muscle's job tools")


class MuscleSpec(_Frozen):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,62}$")
    category: str = Field(pattern=r"^[a-z][a-z0-9_]{0,62}$")
    version: str
    description: str
    class_name: str
    module: str = Field(description="Import path of service.py, e.g. muscles.media.media_v2.service")
    service_path: str = Field(description="service.py relative to the project root, POSIX separators")
    source_sha256: str = Field(
        description="sha256 of the canonical spec: every description, schema and example the generated "
        "files are made from, wherever in the service's modules it is written"
    )
    capabilities: tuple[str, ...] = ()
    canvas_tools: tuple[CanvasTool, ...] = ()
    tools: tuple[ToolSpec, ...]
    imports: dict[str, tuple[str, ...]] = Field(
        default_factory=dict, description="module -> names mcp.py imports for the tool signatures"
    )
    transports: tuple[str, ...] = ("stdio", "streamable-http")
    dependencies: tuple[str, ...] = Field(
        default=(),
        description="First-party modules loaded with service.py (paths relative to the project root), "
        "so sentinel watch regenerates when any of them changes",
    )

    def content_sha256(self) -> str:
        """The hash :attr:`source_sha256` records: of everything but itself and the dependencies."""
        content = self.model_dump(mode="json", exclude={"source_sha256", "dependencies"})
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()

    @property
    def skill_name(self) -> str:
        """The Agent Skills name: the muscle name in kebab case."""
        return self.name.replace("_", "-")

    @property
    def package(self) -> str:
        return self.module.rsplit(".", 1)[0]
