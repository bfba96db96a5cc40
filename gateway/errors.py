"""The gateway's errors: each a leaf of core's AtomsError family with a stable code.

AtomsError
├── InvalidInput
│   ├── InvalidEnvelope          invalid_envelope          422
│   │   ├── InlineMedia          inline_media              422
│   │   └── EnvelopeTooDeep      envelope_too_deep         422
│   ├── UnsupportedContentType   unsupported_content_type  415
│   ├── MethodNotAllowed         method_not_allowed        405
│   └── TooLarge
│       └── EnvelopeTooLarge     envelope_too_large        413
├── NotFound
│   └── RouteNotFound            route_not_found           404
├── AccessDenied
│   ├── ScopeMismatch            scope_mismatch            403
│   ├── LensDenied               lens_denied               403
│   ├── OriginNotAllowed         origin_not_allowed        403
│   └── Unauthenticated
│       └── TokenInvalid         token_invalid             401
└── IdempotencyConflict          idempotency_conflict      409
"""

from __future__ import annotations

from core.errors import AccessDenied, AtomsError, InvalidInput, NotFound, TooLarge, Unauthenticated

__all__ = [
    "EnvelopeTooDeep",
    "EnvelopeTooLarge",
    "IdempotencyConflict",
    "InlineMedia",
    "InvalidEnvelope",
    "LensDenied",
    "MethodNotAllowed",
    "OriginNotAllowed",
    "RouteNotFound",
    "ScopeMismatch",
    "TokenInvalid",
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
