"""Focus automation shared by the video muscles: focus tokens (a point, a named region or a
tracked subject; a time range; an easing) and the keyframes they make.

:func:`focus_automation` turns tokens into :class:`~muscles.video.timeline.AutomationPayload`
objects that video_timeline's ``apply_automation`` accepts: the framing lanes ``scale``,
``position_x`` and ``position_y`` (:data:`FOCUS_PARAMETERS`; video_render draws them as a
crop-and-zoom) and camera keys (``position``, ``forward``, ``normal``) for muscles that place a
camera. Tokens whose region or subject is missing from the metadata give the no-op result:
no keys, a warning naming what is missing.
"""

from muscles.video.focus.keys import FOCUS_PARAMETERS, focus_automation, missing_metadata
from muscles.video.focus.model import (
    FocusAutomation,
    FocusMetadata,
    FocusPoint,
    FocusRegion,
    FocusSubject,
    FocusTarget,
    FocusToken,
    FocusWarning,
    Region,
    SubjectSample,
)

__all__ = [
    "FOCUS_PARAMETERS",
    "FocusAutomation",
    "FocusMetadata",
    "FocusPoint",
    "FocusRegion",
    "FocusSubject",
    "FocusTarget",
    "FocusToken",
    "FocusWarning",
    "Region",
    "SubjectSample",
    "focus_automation",
    "missing_metadata",
]
