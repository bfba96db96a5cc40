"""The muscle host's governance API, for people (tokens whose grant says ``approver: true``):

- ``GET /governance/proposals``: the tenant's pending proposals;
- ``GET /governance/proposals/{id}``: one proposal, with the result of its call once run;
- ``POST /governance/proposals/{id}/approve`` (or ``/reject``): the first decision wins; an
  approval runs the call once, as the agent that proposed it, and answers with its result;
  deciding again answers the first outcome (``"ran": false``);
- ``GET /governance/supervision?after=N``: the tenant's supervised calls after sequence N.

Everything is within the caller's tenant: another tenant's proposal reads as missing.
"""

from __future__ import annotations

from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from core.errors import AccessDenied, AtomsError, InvalidInput, NotFound
from core.governance import Proposal
from core.serving.caller import Caller, caller_of_request
from core.serving.host import MuscleHost

__all__ = ["governance_routes"]


def governance_routes(host: MuscleHost, default: Caller) -> list[BaseRoute]:
    def approver_of(request: Request) -> Caller:
        caller = caller_of_request(request, default)
        if not caller.approver:
            raise AccessDenied(
                f"{caller.actor} may not read or decide on proposals",
                value=caller.actor,
                hint="Use a token whose ATOMS_AUTH_TOKENS grant says approver: true (a person's).",
            )
        return caller

    async def pending(request: Request) -> JSONResponse:
        caller = approver_of(request)
        store = await host.store()
        found = await anyio.to_thread.run_sync(lambda: store.pending(caller.tenant_id))
        return JSONResponse({"proposals": [p.public() for p in found]})

    async def one(request: Request) -> JSONResponse:
        caller = caller_of_request(request, default)
        store = await host.store()
        proposal_id = request.path_params["proposal_id"]
        found = await anyio.to_thread.run_sync(lambda: store.get(proposal_id, caller.tenant_id))
        if found is None or not (caller.approver or caller.actor == found.actor):
            raise NotFound(f"no proposal {proposal_id}", value=proposal_id)
        return JSONResponse(_shown(found))

    async def decide(request: Request) -> JSONResponse:
        caller = approver_of(request)
        approve = request.path_params["decision"] == "approve"
        proposal, ran = await host.decide(request.path_params["proposal_id"], caller, approve=approve)
        return JSONResponse({**_shown(proposal), "ran": ran})

    async def supervision(request: Request) -> JSONResponse:
        caller = approver_of(request)
        after, limit = _int(request, "after", 0), _int(request, "limit", 100)
        if not 1 <= limit <= 1000 or after < 0:
            raise InvalidInput("after must be 0 or more and limit 1 to 1000", value=f"{after},{limit}")
        store = await host.store()
        calls = await anyio.to_thread.run_sync(
            lambda: store.supervised(caller.tenant_id, after=after, limit=limit)
        )
        rows = [
            {
                "seq": c.seq,
                "at": c.at,
                "actor": c.actor,
                "muscle": c.muscle,
                "tool": c.tool,
                "arguments": c.arguments,
                "outcome": c.outcome,
                "request_id": c.request_id,
            }
            for c in calls
        ]
        return JSONResponse({"calls": rows, "next_after": rows[-1]["seq"] if rows else after})

    def coded(endpoint: Any) -> Any:
        async def answer(request: Request) -> JSONResponse:
            try:
                return await endpoint(request)  # type: ignore[no-any-return]
            except AtomsError as error:
                status = error.http_status if error.http_status < 500 else 503
                return JSONResponse({"error": error.to_dict()}, status_code=status)

        return answer

    return [
        Route("/governance/proposals", coded(pending), methods=["GET"]),
        Route("/governance/proposals/{proposal_id}", coded(one), methods=["GET"]),
        Route("/governance/proposals/{proposal_id}/{decision:str}", coded(decide), methods=["POST"]),
        Route("/governance/supervision", coded(supervision), methods=["GET"]),
    ]


def _shown(proposal: Proposal) -> dict[str, Any]:
    return {"proposal": proposal.public(), "result": proposal.result}


def _int(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit():
        raise InvalidInput(f"{name} must be a whole number", value=raw)
    return int(raw)
