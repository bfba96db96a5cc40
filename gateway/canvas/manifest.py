"""CANVAS_READY's tool manifest: the catalog's canvas tools an actor may see and use.

A button is on an actor's canvas when its lens may send the button's command
(``command:<id>``) and the tool gate admits it. The gate is the seam for governance: DESIGN's
maturity levels (an agent's maturity bounds the action complexity it may run, from each tool's
annotations, which every entry carries) plug in here as a :data:`ToolGate`; until then every
tool is admitted (:func:`admit_all`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.governance import complexity_of, decide
from gateway.canvas.catalog import CatalogTool, ToolCatalog
from gateway.identity import Actor
from gateway.lenses import Lens

__all__ = ["Manifest", "ToolGate", "admit_all", "maturity_gate"]

# gate(actor, tool) -> whether the actor may have the tool's button.
ToolGate = Callable[[Actor, CatalogTool], bool]


def admit_all(_: Actor, __: CatalogTool) -> bool:
    return True


def maturity_gate(actor: Actor, tool: CatalogTool) -> bool:
    """The gateway's default gate: an agent whose token states a maturity sees the buttons of
    the tools it may run or propose (core.governance's rule on the tool's annotations), never
    those it would be refused; a person, or an agent without a maturity claim, sees all."""
    if actor.maturity is None:
        return True
    notes = tool.annotations
    complexity = complexity_of(
        read_only=notes.get("read_only", False),
        destructive=notes.get("destructive", False),
        streams=notes.get("streams", False),
    )
    return decide(actor.maturity, complexity).outcome != "refuse"


class Manifest:
    def __init__(self, catalog: ToolCatalog, gate: ToolGate = admit_all) -> None:
        self.catalog = catalog
        self.gate = gate

    async def for_actor(self, actor: Actor, lens: Lens) -> list[dict[str, Any]]:
        """The buttons of ``actor``'s canvas, by id, each bound to its tool and input schema."""
        return [
            tool.manifest_entry()
            for tool in await self.catalog.tools()
            if lens.shows_tool(tool.id) and self.gate(actor, tool)
        ]
