"""Where canvas tool buttons come from: the muscles' declared ``canvas_tools``.

The gateway may import neither the muscles nor the sentinel nor registry_sync, so it reads the
data they produce:

- ``registry``: the rows registry-sync writes to ``public.muscles`` (active muscles only), on
  the PostgreSQL database of ``ATOMS_DATABASE_URL``; re-read every ``refresh_s``;
- a specs file: the JSON ``sentinel spec`` prints (a list of MuscleSpec); re-read when it changes;
- ``sentinel``: on embedded defaults, ``python -m sentinel spec`` run once as a child process on
  this checkout (as registry-sync does), so a local gateway shows the checkout's own tools.

Each canvas tool is bound to its muscle's tool, with that tool's input schema and annotations.
"""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import psycopg
from pydantic import ValidationError

from core.spec import MuscleSpec

__all__ = [
    "CatalogTool",
    "RegistryCatalog",
    "SentinelCatalog",
    "SpecsFileCatalog",
    "StaticCatalog",
    "ToolCatalog",
    "tools_from_records",
    "tools_from_specs",
]

logger = logging.getLogger(__name__)

_SENTINEL_TIMEOUT_S = 300.0
_REGISTRY_QUERY = (
    "SELECT name, version, canvas_tools, tools FROM public.muscles WHERE status = 'active' ORDER BY name"
)


@dataclass(frozen=True)
class CatalogTool:
    """One canvas tool: the button (id, type, icon, label) and the muscle tool it calls."""

    id: str
    type: str  # trigger, toggle, panel_pop, slider, select
    icon: str
    label: str | None
    muscle: str
    version: str
    tool: str
    input_schema: dict[str, Any] = field(default_factory=dict)
    annotations: dict[str, bool] = field(default_factory=dict)

    def manifest_entry(self) -> dict[str, Any]:
        """The button as CANVAS_READY lists it: pressing it sends the command ``id``."""
        return {
            "id": self.id,
            "type": self.type,
            "icon": self.icon,
            "label": self.label or self.id.replace("_", " "),
            "command": self.id,
            "muscle": self.muscle,
            "version": self.version,
            "tool": self.tool,
            "input_schema": self.input_schema,
            "annotations": self.annotations,
        }


class ToolCatalog(Protocol):
    async def tools(self) -> Sequence[CatalogTool]: ...


def _unique(tools: Iterable[CatalogTool]) -> list[CatalogTool]:
    """By id; a second muscle declaring an id already taken is left out (a command names one tool)."""
    seen: dict[str, CatalogTool] = {}
    for tool in sorted(tools, key=lambda t: (t.muscle, t.id)):
        if tool.id in seen:
            logger.warning(
                "canvas tool %r is declared by %s and %s: keeping the first",
                tool.id,
                seen[tool.id].muscle,
                tool.muscle,
            )
            continue
        seen[tool.id] = tool
    return sorted(seen.values(), key=lambda t: t.id)


def tools_from_specs(specs: Iterable[MuscleSpec]) -> list[CatalogTool]:
    found = []
    for spec in specs:
        by_name = {t.name: t for t in spec.tools}
        for ct in spec.canvas_tools:
            bound = by_name.get(ct.tool)
            annotations = (
                {}
                if bound is None
                else {
                    "read_only": bound.read_only,
                    "destructive": bound.destructive,
                    "idempotent": bound.idempotent,
                    "open_world": bound.open_world,
                    # a long-running tool (a job, or one reporting progress): complexity 2
                    "streams": bound.job or "progress" in bound.injected.values(),
                }
            )
            schema = {} if bound is None else dict(bound.input_schema)
            found.append(
                CatalogTool(
                    ct.id, ct.type, ct.icon, ct.action, spec.name, spec.version, ct.tool, schema, annotations
                )
            )
    return _unique(found)


def tools_from_records(rows: Iterable[Mapping[str, Any]]) -> list[CatalogTool]:
    """From registry rows: ``canvas_tools`` and ``tools`` as registry-sync records them."""
    found = []
    for row in rows:
        by_name = {t.get("name"): t for t in row.get("tools") or [] if isinstance(t, dict)}
        for ct in row.get("canvas_tools") or []:
            if not isinstance(ct, dict) or not all(
                isinstance(ct.get(k), str) for k in ("id", "type", "icon", "tool")
            ):
                continue
            bound = by_name.get(ct["tool"]) or {}
            annotations = {k: bool(v) for k, v in (bound.get("annotations") or {}).items()}
            found.append(
                CatalogTool(
                    ct["id"],
                    ct["type"],
                    ct["icon"],
                    ct.get("action"),
                    str(row["name"]),
                    str(row.get("version", "")),
                    ct["tool"],
                    dict(bound.get("input_schema") or {}),
                    annotations,
                )
            )
    return _unique(found)


