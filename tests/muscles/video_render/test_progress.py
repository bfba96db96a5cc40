"""Progress a client sees during a real render: monotone, and every message names its phase."""

from __future__ import annotations

import anyio

from tests.muscles.video_render.conftest import RenderServer
from tests.muscles.video_render.media import crossfade_timeline, register_clip

PHASES = ("probing", "encoding", "checking", "registering")


def test_render_progress_is_monotone_and_names_each_phase_in_order(render_server: RenderServer) -> None:
    server = render_server
    first = register_clip(server.store, server.scope, server.media, "a.mp4", seconds=2, size="160x90")
    second = register_clip(server.store, server.scope, server.media, "b.mp4", seconds=2, size="160x90")
    reports: list[tuple[float, str]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        reports.append((progress, message or ""))

    async def run() -> None:
        async with server.session() as client:
            with anyio.fail_after(120):
                result = await client.call_tool(
                    "render",
                    {"timeline": crossfade_timeline(first.uri, second.uri)},
                    progress_callback=on_progress,
                )
        assert not result.is_error, result.content

    anyio.run(run)
    fractions = [fraction for fraction, _ in reports]
    assert fractions == sorted(fractions), reports
    named = [message.split(":", 1)[0] for _, message in reports]
    assert all(name in PHASES for name in named), reports
    assert sorted(set(named), key=named.index) == list(PHASES), reports
    assert reports[-1] == (1.0, "registering")
    assert all(fraction < 1.0 for fraction, _ in reports[:-1]), reports
