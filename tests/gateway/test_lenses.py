"""Permission lenses: the planner sees redacted events and gets 403 on resolve; the director gets
a presigned URL; token patches outside the writer's allowlist get 403."""

from __future__ import annotations

from pathlib import Path

import anyio
import httpx

from core.media import MediaStore
from core.scope import Scope
from core.settings import Settings
from gateway.client import GatewayClient, SseEvent
from tests.gateway.conftest import CANVAS, Gateway, auth, serve_gateway, token
from tests.media_samples import write_test_video, write_tone_wav

DIRECTOR = token(actor="agent", role="director")
PLANNER = token(actor="agent", role="planner")


def _register(data_dir: Path, tmp: Path) -> tuple[str, str]:
    """Store a video and a WAV for tenant-a in the gateway's own (local) media store."""
    clip = write_test_video(tmp / "clip.mp4", seconds=1.0)
    wav = write_tone_wav(tmp / "tone.wav")
    store = MediaStore.from_settings(Settings(data_dir=data_dir, signing_key="gw-signing-key"))
    scope = Scope(tenant_id="tenant-a")
    return (
        store.register_staged(scope, store.stage_local(clip), "clip.mp4").uri,
        store.register_staged(scope, store.stage_local(wav), "tone.wav").uri,
    )


async def take(client: GatewayClient, n: int, got: list[SseEvent], ready: anyio.Event) -> None:
    """``n`` events after the stream's opening; ``ready`` is set when that opening arrives."""
    with anyio.fail_after(20):
        async for event in client.stream_once(CANVAS):
            if event.event in ("stream_ready", "resync_required"):
                ready.set()
            else:
                got.append(event)
            if len(got) == n:
                return


def test_planner_gets_403_on_resolve_and_director_gets_a_presigned_url(tmp_path: Path) -> None:
    with serve_gateway(tmp_path) as gw:
        clip_uri, wav_uri = _register(tmp_path / "data", tmp_path)
        with httpx.Client(base_url=gw.base_url, timeout=10) as http:
            planner = http.post(f"{CANVAS}/sidecars/resolve", json={"uri": clip_uri}, headers=auth(PLANNER))
            director = http.post(f"{CANVAS}/sidecars/resolve", json={"uri": clip_uri}, headers=auth(DIRECTOR))
            audio = http.post(f"{CANVAS}/sidecars/resolve", json={"uri": wav_uri}, headers=auth(DIRECTOR))
            user = http.post(f"{CANVAS}/sidecars/resolve", json={"uri": wav_uri}, headers=auth(token()))
            missing = http.post(
                f"{CANVAS}/sidecars/resolve",
                json={"uri": "atoms://media/0123456789abcdef0123456789abcdef/none.png"},
                headers=auth(DIRECTOR),
            )
    assert planner.status_code == 403 and planner.json()["error"]["code"] == "lens_denied"
    assert director.status_code == 200
    link = director.json()
    assert link["mime_type"] == "video/mp4" and link["method"] == "GET" and "signature=" in link["url"]
    # The director resolves visual sidecars only; a person's canvas resolves anything of its own.
    assert audio.status_code == 403 and user.status_code == 200
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "asset_not_found"


def test_the_planner_receives_the_event_with_sidecars_and_unreadable_tokens_redacted(
    gateway: Gateway,
) -> None:
    ref = {
        "uri": "atoms://media/0123456789abcdef0123456789abcdef/frame.png",
        "asset_id": "0123456789abcdef0123456789abcdef",
        "filename": "frame.png",
        "mime_type": "image/png",
        "size_bytes": 10,
        "sha256": "0" * 64,
    }

    async def run() -> tuple[list[SseEvent], list[SseEvent]]:
        seen_planner: list[SseEvent] = []
        seen_director: list[SseEvent] = []
        async with (
            GatewayClient(gateway.base_url, token=DIRECTOR) as director,
            GatewayClient(gateway.base_url, token=PLANNER) as planner,
            anyio.create_task_group() as group,
        ):
            ready = [anyio.Event(), anyio.Event()]
            group.start_soon(take, planner, 2, seen_planner, ready[0])
            group.start_soon(take, director, 2, seen_director, ready[1])
            with anyio.fail_after(20):
                for event in ready:
                    await event.wait()
            await director.publish(CANVAS, "log_line", {"snapshot": "s1", "cover": ref["uri"]}, [ref])
            await director.publish(
                CANVAS,
                "token_patch",
                {"base_revision": 0, "tokens": {"color.primary": "#fff", "plan.step": 2}},
            )
        return seen_planner, seen_director

    planner_view, director_view = anyio.run(run)
    snap, tokens = (e.json() for e in planner_view)
    assert snap["sidecars"] == [{"redacted": True, "mime_type": "image/png"}]
    assert snap["data"] == {"snapshot": "s1", "cover": "[redacted]"}
    assert tokens["data"]["ops"] == [{"op": "add", "path": "/tokens/plan.step", "value": 2}]
    assert tokens["data"]["redacted_ops"] == 1
    d_snap, d_tokens = (e.json() for e in director_view)
    assert d_snap["sidecars"][0]["uri"] == ref["uri"] and d_snap["data"]["cover"] == ref["uri"]
    assert d_tokens["data"]["ops"] == [
        {"op": "add", "path": "/tokens/color.primary", "value": "#fff"},
        {"op": "add", "path": "/tokens/plan.step", "value": 2},
    ]
    assert [e.id for e in planner_view] == [e.id for e in director_view]


def test_a_token_patch_outside_the_writer_allowlist_gets_403(gateway: Gateway) -> None:
    with httpx.Client(base_url=gateway.base_url, timeout=10) as http:
        outside = http.post(
            f"{CANVAS}/events",
            json={
                "type": "token_patch",
                "data": {"base_revision": 0, "tokens": {"plan.step": 1, "color.primary": "#000"}},
            },
            headers=auth(PLANNER),
        )
        inside = http.post(
            f"{CANVAS}/events",
            json={"type": "token_patch", "data": {"base_revision": 0, "tokens": {"plan.step": 1}}},
            headers=auth(PLANNER),
        )
        unknown_role = http.post(
            f"{CANVAS}/events",
            json={"type": "log_line", "data": {"line": "x"}},
            headers=auth(token(actor="agent", role="intruder")),
        )
    assert outside.status_code == 403 and outside.json()["error"]["value"] == "token:color.primary"
    assert inside.status_code == 201
    assert unknown_role.status_code == 403 and unknown_role.json()["error"]["code"] == "lens_denied"
