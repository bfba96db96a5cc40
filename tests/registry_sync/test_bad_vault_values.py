"""Malformed vault values (a non-ASCII key, a database URL with a port that is not a number)
end the run with a coded preflight error and exit 3, never a traceback, and echo no secret."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from core.spec import MuscleSpec
from registry_sync.cli import main
from tests.registry_sync.conftest import SERVICE_KEY, Project, settings_for, variant, write_vault

BAD_KEYS = {
    "non-ascii": SERVICE_KEY[:20] + "é" + SERVICE_KEY[20:],
    "control-character": SERVICE_KEY[:20] + "\x07" + SERVICE_KEY[20:],
    "inner-space": SERVICE_KEY[:20] + " " + SERVICE_KEY[20:],
    "jwt-non-ascii-tail": SERVICE_KEY + "é",
    "secret-key-non-ascii": "sb_secret_FAKEé7c1d2e3f4a5b6c7d8e9f0",
}
BAD_DB_URLS = {
    "port-not-a-number": "postgresql://postgres:FAKE-pw-71c2@127.0.0.1:54x2/postgres",
    "port-out-of-range": "postgresql://postgres:FAKE-pw-71c2@127.0.0.1:99999/postgres",
    "non-ascii-host": "postgresql://postgres:FAKE-pw-71c2@dbé.example:5432/postgres",
    "nul-byte": "postgresql://postgres:FAKE-pw-71c2@127.0.0.1:5432/post\x00gres",
}
BAD_PROJECT_URLS = {
    "port-not-a-number": "https://abc.supabase.co:44x3",
    "non-ascii": "https://abç.supabase.co",
}


def _run(project: Project, vault: Path, *argv: str, backend: str = "rest") -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    args = [*project.args(), "--backend", backend, *argv]
    code = main(args, settings=settings_for(vault), out=out, err=err)
    return code, out.getvalue() + err.getvalue()


@pytest.mark.parametrize("name", sorted(BAD_KEYS))
def test_a_malformed_service_key_is_a_coded_preflight_failure(
    name: str, project: Project, media_spec: MuscleSpec, tmp_path: Path
) -> None:
    project.write([variant(media_spec, "alpha")])
    vault = write_vault(
        tmp_path / "vault",
        {"supabase-url.txt": "http://127.0.0.1:9", "supabase-service-key.txt": BAD_KEYS[name]},
    )
    code, text = _run(project, vault, "plan", "--env", "staging")
    assert code == 3, text
    assert "key_not_service_role" in text or "key_invalid" in text, text
    assert "Traceback" not in text and BAD_KEYS[name] not in text


@pytest.mark.parametrize("name", sorted(BAD_DB_URLS))
def test_a_malformed_database_url_is_a_coded_preflight_failure(
    name: str, project: Project, media_spec: MuscleSpec, tmp_path: Path
) -> None:
    project.write([variant(media_spec, "alpha")])
    vault = write_vault(tmp_path / "vault", {"supabase-db-url.txt": BAD_DB_URLS[name]})
    code, text = _run(project, vault, "plan", "--env", "staging", backend="postgres")
    assert code == 3, text
    assert "registry_url_invalid" in text, text
    assert "Traceback" not in text and "FAKE-pw-71c2" not in text


@pytest.mark.parametrize("name", sorted(BAD_PROJECT_URLS))
def test_a_malformed_project_url_is_a_coded_preflight_failure(
    name: str, project: Project, media_spec: MuscleSpec, tmp_path: Path
) -> None:
    project.write([variant(media_spec, "alpha")])
    vault = write_vault(
        tmp_path / "vault",
        {"supabase-url.txt": BAD_PROJECT_URLS[name], "supabase-service-key.txt": SERVICE_KEY},
    )
    code, text = _run(project, vault, "plan", "--env", "staging")
    assert code == 3, text
    assert "registry_url_invalid" in text, text
    assert "Traceback" not in text
