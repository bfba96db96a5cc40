"""What is known about a timeline's clip assets, from media_v2's recorded probes (no download).

The service's check and the render job's check read the same recorded facts, so they cannot
disagree about a clip.
"""

from __future__ import annotations

from core.errors import AssetNotFound, InvalidInput
from core.media import BlockingWorkspace, MediaInfo
from muscles.video.timeline.editing import color_facts, color_of
from muscles.video.timeline.model import Timeline

__all__ = ["stored_facts"]


def stored_facts(workspace: BlockingWorkspace, timeline: Timeline) -> dict[str, MediaInfo]:
    """uri -> facts for every clip asset the tenant has; missing or malformed uris are left
    out, so validation reports them against the clip that names them."""
    facts: dict[str, MediaInfo] = {}
    first_clip = {clip.uri: clip.id for clip in reversed(timeline.clips())}
    for uri, clip_id in reversed(first_clip.items()):
        if color_of(uri) is not None:
            facts[uri] = color_facts()
            continue
        try:
            recorded = workspace.describe(uri).info
        except (AssetNotFound, InvalidInput):
            continue
        if recorded is None:
            # Stored without a probe (by an older release): opened and probed once; what is
            # wrong with it (not media, a playlist) is the error, named by its first clip.
            recorded = workspace.open(
                uri, field=f"{clip_id}.uri", subject=f"clip {clip_id}", clip_id=clip_id
            ).info
        facts[uri] = recorded
    return facts
