"""The canvas viewer page, served by `gateway serve`, in Debian's headless chromium (driven by
Playwright with the system browser: nothing is downloaded): it shows the canvas's state and
tool buttons, follows the commits agents make, and a screenshot is taken."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.conftest import require
from tests.gateway.canvas.test_manifest import _synthetic
from tests.gateway.conftest import CANVAS, auth, gateway_env, start_gateway_process, stop_process, token

CHROMIUM = Path("/usr/bin/chromium")
USER = token()
DIRECTOR = token(actor="agent", role="director")
CLIP = "atoms://media/" + "a" * 32 + "/clip.mp4"


@pytest.fixture
def served(tmp_path: Path) -> Any:
    specs = [
        _synthetic(
            "video_render", "export_mp4", "panel_pop", {"type": "object", "properties": {"timeline": {}}}
        ),
        _synthetic("slomo_clip", "slomo_clip", "slider", {"type": "object"}),
    ]
    specs_file = tmp_path / "specs.json"
    specs_file.write_text(json.dumps([s.model_dump(mode="json") for s in specs]))
    env = gateway_env(tmp_path, ATOMS_GATEWAY_TOOL_CATALOG=str(specs_file))
    server = start_gateway_process(env, tmp_path / "gateway.log")
    try:
        yield server
    finally:
        stop_process(server.process)


def _patch(http: httpx.Client, base: int, *ops: dict[str, Any]) -> None:
    response = http.post(
        f"{CANVAS}/events", json={"type": "state_patch", "data": {"base_revision": base, "ops": list(ops)}}
    )
    assert response.status_code == 201, response.text


def test_the_page_shows_the_live_state_and_tool_buttons_in_chromium(served: Any, tmp_path: Path) -> None:
    require(CHROMIUM.exists(), "Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    base = served.base_url
    with httpx.Client(base_url=base, headers=auth(DIRECTOR), timeout=10) as http:
        http.post(
            f"{CANVAS}/events", json={"type": "CANVAS_READY", "data": {"canvas_type": "video_editor"}}
        ).raise_for_status()
        _patch(http, 0, {"op": "add", "path": "/title", "value": "Opening cut"})
        errors: list[str] = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            try:
                context = browser.new_context(viewport={"width": 1200, "height": 800})
                context.add_cookies([{"name": "atoms_gateway_token", "value": USER, "url": base}])
                page = context.new_page()
                page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                page.goto(f"{base}/ui/canvas.html?canvas={CANVAS}")
                page.wait_for_selector("#status[data-state='live']", timeout=15_000)
                assert page.inner_text("#revision") == "1"
                assert "Opening cut" in page.inner_text("#state")
                found = page.locator("#tools button")
                buttons = [
                    [found.nth(i).get_attribute("data-tool"), found.nth(i).get_attribute("data-kind")]
                    for i in range(found.count())
                ]
                assert buttons == [["export_mp4", "panel_pop"], ["slomo_clip", "slider"]]

                # Agents commit while the page watches: it follows every revision.
                track = {"id": "v", "clips": [{"id": "c1", "uri": CLIP, "source_out_s": 2.0}]}
                _patch(http, 1, {"op": "add", "path": "/timeline/tracks/-", "value": track})
                _patch(http, 2, {"op": "replace", "path": "/playhead_s", "value": 1.5})
                _patch(http, 3, {"op": "add", "path": "/tokens/color.accent", "value": "#ff5500"})
                page.wait_for_selector("body[data-revision='4']", timeout=15_000)
                shown = json.loads(page.inner_text("#state"))
                page.click("[data-tool='export_mp4']")
                page.wait_for_selector("#panel:not([hidden])", timeout=5_000)
                screenshot = tmp_path / "canvas-viewer.png"  # kept with the test's files
                page.screenshot(path=str(screenshot), full_page=True)
                log = page.inner_text("#log")
            finally:
                browser.close()
        gateway_state = http.get(f"{CANVAS}/state").json()["state"]
    # Equal as JSON values (JavaScript prints 2.0 as 2, so the texts are not compared).
    assert shown == gateway_state
    assert "r4 state_patch: add /tokens/color.accent" in log
    assert errors == []
    with Image.open(screenshot) as image:
        assert image.format == "PNG" and image.width == 1200 and image.height >= 800
        colors = image.convert("RGB").getcolors(maxcolors=1 << 20)
        assert colors is not None and len(colors) > 50  # text, panels and the header, not a blank page
