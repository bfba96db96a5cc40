"""A warm introspection process: imports the heavy modules once, then forks per request.

Each request is one line of JSON on stdin, ``{"service": ..., "out": ...}``; the forked child
introspects that service exactly like ``_child.py`` (a fresh interpreter state for the service
module, since the server itself never imports one) and the server answers ``ok`` on stdout.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

# Preloaded once, so each forked child only imports the service itself. core.media.store
# pulls in storage (boto3), probing and sources, which most services use.
import core.media.store
import core.serving.server  # noqa: F401
from sentinel._child import write_result


def main() -> int:
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:  # the child: introspect, write the result file, leave without cleanup
            code = 0
            try:
                write_result(Path(request["service"]), Path(request["out"]))
            except BaseException:  # noqa: BLE001 - a child must never return into the loop
                code = 1
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        sys.stdout.write(("ok" if os.waitstatus_to_exitcode(status) == 0 else "failed") + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
