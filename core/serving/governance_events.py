"""Governance events on the canvas gateway: a proposal as a ``proposal`` event on the proposing
agent's canvas stream (the canvas named by its token), and each supervised call as a
``log_line`` (``kind: supervision``) on the supervision stream. Only where
``ATOMS_GOVERNANCE_GATEWAY_URL`` is set; a gateway that does not answer is logged, never fails
the call (the proposal and the supervised call are already stored on the host).
"""

from __future__ import annotations

import logging
from typing import Any, Final

import httpx

from core.governance import Proposal, SupervisedCall
from core.settings import Settings

__all__ = ["GovernanceEvents"]

logger = logging.getLogger(__name__)

_TIMEOUT_S: Final = 3.0


class GovernanceEvents:
    def __init__(self, settings: Settings) -> None:
        self._url = (settings.governance_gateway_url or "").rstrip("/")
        token = settings.governance_gateway_token
        self._headers = {"Authorization": f"Bearer {token.get_secret_value()}"} if token is not None else {}
        self._supervision = settings.governance_supervision_stream

    @property
    def enabled(self) -> bool:
        return bool(self._url)

    async def proposed(self, proposal: Proposal, canvas: str | None) -> None:
        if self.enabled and canvas:
            await self._publish(canvas, {"type": "proposal", "data": proposal.public()})

    async def supervised(self, call: SupervisedCall) -> None:
        if self.enabled and self._supervision:
            data = {
                "kind": "supervision",
                "seq": call.seq,
                "actor": call.actor,
                "muscle": call.muscle,
                "tool": call.tool,
                "arguments": call.arguments,
                "outcome": call.outcome,
                "request_id": call.request_id,
            }
            await self._publish(self._supervision, {"type": "log_line", "data": data})

    async def _publish(self, stream: str, event: dict[str, Any]) -> None:
        try:
            async with httpx.AsyncClient(timeout=_TIMEOUT_S, trust_env=False) as client:
                answer = await client.post(f"{self._url}{stream}/events", json=event, headers=self._headers)
            if answer.status_code >= 300:
                logger.warning("gateway refused a %s event: HTTP %d", event["type"], answer.status_code)
        except httpx.HTTPError as exc:
            logger.warning("gateway unreachable for a %s event: %s", event["type"], type(exc).__name__)
