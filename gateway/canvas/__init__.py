"""Canvas state: each canvas's authoritative JSON document and revision, held in the spine.

- :mod:`~gateway.canvas.patches`: RFC 6902 patches against a base revision, what they touch,
  rebasing and applying them;
- :mod:`~gateway.canvas.types`: canvas types and their JSON Schemas (``schemas/``);
- :mod:`~gateway.canvas.commit`: what a canvas transaction decides under the canvas's lock;
- :mod:`~gateway.canvas.service`: commits, declarations, reads and snapshots;
- :mod:`~gateway.canvas.documents`: large snapshots as media_v2 documents;
- :mod:`~gateway.canvas.catalog` and :mod:`~gateway.canvas.manifest`: CANVAS_READY's tool buttons.
"""

from gateway.canvas.catalog import CatalogTool, ToolCatalog
from gateway.canvas.commit import CanvasLimits
from gateway.canvas.manifest import Manifest, ToolGate, admit_all
from gateway.canvas.patches import Patch, apply_ops, canonical, parse_patch
from gateway.canvas.service import CanvasService, CommitReply
from gateway.canvas.types import CanvasType, CanvasTypes

__all__ = [
    "CanvasLimits",
    "CanvasService",
    "CanvasType",
    "CanvasTypes",
    "CatalogTool",
    "CommitReply",
    "Manifest",
    "Patch",
    "ToolCatalog",
    "ToolGate",
    "admit_all",
    "apply_ops",
    "canonical",
    "parse_patch",
]
