"""The direct PostgreSQL backend through the CLI: plan -> apply -> plan, updates, refusals, prune."""

from __future__ import annotations

import io
import json
from typing import Any

import psycopg
from pydantic import SecretStr

from core.spec import MuscleSpec
from registry_sync.cli import main
from tests.registry_sync.conftest import Project, settings_for, variant


def _cli(project: Project, dsn: str, *argv: str, dsn_prod: str | None = None) -> tuple[int, dict[str, Any]]:
    settings = settings_for(
        registry_backend="postgres",
        supabase_db_url=SecretStr(dsn),
        supabase_db_url_prod=SecretStr(dsn_prod) if dsn_prod else None,
    )
    out, err = io.StringIO(), io.StringIO()
    code = main([*project.args(), *argv, "--json"], settings=settings, out=out, err=err)
    return code, json.loads(out.getvalue())


def _ops(document: dict[str, Any], env: int = 0) -> dict[str, str]:
    return {c["name"]: c["symbol"] for c in document["environments"][env]["changes"]}


def test_plan_apply_plan_shows_nothing_to_do_and_a_second_apply_writes_nothing(
    project: Project, database: str, media_spec: MuscleSpec
) -> None:
    project.write([variant(media_spec, "alpha"), variant(media_spec, "beta")])
    code, plan = _cli(project, database, "plan")
    assert (code, _ops(plan)) == (2, {"alpha": "+", "beta": "+"})
    code, applied = _cli(project, database, "apply")
    assert (code, applied["environments"][0]["writes"]) == (0, 1)
    code, again = _cli(project, database, "plan")
    assert (code, _ops(again)) == (0, {"alpha": "=", "beta": "="})
    with psycopg.connect(database) as conn:
        before = conn.execute("select name, updated_at from public.muscles order by name").fetchall()
    code, second = _cli(project, database, "apply")
    assert (code, second["environments"][0]["writes"]) == (0, 0)
    with psycopg.connect(database) as conn:
        assert conn.execute("select name, updated_at from public.muscles order by name").fetchall() == before


def test_a_changed_service_shows_an_update_for_that_muscle_only(
    project: Project, database: str, media_spec: MuscleSpec
) -> None:
    alpha, beta = variant(media_spec, "alpha"), variant(media_spec, "beta")
    project.write([alpha, beta])
    assert _cli(project, database, "apply")[0] == 0
    changed = beta.model_copy(
        update={"version": "1.1.0", "description": "Beta, now faster.", "source_sha256": "b" * 64}
    )
    project.write([alpha, changed])
    code, plan = _cli(project, database, "plan")
    assert (code, _ops(plan)) == (2, {"alpha": "=", "beta": "~"})
    assert plan["environments"][0]["changes"][1]["reason"] == "1.0.0 -> 1.1.0"
    assert _cli(project, database, "apply")[0] == 0
    with psycopg.connect(database) as conn:
        history = conn.execute("select name, version from public.muscle_versions order by 1, 2").fetchall()
    assert history == [("alpha", "1.0.0"), ("beta", "1.0.0"), ("beta", "1.1.0")]


def test_a_hash_change_without_a_version_bump_is_refused_and_nothing_is_written(
    project: Project, database: str, media_spec: MuscleSpec
) -> None:
    alpha, beta = variant(media_spec, "alpha"), variant(media_spec, "beta")
    project.write([alpha])
    assert _cli(project, database, "apply")[0] == 0
    edited = alpha.model_copy(update={"description": "Edited, same version.", "source_sha256": "c" * 64})
    project.write([edited, beta])
    code, plan = _cli(project, database, "plan")
    assert (code, _ops(plan)) == (1, {"alpha": "!", "beta": "+"})
    assert plan["environments"][0]["changes"][0]["error"]["code"] == "version_not_bumped"
    code, applied = _cli(project, database, "apply")
    assert (code, applied["environments"][0]["writes"]) == (1, 0)
    with psycopg.connect(database) as conn:
        assert conn.execute("select name from public.muscles").fetchall() == [("alpha",)]


def test_prune_soft_deletes_muscles_gone_from_the_repo(
    project: Project, database: str, media_spec: MuscleSpec
) -> None:
    alpha, beta = variant(media_spec, "alpha"), variant(media_spec, "beta")
    project.write([alpha, beta])
    assert _cli(project, database, "apply")[0] == 0
    project.write([alpha])
    code, plan = _cli(project, database, "plan")
    assert (code, _ops(plan)) == (0, {"alpha": "=", "beta": "?"})
    code, pruned = _cli(project, database, "apply", "--prune")
    assert (code, _ops(pruned), pruned["environments"][0]["writes"]) == (0, {"alpha": "=", "beta": "-"}, 1)
    with psycopg.connect(database) as conn:
        assert conn.execute("select name, status from public.muscles order by 1").fetchall() == [
            ("alpha", "active"),
            ("beta", "deleted"),
        ]
    assert _ops(_cli(project, database, "plan", "--prune")[1]) == {"alpha": "="}
    project.write([alpha, beta])  # back in the repo: reactivated with the same content
    code, back = _cli(project, database, "apply")
    assert (code, _ops(back)) == (0, {"alpha": "=", "beta": "~"})


def test_status_reports_drift_when_the_remote_changed_and_the_repo_did_not(
    project: Project, database: str, media_spec: MuscleSpec
) -> None:
    project.write([variant(media_spec, "alpha"), variant(media_spec, "beta")])
    assert _cli(project, database, "apply")[0] == 0
    assert _cli(project, database, "status", "--env", "staging")[0] == 0
    with psycopg.connect(database) as conn:  # a hand edit that bypasses the triggers
        conn.execute("set session_replication_role = replica")
        conn.execute("update public.muscles set description = 'tampered' where name = 'beta'")
    code, status = _cli(project, database, "status", "--env", "staging")
    assert (code, _ops(status)) == (2, {"alpha": "=", "beta": "!"})
    beta = status["environments"][0]["changes"][1]
    assert beta["drift"] is True and beta["error"]["code"] == "registry_drift"
