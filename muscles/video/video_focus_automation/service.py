"""video_focus_automation: focus tokens -> keyframe automation for video_timeline and video_render."""

from __future__ import annotations

from core import CanvasTool, Muscle, tool
from core.errors import InvalidArguments
from muscles.video.focus import FocusAutomation, FocusMetadata, FocusToken, focus_automation
from muscles.video.timeline import AutomationInvalid, Timeline, UnknownClip

from .examples import FOCUS_NOOP, FOCUS_POINT_AND_SUBJECT


class VideoFocusAutomation(Muscle):
    """Turns focus tokens into keyframe automation: where the picture looks, when, and how it
    gets there (camera automation for edits).

    A token frames a target on one clip (a point of the frame, a region named in the
    metadata, or a tracked subject's id) over a time range with an easing. The result is one
    payload per clip for video_timeline's `apply_automation`: framing lanes `scale`,
    `position_x`, `position_y` (video_render draws them as a crop-and-zoom, a Ken Burns move)
    and camera keys (`position`, `forward`, `normal`). When a token's region or subject is not
    in the metadata, the result is empty with a warning naming what is missing: never an
    error, never a guess.
    """

    version = "1.0.0"
    capabilities = ("cap.video.automation.focus",)
    canvas_tools = (
        CanvasTool(
            id="focus_on", icon="crosshair", type="trigger", tool="focus_automation", action="Focus here"
        ),
    )

    @tool(
        examples=[FOCUS_POINT_AND_SUBJECT, FOCUS_NOOP],
        errors=[InvalidArguments, UnknownClip, AutomationInvalid],
        read_only=True,
        idempotent=True,
    )
    def focus_automation(
        self,
        tokens: list[FocusToken],
        metadata: FocusMetadata | None = None,
        timeline: Timeline | None = None,
    ) -> FocusAutomation:
        """Keyframe payloads for the tokens, one per clip; with `timeline`, also that timeline
        with them applied (ready for video_render).

        Per clip, tokens run in time order and must not overlap; each eases the framing from
        where the previous one left it (the whole frame first) onto its target between start_s
        and end_s (seconds from the clip's start). `zoom` 1..10 (default 2; a region's default
        fits the region). A region or subject missing from `metadata` makes the no-op result:
        `noop` true, no payloads, one warning per missing item."""
        return focus_automation(tokens, metadata, timeline)
