"""media_v2: the suite's media asset store, as a muscle."""

from __future__ import annotations

import base64

import anyio
from pydantic import BaseModel, Field

from core import AtomsError, CanvasTool, MediaRef, Muscle, Scope, ToolExample, tool
from core.errors import (
    AssetNotFound,
    FetchFailed,
    FetchLimitReached,
    FetchTimeout,
    InvalidIdentifier,
    InvalidInput,
    MediaUnreadable,
    NotMedia,
    PathNotAllowed,
    TooLarge,
    UploadNotFound,
    UrlNotAllowed,
)
from core.media import MediaStore, MediaUri


class PresignedLink(BaseModel):
    """A time-limited URL for one HTTP method on one asset."""

    uri: str = Field(description="The asset the URL points at")
    url: str
    method: str
    expires_at: int = Field(description="Unix time (seconds) after which the URL is refused")
    headers: dict[str, str] = Field(default_factory=dict, description="Headers the request must carry")


class UploadTicket(BaseModel):
    """Where to PUT a file, and the source to register it by afterwards."""

    upload_id: str
    source: str = Field(description="Pass this as register(source=...) once the PUT has succeeded")
    url: str
    method: str
    expires_at: int
    headers: dict[str, str] = Field(default_factory=dict)


class ResolvedMedia(BaseModel):
    """Where an asset lives in the media store."""

    ref: MediaRef
    storage: str = Field(description="Backend holding it: local or s3")
    key: str = Field(description="Object key: tenants/{tenant}/{env}/media_v2/{asset_id}/{filename}")


class AssetList(BaseModel):
    """A page of the tenant's assets, by asset id."""

    assets: list[MediaRef]
    count: int = Field(description="Assets on this page")
    next_cursor: str | None = Field(
        default=None, description="Pass as cursor for the next page; null on the last"
    )


# The examples run in the example environment (tenant "local", clock 1800000000, signing key
# "example-signing-key", public URL http://127.0.0.1:8700) on a 1 s 440 Hz tone made by
# tests/media_samples.py; tests/muscles/test_examples.py proves every response below.
TONE_URI = "atoms://media/1dd29ffa8bafa67bac25fac193eeb912/tone.wav"
TONE_KEY = "tenants/local/local/media_v2/1dd29ffa8bafa67bac25fac193eeb912/tone.wav"
TONE_REF = {
    "uri": TONE_URI,
    "asset_id": "1dd29ffa8bafa67bac25fac193eeb912",
    "filename": "tone.wav",
    "mime_type": "audio/wav",
    "size_bytes": 32044,
    "sha256": "1dd29ffa8bafa67bac25fac193eeb912bdf12d720da59a589f2ccf44458c7c36",
    "duration_s": 1.0,
    "width": None,
    "height": None,
    "fps": None,
    "sample_rate": 16000,
    "channels": 1,
}


_MAX_PAGE = 200
# The cursor of a page that ends with the tone (see _encode_cursor).
TONE_CURSOR = "MWRkMjlmZmE4YmFmYTY3YmFjMjVmYWMxOTNlZWI5MTIvdG9uZS53YXY"


