"""Build the storage backend the settings ask for: the one place a backend is chosen."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from core.errors import ConfigError, MissingConfig
from core.settings import Settings
from core.storage.base import Storage
from core.storage.local import LocalStorage

if TYPE_CHECKING:
    from core.storage.s3 import S3Storage

__all__ = ["open_storage"]


def open_storage(settings: Settings, *, clock: Callable[[], float] | None = None) -> Storage:
    """The configured backend. ``clock`` times the local backend's presigned URLs (a test seam)."""
    if settings.storage == "local":
        return LocalStorage(
            settings.data_dir / "media",
            base_url=settings.media_base_url,
            secret=settings.signing_secret(),
            clock=clock or time.time,
        )
    return _open_s3(settings)


def _open_s3(settings: Settings) -> S3Storage:
    if not settings.s3_bucket:
        raise MissingConfig("ATOMS_STORAGE=s3 needs ATOMS_S3_BUCKET", value="ATOMS_S3_BUCKET")
    access_key = settings.s3_access_key_id
    secret_key = settings.s3_secret_access_key
    if (access_key is None) != (secret_key is None):
        missing = "ATOMS_S3_SECRET_ACCESS_KEY" if secret_key is None else "ATOMS_S3_ACCESS_KEY_ID"
        raise MissingConfig(
            f"S3 credentials are incomplete: {missing} is not set",
            value=missing,
            hint="Set both ATOMS_S3_ACCESS_KEY_ID and ATOMS_S3_SECRET_ACCESS_KEY, or neither to use "
            "the instance role.",
        )
    # boto3 only where S3 is used: it costs a local-disk server a quarter of a second at start.
    import boto3
    from botocore.config import Config

    from core.storage.s3 import S3Storage

    config = Config(
        signature_version="s3v4",
        # Custom endpoints (MinIO, moto, Ceph) rarely resolve virtual-hosted bucket names.
        s3={"addressing_style": "path" if settings.s3_endpoint_url else "auto"},
        # Bounded: an unreachable store should fail a call in seconds, not hang it.
        connect_timeout=5,
        read_timeout=60,
        retries={"max_attempts": 3, "mode": "standard"},
    )
    try:
        client = boto3.client(
            "s3",
            region_name=settings.s3_region,
            endpoint_url=settings.s3_endpoint_url,
            aws_access_key_id=access_key.get_secret_value() if access_key else None,
            aws_secret_access_key=secret_key.get_secret_value() if secret_key else None,
            config=config,
        )
    except ValueError:
        # botocore raises ValueError for a malformed endpoint URL or region name; its message
        # may quote the URL (user info included), so only the setting's name is reported.
        raise ConfigError(
            "ATOMS_S3_ENDPOINT_URL or ATOMS_S3_REGION is not valid",
            value="ATOMS_S3_ENDPOINT_URL",
        ) from None
    return S3Storage(settings.s3_bucket, client)
