"""video_planet_contours: contour lines of metrics on the HAZE planet."""
