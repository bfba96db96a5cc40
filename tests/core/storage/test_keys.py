"""Storage key layout: every key is built from validated parts and stays in its tenant's prefix."""

from __future__ import annotations

import pytest

from core.errors import InvalidIdentifier
from core.storage import asset_key, check_key, tenant_prefix, upload_key


def test_asset_key_follows_the_tenant_env_namespace_asset_filename_layout() -> None:
    assert asset_key("acme", "staging", "a1b2", "clip.mp4") == "tenants/acme/staging/media_v2/a1b2/clip.mp4"


def test_upload_key_lands_beside_the_assets_never_among_them() -> None:
    key = upload_key("acme", "local", "up1", "clip.mp4")

    assert key == "tenants/acme/local/media_v2_uploads/up1/clip.mp4"
    assert not key.startswith(tenant_prefix("acme", "local"))


def test_tenant_prefix_ends_with_a_separator() -> None:
    assert tenant_prefix("acme", "production") == "tenants/acme/production/media_v2/"


def test_built_keys_pass_check_key_unchanged() -> None:
    key = asset_key("acme", "local", "a1", "My Clip (v2).mp4")

    assert check_key(key) == key
    assert check_key(tenant_prefix("acme", "local")) == "tenants/acme/local/media_v2/"


@pytest.mark.parametrize(
    "tenant_id",
    ["..", "../other", "a/b", "/", "", "a\x00", "a\nb", "a\x7f", ".hidden", "-dash", "a..b", "x" * 129],
)
def test_unsafe_tenant_ids_are_refused(tenant_id: str) -> None:
    with pytest.raises(InvalidIdentifier):
        tenant_prefix(tenant_id, "local")


@pytest.mark.parametrize(
    "filename", ["..", "../x.mp4", "a/b.mp4", "", ".hidden", "x\x01.mp4", "clip.mp4\n", "x."]
)
def test_unsafe_filenames_are_refused(filename: str) -> None:
    with pytest.raises(InvalidIdentifier):
        asset_key("acme", "local", "a1", filename)


@pytest.mark.parametrize("asset_id", ["..", "a/b", "", "a\tb", "a b"])
def test_unsafe_asset_ids_are_refused(asset_id: str) -> None:
    with pytest.raises(InvalidIdentifier):
        asset_key("acme", "local", asset_id, "clip.mp4")


def test_unknown_environment_is_refused() -> None:
    with pytest.raises(InvalidIdentifier):
        tenant_prefix("acme", "dev")


def test_unknown_namespace_is_refused() -> None:
    with pytest.raises(InvalidIdentifier):
        tenant_prefix("acme", "local", "secrets")


@pytest.mark.parametrize(
    "key",
    [
        "tenants/acme/local/media_v2/../../other/local/media_v2/a1/x.mp4",
        "tenants/acme/local/media_v2/a1/../x.mp4",
        "tenants/acme/local/media_v2//x.mp4",
        "tenants//local/media_v2/a1/x.mp4",
        "/tenants/acme/local/media_v2/a1/x.mp4",
        "tenants/acme/local/media_v2/a1/x\x00.mp4",
        "tenants/acme/local/media_v2/a1/x\r.mp4",
        "tenants/acme/dev/media_v2/a1/x.mp4",
        "tenants/acme/local/secrets/a1/x.mp4",
        "tenants/acme/local",
        "other/acme/local/media_v2/a1/x.mp4",
        "tenants/acme/local/media_v2/a1/b2/c3/x.mp4",
        "",
    ],
)
def test_check_key_refuses_keys_outside_the_layout(key: str) -> None:
    with pytest.raises(InvalidIdentifier):
        check_key(key)


@pytest.mark.parametrize(
    ("tenant_a", "tenant_b"),
    [("a", "a-b"), ("a", "a.b"), ("a", "ab"), ("acme", "acme_2"), ("a-b", "a"), ("1", "10")],
)
def test_keys_of_one_tenant_never_start_with_another_tenants_prefix(tenant_a: str, tenant_b: str) -> None:
    for env in ("local", "staging", "production"):
        key_b = asset_key(tenant_b, env, "a1", "clip.mp4")
        upload_b = upload_key(tenant_b, env, "u1", "clip.mp4")
        for namespace in ("media_v2", "media_v2_uploads"):
            prefix_a = tenant_prefix(tenant_a, env, namespace)
            assert not key_b.startswith(prefix_a)
            assert not upload_b.startswith(prefix_a)
