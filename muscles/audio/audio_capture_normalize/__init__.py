"""audio_capture_normalize: EBU R128 two-pass loudness normalisation with ffmpeg's loudnorm."""
