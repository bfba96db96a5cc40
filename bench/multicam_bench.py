"""video_multicam's ``align`` against the two audio-sync tools on PyPI, on the same pairs.

Pairs: copies of one espeak-ng scene (speech over random notes; tests/muscles/video_multicam/
scene.py) with known offsets (+1.234 s at 44.1 kHz, -0.5 s at 32 kHz with noise at 0 dB SNR,
+17.3456 s at 48 kHz with noise at 0 dB SNR), different gains, WAV files.

- ours: ``call_tool("align", {"uris": [reference, other]})`` through the official MCP client
  (in memory) on the generated server (files stored in media_v2 first, as a caller would have).
- syncstart 1.1.1: its CLI, ``syncstart REF OTHER -q -s -t 60`` (-s: no plot) (take 60 s so the 17 s offset is
  inside its window; by default it reads 20 s): plain FFT correlation at the higher of the two
  sample rates, so it resolves whole samples.
- audio-offset-finder 0.5.5: its CLI at its defaults (8 kHz, MFCC frames, resolution 128
  samples), ``--find-offset-of OTHER --within REF --json``.

Both anchors live in a virtual environment of their own (they pin numpy < 2 and pull in
opencv-python and matplotlib, which the project's environment must not get): ``--anchors``
names its Python; without it one is made with uv under the system temp dir (needs PyPI once).
Each anchor run starts a Python; that start-up (imports included) is measured separately and
printed, so the figures can be read with and without it. Targets: at least 5x faster than
syncstart with sub-millisecond error; audio-offset-finder's error printed.

    uv run python bench/multicam_bench.py [--rounds 3] [--anchors /path/to/python]
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
from mcp import Client

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._timing import Summary
from core.media.store import MediaStore
from core.scope import Scope
from core.settings import Settings
from tests.muscles.video_multicam.scene import Take, record, scene, write_wav

TENANT = "bench"
REFERENCE = Take(start_s=2.0, seconds=25.0, rate=48000)
PAIRS = {
    "+1.234 s 44.1 kHz": (1.234, Take(3.234, 20.0, rate=44100, gain=0.3)),
    "-0.5 s 32 kHz 0 dB": (-0.5, Take(1.5, 20.0, rate=32000, gain=2.0, snr_db=0.0, seed=1)),
    "+17.3456 s 48 kHz 0 dB": (17.3456, Take(19.3456, 20.0, rate=48000, gain=0.5, snr_db=0.0, seed=2)),
}


def _anchor_python(given: str | None) -> Path:
    if given:
        return Path(given)
    venv = Path(tempfile.gettempdir()) / "atoms-bench-multicam-anchors"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run(["uv", "venv", "-q", "-p", "3.11", str(venv)], check=True)
        subprocess.run(
            [
                "uv",
                "pip",
                "install",
                "-q",
                "-p",
                str(python),
                "syncstart==1.1.1",
                "audio-offset-finder==0.5.5",
            ],
            check=True,
        )
    return python


def _syncstart(python: Path, reference: Path, other: Path) -> float:
    # Its entry point returns a tuple, which sys.exit turns into exit status 1: read stdout.
    out = subprocess.run(
        [str(python.parent / "syncstart"), str(reference), str(other), "-q", "-s", "-t", "60"],
        capture_output=True, text=True, check=False,
    ).stdout.strip().splitlines()[0]  # fmt: skip
    cut_file, seconds = out.rsplit(",", 1)
    # "cut the first N s of FILE": the reference is cut when the other started later.
    return float(seconds) if Path(cut_file) == reference else -float(seconds)


def _offset_finder(python: Path, reference: Path, other: Path) -> float:
    out = subprocess.run(
        [str(python.parent / "audio-offset-finder"), "--find-offset-of", str(other), "--within", str(reference), "--json"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return float(json.loads(out)["time_offset"])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--anchors", help="a Python with syncstart and audio-offset-finder installed")
    ns = parser.parse_args()
    python = _anchor_python(ns.anchors)
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        settings = Settings(data_dir=tmp / "data", tenant_id=TENANT, signing_key="bench-key")
        store, scope = MediaStore.from_settings(settings), Scope(tenant_id=TENANT)
        source = scene(tmp, seconds=60.0)
        ref_path = write_wav(tmp / "reference.wav", record(source, REFERENCE), REFERENCE.rate)
        ref_uri = store.register_staged(scope, store.stage_local(ref_path), ref_path.name).uri
        files = {}
        for index, (name, (_, take)) in enumerate(PAIRS.items()):
            path = write_wav(tmp / f"other{index}.wav", record(source, take), take.rate)
            files[name] = (path, store.register_staged(scope, store.stage_local(path), path.name).uri)
        module = importlib.import_module("muscles.video.video_multicam.mcp")
        module.runtime.configure(settings)

        async def ours(uri: str) -> dict[str, Any]:
            async with Client(module.server) as client:
                result = await client.call_tool("align", {"uris": [ref_uri, uri]})
            assert not result.is_error and result.structured_content is not None, result.content
            return result.structured_content["recordings"][1]

        startup: list[float] = []
        for _ in range(ns.rounds):
            started = time.perf_counter()
            subprocess.run([str(python), "-c", "import syncstart, audio_offset_finder"], check=True)
            startup.append(time.perf_counter() - started)
        rows = []
        for name, (truth, _) in PAIRS.items():
            path, uri = files[name]
            times: dict[str, list[float]] = {"ours": [], "syncstart": [], "aof": []}
            found: dict[str, float] = {}
            z = 0.0
            for round_no in range(ns.rounds):
                order = ["ours", "syncstart", "aof"] if round_no % 2 == 0 else ["aof", "syncstart", "ours"]
                for side in order:
                    started = time.perf_counter()
                    if side == "ours":
                        synced = anyio.run(ours, uri)
                        found[side], z = synced["offset_s"], synced["confidence"]
                    elif side == "syncstart":
                        found[side] = _syncstart(python, ref_path, path)
                    else:
                        found[side] = _offset_finder(python, ref_path, path)
                    times[side].append(time.perf_counter() - started)
            rows.append((name, truth, z, found, {k: Summary.of(v) for k, v in times.items()}))
        anyio.run(module.runtime.stop)
    boot = Summary.of(startup)
    print(f"\nanchor Python start-up (imports syncstart, audio_offset_finder): p50 {boot.p50:.0f} ms")
    print(f"{'pair':<24} {'tool':<20} {'p50 ms':>9} {'error ms':>10}")
    for name, truth, z, found, summaries in rows:
        for side, label in (
            ("ours", f"video_multicam z={z:g}"),
            ("syncstart", "syncstart"),
            ("aof", "audio-offset-finder"),
        ):
            error = (found[side] - truth) * 1000
            print(f"{name:<24} {label:<20} {summaries[side].p50:9.1f} {error:10.3f}")
        speed = summaries["syncstart"].p50 / summaries["ours"].p50
        bare = (summaries["syncstart"].p50 - boot.p50) / summaries["ours"].p50
        print(
            f"{'':<24} ours vs syncstart: {speed:.1f}x faster ({bare:.1f}x without its Python start-up; target >= 5)"
        )


if __name__ == "__main__":
    main()
