"""One error family for the whole suite.

Every error carries a stable ``code`` (clients branch on it), a human ``message``, the
offending ``value`` when there is one, and an actionable ``hint``. Each leaf class fixes
its code and a default hint; raise sites add the message and the value.

    AtomsError                      internal_error
    ├── ConfigError                 config_invalid
    │   └── MissingConfig           config_missing
    ├── InvalidInput                invalid_input
    │   ├── InvalidArguments        invalid_arguments
    │   ├── InvalidIdentifier       invalid_identifier
    │   ├── PathNotAllowed          path_not_allowed
    │   ├── UrlNotAllowed           url_not_allowed
    │   ├── TooLarge                too_large
    │   └── NotMedia                not_media
    │       └── ContainerNotAllowed container_not_allowed
    ├── NotFound                    not_found
    │   ├── AssetNotFound           asset_not_found
    │   ├── UploadNotFound          upload_not_found
    │   └── UnknownTool             unknown_tool
    ├── AccessDenied                access_denied
    │   ├── Unauthenticated         unauthenticated
    │   ├── PresignExpired          presign_expired
    │   ├── PresignInvalid          presign_invalid
    │   ├── MaturityTooLow          maturity_too_low
    │   └── ApprovalRequired        approval_required
    ├── MediaError                  media_error
    │   ├── MediaUnreadable         media_unreadable
    │   ├── NoAudioStream           no_audio_stream
    │   ├── NoVideoStream           no_video_stream
    │   ├── NotAnImage              not_an_image
    │   └── FfmpegFailed            ffmpeg_failed
    ├── FetchFailed                 fetch_failed
    │   └── FetchTimeout            fetch_timeout
    ├── FetchLimitReached           fetch_limit_reached
    ├── QuotaExceeded               quota_exceeded
    ├── StorageError                storage_error
    └── ContractViolation           contract_violation
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "AccessDenied",
    "ApprovalRequired",
    "AssetNotFound",
    "AtomsError",
    "ConfigError",
    "ContainerNotAllowed",
    "ContractViolation",
    "FetchFailed",
    "FetchLimitReached",
    "FetchTimeout",
    "FfmpegFailed",
    "InvalidArguments",
    "InvalidIdentifier",
    "InvalidInput",
    "MaturityTooLow",
    "MediaError",
    "MediaUnreadable",
    "MissingConfig",
    "NoAudioStream",
    "NoVideoStream",
    "NotAnImage",
    "NotFound",
    "NotMedia",
    "PathNotAllowed",
    "PresignExpired",
    "PresignInvalid",
    "QuotaExceeded",
    "StorageError",
    "TooLarge",
    "Unauthenticated",
    "UnknownTool",
    "UploadNotFound",
    "UrlNotAllowed",
    "error_from_dict",
]

_MAX_VALUE_CHARS = 200


class AtomsError(Exception):
    """Base of every error the suite raises on purpose."""

    code: ClassVar[str] = "internal_error"
    default_hint: ClassVar[str] = "This is a bug in the muscle; report it with the request that caused it."
    http_status: ClassVar[int] = 500

    def __init__(
        self,
        message: str,
        *,
        value: Any = None,
        hint: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.value = value
        self.hint = hint or self.default_hint
        self.details = details or {}

    def to_dict(self) -> dict[str, Any]:
        """The wire form: what an MCP client or an HTTP caller receives."""
        body: dict[str, Any] = {"code": self.code, "message": self.message, "hint": self.hint}
        if self.value is not None:
            body["value"] = _printable(self.value)
        if self.details:
            body["details"] = self.details
        return body

    def __str__(self) -> str:
        return f"[{self.code}] {self.message} (hint: {self.hint})"


def error_from_dict(recorded: dict[str, Any]) -> AtomsError:
    """The error a job (or another process) recorded with :meth:`AtomsError.to_dict`, as the
    class of its code, so it reaches a client, and every log, with that code unchanged."""
    code = str(recorded.get("code") or AtomsError.code)
    cls = _class_for(code)
    error = cls.__new__(cls)
    AtomsError.__init__(
        error,
        str(recorded.get("message", "")),
        value=recorded.get("value"),
        hint=str(recorded.get("hint") or cls.default_hint),
        details=recorded.get("details") if isinstance(recorded.get("details"), dict) else None,
    )
    return error


def _class_for(code: str) -> type[AtomsError]:
    pending: list[type[AtomsError]] = [AtomsError]
    while pending:
        cls = pending.pop()
        if cls.code == code:
            return cls
        pending.extend(cls.__subclasses__())
    # A code no class here defines (a muscle module this process never imported): keep it.
    return _RECORDED.setdefault(code, type(f"RecordedError_{code}", (AtomsError,), {"code": code}))


_RECORDED: dict[str, type[AtomsError]] = {}


def _printable(value: Any) -> Any:
    """Echo the offending value back, but never a wall of text."""
    if isinstance(value, (int, float, bool)):
        return value
    text = str(value)
    return text if len(text) <= _MAX_VALUE_CHARS else text[:_MAX_VALUE_CHARS] + "…"


class ConfigError(AtomsError):
    code = "config_invalid"
    default_hint = "Fix the ATOMS_* setting named in the message and start again."


class MissingConfig(ConfigError):
    code = "config_missing"
    default_hint = "Set the listed ATOMS_* variables; staging and production have no local fallbacks."


class InvalidInput(AtomsError):
    code = "invalid_input"
    default_hint = "Correct the value named in the message and call again."
    http_status = 400


class InvalidArguments(InvalidInput):
    code = "invalid_arguments"
    default_hint = "Check the tool's input schema (tools/list) and send every required field with its type."


class InvalidIdentifier(InvalidInput):
    code = "invalid_identifier"
    default_hint = (
        "Identifiers are 1-128 characters of letters, digits, '.', '_' or '-', start with a letter "
        "or digit, and never contain '/', '..' or control characters."
    )


class PathNotAllowed(InvalidInput):
    code = "path_not_allowed"
    default_hint = "Only files under ATOMS_IMPORT_ROOTS can be registered; upload others with presign_upload."
    http_status = 403


class UrlNotAllowed(InvalidInput):
    code = "url_not_allowed"
    default_hint = (
        "Use a public http(s) URL; loopback and private addresses are refused unless "
        "ATOMS_ALLOW_PRIVATE_URLS is set, link-local and cloud metadata addresses always."
    )
    http_status = 403


class TooLarge(InvalidInput):
    code = "too_large"
    default_hint = "Send a smaller file or raise ATOMS_MAX_ASSET_BYTES on the server."
    http_status = 413


class NotMedia(InvalidInput):
    code = "not_media"
    default_hint = "Send an audio, video or image file (for example MP4, WAV, MP3, PNG)."
    http_status = 415


class ContainerNotAllowed(NotMedia):
    code = "container_not_allowed"
    default_hint = (
        "Playlists, manifests and other formats that point at further files (HLS, DASH, concat "
        "lists, image sequences) are refused; send the media file itself (for example MP4, WAV, MP3, PNG)."
    )


class NotFound(AtomsError):
    code = "not_found"
    default_hint = "Check the identifier; it may have been deleted."
    http_status = 404


class AssetNotFound(NotFound):
    code = "asset_not_found"
    default_hint = "List this tenant's assets with list_assets, or register the file first."


class UploadNotFound(NotFound):
    code = "upload_not_found"
    default_hint = "PUT the file to the URL from presign_upload before registering it, within its TTL."


class UnknownTool(NotFound):
    code = "unknown_tool"
    default_hint = "List the server's tools with tools/list."


class AccessDenied(AtomsError):
    code = "access_denied"
    default_hint = "The caller's credentials do not allow this."
    http_status = 403


class Unauthenticated(AccessDenied):
    code = "unauthenticated"
    default_hint = "Send 'Authorization: Bearer <token>' with a token configured in ATOMS_AUTH_TOKENS."
    http_status = 401


class PresignExpired(AccessDenied):
    code = "presign_expired"
    default_hint = "Ask for a fresh URL with presign_download or presign_upload."


class PresignInvalid(AccessDenied):
    code = "presign_invalid"
    default_hint = "Use the URL exactly as issued; any change to it breaks its signature."


class MaturityTooLow(AccessDenied):
    code = "maturity_too_low"
    default_hint = (
        "This agent's maturity level does not allow a tool this complex; the value names the level "
        "needed. Ask an operator for a token of that level, or use a simpler tool."
    )


class ApprovalRequired(AccessDenied):
    code = "approval_required"
    default_hint = (
        "The call was proposed instead of run: a person approves or rejects proposal details.proposal_id; "
        "an approved proposal runs once."
    )
    http_status = 202


class MediaError(AtomsError):
    code = "media_error"
    default_hint = "Check that the file is a complete, supported media file."
    http_status = 422


class MediaUnreadable(MediaError):
    code = "media_unreadable"
    default_hint = (
        "The file looks like media but cannot be decoded; it may be truncated. Re-export or re-upload it."
    )


class NoAudioStream(MediaError):
    code = "no_audio_stream"
    default_hint = "Pass a video or audio file that has a sound track; this one holds pictures only."


class NoVideoStream(MediaError):
    code = "no_video_stream"
    default_hint = "Pass a video file (moving pictures); this one holds sound only, or a single still image."


class NotAnImage(MediaError):
    code = "not_an_image"
    default_hint = "Pass a still image (for example PNG, JPEG, WebP)."


class FfmpegFailed(MediaError):
    code = "ffmpeg_failed"
    default_hint = (
        "Read ffmpeg's message in details.stderr_tail; the input or the requested settings are at fault."
    )


class FetchFailed(AtomsError):
    code = "fetch_failed"
    default_hint = "Check that the URL is reachable from the server and answers 200."
    http_status = 502


class FetchTimeout(FetchFailed):
    code = "fetch_timeout"
    default_hint = (
        "The URL was too slow: a fetch must finish within ATOMS_FETCH_DEADLINE_S and never wait "
        "longer than ATOMS_FETCH_TIMEOUT_S for data. Use a faster source, or upload with presign_upload."
    )
    http_status = 504


class FetchLimitReached(AtomsError):
    code = "fetch_limit_reached"
    default_hint = (
        "This tenant already runs as many URL fetches as ATOMS_FETCH_CONCURRENCY_PER_TENANT allows; "
        "call again when one has finished, or raise the setting on the server."
    )
    http_status = 429


class QuotaExceeded(AtomsError):
    code = "quota_exceeded"
    default_hint = (
        "The tenant has used its quota (value names it; details.resets_at says when it resets). "
        "Wait until then, or ask the operator to raise it (ATOMS_QUOTA_*)."
    )
    http_status = 429


class StorageError(AtomsError):
    code = "storage_error"
    default_hint = "The media store did not answer as expected; check the storage settings and retry."
    http_status = 503


class ContractViolation(AtomsError):
    code = "contract_violation"
    default_hint = "See skills/create-muscle/SKILL.md for the service.py contract."
