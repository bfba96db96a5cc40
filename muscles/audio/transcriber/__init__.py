"""transcriber: speech to text with faster-whisper, subtitles registered in media_v2."""
