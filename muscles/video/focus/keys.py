"""Focus tokens -> keyframe payloads: the framing lanes (scale, position_x, position_y) that
video_render draws as a crop-and-zoom, and camera keys for muscles that place a camera.

Per clip, tokens run in time order; each eases the framing from where the previous one left
it (the whole frame first) onto its target over ``start_s..end_s``. A point or region target
makes two keys (the start, eased, and the end); a tracked subject adds a key at each of its
samples inside the range, the eased share of the way from the previous framing to where the
subject is then. The camera hovers over the frame plane above the framed point: position
(x, y, 1/scale), looking straight at it (forward (0, 0, -1)), the frame's normal (0, 0, 1)
facing it; x and y are shares of the frame, as everywhere here.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Final

from core.errors import InvalidArguments
from muscles.video.focus.model import (
    FocusAutomation,
    FocusMetadata,
    FocusPoint,
    FocusRegion,
    FocusSubject,
    FocusToken,
    FocusWarning,
    SubjectSample,
)
from muscles.video.timeline import AutomationPayload, CameraKey, Keyframe, ParameterLane, Timeline, Vec3
from muscles.video.timeline.automation import ease

__all__ = ["FOCUS_PARAMETERS", "focus_automation", "missing_metadata"]

FOCUS_PARAMETERS: Final = ("position_x", "position_y", "scale")  # the lanes a payload carries
_ZOOM: Final = (1.0, 10.0)
_DEFAULT_ZOOM: Final = 2.0
_WHOLE_FRAME: Final = (0.5, 0.5, 1.0)  # (x, y, scale)
_FORWARD: Final = Vec3(x=0.0, y=0.0, z=-1.0)
_NORMAL: Final = Vec3(x=0.0, y=0.0, z=1.0)

_Framing = tuple[float, float, float]  # (x, y, scale)


def missing_metadata(tokens: Sequence[FocusToken], metadata: FocusMetadata | None) -> list[FocusWarning]:
    """A warning for each token whose region or subject is not in ``metadata``."""
    found = metadata or FocusMetadata()
    warnings = []
    for index, token in enumerate(tokens):
        target = token.target
        if isinstance(target, FocusRegion) and target.name not in found.regions:
            missing, what = f"regions.{target.name}", f"region {target.name!r}"
        elif isinstance(target, FocusSubject) and not found.subjects.get(target.subject_id):
            missing, what = f"subjects.{target.subject_id}", f"subject {target.subject_id!r}"
        else:
            continue
        message = f"token {index} (clip {token.clip_id}) frames {what}, which the metadata does not hold"
        warnings.append(FocusWarning(token=index, missing=missing, message=message))
    return warnings


def focus_automation(
    tokens: Sequence[FocusToken], metadata: FocusMetadata | None = None, timeline: Timeline | None = None
) -> FocusAutomation:
    """The payloads of ``tokens`` (one per clip, in first-token order), applied to ``timeline``
    when given. Metadata a token needs but ``metadata`` lacks gives the no-op result: no
    payload at all and a warning per missing piece (a production-safe default: never a guess)."""
    _check(tokens, metadata or FocusMetadata())
    warnings = missing_metadata(tokens, metadata)
    if warnings:
        return FocusAutomation(payloads=[], noop=True, warnings=warnings, timeline=timeline)
    found = metadata or FocusMetadata()
    by_clip: dict[str, list[FocusToken]] = {}
    for token in tokens:
        by_clip.setdefault(token.clip_id, []).append(token)
    payloads = [
        _payload(clip_id, sorted(group, key=lambda t: t.start_s), found) for clip_id, group in by_clip.items()
    ]
    if timeline is not None:
        from muscles.video.timeline import apply_automation

        for payload in payloads:
            timeline = apply_automation(timeline, payload)
    return FocusAutomation(payloads=payloads, noop=False, timeline=timeline)


def _payload(clip_id: str, tokens: list[FocusToken], metadata: FocusMetadata) -> AutomationPayload:
    keys: list[tuple[float, _Framing, str]] = []  # (time, framing, interpolation to the next)
    framing = _WHOLE_FRAME
    for token in tokens:
        moves = _moves(token, framing, metadata)
        if keys and abs(keys[-1][0] - token.start_s) < 1e-9:
            keys[-1] = (token.start_s, framing, moves[0][2])  # the previous end is this start
            keys += moves[1:]
        else:
            keys += moves
        framing = moves[-1][1]
    lanes = [
        ParameterLane(
            parameter=name,
            keyframes=[Keyframe(time_s=t, value=round(f[i], 6), interpolation=how) for t, f, how in keys],
        )
        for i, name in ((0, "position_x"), (1, "position_y"), (2, "scale"))
    ]
    camera = [
        CameraKey(
            time_s=t,
            position=Vec3(x=round(f[0], 6), y=round(f[1], 6), z=round(1.0 / f[2], 6)),
            normal=_NORMAL,
            forward=_FORWARD,
            interpolation=how,
        )
        for t, f, how in keys
    ]
    return AutomationPayload(clip_id=clip_id, lanes=lanes, camera=camera)


def _moves(token: FocusToken, start: _Framing, metadata: FocusMetadata) -> list[tuple[float, _Framing, str]]:
    """The keys of one token: from ``start`` at start_s onto its target by end_s."""
    target = token.target
    zoom = token.zoom
    if isinstance(target, FocusRegion):
        box = metadata.regions[target.name]
        centre = (box.x + box.width / 2, box.y + box.height / 2)
        zoom = zoom if zoom is not None else _clamp(min(1 / box.width, 1 / box.height), *_ZOOM)
        return _eased(token, start, [(token.end_s, (*centre, zoom))])
    zoom = zoom if zoom is not None else _DEFAULT_ZOOM
    if isinstance(target, FocusPoint):
        return _eased(token, start, [(token.end_s, (target.x, target.y, zoom))])
    samples = metadata.subjects[target.subject_id]
    times = [s.time_s for s in samples if token.start_s < s.time_s < token.end_s] + [token.end_s]
    return _eased(token, start, [(t, (*_subject_at(samples, t), zoom)) for t in times])


def _eased(
    token: FocusToken, start: _Framing, aims: list[tuple[float, _Framing]]
) -> list[tuple[float, _Framing, str]]:
    """Keys from ``start`` at start_s towards each aim: with one aim the easing is the key's
    own curve; with several (a subject followed) each key is the eased share of the way there."""
    if len(aims) == 1:
        return [(token.start_s, start, token.easing), (token.end_s, aims[0][1], "linear")]
    span = token.end_s - token.start_s
    keys: list[tuple[float, _Framing, str]] = [(token.start_s, start, "linear")]
    for time_s, aim in aims:
        share = ease((time_s - token.start_s) / span, token.easing) if time_s < token.end_s else 1.0
        mixed = (_mix(start[0], aim[0], share), _mix(start[1], aim[1], share), _mix(start[2], aim[2], share))
        keys.append((time_s, mixed, "linear"))
    return keys


def _mix(a: float, b: float, share: float) -> float:
    return a + (b - a) * share


def _subject_at(samples: list[SubjectSample], time_s: float) -> tuple[float, float]:
    if time_s <= samples[0].time_s:
        return samples[0].x, samples[0].y
    for one, two in itertools.pairwise(samples):
        if time_s <= two.time_s:
            u = (time_s - one.time_s) / (two.time_s - one.time_s)
            return one.x + (two.x - one.x) * u, one.y + (two.y - one.y) * u
    return samples[-1].x, samples[-1].y


def _clamp(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


def _check(tokens: Sequence[FocusToken], metadata: FocusMetadata) -> None:
    """Coded errors for values no framing can honour, naming the field."""
    if not tokens:
        raise InvalidArguments("no focus tokens", value=0, hint="Pass at least one token.")
    for index, token in enumerate(tokens):
        where = f"tokens[{index}]"
        if token.start_s < 0 or token.end_s <= token.start_s:
            raise InvalidArguments(
                f"{where}: the range must start at 0 s or later and end after it starts",
                value=f"{token.start_s}..{token.end_s}",
                hint="Give start_s >= 0 and end_s > start_s (seconds from the clip's start).",
            )
        if token.zoom is not None and not _ZOOM[0] <= token.zoom <= _ZOOM[1]:
            raise InvalidArguments(
                f"{where}.zoom must be 1..10", value=token.zoom, hint="1 is the whole frame."
            )
        if isinstance(token.target, FocusPoint):
            _share(f"{where}.target", token.target.x, token.target.y)
    for name, box in metadata.regions.items():
        _share(f"metadata.regions.{name}", box.x, box.y, box.x + box.width, box.y + box.height)
        if box.width <= 0 or box.height <= 0:
            raise InvalidArguments(f"metadata.regions.{name} is empty", value=f"{box.width}x{box.height}")
    for subject, samples in metadata.subjects.items():
        times = [s.time_s for s in samples]
        if any(b <= a for a, b in itertools.pairwise(times)):
            raise InvalidArguments(
                f"metadata.subjects.{subject}: sample times must increase",
                value=subject,
                hint="Sort the samples.",
            )
        for sample in samples:
            _share(f"metadata.subjects.{subject}", sample.x, sample.y)
    ordered = sorted(enumerate(tokens), key=lambda item: (item[1].clip_id, item[1].start_s))
    for (_, one), (index, two) in itertools.pairwise(ordered):
        if one.clip_id == two.clip_id and two.start_s < one.end_s:
            raise InvalidArguments(
                f"tokens[{index}] starts before the clip's previous token ends",
                value=f"{two.clip_id}@{two.start_s}",
                hint="Tokens on one clip must not overlap: start each after the previous end_s.",
            )


def _share(where: str, *values: float) -> None:
    bad = next((v for v in values if not 0.0 <= v <= 1.0), None)
    if bad is not None:
        raise InvalidArguments(
            f"{where} leaves the frame", value=bad, hint="Frame coordinates are shares of the frame, 0..1."
        )
