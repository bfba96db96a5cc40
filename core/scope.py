"""Who a call acts for. Muscles read the tenant from here, never from tool arguments."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator

from core.identifiers import validate_identifier

__all__ = ["Scope"]


class Scope(BaseModel):
    """Identity scope of a call, connection or event.

    Muscles always know ``tenant_id`` (from the verified token over HTTP, from configuration
    over stdio); the canvas fields are filled where the caller is a canvas or its agent.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    tenant_id: str
    mode: str | None = None
    project_id: str | None = None
    surface_id: str | None = None
    app_id: str | None = None
    run_id: str | None = None
    canvas_id: str | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _safe_identifiers(cls, value: object, info: object) -> object:
        if value is None:
            return value
        return validate_identifier(value, getattr(info, "field_name", "scope field"))