def _parse_specs(text: str, where: str) -> list[CatalogTool]:
    try:
        raw = json.loads(text)
        items = raw if isinstance(raw, list) else [raw]
        return tools_from_specs(MuscleSpec.model_validate(item) for item in items)
    except (ValueError, ValidationError, TypeError) as exc:
        logger.warning(
            "%s is not a list of MuscleSpec (%s): no canvas tools from it", where, type(exc).__name__
        )
        return []


class StaticCatalog:
    def __init__(self, tools: Sequence[CatalogTool] = ()) -> None:
        self._tools = list(tools)

    async def tools(self) -> Sequence[CatalogTool]:
        return self._tools


class SpecsFileCatalog:
    """``sentinel spec`` output saved to a file; re-read when the file changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen: tuple[float, int] | None = None
        self._tools: list[CatalogTool] = []

    async def tools(self) -> Sequence[CatalogTool]:
        try:
            stat = self.path.stat()
        except OSError:
            logger.warning("the tool specs file is missing: no canvas tools")
            return []
        mark = (stat.st_mtime, stat.st_size)
        if mark != self._seen:
            text = await asyncio.to_thread(self.path.read_text, encoding="utf-8")
            self._tools, self._seen = _parse_specs(text, "the tool specs file"), mark
        return self._tools


class RegistryCatalog:
    """The registry table on PostgreSQL, cached for ``refresh_s``."""

    def __init__(self, dsn: str, *, refresh_s: float = 60.0, connect_timeout_s: float = 5.0) -> None:
        self._dsn = dsn
        self.refresh_s = refresh_s
        self._timeout_s = connect_timeout_s
        self._tools: list[CatalogTool] = []
        self._read_at = float("-inf")
        self._lock = asyncio.Lock()

    async def tools(self) -> Sequence[CatalogTool]:
        async with self._lock:
            if time.monotonic() - self._read_at >= self.refresh_s:
                self._tools = await self._read()
                self._read_at = time.monotonic()
        return self._tools

    async def _read(self) -> list[CatalogTool]:
        try:
            async with await psycopg.AsyncConnection.connect(
                self._dsn, autocommit=True, connect_timeout=max(1, round(self._timeout_s))
            ) as conn:
                cur = await conn.execute(_REGISTRY_QUERY)
                rows = await cur.fetchall()
        except psycopg.errors.UndefinedTable:
            logger.warning("no public.muscles registry table on the gateway's database: no canvas tools")
            return []
        except (psycopg.Error, OSError) as exc:
            # Keep serving the last list read: buttons must not vanish while the database blips.
            logger.warning(
                "reading the muscle registry failed (%s): keeping the last tool list", type(exc).__name__
            )
            return self._tools
        return tools_from_records(
            {"name": r[0], "version": r[1], "canvas_tools": r[2], "tools": r[3]} for r in rows
        )


class SentinelCatalog:
    """``python -m sentinel spec ROOT`` once, in a child process (the gateway never imports it)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._tools: list[CatalogTool] | None = None
        self._lock = asyncio.Lock()

    async def tools(self) -> Sequence[CatalogTool]:
        async with self._lock:
            if self._tools is None:
                self._tools = await asyncio.to_thread(self._run)
        return self._tools

    def _run(self) -> list[CatalogTool]:
        if not (self.root / "muscles").is_dir():
            return []
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "sentinel", "spec", str(self.root)],
                capture_output=True,
                text=True,
                timeout=_SENTINEL_TIMEOUT_S,
                cwd=self.root,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            logger.warning("`sentinel spec` could not run (%s): no canvas tools", type(exc).__name__)
            return []
        if proc.returncode != 0:
            logger.warning("`sentinel spec` failed (exit %d): no canvas tools", proc.returncode)
            return []
        return _parse_specs(proc.stdout, "`sentinel spec` output")
