"""registry-sync end to end over the REST path: environments, preflight, exit codes, secrets."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from core.spec import MuscleSpec
from registry_sync.cli import main
from tests.conftest import free_port
from tests.registry_sync.conftest import (
    ALL_SECRETS,
    ANON_KEY,
    SERVICE_KEY,
    SERVICE_KEY_PROD,
    Project,
    settings_for,
    variant,
    write_vault,
)
from tests.registry_sync.postgrest_double import ServedDouble


def _vault(folder: Path, staging_url: str, production_url: str, **overrides: str) -> Path:
    files = {
        "supabase-url.txt": staging_url,
        "supabase-service-key.txt": SERVICE_KEY,
        "supabase-url-prod.txt": production_url,
        "supabase-service-key-prod.txt": SERVICE_KEY_PROD,
        **overrides,
    }
    return write_vault(folder, {name: value for name, value in files.items() if value})


def _run(project: Project, vault: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([*project.args(), *argv], settings=settings_for(vault), out=out, err=err)
    print(out.getvalue(), err.getvalue())  # into capsys: the autouse fixture scans it for secrets
    return code, out.getvalue(), err.getvalue()


def _names(dsn: str) -> list[str]:
    with psycopg.connect(dsn) as conn:
        return [row[0] for row in conn.execute("select name from public.muscles order by name")]


def test_staging_applies_when_production_is_unreachable_and_a_rerun_applies_only_production(
    project: Project,
    make_database: Callable[..., str],
    serve_double: Callable[..., ServedDouble],
    media_spec: MuscleSpec,
    tmp_path: Path,
) -> None:
    staging_db, production_db = make_database(), make_database()
    staging = serve_double(staging_db)
    production_port = free_port()  # nothing listens here yet: production is down
    vault = _vault(tmp_path / "vault", staging.url, f"http://127.0.0.1:{production_port}")
    project.write([variant(media_spec, "alpha"), variant(media_spec, "beta")])

    code, out, err = _run(project, vault, "apply", "--env", "all")
    assert code == 4
    assert _names(staging_db) == ["alpha", "beta"] and _names(production_db) == []
    assert "error [registry_unreachable]: production: host unreachable: 127.0.0.1" in err
    assert "fix: Check the URL in supabase-url-prod.txt" in err
    assert "exit 4: partial" in out

    production = serve_double(production_db, production_port)  # production is back
    staging.double.requests.clear()
    code, out, _ = _run(project, vault, "apply", "--env", "all", "--json")
    document = json.loads(out)
    assert code == 0
    assert [(e["env"], e["writes"]) for e in document["environments"]] == [("staging", 0), ("production", 1)]
    assert [r.method for r in staging.double.requests] == ["GET", "GET"]
    assert [r.method for r in production.double.requests] == ["GET", "GET", "POST"]
    assert _names(production_db) == ["alpha", "beta"]


def test_a_failed_staging_stops_production(
    project: Project,
    serve_double: Callable[..., ServedDouble],
    database: str,
    media_spec: MuscleSpec,
    tmp_path: Path,
) -> None:
    production = serve_double(database)
    vault = _vault(tmp_path / "vault", f"http://127.0.0.1:{free_port()}", production.url)
    project.write([variant(media_spec, "alpha")])
    code, out, _ = _run(project, vault, "apply", "--env", "all")
    assert code == 3
    assert "skipped" in out and production.double.requests == []


@pytest.mark.parametrize(
    ("case", "expected_code", "remediation"),
    [
        ("missing vault file", "vault_entry_missing", "supabase-service-key.txt"),
        ("malformed URL", "registry_url_invalid", "https://<project-ref>.supabase.co"),
        ("anon key", "key_not_service_role", "service_role key"),
        ("missing table", "registry_table_missing", "supabase db push"),
    ],
)
def test_each_preflight_failure_exits_3_with_its_remediation(
    case: str,
    expected_code: str,
    remediation: str,
    project: Project,
    make_database: Callable[..., str],
    serve_double: Callable[..., ServedDouble],
    media_spec: MuscleSpec,
    tmp_path: Path,
) -> None:
    server = serve_double(make_database(migrated=case != "missing table"))
    overrides = {
        "missing vault file": {"supabase-service-key.txt": ""},
        "malformed URL": {"supabase-url.txt": "htp:/nohost"},
        "anon key": {"supabase-service-key.txt": ANON_KEY},
        "missing table": {},
    }[case]
    vault = _vault(tmp_path / "vault", server.url, server.url, **overrides)
    project.write([variant(media_spec, "alpha")])
    for command in ("plan", "apply"):
        code, _, err = _run(project, vault, command, "--env", "staging")
        assert code == 3, err
        assert f"error [{expected_code}]" in err
        assert remediation in err
    if case == "anon key":
        assert "is an anon key" in err
    assert [r for r in server.double.requests if r.method == "POST"] == []


def test_no_secret_value_appears_in_any_output_of_the_cli(
    project: Project,
    make_database: Callable[..., str],
    serve_double: Callable[..., ServedDouble],
    media_spec: MuscleSpec,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    dsn = make_database()
    server = serve_double(dsn)
    project.write([variant(media_spec, "alpha")])
    good = _vault(
        tmp_path / "good", server.url, f"http://127.0.0.1:{free_port()}", **{"supabase-db-url.txt": dsn}
    )
    anon = _vault(tmp_path / "anon", server.url, server.url, **{"supabase-service-key-prod.txt": ANON_KEY})
    runs: list[tuple[Path, list[str]]] = [
        (good, ["plan", "--env", "all"]),
        (good, ["apply", "--env", "all", "--json"]),
        (good, ["status"]),
        (good, ["--backend", "postgres", "status", "--env", "staging", "--json"]),
        (good, ["--backend", "postgres", "plan", "--env", "production"]),
        (anon, ["apply", "--env", "all"]),
        (good, ["export", "server.json", "alpha"]),
    ]
    for vault, argv in runs:
        _run(project, vault, *argv)
    # And the real console script in a child process, env-var secrets included.
    env = {"PATH": "/usr/bin:/bin", "ATOMS_VAULT_DIR": str(good), "ATOMS_SUPABASE_SERVICE_KEY_PROD": ANON_KEY}
    proc = subprocess.run(
        [sys.executable, "-m", "registry_sync", *project.args(), "apply", "--env", "all"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 4, proc.stderr
    captured = capsys.readouterr()
    everything = captured.out + captured.err + proc.stdout + proc.stderr
    assert "key_not_service_role" in everything and "registry_unreachable" in everything
    assert [s[:6] for s in ALL_SECRETS if s in everything] == []
    assert "***" not in everything  # nothing even needed scrubbing: no message is built from a secret


def test_usage_errors_and_stale_skills_exit_1(
    project: Project, media_spec: MuscleSpec, tmp_path: Path
) -> None:
    vault = tmp_path / "vault"
    project.write([variant(media_spec, "alpha")])
    assert _run(project, vault, "plan", "--env", "moon")[0] == 1
    (project.root / "muscles" / "media" / "alpha" / "SKILL.md").write_text(
        "---\nname: alpha\n---\nhand-edited\n"
    )
    code, _, err = _run(project, vault, "plan")
    assert code == 1 and "error [skill_md_stale]" in err and "sentinel generate" in err


def test_plan_reads_specs_from_sentinel_itself(
    scratch_project: Path, database: str, serve_double: Callable[..., ServedDouble], tmp_path: Path
) -> None:
    """No --specs: registry-sync runs `sentinel spec` on the checkout (a real service.py)."""
    from sentinel.cli import main as sentinel_main
    from tests.conftest import add_service

    add_service(scratch_project, "text", "word_stats", WORD_STATS)
    assert sentinel_main(["generate", str(scratch_project)]) == 0
    server = serve_double(database)
    vault = _vault(tmp_path / "vault", server.url, server.url)
    out = io.StringIO()
    code = main(["--path", str(scratch_project), "plan", "--json"], settings=settings_for(vault), out=out)
    document: dict[str, Any] = json.loads(out.getvalue())
    assert code == 2
    assert [(c["symbol"], c["name"], c["local_version"]) for c in document["environments"][0]["changes"]] == [
        ("+", "word_stats", "0.2.0")
    ]


WORD_STATS = '''"""word_stats: counts words."""

from core.contract import Muscle, tool


class WordStats(Muscle):
    """Counts the words of a text."""

    version = "0.2.0"
    capabilities = ["cap.text.count"]

    @tool
    def count(self, text: str) -> int:
        """Number of whitespace-separated words in text."""
        return len(text.split())
'''
