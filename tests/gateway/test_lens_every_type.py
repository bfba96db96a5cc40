"""Lenses apply to every event type and to the WebSocket: writes are checked against the
writer's allowlist whatever their type (a patch on each of its operations' paths), reads are
redacted whatever their type (media references wherever they hide), and a resync hands out the
canvas's newest snapshot as the reader sees it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import httpx
from websockets.asyncio.client import ClientConnection, connect

from gateway.client import GatewayClient, SseEvent
from gateway.lenses import DEFAULT_LENSES, Lens
from tests.gateway.conftest import CANVAS, Gateway, auth, serve_gateway, token

DIRECTOR = token(actor="agent", role="director")
PLANNER = token(actor="agent", role="planner")
AUDITOR = token(actor="agent", role="auditor")
USER = token()
ASSET = "0123456789abcdef0123456789abcdef"
URI = f"atoms://media/{ASSET}/clip.mp4"
REF = {
    "uri": URI,
    "asset_id": ASSET,
    "filename": "clip.mp4",
    "mime_type": "video/mp4",
    "size_bytes": 10,
    "sha256": "0" * 64,
}
# Reads log lines, commits and the plan's state only; sees no snapshots; writes nothing.
AUDITOR_LENS = Lens("auditor", ("log_line", "canvas_commit", "state:plan", "state:plan.*"), (), "full", ())
LENSES = {**DEFAULT_LENSES, "auditor": AUDITOR_LENS}


async def _read_all(base_url: str, reader: str, last_event_id: str = "0") -> list[SseEvent]:
    """Everything the reader may see of the canvas stream, up to the log line "end"."""
    got: list[SseEvent] = []
    async with GatewayClient(base_url, token=reader) as client:
        with anyio.fail_after(20):
            async for event in client.stream_once(CANVAS, last_event_id):
                got.append(event)
                if event.event == "log_line" and event.json()["data"].get("line") == "end":
                    return got
    return got


def _patch(base: int, *ops: dict[str, Any]) -> dict[str, Any]:
    return {"type": "state_patch", "data": {"base_revision": base, "ops": list(ops)}}


def test_every_write_is_checked_against_the_writer_allowlist(gateway: Gateway) -> None:
    refused = {
        "a patch outside the plan": (
            "events",
            _patch(0, {"op": "replace", "path": "/layout/grid", "value": 3}),
            "state:layout.grid",
        ),
        "one op of several outside the plan": (
            "events",
            _patch(0, {"op": "add", "path": "/plan/0", "value": 1}, {"op": "remove", "path": "/title"}),
            "state:title",
        ),
        "a move out of a path it may not write": (
            "events",
            _patch(0, {"op": "move", "from": "/secret", "path": "/plan/x"}),
            "state:secret",
        ),
        "a patch of the whole document": (
            "events",
            _patch(0, {"op": "replace", "path": "", "value": {}}),
            "state:",
        ),
        "a token outside the allowlist": (
            "events",
            {"type": "token_patch", "data": {"base_revision": 0, "tokens": {"color.primary": "#000"}}},
            "token:color.primary",
        ),
        "a token operation outside the allowlist": (
            "events",
            {
                "type": "token_patch",
                "data": {"base_revision": 0, "ops": [{"op": "add", "path": "/color.primary", "value": 1}]},
            },
            "token:color.primary",
        ),
        "every token at once": (
            "events",
            {
                "type": "token_patch",
                "data": {"base_revision": 0, "ops": [{"op": "replace", "path": "", "value": {}}]},
            },
            "token:*",
        ),
        "a snapshot": ("snapshots", {}, "snapshot_created"),
        "chat carrying tokens": (
            "events",
            {"type": "chat_token", "data": {"token": "hi", "tokens": {"color.primary": "#000"}}},
            "token:color.primary",
        ),
        "chat_send": ("chat", {"idempotency_key": "c1", "text": "hi"}, "chat_send"),
        "a command": ("commands", {"idempotency_key": "c2", "name": "export_mp4"}, "command:export_mp4"),
    }
    allowed = [
        _patch(0, {"op": "add", "path": "/plan", "value": {"steps": []}}),
        _patch(1, {"op": "add", "path": "/plan/steps/0", "value": "cut"}),
        {"type": "token_patch", "data": {"base_revision": 2, "tokens": {"plan.step": 1}}},
        {"type": "chat_token", "data": {"token": "thinking"}},
        {"type": "log_line", "data": {"line": "planned"}},
    ]
    with httpx.Client(base_url=gateway.base_url, headers=auth(PLANNER), timeout=10) as http:
        answers = {
            name: http.post(f"{CANVAS}/{route}", json=body) for name, (route, body, _) in refused.items()
        }
        oks = [http.post(f"{CANVAS}/events", json=body).status_code for body in allowed]
    for name, (_, _, target) in refused.items():
        response = answers[name]
        assert response.status_code == 403, (name, response.text)
        assert response.json()["error"] == {
            **response.json()["error"],
            "code": "lens_denied",
            "value": target,
        }
    assert oks == [201] * len(allowed)


def test_reads_are_redacted_for_every_type_and_media_references_wherever_they_are(gateway: Gateway) -> None:
    published: list[tuple[str, dict[str, Any]]] = [
        ("token_patch", {"base_revision": 0, "tokens": {"color.primary": "#f00", "plan.step": 1}}),
        ("state_patch", {"base_revision": 1, "ops": [{"op": "add", "path": "/title", "value": "Draft"}]}),
        ("log_line", {"line": f"rendered {URI}, 2 s"}),
        ("state_patch", {"base_revision": 2, "ops": [{"op": "add", "path": "/thumbs", "value": {URI: 1}}]}),
        ("chat_token", {"token": f"  \n\t{URI}"}),
        ("state_patch", {"base_revision": 3, "ops": [{"op": "add", "path": "/result", "value": REF}]}),
        ("log_line", {"line": "https://cdn.example.com/?src=" + URI.replace(":", "%3A").replace("/", "%2F")}),
        ("log_line", {"line": URI.upper().replace(ASSET.upper(), ASSET)}),
    ]

    async def run() -> tuple[list[SseEvent], list[SseEvent]]:
        async with GatewayClient(gateway.base_url, token=DIRECTOR) as director:
            for type, data in published:
                await director.publish(CANVAS, type, data)
            await director.publish(CANVAS, "log_line", {"line": "end"})
        return await _read_all(gateway.base_url, PLANNER), await _read_all(gateway.base_url, DIRECTOR)

    planner_view, director_view = anyio.run(run)
    planner = [e.json()["data"] for e in planner_view[:-1]]
    # A commit shows the operations the reader may read, and no state digest (only a full replica
    # could check it).
    assert planner[0] == {
        "revision": 1,
        "base_revision": 0,
        "patch": "token_patch",
        "ops": [{"op": "add", "path": "/tokens/plan.step", "value": 1}],
        "redacted_ops": 1,
    }
    assert planner[1]["ops"] == [{"op": "add", "path": "/title", "value": "Draft"}]
    assert "state_sha256" not in planner[1]
    assert planner[2] == {"line": "rendered [redacted], 2 s"}
    assert planner[3]["ops"] == [{"op": "add", "path": "/thumbs", "value": {"[redacted]": 1}}]
    assert planner[4] == {"token": "  \n\t[redacted]"}
    assert planner[5]["ops"][0]["value"] == {"redacted": True, "mime_type": "video/mp4"}
    assert planner[6] == {"line": "https://cdn.example.com/?src=[redacted]"}
    assert planner[7] == {"line": "[redacted]"}
    assert all(ASSET not in e.data for e in planner_view)
    director_data = [e.json()["data"] for e in director_view[:-1]]
    assert director_data[0]["ops"] == [
        {"op": "add", "path": "/tokens/color.primary", "value": "#f00"},
        {"op": "add", "path": "/tokens/plan.step", "value": 1},
    ]
    assert len(director_data[0]["state_sha256"]) == 64
    assert director_data[5]["ops"][0]["value"] == REF


def test_a_reader_gets_only_the_state_it_may_read_and_no_event_it_may_not_see(tmp_path: Path) -> None:
    async def run(gw: Gateway) -> list[SseEvent]:
        async with GatewayClient(gw.base_url, token=DIRECTOR) as director:
            ops = [{"op": "add", "path": "/plan", "value": {}}, {"op": "add", "path": "/secret", "value": {}}]
            await director.publish(CANVAS, "state_patch", {"base_revision": 0, "ops": ops})
            ops = [
                {"op": "add", "path": "/plan/a", "value": 1},
                {"op": "add", "path": "/secret/x", "value": 2},
            ]
            await director.publish(CANVAS, "state_patch", {"base_revision": 1, "ops": ops})
            ops = [{"op": "add", "path": "/secret/y", "value": 1}]
            await director.publish(CANVAS, "state_patch", {"base_revision": 2, "ops": ops})
            await director.http.post(f"{CANVAS}/snapshots", json={})
            await director.publish(CANVAS, "chat_token", {"token": "x"})
            await director.publish(CANVAS, "log_line", {"line": "end"})
        return await _read_all(gw.base_url, AUDITOR)

    with serve_gateway(tmp_path, lenses=LENSES) as gw:
        events = anyio.run(run, gw)
    assert [(e.event, e.id) for e in events] == [
        ("canvas_commit", "1"),
        ("canvas_commit", "2"),
        ("canvas_commit", "3"),
        ("log_line", "6"),
    ]
    first, second, third = (e.json()["data"] for e in events[:3])
    assert first["ops"] == [{"op": "add", "path": "/plan", "value": {}}] and first["redacted_ops"] == 1
    assert second["ops"] == [{"op": "add", "path": "/plan/a", "value": 1}] and second["redacted_ops"] == 1
    assert third["ops"] == [] and third["redacted_ops"] == 1


def test_resync_hands_out_the_latest_snapshot_as_the_reader_sees_it(tmp_path: Path) -> None:
    async def run(gw: Gateway) -> tuple[SseEvent, SseEvent, SseEvent]:
        async with GatewayClient(gw.base_url, token=DIRECTOR) as director:
            tokens = {"color.primary": "#f00", "layout.cols": 3}
            await director.publish(CANVAS, "token_patch", {"base_revision": 0, "tokens": tokens})
            ops = [{"op": "add", "path": "/cover", "value": URI}]
            await director.publish(CANVAS, "state_patch", {"base_revision": 1, "ops": ops})
            await director.http.post(f"{CANVAS}/snapshots", json={})  # event 3
            for n in range(4, 8):
                await director.publish(CANVAS, "log_line", {"line": f"{n}"})  # retention keeps 4..7
        views = []
        for reader in (PLANNER, AUDITOR, DIRECTOR):
            async with GatewayClient(gw.base_url, token=reader) as client:
                with anyio.fail_after(20):
                    async for event in client.stream_once(CANVAS, "1"):
                        views.append(event)
                        break
        return views[0], views[1], views[2]

    with serve_gateway(tmp_path, lenses=LENSES, options={"retention_events": 4}) as gw:
        planner, auditor, director = anyio.run(run, gw)
    assert {planner.event, auditor.event, director.event} == {"resync_required"}
    seen = planner.json()["snapshot"]
    assert planner.id == "3" and seen["revision"] == 2
    assert seen["state"] == {"commands": {}, "cover": "[redacted]", "tokens": {"layout.cols": 3}}
    # The auditor may see no snapshot: none is handed out, and it resumes from the oldest event kept.
    assert auditor.json()["snapshot"] is None and auditor.id == "3"
    assert director.id == "3" and director.json()["snapshot"]["state"]["tokens"]["color.primary"] == "#f00"


async def _next_frame(socket: ClientConnection) -> dict[str, Any]:
    with anyio.fail_after(10):
        frame: dict[str, Any] = json.loads(await socket.recv())
        return frame


def test_websocket_presence_and_gestures_pass_the_same_lens(gateway: Gateway) -> None:
    ws_url = gateway.base_url.replace("http://", "ws://")
    with httpx.Client(base_url=gateway.base_url, timeout=10) as http:
        tickets = [
            http.post(f"{CANVAS}/ws-ticket", json={}, headers=auth(who)).json()["ticket"]
            for who in (USER, PLANNER, DIRECTOR)
        ]

    async def run() -> dict[str, Any]:
        got: dict[str, Any] = {}
        async with (
            connect(f"{ws_url}/v1/ws?ticket={tickets[0]}") as user,
            connect(f"{ws_url}/v1/ws?ticket={tickets[1]}") as planner,
            connect(f"{ws_url}/v1/ws?ticket={tickets[2]}") as director,
        ):
            for socket in (user, planner, director):
                assert (await _next_frame(socket))["type"] == "socket_ready"
            await planner.send(json.dumps({"type": "gesture", "data": {"x": 1}}))
            got["planner gesture"] = await _next_frame(planner)
            await planner.send(
                json.dumps({"type": "presence", "data": {"tokens": {"color.primary": "#000"}}})
            )
            got["planner presence with tokens"] = await _next_frame(planner)
            await planner.send(json.dumps({"type": "presence", "data": {"here": True}}))
            got["user hears the planner"] = await _next_frame(user)
            got["director hears the planner"] = await _next_frame(director)
            gesture = {
                "hover": f"over {URI}",
                "ref": REF,
                "tokens": {"color.primary": "#f00", "plan.step": 2},
            }
            await user.send(json.dumps({"type": "gesture", "data": gesture}))
            got["planner hears the user"] = await _next_frame(planner)
            got["director hears the user"] = await _next_frame(director)
        return got

    got = anyio.run(run)
    for refused, target in (
        ("planner gesture", "gesture"),
        ("planner presence with tokens", "token:color.primary"),
    ):
        assert got[refused]["type"] == "error", refused
        assert got[refused]["error"]["code"] == "lens_denied" and got[refused]["error"]["value"] == target
    assert (
        got["user hears the planner"]["data"] == got["director hears the planner"]["data"] == {"here": True}
    )
    assert got["planner hears the user"]["data"] == {
        "hover": "over [redacted]",
        "ref": {"redacted": True, "mime_type": "video/mp4"},
        "tokens": {"plan.step": 2},
        "redacted_tokens": 1,
    }
    assert got["director hears the user"]["data"]["ref"] == REF
