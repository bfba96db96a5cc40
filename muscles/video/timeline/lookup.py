"""Media facts for a timeline's clips from media_v2's stored metadata (no download)."""

from __future__ import annotations

from core.errors import AssetNotFound, InvalidInput
from core.media.store import MediaStore
from core.scope import Scope
from muscles.video.timeline.facts import MediaFacts, facts_from_ref
from muscles.video.timeline.model import Timeline

__all__ = ["stored_facts"]


def stored_facts(store: MediaStore, scope: Scope, timeline: Timeline) -> dict[str, MediaFacts]:
    """uri -> facts for every clip asset the tenant has; missing or malformed uris are left
    out, so validation reports them against the clip that names them."""
    facts: dict[str, MediaFacts] = {}
    for uri in dict.fromkeys(clip.uri for clip in timeline.clips()):
        try:
            facts[uri] = facts_from_ref(store.stat(scope, uri))
        except (AssetNotFound, InvalidInput):
            continue
    return facts
