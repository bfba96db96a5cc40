"""video_timeline: the shared timeline model as tools (validate, razor split, automation, describe)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from core import CanvasTool, Muscle, tool
from core.media import Workspace
from muscles.video.timeline import (
    AutomationInvalid,
    AutomationPayload,
    Issue,
    SplitOutOfRange,
    Timeline,
    TimelineDescription,
    TimelineInvalid,
    UnknownClip,
    apply_automation,
    check,
    describe,
    find_issues,
    split,
    stored_facts,
)
from muscles.video.video_timeline.examples import (
    APPLY_AUTOMATION,
    DESCRIBE,
    DESCRIBE_EDITED,
    SPLIT,
    VALIDATE_OK,
    VALIDATE_PROBLEMS,
)
from muscles.video.video_timeline.examples_sound import DESCRIBE_MIX, VALIDATE_MIX_PROBLEMS


class ValidationReport(BaseModel):
    """Whether the timeline can be rendered, and every problem found (clip, field, hint)."""

    valid: bool
    issues: list[Issue]
    duration_s: float | None = Field(description="Set when the timeline is valid")
    frame_count: int | None = Field(description="Set when the timeline is valid")


class VideoTimeline(Muscle):
    """Builds and checks timelines for video_render: tracks of media_v2 clips with in/out points,
    speed and volume, named transitions (every xfade transition, acrossfade curves), fades from
    and to a colour, layer tracks composited over the base (layout box, opacity, hidden and
    muted tracks), still images and `color:` clips with `duration_s`, colour grades and .cube
    LUTs, output aspect (16:9, 9:16, 1:1, 4:5 by pad, crop or blur), text overlays, the audio
    mix and keyframe automation (volume, brightness, Ken Burns scale/position_x/position_y,
    placement x/y/size/rotation/opacity, camera position/normal/forward).

    Use it to validate a timeline against the stored media before rendering (every problem
    names the clip and field), to cut clips with the razor, to put automation keyframes on a
    clip, and to learn a timeline's duration and frame count.
    """

    version = "1.1.0"
    capabilities = ("cap.video.timeline_validate", "cap.video.timeline_edit")
    canvas_tools = (
        CanvasTool(
            id="split_razor", icon="scissors", type="trigger", tool="split", action="Split at playhead"
        ),
    )

    @tool(examples=[VALIDATE_OK, VALIDATE_PROBLEMS, VALIDATE_MIX_PROBLEMS], read_only=True, idempotent=True)
    def validate(self, timeline: Timeline, workspace: Workspace) -> ValidationReport:
        """Check a timeline against the caller's stored media: overlaps, gaps on the video track,
        negative or reversed in/out points, in/out past the end of the media, unknown assets and
        clips, crossfades that do not match the overlap, overlays, automation and output settings,
        clip gain and fades, ducking, the loudness target, and caption tracks (uri, words, style).
        Returns every problem with its code, clip id, field and a hint; valid timelines also get
        their duration and frame count."""
        facts = stored_facts(workspace.blocking, timeline)
        issues = find_issues(timeline, facts)
        if issues:
            return ValidationReport(valid=False, issues=issues, duration_s=None, frame_count=None)
        description = describe(timeline, facts)
        return ValidationReport(
            valid=True, issues=[], duration_s=description.duration_s, frame_count=description.frame_count
        )

    @tool(
        title="Split a clip (razor)",
        examples=[SPLIT],
        errors=[SplitOutOfRange, UnknownClip, TimelineInvalid],
        read_only=True,
        idempotent=True,
    )
    def split(
        self, timeline: Timeline, at_s: float, workspace: Workspace, clip_id: str | None = None
    ) -> Timeline:
        """Cut a clip in two at timeline time `at_s` and return the new timeline.

        With `clip_id` only that clip is cut; without it every clip under `at_s` is (a razor
        across all tracks). The right part gets the id `<id>_2`, takes over a crossfade out of
        the clip and keeps the automation after the cut, re-timed to its own start."""
        facts = stored_facts(workspace.blocking, timeline)
        # The razor cuts well-formed timelines only (with the problems validate names); it needs
        # no stored media, so media checks are left to validate.
        check(timeline)
        return split(timeline, at_s, clip_id, facts)

    @tool(
        examples=[APPLY_AUTOMATION],
        errors=[AutomationInvalid, UnknownClip],
        read_only=True,
        idempotent=True,
    )
    def apply_automation(self, timeline: Timeline, automation: AutomationPayload) -> Timeline:
        """Put keyframe automation on one clip and return the new timeline.

        Lanes (volume, brightness) replace the clip's lane for the same parameter; camera keys
        (position, normal, forward) replace its camera keys when given. Key times are seconds
        from the clip's start on the timeline; interpolation is linear, hold or ease_in_out."""
        return apply_automation(timeline, automation)

    @tool(
        examples=[DESCRIBE, DESCRIBE_EDITED, DESCRIBE_MIX],
        errors=[TimelineInvalid],
        read_only=True,
        idempotent=True,
    )
    def describe(self, timeline: Timeline, workspace: Workspace) -> TimelineDescription:
        """Return the timeline's duration, output fps, frame count and frame size, its tracks
        (base, layers in compositing order, audio; muted, hidden) and each clip's span; the audio
        tracks (role, span, what they are ducked under), caption tracks and the loudness target."""
        return describe(timeline, stored_facts(workspace.blocking, timeline))
