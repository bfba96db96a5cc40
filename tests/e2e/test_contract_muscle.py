"""A new muscle written only against the public contract (open a video, one ffmpeg call, publish)
generates, serves over real stdio and HTTP, and leaves no work folder behind after a success,
after a coded error and after a cancelled call (the folders are checked on disk)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters

from core.discovery import locate
from core.ffmpeg import ffmpeg_binary
from core.media import MediaStore
from core.scope import Scope
from core.settings import Settings
from sentinel.generate import generate
from tests.conftest import add_service, free_port
from tests.e2e.conftest import muscle_env
from tests.media_samples import write_test_video, write_tone_wav
from tests.servers import start_until_ready

WAIT_S = 60.0
THUMBNAIL = '''"""Thumbnails of videos, written against the public muscle contract only."""

from __future__ import annotations

from core import MediaRef, Muscle, Progress, tool
from core.ffmpeg import run_ffmpeg
from core.media import Workspace


class Thumbnail(Muscle):
    """Makes a still picture (PNG) of a video's frame at a given time."""

    version = "1.0.0"

    @tool(errors=["asset_not_found", "no_video_stream"])
    async def thumbnail(
        self, uri: str, workspace: Workspace, progress: Progress, at_s: float = 0.0, realtime: bool = False
    ) -> MediaRef:
        """A PNG of the frame at `at_s` seconds; `realtime` decodes up to it at the video's own pace."""
        video = await workspace.open(uri, need="video")
        still = workspace.path(f"{video.stem}-thumb.png")
        seek = ["-re", *video.input_args, "-ss", str(at_s)] if realtime else ["-ss", str(at_s), *video.input_args]
        await run_ffmpeg([*seek, "-frames:v", "1", "-y", str(still)], on_progress=progress)
        return await workspace.publish(still)
'''


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("contract")
    (root / "muscles").mkdir()
    (root / "muscles" / "__init__.py").write_text("")
    service = add_service(root, "video", "thumbnail", THUMBNAIL)
    outcome = generate(locate(service))
    assert outcome.problem is None, outcome.problem
    env = muscle_env(root, PYTHONPATH=str(root))
    settings = Settings(
        data_dir=Path(env["ATOMS_DATA_DIR"]), tenant_id=env["ATOMS_TENANT_ID"], signing_key="k"
    )  # type: ignore[arg-type]
    store, scope = MediaStore.from_settings(settings), Scope(tenant_id=settings.tenant_id)
    video = write_test_video(root / "clip.mp4", seconds=6.0, size="160x120")
    tone = write_tone_wav(root / "tone.wav", seconds=0.5)
    return {
        "root": root,
        "env": env,
        "store": store,
        "scope": scope,
        "work": settings.data_dir / "work",
        "video": store.register_staged(scope, store.stage_local(video), "clip.mp4").uri,
        "tone": store.register_staged(scope, store.stage_local(tone), "tone.wav").uri,
        "source": video,
    }


def _frame_rgb(path: Path, *, at_s: float | None = None) -> bytes:
    seek = ["-ss", str(at_s)] if at_s is not None else []
    done = subprocess.run(
        [
            ffmpeg_binary(),
            "-v",
            "error",
            *seek,
            "-i",
            str(path),
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ],
        capture_output=True,
        check=True,
    )
    return done.stdout


def _work_folders(project: dict[str, Any]) -> list[str]:
    work: Path = project["work"]
    return sorted(p.name for p in work.iterdir()) if work.exists() else []


def _ffmpeg_running(data_dir: Path) -> bool:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().split(")")[-1].split()[0]
        except OSError:
            continue
        if b"ffmpeg" in cmdline and str(data_dir).encode() in cmdline and state != "Z":
            return True
    return False


def _content(result: Any) -> dict[str, Any]:
    content = result.structured_content
    return content["result"] if isinstance(content, dict) and set(content) == {"result"} else content


def test_the_contract_muscle_over_stdio_leaves_no_work_folder(project: dict[str, Any]) -> None:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "muscles.video.thumbnail.mcp"],
        env=project["env"],
        cwd=str(project["root"]),
    )
    data_dir = Path(project["env"]["ATOMS_DATA_DIR"])
    before_cancel: list[str] = []

    async def run() -> tuple[Any, Any]:
        async with Client(params) as client:
            made = await client.call_tool("thumbnail", {"uri": project["video"], "at_s": 2.0})
            assert _work_folders(project) == []
            refused = await client.call_tool("thumbnail", {"uri": project["tone"]})
            assert _work_folders(project) == []
            before_cancel.extend(ref.uri for ref in project["store"].list(project["scope"]))
            async with anyio.create_task_group() as tg:
                tg.start_soon(
                    client.call_tool, "thumbnail", {"uri": project["video"], "at_s": 5.0, "realtime": True}
                )
                with anyio.fail_after(WAIT_S):
                    while not _ffmpeg_running(data_dir):  # noqa: ASYNC110 - another process tree
                        await anyio.sleep(0.05)
                assert _work_folders(project), "the running call has no work folder"
                tg.cancel_scope.cancel()  # the SDK sends notifications/cancelled
            with anyio.fail_after(WAIT_S):
                while _ffmpeg_running(data_dir) or _work_folders(project):  # noqa: ASYNC110
                    await anyio.sleep(0.05)
            return made, refused

    made, refused = anyio.run(run)
    assert not made.is_error, made.structured_content
    ref = _content(made)
    assert ref["mime_type"] == "image/png" and (ref["width"], ref["height"]) == (160, 120)
    stored = project["store"].materialize(project["scope"], ref["uri"], project["root"] / "thumb.png")
    assert _frame_rgb(stored) == _frame_rgb(project["source"], at_s=2.0)  # the frame at 2 s, pixel for pixel
    assert refused.is_error and refused.structured_content["error"]["code"] == "no_video_stream"
    assert refused.structured_content["error"]["value"] == "uri"
    assert sorted(r.uri for r in project["store"].list(project["scope"])) == sorted(before_cancel)
    assert _work_folders(project) == []


def test_the_contract_muscle_over_http(project: dict[str, Any], tmp_path: Path) -> None:
    port = free_port()
    env = {**project["env"], "ATOMS_HTTP_PORT": str(port)}
    server = start_until_ready(
        [sys.executable, "-m", "muscles.video.thumbnail.mcp", "--transport", "http", "--port", str(port)],
        env,
        tmp_path / "server.log",
        port,
        what="thumbnail server",
        cwd=project["root"],
    )
    try:

        async def run() -> Any:
            async with Client(f"{server.base_url}/mcp") as client:
                return await client.call_tool("thumbnail", {"uri": project["video"], "at_s": 1.0})

        result = anyio.run(run)
    finally:
        server.process.terminate()
        server.process.wait(timeout=15)
    assert not result.is_error, result.structured_content
    assert _content(result)["mime_type"] == "image/png"
    assert _work_folders(project) == []
    assert "Traceback" not in server.log_text(), server.log_text()[-2000:]
    assert os.environ.get("ATOMS_HTTP_PORT") != str(port)  # the server's settings stayed its own
