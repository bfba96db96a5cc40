"""The shipped Grafana dashboard and Prometheus alert rules are valid.

What is checked (promtool is not available here): every rule file and dashboard parses; the
rules have Prometheus's structure (groups of alerts with expr, a valid ``for`` duration,
string labels and annotations); every PromQL expression parses with a PromQL parser
(``promql-parser``, Grafana's ``$__rate_interval`` read as 5m); and every metric an expression
names is one the muscles host exports. What is not: that the alert thresholds are well chosen.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml

from core.discovery import project_root
from core.observability.metrics import HostMetrics

DEPLOY = project_root() / "deploy"
RULES = sorted((DEPLOY / "prometheus").glob("*.yml"))
DASHBOARDS = sorted((DEPLOY / "grafana").glob("*.json"))
_SELECTOR = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\{")


def exported_names() -> set[str]:
    """Every series name the host exports (counters' _total, histograms' _bucket/_sum/_count)."""
    metrics = HostMetrics(jobs_by_state=lambda: {"queued": 1}, ledger=lambda: (0, 0, 0))
    metrics.call("m", "t", "ok", 0.1, 0.1, 1, 1)
    metrics.call("m", "t", "internal_error", 0.1, 0.0, 0, 0)
    metrics.decisions.labels("allow").inc()
    metrics.quota_refusals.labels("calls_per_minute").inc()
    metrics.tasks.labels("m").inc()
    text = metrics.render().decode()
    return {
        line.split("{")[0].split(" ")[0] for line in text.splitlines() if line and not line.startswith("#")
    }


def names_in(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (as the parser renders it: ``name{...}``)."""
    parsed = promql_parser.parse(expr.replace("$__rate_interval", "5m"))
    return set(_SELECTOR.findall(str(parsed)))


def test_deploy_ships_alert_rules_and_a_dashboard() -> None:
    assert [p.name for p in RULES] == ["atoms-muscles-alerts.yml"]
    assert [p.name for p in DASHBOARDS] == ["atoms-muscles-dashboard.json"]


@pytest.mark.parametrize("path", RULES, ids=lambda p: p.name)
def test_alert_rules_have_prometheus_structure_and_parse(path: Path) -> None:
    exported = exported_names()
    document = yaml.safe_load(path.read_text())
    assert set(document) == {"groups"}
    alerts: list[str] = []
    for group in document["groups"]:
        assert isinstance(group["name"], str) and group["rules"]
        for rule in group["rules"]:
            assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}, rule
            alerts.append(rule["alert"])
            assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", rule["alert"])
            if "for" in rule:
                promql_parser.parse_duration(rule["for"])
            for key in ("labels", "annotations"):
                assert all(isinstance(v, str) for v in rule.get(key, {}).values())
            assert rule["labels"]["severity"] in ("page", "warn")
            used = names_in(rule["expr"])
            assert used and used <= exported, (rule["alert"], used - exported)
    assert len(alerts) == len(set(alerts))
    # The three: error rate, p95 latency and queue depth are all watched.
    watched = " ".join(rule["expr"] for group in document["groups"] for rule in group["rules"])
    for needed in ("atoms_tool_errors_total", "histogram_quantile(0.95", "atoms_job_queue_depth"):
        assert needed in watched


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_the_dashboard_is_grafana_json_whose_queries_parse_and_name_exported_metrics(path: Path) -> None:
    exported = exported_names()
    dashboard: dict[str, Any] = json.loads(path.read_text())
    assert dashboard["uid"] and dashboard["title"] and dashboard["schemaVersion"] >= 30
    assert [v["name"] for v in dashboard["templating"]["list"]] == ["datasource"]
    panels = dashboard["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    seen: set[str] = set()
    for panel in panels:
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24 and grid["h"] > 0
        assert panel["datasource"]["uid"] == "${datasource}"
        for target in panel["targets"]:
            used = names_in(target["expr"])
            assert used and used <= exported, (panel["title"], used - exported)
            seen |= used
    for needed in (
        "atoms_tool_calls_total",
        "atoms_tool_errors_total",
        "atoms_jobs",
        "atoms_job_queue_depth",
    ):
        assert needed in seen


def test_an_expression_that_does_not_parse_is_caught() -> None:
    with pytest.raises(ValueError):
        names_in("sum(rate(atoms_tool_calls_total[5m])")
