"""The timeline model every video muscle shares, with its validation and edits.

A :class:`Timeline` holds tracks of clips (media_v2 uris with in/out, start, speed, volume
and keyframe automation), crossfades, text overlays, the audio mix and output settings.
:func:`find_issues` / :func:`check` validate it (against probed media when facts are given),
:func:`split` and :func:`apply_automation` edit it, :func:`describe` measures it.
"""

from muscles.video.timeline.automation import value_at
from muscles.video.timeline.describe import (
    ClipSpan,
    TimelineDescription,
    TrackSummary,
    describe,
    even,
    fps_fraction,
    frame_count,
    output_fps,
    output_size,
    timeline_duration,
)
from muscles.video.timeline.edit import apply_automation, split
from muscles.video.timeline.editing import (
    ASPECTS,
    AUDIO_CURVES,
    TRANSFORM_PARAMETERS,
    TRANSITIONS,
    ClipFade,
    ColorGrade,
    Layout,
    color_facts,
    color_of,
)
from muscles.video.timeline.errors import (
    AutomationInvalid,
    SplitOutOfRange,
    TimelineInvalid,
    TimeOutOfRange,
    UnknownClip,
)
from muscles.video.timeline.facts import clip_duration, clip_end
from muscles.video.timeline.lookup import stored_facts
from muscles.video.timeline.model import (
    AudioMix,
    AutomationPayload,
    CameraKey,
    Clip,
    ClipAutomation,
    Crossfade,
    Keyframe,
    OutputSettings,
    ParameterLane,
    TextOverlay,
    Timeline,
    Track,
    Vec3,
)
from muscles.video.timeline.validate import Issue, check, find_issues, issue_error

__all__ = [
    "ASPECTS",
    "AUDIO_CURVES",
    "TRANSFORM_PARAMETERS",
    "TRANSITIONS",
    "AudioMix",
    "AutomationInvalid",
    "AutomationPayload",
    "CameraKey",
    "Clip",
    "ClipAutomation",
    "ClipFade",
    "ClipSpan",
    "ColorGrade",
    "Crossfade",
    "Issue",
    "Keyframe",
    "Layout",
    "OutputSettings",
    "ParameterLane",
    "SplitOutOfRange",
    "TextOverlay",
    "TimeOutOfRange",
    "Timeline",
    "TimelineDescription",
    "TimelineInvalid",
    "Track",
    "TrackSummary",
    "UnknownClip",
    "Vec3",
    "apply_automation",
    "check",
    "clip_duration",
    "clip_end",
    "color_facts",
    "color_of",
    "describe",
    "even",
    "find_issues",
    "fps_fraction",
    "frame_count",
    "issue_error",
    "output_fps",
    "output_size",
    "split",
    "stored_facts",
    "timeline_duration",
    "value_at",
]
