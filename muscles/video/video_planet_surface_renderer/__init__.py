"""video_planet_surface_renderer: the HAZE planet as a rendered MP4."""
