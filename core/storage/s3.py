"""S3 (or any S3-compatible store) through boto3: the backend of staging and production.

Every botocore failure leaves this module as a :class:`core.errors.StorageError` that names the
operation, the S3 error code and a hint, and carries nothing from botocore's own message:
those messages can quote request details (signed headers, credential scopes, endpoint URLs
with user info) that must never reach a client or a log line.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from boto3.exceptions import Boto3Error, S3UploadFailedError
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    CredentialRetrievalError,
    HTTPClientError,
    NoCredentialsError,
    ParamValidationError,
    PartialCredentialsError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from core.errors import InvalidIdentifier, InvalidInput, StorageError
from core.identifiers import validate_identifier
from core.storage.base import ObjectInfo, PresignedUrl
from core.storage.keys import check_key

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

__all__ = ["S3Storage"]

_SHA256 = re.compile(r"[0-9a-f]{64}")
_DEFAULT_CONTENT_TYPE = "application/octet-stream"
_MAX_PRESIGN_TTL_S = 7 * 24 * 3600  # SigV4 refuses anything longer
_MISSING_CODES = frozenset({"404", "NoSuchKey", "NotFound"})
_TENANTS_PREFIX = "tenants/"
_CREDENTIAL_CODES = frozenset(
    {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "403"}
)
_CREDENTIALS_HINT = (
    "Check ATOMS_S3_ACCESS_KEY_ID and ATOMS_S3_SECRET_ACCESS_KEY (or the instance role) and that "
    "they may use this bucket."
)


class S3Storage:
    """Objects in one S3 bucket. The sha256 travels as user metadata (``x-amz-meta-sha256``)."""

    name = "s3"

    def __init__(self, bucket: str, client: S3Client) -> None:
        self.bucket = bucket
        self.client = client

    def ping(self) -> None:
        with self._errors("head_bucket", self.bucket):
            self.client.head_bucket(Bucket=self.bucket)

    def put_file(
        self,
        key: str,
        source: Path,
        *,
        content_type: str,
        sha256: str,
        metadata: Mapping[str, str] | None = None,
    ) -> ObjectInfo:
        _check_object_key(key)
        if not _SHA256.fullmatch(sha256):
            raise InvalidInput("sha256 must be 64 lowercase hex digits", value=sha256)
        # S3 lower-cases metadata names; doing it here keeps the returned description truthful.
        meta = {name.lower(): value for name, value in (metadata or {}).items() if name.lower() != "sha256"}
        with self._errors("upload", key):
            size = source.stat().st_size
            # upload_file switches to multipart for large files; S3 publishes the object only
            # when the upload completes, so readers never see a partial object.
            self.client.upload_file(
                str(source),
                self.bucket,
                key,
                ExtraArgs={"ContentType": content_type, "Metadata": {**meta, "sha256": sha256}},
            )
        return ObjectInfo(key=key, size_bytes=size, content_type=content_type, sha256=sha256, metadata=meta)

    def head(self, key: str) -> ObjectInfo | None:
        _check_object_key(key)
        with self._errors("head_object", key):
            try:
                response = self.client.head_object(Bucket=self.bucket, Key=key)
            except ClientError as exc:
                if _error_code(exc) in _MISSING_CODES:
                    return None
                raise
        meta = dict(response.get("Metadata", {}))
        sha256 = meta.pop("sha256", None)
        return ObjectInfo(
            key=key,
            size_bytes=response["ContentLength"],
            content_type=response.get("ContentType") or _DEFAULT_CONTENT_TYPE,
            sha256=sha256,
            metadata=meta,
            modified_at=response["LastModified"].timestamp() if "LastModified" in response else None,
        )

    def download(self, key: str, dest: Path) -> None:
        _check_object_key(key)
        with self._errors("download", key):
            dest.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
            os.close(handle)
            try:
                try:
                    self.client.download_file(self.bucket, key, name)
                except ClientError as exc:
                    if _error_code(exc) in _MISSING_CODES:
                        raise StorageError(
                            "no object under this key",
                            value=key,
                            hint="Check the key; it may have been deleted.",
                        ) from None
                    raise
                os.replace(name, dest)
            except BaseException:
                Path(name).unlink(missing_ok=True)
                raise

    def delete(self, key: str) -> None:
        _check_object_key(key)
        with self._errors("delete_object", key):
            self.client.delete_object(Bucket=self.bucket, Key=key)

    def list(self, prefix: str, *, start_after: str | None = None) -> Iterator[ObjectInfo]:
        check_key(prefix)
        # Validated now, not on the first next(): a bad prefix fails where list() is called.
        return self._list(prefix, start_after)

    def presign_get(self, key: str, ttl_s: int) -> PresignedUrl:
        expires_at = self._check_presign(key, ttl_s)
        with self._errors("presign_get", key):
            url = self.client.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=ttl_s
            )
        return PresignedUrl(url=url, method="GET", expires_at=expires_at)

    def presign_put(self, key: str, ttl_s: int, *, content_type: str) -> PresignedUrl:
        expires_at = self._check_presign(key, ttl_s)
        with self._errors("presign_put", key):
            # ContentType is signed into the URL, so the uploader must send exactly this header.
            url = self.client.generate_presigned_url(
                "put_object",
                Params={"Bucket": self.bucket, "Key": key, "ContentType": content_type},
                ExpiresIn=ttl_s,
            )
        return PresignedUrl(
            url=url, method="PUT", expires_at=expires_at, headers={"Content-Type": content_type}
        )

    def tenant_ids(self) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        with self._errors("list_objects_v2", _TENANTS_PREFIX):
            for page in paginator.paginate(Bucket=self.bucket, Prefix=_TENANTS_PREFIX, Delimiter="/"):
                for common in page.get("CommonPrefixes", []):
                    tenant = common.get("Prefix", "").removeprefix(_TENANTS_PREFIX).rstrip("/")
                    if _is_identifier(tenant):
                        yield tenant

    def _list(self, prefix: str, start_after: str | None) -> Iterator[ObjectInfo]:
        paginator = self.client.get_paginator("list_objects_v2")
        pages = (
            paginator.paginate(Bucket=self.bucket, Prefix=prefix)
            if start_after is None
            else paginator.paginate(Bucket=self.bucket, Prefix=prefix, StartAfter=start_after)
        )
        with self._errors("list_objects_v2", prefix):
            for page in pages:
                for item in page.get("Contents", []):
                    key = item.get("Key", "")
                    if start_after is not None and key <= start_after:
                        continue  # an S3-compatible server that ignored StartAfter
                    # Re-checked rather than trusted: an S3-compatible server that ignored the
                    # prefix must not hand another tenant's objects to this caller.
                    if not key.startswith(prefix) or not _is_object_key(key):
                        continue
                    # ListObjectsV2 carries neither content type nor user metadata, so each
                    # object costs one HEAD; an object deleted in between is skipped.
                    info = self.head(key)
                    if info is not None:
                        yield info

    def _check_presign(self, key: str, ttl_s: int) -> int:
        _check_object_key(key)
        if not 1 <= ttl_s <= _MAX_PRESIGN_TTL_S:
            raise InvalidInput(
                f"a presigned URL must live between 1 and {_MAX_PRESIGN_TTL_S} seconds", value=ttl_s
            )
        return int(time.time()) + ttl_s

    @contextmanager
    def _errors(self, operation: str, subject: str) -> Iterator[None]:
        """Translate whatever boto3 raises during ``operation`` into a ``StorageError``."""
        try:
            yield
        except StorageError:
            raise
        except ClientError as exc:
            raise self._client_error(operation, subject, exc) from exc
        except S3UploadFailedError as exc:
            # boto3 wraps the ClientError of a failed upload; report the S3 error underneath.
            cause = exc.__context__
            if isinstance(cause, ClientError):
                raise self._client_error(operation, subject, cause) from exc
            raise self._failure(operation, subject, "UploadFailed", None) from exc
        except (BotoConnectionError, HTTPClientError) as exc:
            # Not chained: these messages quote the full endpoint URL, user info included, and a
            # chained cause would print it in any logged traceback.
            raise self._failure(
                operation,
                subject,
                type(exc).__name__,
                "The S3 endpoint could not be reached; check ATOMS_S3_ENDPOINT_URL or ATOMS_S3_REGION "
                "and the network, then retry.",
            ) from None
        except (NoCredentialsError, PartialCredentialsError, CredentialRetrievalError) as exc:
            raise self._failure(operation, subject, type(exc).__name__, _CREDENTIALS_HINT) from exc
        except ParamValidationError as exc:
            raise self._failure(
                operation,
                subject,
                "ParamValidationError",
                "S3 refused the request's parameters; metadata names and values must be ASCII.",
            ) from exc
        except (BotoCoreError, Boto3Error) as exc:
            # Unknown message contents, so not chained (see above).
            raise self._failure(operation, subject, type(exc).__name__, None) from None
        except OSError as exc:
            raise self._failure(
                operation,
                subject,
                type(exc).__name__,
                "A local file could not be read or written; check the path and free disk space.",
            ) from exc

    def _client_error(self, operation: str, subject: str, exc: ClientError) -> StorageError:
        code = _error_code(exc)
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in _CREDENTIAL_CODES:
            hint: str | None = _CREDENTIALS_HINT
        elif code == "NoSuchBucket":
            hint = f"The bucket {self.bucket!r} does not exist; check ATOMS_S3_BUCKET."
        elif code in _MISSING_CODES:
            hint = "Check the key; it may have been deleted."
        elif (isinstance(status, int) and status >= 500) or code in {"SlowDown", "ServiceUnavailable"}:
            hint = "S3 is busy or failing; retry shortly."
        else:
            hint = None
        return self._failure(operation, subject, code, hint, status)

    def _failure(
        self, operation: str, subject: str, error: str, hint: str | None, status: int | None = None
    ) -> StorageError:
        details: dict[str, object] = {
            "operation": operation,
            "error": error,
            "bucket": self.bucket,
            "endpoint": _public_endpoint(self.client.meta.endpoint_url),
        }
        if status is not None:
            details["http_status"] = status
        return StorageError(f"S3 {operation} failed: {error}", value=subject, hint=hint, details=details)


def _check_object_key(key: str) -> None:
    check_key(key)
    if key.endswith("/"):
        raise InvalidIdentifier("an object key cannot end with '/'", value=key)


def _is_identifier(name: str) -> bool:
    try:
        validate_identifier(name, "tenant_id")
    except InvalidIdentifier:
        return False
    return True


def _is_object_key(key: str) -> bool:
    try:
        _check_object_key(key)
    except InvalidIdentifier:
        return False
    return True


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "Unknown"))


def _public_endpoint(url: str) -> str:
    # An endpoint URL may embed user:password; only scheme, host and port are fit to show.
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"