def _encode_cursor(last: MediaUri) -> str:
    """A page's last asset, opaque to clients: url-safe base64 of ``asset_id/filename``."""
    return base64.urlsafe_b64encode(f"{last.asset_id}/{last.filename}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None) -> MediaUri | None:
    if cursor is None:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        asset_id, _, filename = text.partition("/")
        return MediaUri.of(asset_id, filename)
    except (ValueError, UnicodeDecodeError, AtomsError):
        raise InvalidInput(
            "not a cursor list_assets returned", value=cursor, hint="Pass next_cursor exactly as returned."
        ) from None


class MediaV2(Muscle):
    """Stores audio, video and images for a tenant and hands out references (MediaRefs) to them.

    Use it to bring a file into the platform (from an allowed local path, a public URL or a
    presigned upload), to look up, resolve or list what a tenant has stored, to give a
    client a time-limited download link, and to delete an asset. Every other muscle takes
    and returns media as MediaRefs from here; the tenant is always the caller's own.
    """

    version = "1.0.0"
    capabilities = ("cap.media.register", "cap.media.resolve", "cap.media.presign")
    canvas_tools = (
        CanvasTool(
            id="import_media", icon="upload", type="panel_pop", tool="register", action="Import media"
        ),
        CanvasTool(id="share_link", icon="link", type="trigger", tool="presign_download", action="Copy link"),
    )

    async def startup(self) -> None:
        self.store = MediaStore.from_settings(self.settings, clock=self.clock)

    @tool(
        examples=[
            ToolExample(
                title="Register a WAV file under the import root",
                request={"source": "samples/tone.wav"},
                response=TONE_REF,
            )
        ],
        errors=[
            PathNotAllowed,
            UrlNotAllowed,
            FetchFailed,
            FetchTimeout,
            FetchLimitReached,
            UploadNotFound,
            TooLarge,
            NotMedia,
            MediaUnreadable,
            InvalidIdentifier,
        ],
        idempotent=True,
        open_world=True,
    )
    async def register(self, source: str, scope: Scope, filename: str | None = None) -> MediaRef:
        """Store a media file (or a .cube LUT, .srt or .vtt subtitles, kept as a document) and
        return its MediaRef.

        `source` is a path under the server's import roots (absolute, or relative to the first
        root), an http(s) URL, or `upload://<upload_id>` from presign_upload after the PUT.
        The same bytes under the same filename always give the same MediaRef.
        """
        # A URL fetch takes one of the tenant's fetch slots before it takes a thread.
        async with self.store.fetch_slot(scope, source) as threads:
            return await anyio.to_thread.run_sync(
                self.store.register_source, scope, source, filename, limiter=threads
            )

    @tool(
        title="Describe an asset",
        examples=[
            ToolExample(title="Describe the registered tone", request={"uri": TONE_URI}, response=TONE_REF)
        ],
        errors=[AssetNotFound, InvalidIdentifier],
        read_only=True,
        idempotent=True,
    )
    def stat(self, uri: str, scope: Scope) -> MediaRef:
        """Return the MediaRef of a stored asset (mime type, size, sha256, duration, dimensions)."""
        return self.store.stat(scope, uri)

    @tool(
        examples=[
            ToolExample(
                title="Where the tone is stored",
                request={"uri": TONE_URI},
                response={"ref": TONE_REF, "storage": "local", "key": TONE_KEY},
            )
        ],
        errors=[AssetNotFound, InvalidIdentifier],
        read_only=True,
        idempotent=True,
    )
    def resolve(self, uri: str, scope: Scope) -> ResolvedMedia:
        """Resolve a MediaRef uri to where the asset is stored (backend and object key)."""
        ref, key = self.store.resolve(scope, uri)
        return ResolvedMedia(ref=ref, storage=self.store.storage.name, key=key)

    @tool(
        examples=[
            ToolExample(
                title="A 10-minute download link",
                request={"uri": TONE_URI, "ttl_s": 600},
                response={
                    "uri": TONE_URI,
                    "url": f"http://127.0.0.1:8700/media/{TONE_KEY}?method=GET&expires=1800000600"
                    "&signature=b754dcdde02b8d20174ccfb3590b4e6d18675c351b60379d6e3de0ba502d3bb8",
                    "method": "GET",
                    "expires_at": 1800000600,
                    "headers": {},
                },
            )
        ],
        errors=[AssetNotFound, InvalidIdentifier],
        read_only=True,
    )
    def presign_download(self, uri: str, scope: Scope, ttl_s: int | None = None) -> PresignedLink:
        """Return a URL anyone holding it can GET the asset from until it expires (default 15 min)."""
        link = self.store.presign_download(scope, uri, ttl_s=self._ttl(ttl_s))
        return PresignedLink(
            uri=uri, url=link.url, method=link.method, expires_at=link.expires_at, headers=dict(link.headers)
        )

    @tool(
        examples=[
            ToolExample(
                title="A 10-minute upload URL for a WAV",
                request={"filename": "later.wav", "mime_type": "audio/wav", "ttl_s": 600},
                response={
                    "upload_id": "up-76759b03aaf9a82e4fce8de1",
                    "source": "upload://up-76759b03aaf9a82e4fce8de1",
                    "url": "http://127.0.0.1:8700/media/tenants/local/local/media_v2_uploads/"
                    "up-76759b03aaf9a82e4fce8de1/later.wav?method=PUT&expires=1800000600"
                    "&signature=2ee3014d0cd344ea8370c521b97f8e50663ac3f9a13e2599923d58c00448129c",
                    "method": "PUT",
                    "expires_at": 1800000600,
                    "headers": {"Content-Type": "audio/wav"},
                },
                # Every upload gets a fresh random id (and so its own URL and signature).
                compare=("method", "expires_at", "headers"),
            )
        ],
        errors=[InvalidIdentifier],
    )
    def presign_upload(
        self,
        filename: str,
        scope: Scope,
        mime_type: str = "application/octet-stream",
        ttl_s: int | None = None,
    ) -> UploadTicket:
        """Return a URL to PUT one file to; then call register with the ticket's `source`."""
        upload_id, link = self.store.presign_upload(
            scope, filename, content_type=mime_type, ttl_s=self._ttl(ttl_s)
        )
        return UploadTicket(
            upload_id=upload_id,
            source=f"upload://{upload_id}",
            url=link.url,
            method=link.method,
            expires_at=link.expires_at,
            headers=dict(link.headers),
        )

    @tool(
        title="List assets",
        examples=[
            ToolExample(
                title="One stored tone",
                request={},
                response={"assets": [TONE_REF], "count": 1, "next_cursor": None},
            ),
            ToolExample(
                title="A page of one, after the tone",
                request={"cursor": TONE_CURSOR, "limit": 1},
                response={"assets": [], "count": 0, "next_cursor": None},
            ),
        ],
        errors=[InvalidInput],
        read_only=True,
        idempotent=True,
    )
    def list_assets(self, scope: Scope, cursor: str | None = None, limit: int = 50) -> AssetList:
        """List the calling tenant's assets by asset id, `limit` (1-200) a page.

        Pass the `next_cursor` of a page back as `cursor` for the next one; it is null on the
        last page. Each page costs the same whatever the tenant holds.
        """
        if not 1 <= limit <= _MAX_PAGE:
            raise InvalidInput(f"limit must be between 1 and {_MAX_PAGE}", value=limit)
        assets, last = self.store.page(scope, after=_decode_cursor(cursor), limit=limit)
        return AssetList(
            assets=assets, count=len(assets), next_cursor=None if last is None else _encode_cursor(last)
        )

    @tool(
        examples=[ToolExample(title="Delete the tone", request={"uri": TONE_URI}, response=TONE_REF)],
        errors=[AssetNotFound, InvalidIdentifier],
        destructive=True,
    )
    def delete(self, uri: str, scope: Scope) -> MediaRef:
        """Delete an asset and return the MediaRef it had."""
        return self.store.delete(scope, uri)

    def _ttl(self, ttl_s: int | None) -> int:
        ttl = ttl_s if ttl_s is not None else self.settings.presign_ttl_s
        if not 1 <= ttl <= 7 * 24 * 3600:
            raise InvalidInput("ttl_s must be between 1 second and 7 days", value=ttl_s)
        return ttl
