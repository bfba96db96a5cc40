"""Canvas commits over real HTTP, on the SQLite and the PostgreSQL spine: a patch is applied
atomically with a new revision and published as canvas_commit; a stale patch is rebased when
its paths are untouched since its base and refused with 409 naming the paths otherwise; a patch
that breaks the canvas type's schema is refused with 422 and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from gateway.client import GatewayClient, GatewayError, SseEvent
from tests.gateway.conftest import CANVAS, Gateway, auth, serve_gateway, token

DIRECTOR = token(actor="agent", role="director")
CLIP = "atoms://media/" + "a" * 32 + "/clip.mp4"


@pytest.fixture
def gw(tmp_path: Path, spine_options: dict[str, Any]) -> Iterator[Gateway]:
    with serve_gateway(tmp_path, options={**spine_options, "rebase_window": 4}) as running:
        yield running


def _post(http: httpx.Client, type: str, data: dict[str, Any]) -> httpx.Response:
    return http.post(f"{CANVAS}/events", json={"type": type, "data": data})


def _patch(http: httpx.Client, base: int, *ops: dict[str, Any], **extra: Any) -> httpx.Response:
    return _post(http, "state_patch", {"base_revision": base, "ops": list(ops), **extra})


def _events(gw: Gateway) -> list[SseEvent]:
    async def run() -> list[SseEvent]:
        async with GatewayClient(gw.base_url, token=DIRECTOR) as client:
            head = int((await client.state(CANVAS))["seq"])
            got: list[SseEvent] = []
            with anyio.fail_after(20):
                async for event in client.stream_once(CANVAS, "0"):
                    got.append(event)
                    if int(event.id or 0) >= head:
                        return got
            return got

    return anyio.run(run)


def test_a_patch_commits_a_new_revision_published_with_its_ops_and_author(gw: Gateway) -> None:
    with httpx.Client(base_url=gw.base_url, headers=auth(DIRECTOR), timeout=10) as http:
        before = http.get(f"{CANVAS}/state")
        ready = _post(http, "CANVAS_READY", {"canvas_type": "generic", "title": "Board"})
        commit = _patch(http, 0, {"op": "add", "path": "/title", "value": "Draft"})
        tokens = _post(http, "token_patch", {"base_revision": 1, "tokens": {"color.primary": "#fff"}})
        state = http.get(f"{CANVAS}/state").json()
    assert before.status_code == 404 and before.json()["error"]["code"] == "canvas_not_found"
    assert ready.status_code == 201 and ready.json() == {"id": 1, "type": "CANVAS_READY", "revision": 0}
    assert commit.status_code == 201
    assert commit.json() == {"id": 2, "type": "canvas_commit", "revision": 1, "replayed": False}
    assert tokens.json()["revision"] == 2
    assert state["revision"] == 2 and state["seq"] == 3 and state["canvas_type"] == "generic"
    assert state["state"] == {"commands": {}, "title": "Draft", "tokens": {"color.primary": "#fff"}}
    events = _events(gw)
    assert [e.event for e in events] == ["CANVAS_READY", "canvas_commit", "canvas_commit"]
    first = events[1].json()
    assert first["actor"] == {"kind": "agent", "subject": "agent-director", "role": "director"}
    assert first["data"]["revision"] == 1 and first["data"]["base_revision"] == 0
    assert first["data"]["ops"] == [{"op": "add", "path": "/title", "value": "Draft"}]
    assert events[2].json()["data"]["ops"] == [
        {"op": "add", "path": "/tokens/color.primary", "value": "#fff"}
    ]


def test_stale_patches_rebase_on_untouched_paths_and_conflicts_name_their_paths(gw: Gateway) -> None:
    with httpx.Client(base_url=gw.base_url, headers=auth(DIRECTOR), timeout=10) as http:
        setup = _patch(
            http,
            0,
            {"op": "add", "path": "/a", "value": {"x": 1}},
            {"op": "add", "path": "/b", "value": {}},
            {"op": "add", "path": "/list", "value": [0, 1, 2, 3]},
        )
        assert setup.json()["revision"] == 1
        # Revision 2 writes /a/x and replaces one array element.
        _patch(
            http,
            1,
            {"op": "replace", "path": "/a/x", "value": 2},
            {"op": "replace", "path": "/list/3", "value": 9},
        )
        disjoint = _patch(
            http, 1, {"op": "add", "path": "/b/y", "value": 1}, {"op": "add", "path": "/ab", "value": 1}
        )
        parent = _patch(http, 1, {"op": "remove", "path": "/a"})
        child = _patch(http, 1, {"op": "add", "path": "/a/x", "value": 5})
        shifted = _patch(http, 1, {"op": "add", "path": "/list/0", "value": -1})
        tested = _patch(
            http, 1, {"op": "test", "path": "/a/x", "value": 1}, {"op": "add", "path": "/b/z", "value": 1}
        )
        state = http.get(f"{CANVAS}/state").json()
    assert disjoint.status_code == 201 and disjoint.json()["revision"] == 3
    for refused, paths in ((parent, ["/a"]), (child, ["/a/x"]), (shifted, ["/list"]), (tested, ["/a/x"])):
        assert refused.status_code == 409, refused.text
        error = refused.json()["error"]
        assert error["code"] == "patch_conflict"
        assert error["details"]["paths"] == paths and error["details"]["revision"] == 3
        assert error["details"]["revisions"] == [2]
        assert all(path in error["message"] for path in paths)
    assert state["revision"] == 3
    assert state["state"]["a"] == {"x": 2} and state["state"]["b"] == {"y": 1}
    assert state["state"]["list"] == [0, 1, 2, 9]


def test_a_patch_that_breaks_the_canvas_schema_is_refused_and_the_state_is_unchanged(gw: Gateway) -> None:
    clip = {"id": "c1", "uri": CLIP, "source_out_s": 2.0}
    with httpx.Client(base_url=gw.base_url, headers=auth(DIRECTOR), timeout=10) as http:
        _post(http, "CANVAS_READY", {"canvas_type": "video_editor"})
        ok = _patch(
            http, 0, {"op": "add", "path": "/timeline/tracks/-", "value": {"id": "v", "clips": [clip]}}
        )
        before = http.get(f"{CANVAS}/state").json()
        bad_type = _patch(http, 1, {"op": "add", "path": "/timeline/tracks/0/clips/0/speed", "value": "fast"})
        bad_field = _patch(
            http, 1, {"op": "add", "path": "/timeline/tracks/0/clips/0/colour", "value": "red"}
        )
        no_timeline = _patch(http, 1, {"op": "remove", "path": "/timeline"})
        bad_playhead = _patch(http, 1, {"op": "replace", "path": "/playhead_s", "value": -1})
        after = http.get(f"{CANVAS}/state").json()
    assert ok.status_code == 201
    expected = [
        (bad_type, "/timeline/tracks/0/clips/0/speed", "type"),
        (bad_field, "/timeline/tracks/0/clips/0", "additionalProperties"),
        (no_timeline, "", "required"),
        (bad_playhead, "/playhead_s", "minimum"),
    ]
    for response, path, rule in expected:
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "state_invalid"
        assert (error["details"]["path"], error["details"]["rule"]) == (path, rule)
    assert after == before and after["revision"] == 1
    assert [e.event for e in _events(gw)] == ["CANVAS_READY", "canvas_commit"]


def test_a_retried_patch_is_applied_once_and_a_reused_key_with_another_patch_is_409(gw: Gateway) -> None:
    op = {"op": "add", "path": "/items/-", "value": "once"}
    with httpx.Client(base_url=gw.base_url, headers=auth(DIRECTOR), timeout=10) as http:
        _patch(http, 0, {"op": "add", "path": "/items", "value": []})
        first = _patch(http, 1, op, idempotency_key="k-1")
        again = _patch(http, 1, op, idempotency_key="k-1")
        other = _patch(http, 1, {**op, "value": "twice"}, idempotency_key="k-1")
        # Another caller's key is another patch: keys belong to one caller.
        theirs = http.post(
            f"{CANVAS}/events",
            json={"type": "state_patch", "data": {"base_revision": 2, "ops": [op], "idempotency_key": "k-1"}},
            headers=auth(token()),
        )
        state = http.get(f"{CANVAS}/state").json()
    assert first.status_code == 201 and again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == {**first.json(), "replayed": True}
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_conflict"
    assert theirs.status_code == 201
    assert state["state"]["items"] == ["once", "once"] and state["revision"] == 3


def test_bad_bases_failed_operations_and_a_second_canvas_type_are_refused(gw: Gateway) -> None:
    with httpx.Client(base_url=gw.base_url, headers=auth(DIRECTOR), timeout=10) as http:
        for n in range(6):
            _patch(http, n, {"op": "add", "path": f"/n{n}", "value": n})
        ahead = _patch(http, 7, {"op": "add", "path": "/z", "value": 1})
        expired = _patch(http, 1, {"op": "add", "path": "/z", "value": 1})  # the window keeps 4
        within = _patch(http, 2, {"op": "add", "path": "/z", "value": 1})
        missing = _patch(http, 7, {"op": "remove", "path": "/nope"})
        failed_test = _patch(http, 7, {"op": "test", "path": "/n0", "value": 99})
        retype = _post(http, "CANVAS_READY", {"canvas_type": "video_editor"})
        unknown = _post(http, "CANVAS_READY", {"canvas_type": "spreadsheet"})
        tools = _post(http, "CANVAS_READY", {"canvas_type": "generic", "tools": []})
        commit = _post(http, "canvas_commit", {"revision": 9})
        on_run = http.post(
            CANVAS.replace("/canvases/canvas-1", "/runs/run-1") + "/events",
            json={
                "type": "state_patch",
                "data": {"base_revision": 0, "ops": [{"op": "remove", "path": "/a"}]},
            },
        )
    assert (ahead.status_code, ahead.json()["error"]["code"]) == (422, "base_revision_ahead")
    assert (expired.status_code, expired.json()["error"]["code"]) == (409, "base_revision_expired")
    assert within.status_code == 201 and within.json()["revision"] == 7
    assert (missing.status_code, missing.json()["error"]["code"]) == (422, "patch_failed")
    assert missing.json()["error"]["value"] == "/nope"
    assert (failed_test.status_code, failed_test.json()["error"]["code"]) == (409, "patch_test_failed")
    assert (retype.status_code, retype.json()["error"]["code"]) == (409, "canvas_type_conflict")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (422, "unknown_canvas_type")
    for refused in (tools, commit, on_run):
        assert (refused.status_code, refused.json()["error"]["code"]) == (422, "invalid_envelope")


def test_the_client_names_the_conflicting_paths(gw: Gateway) -> None:
    async def run() -> GatewayError:
        async with GatewayClient(gw.base_url, token=DIRECTOR) as client:
            await client.patch(CANVAS, 0, [{"op": "add", "path": "/a", "value": 1}])
            await client.patch(CANVAS, 1, [{"op": "replace", "path": "/a", "value": 2}])
            with pytest.raises(GatewayError) as refused:
                await client.patch(CANVAS, 1, [{"op": "remove", "path": "/a"}])
            return refused.value

    error = anyio.run(run)
    assert error.status == 409 and error.error_code == "patch_conflict" and error.details["paths"] == ["/a"]
