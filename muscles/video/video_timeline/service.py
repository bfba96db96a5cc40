"""video_timeline: the shared timeline model as tools (validate, razor split, automation, describe)."""

from __future__ import annotations

from pydantic import BaseModel, Field, JsonValue

from core import CanvasTool, Muscle, ToolExample, tool
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


class ValidationReport(BaseModel):
    """Whether the timeline can be rendered, and every problem found (clip, field, hint)."""

    valid: bool
    issues: list[Issue]
    duration_s: float | None = Field(description="Set when the timeline is valid")
    frame_count: int | None = Field(description="Set when the timeline is valid")


# Examples use clip uris whose media are not needed (every out point is set), so their
# responses do not depend on any stored asset.
_CLIP_A = "atoms://media/0123456789abcdef0123456789abcdef/a.mp4"
_CLIP_B = "atoms://media/fedcba9876543210fedcba9876543210/b.mp4"
EXAMPLE_TIMELINE: dict[str, JsonValue] = {
    "tracks": [
        {
            "id": "video",
            "clips": [
                {"id": "intro", "uri": _CLIP_A, "source_in_s": 0.0, "source_out_s": 4.0},
                {"id": "main", "uri": _CLIP_B, "source_in_s": 1.0, "source_out_s": 7.0, "start_s": 3.5},
            ],
        }
    ],
    "transitions": [{"from_clip": "intro", "to_clip": "main", "duration_s": 0.5}],
    "overlays": [{"id": "title", "text": "Hello", "start_s": 0.0, "end_s": 2.0}],
    "output": {"fps": 25},
}


def _clip_out(
    clip_id: str, uri: str, source_in_s: float, source_out_s: float, start_s: float
) -> dict[str, JsonValue]:
    """A clip as the tools return it: every default spelled out."""
    return {
        "id": clip_id,
        "uri": uri,
        "source_in_s": source_in_s,
        "source_out_s": source_out_s,
        "start_s": start_s,
        "speed": 1.0,
        "volume": 1.0,
        "automation": {"lanes": [], "camera": []},
    }


SPLIT_RESPONSE: dict[str, JsonValue] = {
    "tracks": [
        {
            "id": "video",
            "kind": "video",
            "clips": [
                _clip_out("intro", _CLIP_A, 0.0, 4.0, 0.0),
                _clip_out("main", _CLIP_B, 1.0, 2.5, 3.5),
                _clip_out("main_2", _CLIP_B, 2.5, 7.0, 5.0),
            ],
            "volume": 1.0,
            "muted": False,
        }
    ],
    "transitions": [{"kind": "crossfade", "from_clip": "intro", "to_clip": "main", "duration_s": 0.5}],
    "overlays": [
        {
            "id": "title",
            "text": "Hello",
            "start_s": 0.0,
            "end_s": 2.0,
            "position": "bottom",
            "font_size": 32,
            "color": "white",
            "box": True,
        }
    ],
    "audio": {"master_volume": 1.0, "sample_rate": 48000},
    "output": {
        "video_codec": "libx264",
        "crf": 20,
        "preset": "veryfast",
        "width": None,
        "height": None,
        "fps": 25.0,
        "audio_codec": "aac",
        "audio_bitrate": "128k",
        "proxy": False,
        "allow_stream_copy": True,
    },
}
DESCRIBE_RESPONSE: dict[str, JsonValue] = {
    "duration_s": 9.5,
    "fps": 25.0,
    "frame_count": 238,
    "track_count": 1,
    "clip_count": 2,
    "transition_count": 1,
    "overlay_count": 1,
    "clips": [
        {"clip_id": "intro", "track_id": "video", "start_s": 0.0, "end_s": 4.0},
        {"clip_id": "main", "track_id": "video", "start_s": 3.5, "end_s": 9.5},
    ],
}


class VideoTimeline(Muscle):
    """Builds and checks timelines for video_render: tracks of media_v2 clips with in/out points,
    speed and volume, crossfades, text overlays, the audio mix, output settings and keyframe
    automation (volume, brightness, camera position/normal/forward).

    Use it to validate a timeline against the stored media before rendering (every problem
    names the clip and field), to cut clips with the razor, to put automation keyframes on a
    clip, and to learn a timeline's duration and frame count.
    """

    version = "1.0.0"
    capabilities = ("cap.video.timeline_validate", "cap.video.timeline_edit")
    canvas_tools = (
        CanvasTool(
            id="split_razor", icon="scissors", type="trigger", tool="split", action="Split at playhead"
        ),
    )

    @tool(read_only=True, idempotent=True)
    def validate(self, timeline: Timeline, workspace: Workspace) -> ValidationReport:
        """Check a timeline against the caller's stored media: overlaps, gaps on the video track,
        negative or reversed in/out points, in/out past the end of the media, unknown assets and
        clips, crossfades that do not match the overlap, overlays, automation and output settings.
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
        examples=[
            ToolExample(
                title="Cut the main clip at 5 s",
                request={"timeline": EXAMPLE_TIMELINE, "at_s": 5.0},
                response=SPLIT_RESPONSE,
            )
        ],
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
        examples=[
            ToolExample(
                title="Duration and frames",
                request={"timeline": EXAMPLE_TIMELINE},
                response=DESCRIBE_RESPONSE,
            )
        ],
        errors=[TimelineInvalid],
        read_only=True,
        idempotent=True,
    )
    def describe(self, timeline: Timeline, workspace: Workspace) -> TimelineDescription:
        """Return the timeline's duration, output fps and frame count, and each clip's span."""
        return describe(timeline, stored_facts(workspace.blocking, timeline))
