"""Child-process entry: ``python -m sentinel._child <service.py> <out.json>``.

Writes ``{"ok": true, "spec": ...}`` or ``{"ok": false, "path", "line", "message"}`` to the
output file (not stdout: the service under inspection may print).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from core.discovery import locate
from sentinel.introspect import introspect_module
from sentinel.problem import ServiceProblem


def write_result(service: Path, out: Path) -> None:
    try:
        result = {"ok": True, "spec": introspect_module(locate(service)).model_dump(mode="json")}
    except ServiceProblem as problem:
        result = {"ok": False, "path": problem.path, "line": problem.line, "message": problem.message}
    out.write_text(json.dumps(result))


if __name__ == "__main__":
    write_result(Path(sys.argv[1]), Path(sys.argv[2]))
    sys.exit(0)
