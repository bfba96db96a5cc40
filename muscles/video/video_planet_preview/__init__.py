"""video_planet_preview: the HAZE planet walk, planned for the client or rendered on export."""
