"""core: what every muscle, the sentinel, registry_sync and the gateway share.

The public surface is listed here; modules whose names start with an underscore are private.
"""

from core.contract import CanvasTool, Muscle, ToolExample, tool
from core.errors import AtomsError
from core.media.ref import MediaRef
from core.progress import Phase, Progress
from core.scope import Scope
from core.settings import Settings, load_settings
from core.spec import MuscleSpec

__all__ = [
    "AtomsError",
    "CanvasTool",
    "MediaRef",
    "Muscle",
    "MuscleSpec",
    "Phase",
    "Progress",
    "Scope",
    "Settings",
    "ToolExample",
    "load_settings",
    "tool",
]
