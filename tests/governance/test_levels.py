"""The rule itself: complexity from annotations, the decision for each maturity, the cache, the
manifest filter, and the muscle host and the gateway agreeing on every real tool's complexity."""

from __future__ import annotations

import importlib
import time

import jwt
import pytest

from core.discovery import find_services, mcp_module, project_root
from core.errors import InvalidInput
from core.governance import (
    Governor,
    Maturity,
    complexity_of,
    decide,
    parse_maturity,
    spec_complexity,
    visible_tools,
)
from gateway.errors import TokenInvalid
from gateway.identity import TokenVerifier
from sentinel.generate import introspect

OUTCOMES = {  # maturity -> outcome for complexity 1, 2, 3, 4
    Maturity.STUDENT: ["allow", "refuse", "refuse", "refuse"],
    Maturity.INTERN: ["allow", "allow", "propose", "propose"],
    Maturity.SUPERVISED: ["supervise", "supervise", "supervise", "refuse"],
    Maturity.AUTONOMOUS: ["allow", "allow", "allow", "allow"],
}


@pytest.mark.parametrize("maturity", list(Maturity))
def test_each_maturity_runs_proposes_or_refuses_each_complexity(maturity: Maturity) -> None:
    decisions = [decide(maturity, complexity) for complexity in (1, 2, 3, 4)]
    assert [d.outcome for d in decisions] == OUTCOMES[maturity]
    assert [d.needed for d in decisions] == [
        Maturity.STUDENT,
        Maturity.INTERN,
        Maturity.SUPERVISED,
        Maturity.AUTONOMOUS,
    ]


def test_complexity_follows_the_annotations() -> None:
    assert complexity_of(read_only=True, destructive=False, streams=True) == 1
    assert complexity_of(read_only=False, destructive=False, streams=True) == 2
    assert complexity_of(read_only=False, destructive=False, streams=False) == 3
    assert complexity_of(read_only=True, destructive=True, streams=False) == 4  # destructive wins


def test_maturity_names_parse_in_any_case_and_nothing_else_does() -> None:
    assert (
        parse_maturity("intern") is Maturity.INTERN and parse_maturity(Maturity.STUDENT) is Maturity.STUDENT
    )
    with pytest.raises(InvalidInput):
        parse_maturity("ROOT")


def test_the_governor_derives_each_tool_once_and_then_answers_from_its_cache() -> None:
    derived: list[tuple[str, str]] = []

    def complexity(muscle: str, tool: str) -> int:
        derived.append((muscle, tool))
        return 3

    governor = Governor(complexity)
    for _ in range(100):
        assert governor.check(Maturity.INTERN, "m", "t").outcome == "propose"
    assert governor.check(Maturity.SUPERVISED, "m", "t").outcome == "supervise"
    assert derived == [("m", "t"), ("m", "t")]  # once per (maturity, muscle, tool)


def test_the_host_and_the_gateway_rate_every_real_tool_alike_and_the_manifest_filter_follows() -> None:
    for location in find_services(project_root()):
        spec = introspect(location)
        runtime = importlib.import_module(mcp_module(location)).runtime
        for tool in spec.tools:
            assert runtime.complexity(tool.name) == spec_complexity(tool), (spec.name, tool.name)
        if spec.name == "media_v2":
            shown = {t.name for t in visible_tools(spec.tools, Maturity.STUDENT)}
            assert shown == {"stat", "resolve", "list_assets", "presign_download"}  # the read-only tools
            assert {t.name for t in visible_tools(spec.tools, Maturity.INTERN)} == {
                t.name for t in spec.tools
            }
            run_only = {t.name for t in visible_tools(spec.tools, Maturity.INTERN, include_proposed=False)}
            assert "delete" not in run_only and "stat" in run_only


def test_an_agent_tokens_maturity_claim_rides_on_its_events_and_a_bad_one_is_refused() -> None:
    secret = "governance-test-secret-of-32-bytes!"
    verifier = TokenVerifier(secret=secret)

    def verify(**claims: object) -> object:
        base = {"sub": "a1", "tenant_id": "t", "exp": int(time.time()) + 60}
        return verifier.verify_sync(jwt.encode({**base, **claims}, secret, algorithm="HS256"))

    agent = verify(actor="agent", agent_role="director", app_metadata={"maturity": "intern"})
    assert agent.maturity is Maturity.INTERN  # type: ignore[attr-defined]
    assert agent.public() == {"kind": "agent", "subject": "a1", "role": "director", "maturity": "INTERN"}  # type: ignore[attr-defined]
    person = verify(maturity="STUDENT")
    assert person.maturity is None and "maturity" not in person.public()  # type: ignore[attr-defined]
    with pytest.raises(TokenInvalid):
        verify(actor="agent", agent_role="director", maturity="ROOT")
