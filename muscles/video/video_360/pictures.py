"""Still pictures in and out as RGB arrays: decoded with OpenCV, written as PNG (lossless, and
the same bytes for the same pixels)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from core.errors import MediaUnreadable
from muscles.video.frames import Frame

__all__ = ["read_picture", "write_png"]


def read_picture(path: Path, uri: str) -> Frame:
    data = np.fromfile(path, dtype=np.uint8)
    decoded = cv2.imdecode(data, cv2.IMREAD_COLOR)  # grey and alpha pictures become RGB
    if decoded is None:
        raise MediaUnreadable("the picture does not decode", value=uri)
    return np.ascontiguousarray(decoded[..., ::-1])


def write_png(frame: Frame, path: Path) -> Path:
    ok, encoded = cv2.imencode(".png", np.ascontiguousarray(frame[..., ::-1]))
    if not ok:  # pragma: no cover - OpenCV encodes any uint8 RGB array
        raise MediaUnreadable("the picture did not encode as PNG", value=path.name)
    path.write_bytes(encoded.tobytes())
    return path
