"""What video_batch_render's declared examples read: video_render's sample clips."""

from __future__ import annotations

from tests.muscles.video_render.samples import REGISTERED, write_samples

__all__ = ["REGISTERED", "write_samples"]
