"""Errors of the HAZE planet muscles: each names the field (or the preview step) at fault.

core.errors.InvalidInput
├── PlanetInvalid       planet_invalid        a surface or contour parameter out of range (value: the field)
└── PathInvalid         planet_path_invalid   a runner path that is malformed or leaves the surface
core.errors.AtomsError
└── PreviewStepFailed   preview_step_failed   a step of the preview (surface, runner, focus, render) failed
"""

from __future__ import annotations

from core.errors import AtomsError, InvalidInput

__all__ = ["PathInvalid", "PlanetInvalid", "PreviewStepFailed"]


class PlanetInvalid(InvalidInput):
    code = "planet_invalid"
    default_hint = "Correct the parameter named in value; the tool's input schema gives each range."


class PathInvalid(InvalidInput):
    code = "planet_path_invalid"
    default_hint = (
        "Latitudes are -90..90, longitudes -180..180; speed, duration, radius and keyframe rate "
        "are > 0, eye height >= 0; a waypoint route must be at least speed x duration long."
    )


class PreviewStepFailed(AtomsError):
    code = "preview_step_failed"
    default_hint = "The step named in value failed; its own error (code, hint) is in details."
    http_status = 422

    def __init__(self, step: str, cause: AtomsError) -> None:
        super().__init__(
            f"preview step {step!r} failed: {cause.message}",
            value=step,
            hint=cause.hint,
            details={"step": step, "cause": cause.to_dict()},
        )
