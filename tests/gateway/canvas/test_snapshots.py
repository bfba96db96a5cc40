"""Snapshots and retention, on both spines: a client resuming past retention gets the canvas's
snapshot and then every commit after it, and ends with exactly the state of a client that never
disconnected; the spine rows before the snapshot are gone. Large snapshots are media_v2
documents, read back through the gateway with the reader's lens, and swept with their rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import anyio
import httpx
import psycopg

from core.scope import Scope
from gateway.canvas.patches import canonical
from gateway.canvas_client import CanvasFollower
from gateway.client import GatewayClient
from tests.gateway.conftest import CANVAS, SCOPE, Gateway, auth, serve_gateway, token

DIRECTOR = token(actor="agent", role="director")
PLANNER = token(actor="agent", role="planner")
STREAM = "canvas/tenant-a/edit/proj-1/surf-1/app-1/canvas-1"


def _spine_seqs(tmp_path: Path, options: dict[str, Any]) -> list[int]:
    """Every seq the spine still stores for the canvas, read from the database itself."""
    query = "SELECT seq FROM {table} WHERE stream = %s ORDER BY seq"
    if "database_url" in options:
        with psycopg.connect(options["database_url"]) as conn:
            rows = conn.execute(query.format(table="gateway.spine_events"), (STREAM,)).fetchall()  # type: ignore[arg-type]
    else:
        with sqlite3.connect(tmp_path / "data" / "gateway_spine.sqlite3") as conn:
            rows = conn.execute(query.format(table="spine_events").replace("%s", "?"), (STREAM,)).fetchall()
    return [int(r[0]) for r in rows]


def test_resume_past_retention_reproduces_the_state_exactly(
    tmp_path: Path, spine_options: dict[str, Any]
) -> None:
    options = {**spine_options, "retention_events": 12, "snapshot_every": 7}

    async def run(gw: Gateway) -> tuple[str, str, str, dict[str, Any], CanvasFollower]:
        async with (
            GatewayClient(gw.base_url, token=DIRECTOR) as agent,
            GatewayClient(gw.base_url, token=DIRECTOR) as reader,
        ):
            await agent.publish(CANVAS, "CANVAS_READY", {"canvas_type": "planning"})
            late = CanvasFollower(reader, CANVAS)
            await late.load()  # at revision 0; then it is away while the canvas moves on
            ops = [
                {"op": "add", "path": "/plan/steps/-", "value": {"id": "s0", "text": "", "status": "todo"}}
            ]
            revision = (await agent.patch(CANVAS, 0, ops))["revision"]
            for n in range(1, 40):
                if n % 3 == 0:
                    await agent.publish(CANVAS, "chat_token", {"token": f"t{n}"})
                step = {"op": "replace", "path": "/plan/steps/0/text", "value": f"step {n}"}
                tokens = {"op": "add", "path": f"/tokens/plan.n{n % 5}", "value": n}
                revision = (await agent.patch(CANVAS, revision, [step, tokens]))["revision"]
            with anyio.fail_after(30):
                await late.follow(until=lambda replica: replica.revision == revision)
            always = CanvasFollower(reader, CANVAS)
            await always.load()
            resync = None
            async for event in reader.stream_once(CANVAS, "1"):
                resync = event.json()
                break
            assert resync is not None
            return (
                late.replica.text(),
                always.replica.text(),
                (await agent.state(CANVAS))["seq"],
                resync,
                late,
            )

    with serve_gateway(tmp_path, options=options) as gw:
        late_text, gateway_text, head, resync, late = anyio.run(run, gw)
    assert late.replica.resyncs == 1 and late.replica.revision == 40
    assert late_text == gateway_text
    snapshot = resync["snapshot"]
    assert resync["reason"] == "cursor_older_than_retention"
    assert snapshot["revision"] >= 35 and snapshot["canvas_type"] == "planning"
    seqs = _spine_seqs(tmp_path, options)
    # The rows before the snapshot's resume point are gone, everything after it is kept.
    assert seqs[0] > 1 and seqs[0] <= snapshot["resume_seq"] + 1
    assert seqs == list(range(seqs[0], int(head) + 1))
    assert int(head) - seqs[0] + 1 <= 12 + 12 // 10


def test_a_large_snapshot_is_a_media_document_read_through_the_reader_lens(
    tmp_path: Path, spine_options: dict[str, Any]
) -> None:
    options = {**spine_options, "snapshot_inline_bytes": 256, "snapshot_every": 1000}
    big = "x" * 400

    async def run(gw: Gateway) -> dict[str, Any]:
        out: dict[str, Any] = {}
        async with GatewayClient(gw.base_url, token=DIRECTOR) as agent:
            tokens = {"color.primary": "#f00", "plan.title": big}
            await agent.publish(CANVAS, "token_patch", {"base_revision": 0, "tokens": tokens})
            taken = []
            for n in range(3):
                ops = [{"op": "add", "path": "/note", "value": f"{big}{n}"}]
                await agent.patch(CANVAS, n + 1, ops)
                taken.append((await agent.http.post(f"{CANVAS}/snapshots", json={})).json())
            out["again"] = (await agent.http.post(f"{CANVAS}/snapshots", json={})).json()
            out["taken"] = taken
            out["state"] = await agent.state(CANVAS)
        async with httpx.AsyncClient(base_url=gw.base_url) as http:
            href = f"{CANVAS}/snapshots/4"
            out["director"] = (await http.get(href, headers=auth(DIRECTOR))).json()
            out["planner"] = (await http.get(href, headers=auth(PLANNER))).json()
            out["swept"] = (await http.get(f"{CANVAS}/snapshots/2", headers=auth(DIRECTOR))).json()
        out["documents"] = [ref.filename for ref in gw.ctx.store.list(Scope(tenant_id=SCOPE.tenant_id))]
        return out

    with serve_gateway(tmp_path, options=options) as gw:
        out = anyio.run(run, gw)
    taken = out["taken"]
    assert [t["revision"] for t in taken] == [2, 3, 4] and not any(t["inline"] for t in taken)
    # Nothing changed since the last one: the snapshot is the same, only its resume point moves.
    assert out["again"]["revision"] == 4 and out["again"]["resume_seq"] >= taken[-1]["resume_seq"]
    assert out["director"]["state"] == out["state"]["state"]
    assert out["planner"]["state"]["tokens"] == {"plan.title": big}
    assert out["swept"]["error"]["code"] == "snapshot_not_found"
    # The newest two snapshots keep their documents; the first one's went with its row.
    assert sorted(out["documents"]) == sorted(
        d for d in out["documents"] if d.endswith(("-r3.json", "-r4.json"))
    )
    assert len(out["documents"]) == 2


def test_a_resync_from_a_document_snapshot_points_at_it_and_the_client_follows(tmp_path: Path) -> None:
    options = {"snapshot_inline_bytes": 64, "snapshot_every": 5, "retention_events": 6}

    async def run(gw: Gateway) -> tuple[str, str, dict[str, Any]]:
        async with (
            GatewayClient(gw.base_url, token=DIRECTOR) as agent,
            GatewayClient(gw.base_url, token=DIRECTOR) as reader,
        ):
            await agent.patch(CANVAS, 0, [{"op": "add", "path": "/log", "value": []}])
            late = CanvasFollower(reader, CANVAS)
            await late.load()
            for n in range(1, 20):
                await agent.patch(CANVAS, n, [{"op": "add", "path": "/log/-", "value": f"entry {n:03d}"}])
            first = None
            async for event in reader.stream_once(CANVAS, late.cursor):
                first = event.json()
                break
            with anyio.fail_after(30):
                await late.follow(until=lambda replica: replica.revision == 20)
            return late.replica.text(), (await reader.state(CANVAS))["state"], first or {}

    with serve_gateway(tmp_path, options=options) as gw:
        text, state, first = anyio.run(run, gw)
    assert "href" in first["snapshot"] and "state" not in first["snapshot"]
    assert text == canonical(state)
