"""The gateway's errors: each a leaf of core's AtomsError family with a stable code.

AtomsError
├── InvalidInput
│   ├── InvalidEnvelope          invalid_envelope          422
│   │   ├── InlineMedia          inline_media              422
│   │   ├── EnvelopeTooDeep      envelope_too_deep         422
│   │   ├── PatchFailed          patch_failed              422
│   │   ├── BaseRevisionAhead    base_revision_ahead       422
│   │   ├── StateInvalid         state_invalid             422
│   │   └── UnknownCanvasType    unknown_canvas_type       422
│   ├── UnsupportedContentType   unsupported_content_type  415
│   ├── MethodNotAllowed         method_not_allowed        405
│   └── TooLarge
│       ├── EnvelopeTooLarge     envelope_too_large        413
│       └── StateTooLarge        state_too_large           413
├── NotFound
│   ├── RouteNotFound            route_not_found           404
│   ├── CanvasNotFound           canvas_not_found          404
│   └── SnapshotNotFound         snapshot_not_found        404
├── AccessDenied
│   ├── ScopeMismatch            scope_mismatch            403
│   │   └── ThreadScopeMissing   thread_scope_missing      403
│   ├── LensDenied               lens_denied               403
│   ├── OriginNotAllowed         origin_not_allowed        403
│   └── Unauthenticated
│       └── TokenInvalid         token_invalid             401
├── IdempotencyConflict          idempotency_conflict      409
└── CanvasConflict               canvas_conflict           409
    ├── PatchConflict            patch_conflict            409
    ├── PatchTestFailed          patch_test_failed         409
    ├── BaseRevisionExpired      base_revision_expired     409
    └── CanvasTypeConflict       canvas_type_conflict      409
"""

from __future__ import annotations

from core.errors import AccessDenied, AtomsError, InvalidInput, NotFound, TooLarge, Unauthenticated

__all__ = [
    "BaseRevisionAhead",
    "BaseRevisionExpired",
    "CanvasConflict",
    "CanvasNotFound",
    "CanvasTypeConflict",
    "EnvelopeTooDeep",
    "EnvelopeTooLarge",
    "IdempotencyConflict",
    "InlineMedia",
    "InvalidEnvelope",
    "LensDenied",
    "MethodNotAllowed",
    "OriginNotAllowed",
    "PatchConflict",
    "PatchFailed",
    "PatchTestFailed",
    "RouteNotFound",
    "ScopeMismatch",
    "SnapshotNotFound",
    "StateInvalid",
    "StateTooLarge",
    "ThreadScopeMissing",
    "TokenInvalid",
    "UnknownCanvasType",
    "UnsupportedContentType",
]


class InvalidEnvelope(InvalidInput):
    code = "invalid_envelope"
    default_hint = "Send a JSON object matching the envelope described in skills/realtime-gateway/SKILL.md."
    http_status = 422


class InlineMedia(InvalidEnvelope):
    code = "inline_media"
    default_hint = (
        "Media travel as sidecar MediaRefs (uri, mime_type, size_bytes, sha256): register the bytes "
        "with media_v2 first and send the returned MediaRef in `sidecars`."
    )


class EnvelopeTooDeep(InvalidEnvelope):
    code = "envelope_too_deep"
    default_hint = "Nest objects and arrays at most ATOMS_GATEWAY_MAX_JSON_DEPTH levels deep."


class UnsupportedContentType(InvalidInput):
    code = "unsupported_content_type"
    default_hint = "Send the body as JSON with 'Content-Type: application/json'."
    http_status = 415


class MethodNotAllowed(InvalidInput):
    code = "method_not_allowed"
    default_hint = (
        "Streams are read with GET; events, commands, chat, tickets and resolves are sent with POST."
    )
    http_status = 405


class RouteNotFound(NotFound):
    code = "route_not_found"
    default_hint = "See skills/realtime-gateway/SKILL.md for the gateway's routes."


