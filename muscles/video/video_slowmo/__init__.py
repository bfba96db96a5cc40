"""video_slowmo: slow motion and frame-rate conversion with interpolated frames."""
