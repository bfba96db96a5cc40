"""video_slowmo's examples read the same stored clips as video_render's."""

from tests.muscles.video_render.samples import REGISTERED, write_samples

__all__ = ["REGISTERED", "write_samples"]