class EnvelopeTooLarge(TooLarge):
    code = "envelope_too_large"
    default_hint = (
        "Keep envelopes small (ATOMS_GATEWAY_MAX_ENVELOPE_BYTES); move bulk content into a sidecar."
    )


class ScopeMismatch(AccessDenied):
    code = "scope_mismatch"
    default_hint = (
        "The token's tenant and scope claims must match every scope field of the stream or command."
    )


class LensDenied(AccessDenied):
    code = "lens_denied"
    default_hint = "The actor's permission lens does not allow this; ask for a token with another agent role."


class OriginNotAllowed(AccessDenied):
    code = "origin_not_allowed"
    default_hint = (
        "Browser pages may write only from an origin listed in ATOMS_GATEWAY_ALLOWED_ORIGINS; a "
        "cookie-authenticated write must carry its Origin header."
    )


class TokenInvalid(Unauthenticated):
    code = "token_invalid"
    default_hint = "Send 'Authorization: Bearer <JWT>' signed with the gateway's key and not expired."


class IdempotencyConflict(AtomsError):
    code = "idempotency_conflict"
    default_hint = "An idempotency key names one command; use a fresh key for a different body."
    http_status = 409


class ThreadScopeMissing(ScopeMismatch):
    code = "thread_scope_missing"
    default_hint = (
        "/sse/chat/{thread_id} and /ws/chat/{thread_id} carry only the thread: the token's atoms_scope "
        "must pin mode, project_id, surface_id and app_id (or use the /v1/... canvas path)."
    )


class PatchFailed(InvalidEnvelope):
    code = "patch_failed"
    default_hint = (
        "An operation cannot apply to the current state (a path that does not exist, an index out "
        "of range): read the state (GET .../state) and write the patch against it."
    )


class BaseRevisionAhead(InvalidEnvelope):
    code = "base_revision_ahead"
    default_hint = "base_revision is a revision the canvas has had: the one your replica is at."


class StateInvalid(InvalidEnvelope):
    code = "state_invalid"
    default_hint = (
        "The patch would break the canvas type's schema at the path named in details.path "
        "(details.rule says which keyword); fix the value and send it again."
    )


class UnknownCanvasType(InvalidEnvelope):
    code = "unknown_canvas_type"
    default_hint = "Use a canvas type the gateway registers (see skills/realtime-gateway/SKILL.md)."


class StateTooLarge(TooLarge):
    code = "state_too_large"
    default_hint = (
        "Keep canvas state under ATOMS_GATEWAY_MAX_STATE_BYTES; put bulk content in media_v2 and "
        "reference it by MediaRef."
    )


class CanvasNotFound(NotFound):
    code = "canvas_not_found"
    default_hint = "The canvas has no state yet: publish CANVAS_READY (or a first patch) to create it."


class SnapshotNotFound(NotFound):
    code = "snapshot_not_found"
    default_hint = "Snapshots older than the newest two are swept: read the current state (GET .../state)."


class CanvasConflict(AtomsError):
    code = "canvas_conflict"
    default_hint = "Reload the canvas state and try again."
    http_status = 409


class PatchConflict(CanvasConflict):
    code = "patch_conflict"
    default_hint = (
        "Another commit since your base_revision wrote the paths in details.paths: apply the newer "
        "commits to your replica, then write the patch against details.revision."
    )


class PatchTestFailed(CanvasConflict):
    code = "patch_test_failed"
    default_hint = "A test operation found another value: the state is not what the patch expects."


class BaseRevisionExpired(CanvasConflict):
    code = "base_revision_expired"
    default_hint = (
        "The base revision is older than the gateway's rebase window: reload the state "
        "(GET .../state) and write the patch against its revision."
    )


class CanvasTypeConflict(CanvasConflict):
    code = "canvas_type_conflict"
    default_hint = "A canvas keeps the type it was created with; use a new canvas id for another type."
