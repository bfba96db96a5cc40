"""Starlette routes that serve the local backend's presigned ``/media`` URLs.

``GET /media/{key}`` streams an object; ``PUT /media/{key}`` stores one. Each request must carry
a signature issued for its own method, key and a future expiry. Every failure is answered as
``{"error": {...code, message, hint}}`` with the error's HTTP status, never with a traceback.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import BinaryIO

import anyio
import anyio.to_thread
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from core.errors import AtomsError, PresignInvalid, TooLarge
from core.storage.local import LocalStorage
from core.storage.signing import Method

__all__ = ["media_routes"]

logger = logging.getLogger(__name__)

_CHUNK = 256 * 1024
_DEFAULT_CONTENT_TYPE = "application/octet-stream"
# Stored content types come from whoever uploaded; these stop a browser from sniffing or
# running an uploaded HTML/SVG file as a page on this origin.
_SAFE_HEADERS = {
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'none'; sandbox",
}


def media_routes(storage: LocalStorage, *, max_bytes: int) -> list[Route]:
    """The routes for ``storage``'s presigned URLs; uploads over ``max_bytes`` get 413."""
    if max_bytes < 1:
        raise ValueError("max_bytes must be positive")

    async def get_media(request: Request) -> Response:
        return await _answer(request, partial(_serve, storage))

    async def put_media(request: Request) -> Response:
        return await _answer(request, partial(_receive, storage, max_bytes))

    return [
        # Starlette adds HEAD to GET routes; a HEAD is authorised by a GET signature.
        Route("/media/{key:path}", get_media, methods=["GET"], name="media_get"),
        Route("/media/{key:path}", put_media, methods=["PUT"], name="media_put"),
    ]


async def _answer(request: Request, handler: Callable[[Request], Awaitable[Response]]) -> Response:
    """The one place this endpoint turns exceptions into HTTP answers."""
    try:
        return await handler(request)
    except AtomsError as err:
        return _error(err)
    except ClientDisconnect:
        # Nobody is left to read an answer; the upload's temp file is already removed.
        return Response(status_code=400)
    except Exception:
        # The query string holds the signature, so only the path goes to the log.
        logger.exception("media endpoint failed on %s %s", request.method, request.url.path)
        return _error(AtomsError("the media endpoint failed unexpectedly"))


def _error(err: AtomsError) -> JSONResponse:
    return JSONResponse({"error": err.to_dict()}, status_code=err.http_status)


def _authorize(storage: LocalStorage, request: Request, method: Method) -> str:
    key: str = request.path_params["key"]
    params = request.query_params
    # The signature already binds the method; checking the visible parameter too gives a clear
    # message when a download URL is used for an upload (or the reverse).
    if params.get("method") != method:
        raise PresignInvalid(f"this URL was not issued for {method}", value=params.get("method"))
    storage.check_presigned(method, key, params.get("expires"), params.get("signature"))
    return key


async def _serve(storage: LocalStorage, request: Request) -> Response:
    key = _authorize(storage, request, "GET")
    reader, info = await anyio.to_thread.run_sync(storage.open_object, key)
    headers = {
        **_SAFE_HEADERS,
        # Set directly, not as media_type, so Starlette does not append a charset to text types.
        "content-type": info.content_type,
        "content-length": str(info.size_bytes),
    }
    if info.sha256:
        headers["etag"] = f'"{info.sha256}"'
    if request.method == "HEAD":
        reader.close()
        return Response(headers=headers)
    return StreamingResponse(_chunks(reader), headers=headers)


async def _chunks(reader: BinaryIO) -> AsyncIterator[bytes]:
    # Reads run in worker threads so a slow disk never blocks the event loop.
    try:
        while chunk := await anyio.to_thread.run_sync(reader.read, _CHUNK):
            yield chunk
    finally:
        reader.close()


async def _receive(storage: LocalStorage, max_bytes: int, request: Request) -> Response:
    key = _authorize(storage, request, "PUT")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(max_bytes)
    content_type = request.headers.get("content-type") or _DEFAULT_CONTENT_TYPE
    # Staged on the objects' own disk: large uploads must not fill a RAM-backed /tmp.
    staging = await anyio.to_thread.run_sync(storage.staging_dir)
    handle, name = await anyio.to_thread.run_sync(partial(tempfile.mkstemp, dir=staging, suffix=".upload"))
    staged = Path(name)
    try:
        writer = await anyio.to_thread.run_sync(_binary_writer, handle)
        digest = hashlib.sha256()
        size = 0
        try:
            # Counted as it streams: Content-Length may be absent (chunked) or understated.
            async for chunk in request.stream():
                size += len(chunk)
                if size > max_bytes:
                    raise _too_large(max_bytes)
                digest.update(chunk)
                await anyio.to_thread.run_sync(writer.write, chunk)
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(writer.close)
        info = await anyio.to_thread.run_sync(
            partial(storage.put_file, key, staged, content_type=content_type, sha256=digest.hexdigest())
        )
    finally:
        # Shielded: a cancelled request (client gone) must still remove its temp file.
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(partial(staged.unlink, missing_ok=True))
    return JSONResponse(
        {
            "key": info.key,
            "size_bytes": info.size_bytes,
            "sha256": info.sha256,
            "content_type": info.content_type,
        },
        headers={"etag": f'"{info.sha256}"'},
    )


def _binary_writer(handle: int) -> BinaryIO:
    return os.fdopen(handle, "wb")


def _too_large(max_bytes: int) -> TooLarge:
    return TooLarge(
        f"the upload is larger than the {max_bytes}-byte limit",
        value=max_bytes,
        details={"max_bytes": max_bytes},
    )
