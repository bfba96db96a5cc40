"""video_multicam: offsets, confidence and clock drift between recordings of one event, from their sound."""
