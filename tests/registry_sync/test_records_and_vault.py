"""Records come from MuscleSpec and are hashed canonically; the vault refuses wrong keys."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from core.discovery import project_root
from core.spec import MuscleSpec
from registry_sync.errors import InvalidVersion, NotServiceRoleKey, VaultEntryMissing
from registry_sync.records import canonical_json, record_from_spec
from registry_sync.vault import Vault, key_role, redact_db_url
from sentinel.render import render_skill
from tests.registry_sync.conftest import ANON_KEY, SERVICE_KEY, settings_for, write_vault


def test_a_record_is_the_spec_and_its_skill_md_hashed_canonically(media_spec: MuscleSpec) -> None:
    skill = render_skill(media_spec)
    record = record_from_spec(media_spec, skill)
    assert record.skill_md == skill and record.version == media_spec.version
    assert [t["name"] for t in record.tools] == sorted(t.name for t in media_spec.tools)
    assert record.content_hash.startswith("sha256:") and len(record.content_hash) == 71
    assert record_from_spec(media_spec, skill).content_hash == record.content_hash
    assert record_from_spec(media_spec, skill + "\n").content_hash != record.content_hash
    assert canonical_json({"b": 1, "a": [2, "é"]}) == '{"a":[2,"é"],"b":1}'


def test_a_version_that_is_not_exact_semver_is_refused(media_spec: MuscleSpec) -> None:
    with pytest.raises(InvalidVersion):
        record_from_spec(media_spec.model_copy(update={"version": "^1.0"}), "")


def test_the_vault_reads_files_per_environment_and_variables_win(tmp_path: Path) -> None:
    vault_dir = write_vault(
        tmp_path,
        {"supabase-url-prod.txt": "https://prod.supabase.co", "supabase-service-key-prod.txt": SERVICE_KEY},
    )
    vault = Vault(settings_for(vault_dir, supabase_url_prod="https://override.supabase.co"))
    assert vault.supabase_url("production") == "https://override.supabase.co"
    assert vault.service_key("production").get_secret_value() == SERVICE_KEY
    with pytest.raises(VaultEntryMissing) as missing:
        vault.supabase_url("staging")
    assert "supabase-url.txt" in missing.value.message and "ATOMS_SUPABASE_URL" in missing.value.hint


def test_an_anon_key_is_refused_where_a_service_key_is_needed(tmp_path: Path) -> None:
    assert (key_role(SERVICE_KEY), key_role(ANON_KEY), key_role("not-a-jwt")) == (
        "service_role",
        "anon",
        None,
    )
    vault = Vault(settings_for(supabase_service_key=SecretStr(ANON_KEY)))
    with pytest.raises(NotServiceRoleKey) as refused:
        vault.service_key("staging")
    assert ANON_KEY not in str(refused.value.to_dict())


def test_database_urls_are_shown_without_their_password() -> None:
    assert redact_db_url("postgresql://postgres:hunter2@db.x.supabase.co:5432/postgres?sslmode=require") == (
        "postgresql://postgres@db.x.supabase.co:5432/postgres"
    )


def test_the_supabase_connect_skill_passes_the_agent_skills_validator() -> None:
    validator = str(Path(sys.executable).with_name("agentskills"))
    folder = project_root() / "skills" / "supabase-connect"
    proc = subprocess.run([validator, "validate", str(folder)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len((folder / "SKILL.md").read_text().splitlines()) < 500
