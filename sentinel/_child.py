"""Child-process entry: ``python -m sentinel._child <service.py> <out.json>``.

Writes ``{"ok": true, "spec": ...}`` or ``{"ok": false, "path", "line", "message"}`` to the
output file (not stdout: the service under inspection may print).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sentinel.introspect import ServiceProblem, introspect_module
from core.discovery import locate


def main() -> int:
    service, out = Path(sys.argv[1]), Path(sys.argv[2])
    location = locate(service)
    try:
        result = {"ok": True, "spec": introspect_module(location).model_dump(mode="json")}
    except ServiceProblem as problem:
        result = {"ok": False, "path": problem.path, "line": problem.line, "message": problem.message}
    out.write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
