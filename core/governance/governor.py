"""The governance check, cached: (maturity, muscle, tool) -> Decision.

Deriving a tool's complexity reads its annotations (its ``@tool`` options and signature); the
decision for a maturity follows from it. Both only change with the code, so each
(maturity, muscle, tool) is decided once per process and then answered from a dict: the
per-call cost is a dict lookup (bench/governance_check.py measures it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from core.governance.levels import Decision, Maturity, decide

__all__ = ["Governor"]


class Governor:
    def __init__(self, complexity: Callable[[str, str], int]) -> None:
        """``complexity(muscle, tool)`` derives a tool's action complexity (1-4)."""
        self._complexity = complexity
        self._decided: dict[tuple[Maturity, str, str], Decision] = {}
        self._lock = threading.Lock()

    def check(self, maturity: Maturity, muscle: str, tool: str) -> Decision:
        key = (maturity, muscle, tool)
        found = self._decided.get(key)
        if found is None:
            found = decide(maturity, self._complexity(muscle, tool))
            with self._lock:
                self._decided[key] = found
        return found
