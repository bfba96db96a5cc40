"""Storage keys: ``tenants/{tenant_id}/{env}/media_v2/{asset_id}/{filename}``.

Keys are built only from validated identifiers, and every key a backend touches is checked
again here, so no key can leave its tenant's prefix.
"""

from __future__ import annotations

from core.errors import InvalidIdentifier
from core.identifiers import validate_filename, validate_identifier

__all__ = [
    "ASSETS_NAMESPACE",
    "UPLOADS_NAMESPACE",
    "asset_key",
    "check_key",
    "tenant_prefix",
    "upload_key",
    "upload_prefix",
]

ASSETS_NAMESPACE = "media_v2"
# Presigned uploads land beside the assets, never among them, until register() checks them.
UPLOADS_NAMESPACE = "media_v2_uploads"
_NAMESPACES = (ASSETS_NAMESPACE, UPLOADS_NAMESPACE)
_ENVS = ("local", "staging", "production")


def tenant_prefix(tenant_id: str, env: str, namespace: str = ASSETS_NAMESPACE) -> str:
    """The prefix (ending in '/') under which all of a tenant's objects of ``namespace`` live."""
    if env not in _ENVS:
        raise InvalidIdentifier("unknown environment", value=env)
    if namespace not in _NAMESPACES:
        raise InvalidIdentifier("unknown storage namespace", value=namespace)
    return f"tenants/{validate_identifier(tenant_id, 'tenant_id')}/{env}/{namespace}/"


def asset_key(tenant_id: str, env: str, asset_id: str, filename: str) -> str:
    """The key of one asset, checked whole (one pass of :func:`check_key` over every part)."""
    if env not in _ENVS:
        raise InvalidIdentifier("unknown environment", value=env)
    if not filename:  # "…/<asset>/" would pass as a prefix
        raise InvalidIdentifier("an asset needs a file name", value=filename)
    return check_key(f"tenants/{tenant_id}/{env}/{ASSETS_NAMESPACE}/{asset_id}/{filename}")


def upload_prefix(tenant_id: str, env: str, upload_id: str) -> str:
    """The prefix (ending in '/') of one presigned upload; it holds a single object."""
    return (
        tenant_prefix(tenant_id, env, UPLOADS_NAMESPACE) + f"{validate_identifier(upload_id, 'upload_id')}/"
    )


def upload_key(tenant_id: str, env: str, upload_id: str, filename: str) -> str:
    return upload_prefix(tenant_id, env, upload_id) + validate_filename(filename)


def check_key(key: str) -> str:
    """Return ``key`` when it is a well-formed object key (or key prefix ending in '/')."""
    parts = key.split("/")
    if parts[-1] == "":  # a prefix
        parts = parts[:-1]
    is_prefix = key.endswith("/")
    if (
        len(parts) < 4
        or parts[0] != "tenants"
        or parts[2] not in _ENVS
        or parts[3] not in _NAMESPACES
        or (len(parts) == 4 and not is_prefix)  # "…/media_v2" would also match "…/media_v2_uploads"
    ):
        raise InvalidIdentifier(
            "storage key outside the tenants/{tenant}/{env}/{namespace}/ layout", value=key
        )
    validate_identifier(parts[1], "tenant_id")
    for part in parts[4:-1]:
        validate_identifier(part, "key segment")
    if len(parts) > 4:
        validate_filename(parts[-1], "key segment")
    if len(parts) > 6:
        raise InvalidIdentifier("storage key too deep", value=key)
    return key
