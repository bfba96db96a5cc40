"""Media storage: validated keys, the ``Storage`` Protocol, and its local and S3 backends.

Pick a backend with :func:`open_storage`; build keys only with :func:`asset_key` and
:func:`upload_key`, so a key can never leave its tenant's prefix.
"""

from typing import TYPE_CHECKING

from core.storage.base import ObjectInfo, PresignedUrl, Storage
from core.storage.factory import open_storage
from core.storage.keys import asset_key, check_key, tenant_prefix, upload_key, upload_prefix
from core.storage.local import LocalStorage
from core.storage.media_endpoint import media_routes

if TYPE_CHECKING:
    from core.storage.s3 import S3Storage

__all__ = [
    "LocalStorage",
    "ObjectInfo",
    "PresignedUrl",
    "S3Storage",
    "Storage",
    "asset_key",
    "check_key",
    "media_routes",
    "open_storage",
    "tenant_prefix",
    "upload_key",
    "upload_prefix",
]


def __getattr__(name: str) -> object:
    # S3Storage pulls in boto3 (a quarter of a second): only a server that uses S3 pays it.
    if name == "S3Storage":
        from core.storage.s3 import S3Storage

        return S3Storage
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
