"""Audio muscles: speech to text (transcriber) and loudness normalisation (audio_capture_normalize)."""
