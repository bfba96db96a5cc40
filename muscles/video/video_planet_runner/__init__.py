"""video_planet_runner: ground-locked camera walks on the HAZE planet."""
