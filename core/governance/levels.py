"""Governance by maturity (the Atom platform's rule): what an agent of each level may do.

A tool's *action complexity* follows from its annotations:

====  ==============================  ==================================================
  1   read-only                        ``read_only`` (presentations and reads)
  2   streaming / progress             not read-only, not destructive, and it streams its
                                       work: job-backed (``job=True``, and its
                                       ``submit_<tool>``) or it takes a ``Progress``
  3   state change                     every other tool that is neither read-only nor
                                       destructive
  4   destructive                      ``destructive``
====  ==============================  ==================================================

An agent's *maturity* bounds the complexity it runs:

- STUDENT runs complexity 1 only; anything else is refused;
- INTERN runs up to 2 and *proposes* the rest: a person approves or rejects, and an approved
  proposal runs once;
- SUPERVISED runs up to 3, each call mirrored to a supervision stream; 4 is refused;
- AUTONOMOUS runs everything.

A refusal names the level needed (the lowest that runs the tool without a proposal).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import Literal

from core.errors import InvalidInput
from core.spec import ToolSpec

__all__ = [
    "Decision",
    "Maturity",
    "Outcome",
    "complexity_of",
    "decide",
    "level_needed",
    "parse_maturity",
    "spec_complexity",
    "visible_tools",
]

Outcome = Literal["allow", "supervise", "propose", "refuse"]


class Maturity(IntEnum):
    STUDENT = 1
    INTERN = 2
    SUPERVISED = 3
    AUTONOMOUS = 4


def parse_maturity(value: object) -> Maturity:
    """``"INTERN"`` (any case) or a Maturity -> the Maturity; InvalidInput otherwise."""
    if isinstance(value, Maturity):
        return value
    if isinstance(value, str) and value.strip().upper() in Maturity.__members__:
        return Maturity[value.strip().upper()]
    raise InvalidInput(
        "not a maturity level", value=value, hint="Use STUDENT, INTERN, SUPERVISED or AUTONOMOUS."
    )


def complexity_of(*, read_only: bool, destructive: bool, streams: bool) -> int:
    """The action complexity (1-4) of a tool with these annotations (see the module docstring)."""
    if destructive:
        return 4
    if read_only:
        return 1
    return 2 if streams else 3


def spec_complexity(tool: ToolSpec) -> int:
    """A tool's complexity from its MuscleSpec entry (the gateway's view of a muscle)."""
    streams = (
        tool.job
        or "progress" in tool.injected.values()
        or (tool.job_tool and tool.name.startswith("submit_"))
    )
    return complexity_of(read_only=tool.read_only, destructive=tool.destructive, streams=streams)


def level_needed(complexity: int) -> Maturity:
    """The lowest maturity that runs a tool of ``complexity`` without a proposal."""
    return Maturity(min(max(complexity, 1), 4))


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    maturity: Maturity
    complexity: int
    needed: Maturity


def decide(maturity: Maturity, complexity: int) -> Decision:
    """What an agent of ``maturity`` may do with a tool of ``complexity``."""
    needed = level_needed(complexity)
    outcome: Outcome
    if maturity is Maturity.AUTONOMOUS:
        outcome = "allow"
    elif maturity is Maturity.SUPERVISED:
        outcome = "supervise" if complexity <= 3 else "refuse"
    elif maturity is Maturity.INTERN:
        outcome = "allow" if complexity <= 2 else "propose"
    else:
        outcome = "allow" if complexity <= 1 else "refuse"
    return Decision(outcome=outcome, maturity=maturity, complexity=complexity, needed=needed)


def visible_tools(
    tools: Iterable[ToolSpec], maturity: Maturity, *, include_proposed: bool = True
) -> list[ToolSpec]:
    """The tools an agent of ``maturity`` may use, for a tool manifest: those it runs, plus
    (unless ``include_proposed`` is False) those it may propose; never those it is refused."""
    shown = []
    for tool in tools:
        outcome = decide(maturity, spec_complexity(tool)).outcome
        if outcome != "refuse" and (include_proposed or outcome != "propose"):
            shown.append(tool)
    return shown
