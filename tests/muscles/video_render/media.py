"""Media and timelines for the render tests, made at test time with ffmpeg lavfi."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

from core.ffmpeg.runner import ffmpeg_binary
from core.media.ref import MediaRef
from core.media.store import MediaStore
from core.scope import Scope
from core.storage import asset_key
from tests.media_samples import ffmpeg_running_under, write_test_video

__all__ = [
    "crossfade_timeline",
    "ffmpeg_running_under",
    "register_clip",
    "store_raw",
    "stream_lengths",
    "write_damaged",
]


def register_clip(store: MediaStore, scope: Scope, folder: Path, name: str, **video: Any) -> MediaRef:
    path = write_test_video(folder / name, **video)
    return store.register_staged(scope, store.stage_local(path), name)


def store_raw(store: MediaStore, scope: Scope, path: Path, content_type: str) -> str:
    """Put ``path`` into storage as is (no media check, no metadata): a damaged asset, as a
    file changed behind media_v2's back would be. Returns its uri."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    asset_id = digest[:32]
    key = asset_key(scope.tenant_id, store.env, asset_id, path.name)
    store.storage.put_file(key, path, content_type=content_type, sha256=digest, metadata={})
    return f"atoms://media/{asset_id}/{path.name}"


def crossfade_timeline(first: str, second: str, **output: Any) -> dict[str, Any]:
    """Two clips joined by a 0.5 s crossfade, with a caption, at 25 fps."""
    return {
        "tracks": [
            {
                "id": "video",
                "clips": [
                    {"id": "a", "uri": first, "source_in_s": 0.2, "source_out_s": 1.8},
                    {"id": "b", "uri": second, "source_in_s": 0.0, "source_out_s": 1.5, "start_s": 1.1},
                ],
            }
        ],
        "transitions": [{"from_clip": "a", "to_clip": "b", "duration_s": 0.5}],
        "overlays": [{"id": "title", "text": "Take 1: it's [on]", "start_s": 0.2, "end_s": 1.5}],
        "output": {"fps": 25, **output},
    }


def write_damaged(path: Path, *, seconds: float = 5.0, damage_from: float = 0.5, share: float = 0.2) -> Path:
    """An MP4 (index first, so it still registers) with ``share`` of its bytes randomised from
    ``damage_from`` of the file onwards: its decoders give out well before its declared end."""
    clean = path.with_name(f"clean-{path.name}")
    subprocess.run(
        [
            ffmpeg_binary(),
            *("-hide_banner", "-loglevel", "error", "-y"),
            *("-f", "lavfi", "-i", f"testsrc2=size=320x180:rate=25:duration={seconds}"),
            *("-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"),
            *("-shortest", "-movflags", "+faststart", str(clean)),
        ],
        check=True,
    )
    data = bytearray(clean.read_bytes())
    chance = random.Random(12)  # seeded: the same damage every run
    for index in range(int(len(data) * damage_from), len(data)):
        if chance.random() < share:
            data[index] = chance.randrange(256)
    path.write_bytes(bytes(data))
    clean.unlink()
    return path


def stream_lengths(path: Path) -> tuple[int, float, float | None]:
    """(video frames, video seconds, audio seconds) as ffprobe reads the container: a meter
    other than the one the render uses on itself."""
    ffprobe = shutil.which("ffprobe")
    assert ffprobe is not None, "these checks need ffprobe"
    shown = subprocess.run(
        [ffprobe, "-v", "error", "-count_packets", "-show_streams", "-of", "json", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    streams = {stream["codec_type"]: stream for stream in json.loads(shown)["streams"]}
    video, audio = streams["video"], streams.get("audio")
    audio_s = float(audio["duration"]) if audio is not None else None
    return int(video["nb_read_packets"]), float(video["duration"]), audio_s
