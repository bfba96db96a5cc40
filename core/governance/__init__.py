"""Governance by maturity: which agent may run which tool, proposals a person approves, and the
supervision stream of supervised agents. See :mod:`core.governance.levels` for the rule."""

from core.governance.governor import Governor
from core.governance.levels import (
    Decision,
    Maturity,
    Outcome,
    complexity_of,
    decide,
    level_needed,
    parse_maturity,
    spec_complexity,
    visible_tools,
)
from core.governance.store import GovernanceStore, Proposal, SupervisedCall

__all__ = [
    "Decision",
    "GovernanceStore",
    "Governor",
    "Maturity",
    "Outcome",
    "Proposal",
    "SupervisedCall",
    "complexity_of",
    "decide",
    "level_needed",
    "parse_maturity",
    "spec_complexity",
    "visible_tools",
]
