"""Governance by maturity through the muscle host over real HTTP: each level against a tool of
each complexity is allowed, refused (coded, naming the level needed) or proposed; a person
approves a proposal and it runs once, even approved twice; supervised calls are mirrored to the
supervision stream; every decision is recorded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from core.metering import SqliteLedger
from core.serving import MountedMuscle, build_http_app
from core.settings import Settings
from tests.governance.probe import TOOLS, GovProbe, outcome, serve
from tests.servers import uvicorn_in_thread

AGENTS = {
    "STUDENT": "student-token-0123456789",
    "INTERN": "intern-token-0123456789",
    "SUPERVISED": "supervised-token-0123456789",
    "AUTONOMOUS": "autonomous-token-0123456789",
}
PERSON, STRANGER = "alice-token-0123456789", "bob-token-0123456789"

EXPECTED = {  # level -> the outcome of look (1), watch (2), write (3), wipe (4)
    "STUDENT": ["ok", "maturity_too_low", "maturity_too_low", "maturity_too_low"],
    "INTERN": ["ok", "ok", "approval_required", "approval_required"],
    "SUPERVISED": ["ok", "ok", "ok", "maturity_too_low"],
    "AUTONOMOUS": ["ok", "ok", "ok", "ok"],
}


def _settings(tmp: Path) -> Settings:
    grants: list[dict[str, Any]] = [
        {"token": token, "actor": level.lower(), "maturity": level} for level, token in AGENTS.items()
    ]
    grants.append({"token": PERSON, "actor": "alice", "approver": True})
    return Settings(
        data_dir=tmp / "data",
        signing_key="k",
        auth_tokens={"tenant-a": grants, "tenant-b": [{"token": STRANGER, "actor": "bob", "approver": True}]},
    )


async def _calls(url: str, token: str) -> list[Any]:
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30) as http,
        Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client,
    ):
        return [
            await client.call_tool(tool, {"note": token[:5]} if tool == "write" else {}) for tool in TOOLS
        ]


def test_each_level_against_each_complexity_then_a_proposal_approved_twice_runs_once(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    runtime, server = serve(settings)
    app = build_http_app([MountedMuscle("probe", server, runtime)], settings, single=True)

    async def run(url: str) -> dict[str, Any]:
        seen: dict[str, Any] = {level: await _calls(url, token) for level, token in AGENTS.items()}
        intern_write = seen["INTERN"][2].structured_content["error"]
        intern_wipe = seen["INTERN"][3].structured_content["error"]
        async with httpx.AsyncClient(base_url=url, trust_env=False, timeout=30) as http:

            async def post(path: str, token: str) -> tuple[int, dict[str, Any]]:
                answer = await http.post(path, headers={"Authorization": f"Bearer {token}"})
                return answer.status_code, answer.json()

            write_id, wipe_id = intern_write["value"], intern_wipe["value"]
            listed = (
                await http.get("/governance/proposals", headers={"Authorization": f"Bearer {PERSON}"})
            ).json()
            seen["listed"] = sorted(p["proposal_id"] for p in listed["proposals"])
            seen["agent_approves"] = await post(f"/governance/proposals/{write_id}/approve", AGENTS["INTERN"])
            seen["stranger_approves"] = await post(f"/governance/proposals/{write_id}/approve", STRANGER)
            seen["first"] = await post(f"/governance/proposals/{write_id}/approve", PERSON)
            seen["second"] = await post(f"/governance/proposals/{write_id}/approve", PERSON)
            seen["rejected"] = await post(f"/governance/proposals/{wipe_id}/reject", PERSON)
            seen["approve_after_reject"] = await post(f"/governance/proposals/{wipe_id}/approve", PERSON)
            supervision = await http.get(
                "/governance/supervision", headers={"Authorization": f"Bearer {PERSON}"}
            )
            seen["supervision"] = supervision.json()["calls"]
            seen["write_id"], seen["wipe_id"] = write_id, wipe_id
        return seen

    with uvicorn_in_thread(app) as url:
        seen = anyio.run(run, url)

    for level, expected in EXPECTED.items():
        assert [outcome(result) for result in seen[level]] == expected, level
    refused = seen["STUDENT"][1].structured_content["error"]
    assert refused["value"] == "INTERN" and refused["details"] == {
        "maturity": "STUDENT",
        "complexity": 2,
        "needed": "INTERN",
    }
    assert seen["SUPERVISED"][3].structured_content["error"]["value"] == "AUTONOMOUS"
    proposed = seen["INTERN"][2].structured_content["error"]
    assert (
        proposed["details"]["proposal_id"] == seen["write_id"]
        and proposed["details"]["needed"] == "SUPERVISED"
    )
    assert seen["listed"] == sorted([seen["write_id"], seen["wipe_id"]])

    assert seen["agent_approves"][0] == 403 and seen["agent_approves"][1]["error"]["code"] == "access_denied"
    assert seen["stranger_approves"][0] == 404  # another tenant's proposal reads as missing
    status, first = seen["first"]
    assert status == 200 and first["ran"] is True and first["proposal"]["state"] == "executed"
    assert first["result"]["structuredContent"] == {
        "result": 3
    }  # the supervised and autonomous writes came first
    status, second = seen["second"]
    assert status == 200 and second["ran"] is False and second["result"] == first["result"]
    assert GovProbe.writes == ["super", "auton", "inter"]  # the approved write ran once, as the intern
    assert seen["rejected"][1]["proposal"]["state"] == "rejected"
    assert seen["approve_after_reject"][1]["ran"] is False
    assert seen["approve_after_reject"][1]["proposal"]["state"] == "rejected"

    assert [(c["actor"], c["tool"], c["outcome"]) for c in seen["supervision"]] == [
        ("supervised", "look", "ok"),
        ("supervised", "watch", "ok"),
        ("supervised", "write", "ok"),
    ]
    decisions = SqliteLedger(settings.ledger_db_path).decisions("tenant-a")
    made = sorted((d.actor, d.tool, d.outcome, d.needed) for d in decisions)
    assert len(made) == 17  # 16 calls and the approved run
    assert ("student", "wipe", "refuse", "AUTONOMOUS") in made
    assert ("intern", "write", "propose", "SUPERVISED") in made
    assert made.count(("intern", "write", "allow", "SUPERVISED")) == 1  # the approved run
    assert ("supervised", "write", "supervise", "SUPERVISED") in made
