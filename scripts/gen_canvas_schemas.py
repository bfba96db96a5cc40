"""Write the canvas schemas the gateway takes from muscles' models (it may not import them).

The video editor canvas embeds video_timeline's Timeline: its JSON Schema is written from the
model into gateway/canvas/schemas/timeline.schema.json, and
tests/gateway/canvas/test_canvas_types.py fails (with a diff) when the file and the model part.

    uv run python scripts/gen_canvas_schemas.py          # rewrite the file
    uv run python scripts/gen_canvas_schemas.py --check  # exit 1 when it is stale
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from muscles.video.timeline.model import Timeline  # noqa: E402

TARGET = ROOT / "gateway" / "canvas" / "schemas" / "timeline.schema.json"


def expected_text() -> str:
    """The file's one correct text: the model's schema, keys sorted, two-space indent."""
    return json.dumps(Timeline.model_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report whether the file is stale")
    args = parser.parse_args()
    text = expected_text()
    current = TARGET.read_text(encoding="utf-8") if TARGET.is_file() else None
    if args.check:
        if current != text:
            sys.stderr.write(f"{TARGET.relative_to(ROOT)} is stale: run scripts/gen_canvas_schemas.py\n")
            return 1
        return 0
    if current != text:
        TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
