"""ServiceProblem: a service that does not import or breaks the contract, located at file:line.

Kept apart from the introspection code so the parent process can report problems without
importing what only the child needs (the MCP SDK, jsonschema).
"""

from __future__ import annotations

__all__ = ["ServiceProblem"]


class ServiceProblem(Exception):
    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message
