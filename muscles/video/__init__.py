"""Video muscles: the shared timeline and the renderer that burns it into an MP4."""
