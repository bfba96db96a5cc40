"""Media and timelines for the render tests, made at test time with ffmpeg lavfi."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from core.media.ref import MediaRef
from core.media.store import MediaStore
from core.scope import Scope
from core.storage import asset_key
from tests.media_samples import ffmpeg_running_under, write_test_video

__all__ = ["crossfade_timeline", "ffmpeg_running_under", "register_clip", "store_raw"]


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
