"""Code the HAZE planet muscles share: sphere geometry, the runner's walks, the surface shader
(NumPy, and torch where installed), contours on a latitude/longitude grid, and their errors."""
