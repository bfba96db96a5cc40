"""CANVAS_READY's tool manifest comes from the muscles' declared canvas_tools (a specs file as
`sentinel spec` writes it, the registry table registry-sync writes, or `sentinel spec` run on
the checkout), each button bound to its tool and input schema, minus what the reader's lens
(it may not send the command) or the tool gate (the maturity seam) hides."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import anyio
import jwt
import psycopg
import pytest

from core.contract import CanvasTool
from core.discovery import find_services, project_root
from core.spec import MuscleSpec, ToolSpec
from gateway.canvas.catalog import CatalogTool, RegistryCatalog, SentinelCatalog
from gateway.client import GatewayClient, SseEvent
from gateway.identity import Actor
from gateway.lenses import DEFAULT_LENSES, Lens
from registry_sync.records import record_from_spec
from sentinel.introspect import introspect_module
from tests.gateway.conftest import CANVAS, SECRET, serve_gateway, token

ALL = ["auto_sync", "export_mp4", "magic_draw", "slomo_clip", "split_razor"]
# An editor may send every canvas command but magic_draw's.
EDITOR = Lens(
    "editor",
    ("*",),
    ("CANVAS_READY", "command:export_mp4", "command:split_razor", "command:slomo_clip", "command:auto_sync"),
    "full",
    (),
)
LENSES = {**DEFAULT_LENSES, "editor": EDITOR}


def _synthetic(name: str, canvas_id: str, kind: str, schema: dict[str, Any], **flags: bool) -> MuscleSpec:
    """A muscle being written on another branch, as its spec will declare it."""
    tool = ToolSpec(
        name=canvas_id.split("_")[0],
        title=name,
        description=f"{name}'s tool",
        is_async=True,
        params=(),
        injected={},
        returns="dict",
        input_schema=schema,
        output_schema=None,
        **flags,
    )
    return MuscleSpec(
        name=name,
        category="video",
        version="0.1.0",
        description=f"{name} muscle",
        class_name=name.title().replace("_", ""),
        module=f"muscles.video.{name}.service",
        service_path=f"muscles/video/{name}/service.py",
        source_sha256="0" * 64,
        canvas_tools=(CanvasTool(id=canvas_id, icon="sparkles", type=kind, tool=tool.name, action=name),),  # type: ignore[arg-type]
        tools=(tool,),
    )


def specs() -> list[MuscleSpec]:
    """The canvas tools on this branch (from the real services) plus the three being written."""
    found = {loc.name: loc for loc in find_services(project_root())}
    real = [introspect_module(found[name]) for name in ("video_render", "video_timeline")]
    speed = {"type": "object", "properties": {"factor": {"type": "number", "minimum": 0.1, "maximum": 1}}}
    modes = {"type": "object", "properties": {"mode": {"enum": ["audio", "timecode"]}}}
    draw = {"type": "object", "properties": {"prompt": {"type": "string"}}}
    return [
        *real,
        _synthetic("slomo_clip", "slomo_clip", "slider", speed),
        _synthetic("auto_sync", "auto_sync", "select", modes, destructive=True),
        _synthetic("magic_draw", "magic_draw", "toggle", draw),
    ]


def _write_specs(path: Path) -> Path:
    path.write_text(json.dumps([s.model_dump(mode="json") for s in specs()]))
    return path


def no_destructive_for_students(actor: Actor, tool: CatalogTool) -> bool:
    """A stand-in for maturity levels: a 'student' gets no destructive tool."""
    return not (actor.subject.startswith("student") and tool.annotations.get("destructive"))


def test_canvas_ready_lists_the_muscles_canvas_tools_minus_what_lens_and_gate_hide(tmp_path: Path) -> None:
    readers = {
        "canvas": token(),
        "editor": token(actor="agent", role="editor"),
        "student": token(actor="agent", role="editor", subject="student-1"),
        "planner": token(actor="agent", role="planner"),
    }
    options = {"tool_catalog": str(_write_specs(tmp_path / "specs.json"))}

    async def run(base_url: str) -> tuple[dict[str, SseEvent], dict[str, Any]]:
        seen: dict[str, SseEvent] = {}
        async with GatewayClient(base_url, token=readers["canvas"]) as canvas:
            await canvas.publish(CANVAS, "CANVAS_READY", {"canvas_type": "video_editor", "title": "Cut"})
            state = await canvas.state(CANVAS)
        for name, reader in readers.items():
            async with GatewayClient(base_url, token=reader) as client:
                with anyio.fail_after(20):
                    async for event in client.stream_once(CANVAS, "0"):
                        seen[name] = event
                        break
        return seen, state

    with serve_gateway(tmp_path, lenses=LENSES, options=options, tool_gate=no_destructive_for_students) as gw:
        seen, state = anyio.run(run, gw.base_url)
    tools = {name: [t["id"] for t in event.json()["data"]["tools"]] for name, event in seen.items()}
    assert tools == {
        "canvas": ALL,
        "editor": [t for t in ALL if t != "magic_draw"],
        "student": [t for t in ALL if t not in ("magic_draw", "auto_sync")],
        "planner": [],
    }
    assert [t["id"] for t in state["tools"]] == ALL and state["canvas_type"] == "video_editor"
    data = seen["canvas"].json()["data"]
    assert data["canvas_type"] == "video_editor" and data["title"] == "Cut" and data["revision"] == 0
    by_id = {t["id"]: t for t in data["tools"]}
    export = by_id["export_mp4"]
    assert (export["type"], export["muscle"], export["tool"], export["command"]) == (
        "panel_pop",
        "video_render",
        "render",
        "export_mp4",
    )
    assert "timeline" in export["input_schema"]["properties"] and export["label"] == "Export MP4"
    assert (by_id["split_razor"]["type"], by_id["split_razor"]["tool"]) == ("trigger", "split")
    assert by_id["slomo_clip"]["type"] == "slider" and by_id["auto_sync"]["type"] == "select"
    assert by_id["magic_draw"]["type"] == "toggle"
    assert by_id["slomo_clip"]["input_schema"]["properties"]["factor"]["maximum"] == 1
    assert by_id["auto_sync"]["annotations"]["destructive"] is True


def test_the_registry_table_is_read_active_muscles_only(pg_database: str) -> None:
    records = [record_from_spec(spec, skill_md=f"# {spec.name}\n") for spec in specs()]
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE public.muscles (name text primary key, version text, status text, "
            "canvas_tools jsonb, tools jsonb)"
        )
        for record in records:
            status = "deleted" if record.name == "magic_draw" else "active"
            conn.execute(
                "INSERT INTO public.muscles VALUES (%s, %s, %s, %s::jsonb, %s::jsonb)",
                (
                    record.name,
                    record.version,
                    status,
                    json.dumps(record.canvas_tools),
                    json.dumps(record.tools),
                ),
            )

    async def read() -> list[CatalogTool]:
        return list(await RegistryCatalog(pg_database, refresh_s=60).tools())

    tools = anyio.run(read)
    assert [t.id for t in tools] == [t for t in ALL if t != "magic_draw"]
    export = next(t for t in tools if t.id == "export_mp4")
    assert export.muscle == "video_render" and "timeline" in export.input_schema["properties"]


def test_a_database_without_the_registry_gives_no_tools_rather_than_failing(pg_database: str) -> None:
    async def read() -> list[CatalogTool]:
        return list(await RegistryCatalog(pg_database).tools())

    assert anyio.run(read) == []


@pytest.mark.e2e
def test_on_embedded_defaults_the_checkouts_own_specs_are_read_with_sentinel_spec() -> None:
    async def read() -> list[CatalogTool]:
        return list(await SentinelCatalog(project_root()).tools())

    ids = {t.id for t in anyio.run(read)}
    assert {"export_mp4", "split_razor", "import_media"} <= ids


def test_by_default_an_agent_sees_only_the_buttons_its_maturity_may_run_or_propose(tmp_path: Path) -> None:
    def agent(maturity: str | None) -> str:
        claims: dict[str, Any] = {"sub": f"agent-{maturity}", "tenant_id": "tenant-a", "actor": "agent"}
        claims |= {"agent_role": "editor", "exp": int(time.time() + 600)}
        return jwt.encode(claims | ({"maturity": maturity} if maturity else {}), SECRET, algorithm="HS256")

    readers = {level: agent(level) for level in ("STUDENT", "INTERN", "SUPERVISED", "AUTONOMOUS")}
    readers["unstated"] = agent(None)
    options = {"tool_catalog": str(_write_specs(tmp_path / "specs.json"))}

    async def run(base_url: str) -> dict[str, list[str]]:
        seen: dict[str, list[str]] = {}
        async with GatewayClient(base_url, token=token()) as canvas:
            await canvas.publish(CANVAS, "CANVAS_READY", {"canvas_type": "video_editor"})
        for name, reader in readers.items():
            async with GatewayClient(base_url, token=reader) as client:
                with anyio.fail_after(20):
                    async for event in client.stream_once(CANVAS, "0"):
                        seen[name] = [t["id"] for t in event.json()["data"]["tools"]]
                        break
        return seen

    with serve_gateway(tmp_path, lenses=LENSES, options=options) as gw:
        seen = anyio.run(run, gw.base_url)
    lensed = [t for t in ALL if t != "magic_draw"]
    # split_razor (video_timeline's split, read-only: 1), export_mp4 (a job: 2), slomo_clip (a
    # state change: 3), auto_sync (destructive: 4).
    assert seen == {
        "STUDENT": ["split_razor"],
        "INTERN": lensed,  # runs up to 2, proposes the rest
        "SUPERVISED": [t for t in lensed if t != "auto_sync"],
        "AUTONOMOUS": lensed,
        "unstated": lensed,
    }
