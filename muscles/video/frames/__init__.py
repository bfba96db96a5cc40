"""Pixels of 360 video shared by the video muscles: remap tables for equirect <-> perspective
and cubemap (py360convert's conventions), a bounded LRU of them, and two ways to apply one:
``cv2.remap`` on the CPU, or torch ``grid_sample`` (CUDA when the ``gpu`` extra and a GPU are there);
and the frame pipe that runs a function over every frame of a video (:func:`map_video`).
"""

from muscles.video.frames.geometry import FACES, View
from muscles.video.frames.layouts import CUBE_LAYOUTS, CubeLayout, face_size, from_layout, layout_size
from muscles.video.frames.opencv import Frame
from muscles.video.frames.pipe import ENCODE, NoFrames, first_frame_decodes, map_video
from muscles.video.frames.project import Backend, Interpolation, Path, Projector, resolve_path
from muscles.video.frames.tables import TABLES, RemapTable, TableCache

__all__ = [
    "CUBE_LAYOUTS",
    "ENCODE",
    "FACES",
    "TABLES",
    "Backend",
    "CubeLayout",
    "Frame",
    "Interpolation",
    "NoFrames",
    "Path",
    "Projector",
    "RemapTable",
    "TableCache",
    "View",
    "face_size",
    "first_frame_decodes",
    "from_layout",
    "layout_size",
    "map_video",
    "resolve_path",
]
