"""audio_capture_normalize against the ``ffmpeg-normalize`` CLI on the same file, one run.

- anchor: ``ffmpeg-normalize in.wav -nt ebu -t -23 -tp -1 -lrt 7 -ar <rate> -c:a pcm_s16le -o out.wav``
  (v1.43, the usual wrapper: it also runs loudnorm twice, measuring first, then linear).
- ours: ``call_tool("normalize", {...same targets...})`` on the generated server through an
  in-memory MCP client: asset copied out of media_v2, two ffmpeg passes, output hashed, probed
  and stored in media_v2.

Input: espeak-ng speech (the test paragraph said ``--repeat`` times) turned down by 12 dB, so
the gain is real work. Calls run in interleaved rounds (anchor first on even rounds) after one
warm-up each. Printed: wall times, the ratio ours/anchor, and each output's loudness error and
true peak measured independently with pyloudnorm (BS.1770-4) and a 4x oversampled peak.

Run it with::

    uv run python bench/normalize_vs_ffmpeg_normalize.py [--rounds 3] [--repeat 3]
"""

from __future__ import annotations

import argparse
import importlib
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
from _timing import Summary

ROOT = Path(__file__).resolve().parent.parent
TARGET_I, TARGET_TP, TARGET_LRA = -23.0, -1.0, 7.0

sys.path.insert(0, str(ROOT))
from core.ffmpeg.runner import ffmpeg_binary  # noqa: E402 - needs the repo root on sys.path
from core.media.store import MediaStore  # noqa: E402
from core.scope import Scope  # noqa: E402
from core.settings import Settings  # noqa: E402
from tests.muscles.audio_capture_normalize.conftest import (  # noqa: E402
    integrated_lufs,
    read_samples,
    true_peak_dbtp,
)
from tests.speech_samples import PARAGRAPH, write_speech_wav  # noqa: E402


def quiet_speech(folder: Path, repeat: int) -> Path:
    loud = write_speech_wav(folder / "loud.wav", " ".join([PARAGRAPH] * repeat))
    quiet = folder / "speech.wav"
    subprocess.run(
        [ffmpeg_binary(), "-loglevel", "error", "-y", "-i", str(loud), "-af", "volume=-12dB", str(quiet)],
        check=True,
    )
    return quiet


def loudness_line(label: str, path: Path, rate: int) -> str:
    samples = read_samples(path, channels=1)
    measured = integrated_lufs(samples, rate)
    return (
        f"  {label:<10} {measured:7.2f} LUFS (error {measured - TARGET_I:+.2f} LU)"
        f"   true peak {true_peak_dbtp(samples):6.2f} dBTP (limit {TARGET_TP:g})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3, help="times the paragraph is said (audio length)")
    args = parser.parse_args()
    cli = shutil.which("ffmpeg-normalize")
    if cli is None:
        print("ffmpeg-normalize is not on PATH: run with `uv run` so the dev venv's script is found")
        return 1

    with tempfile.TemporaryDirectory(prefix="bench-normalize-") as tmp_name:
        tmp = Path(tmp_name)
        wav = quiet_speech(tmp, args.repeat)
        settings = Settings(data_dir=tmp / "data", tenant_id="bench", signing_key="bench-key")
        store = MediaStore.from_settings(settings)
        scope = Scope(tenant_id="bench")
        ref = store.register_staged(scope, store.stage_local(wav), wav.name)
        rate = ref.sample_rate or 22050
        anchor_out = tmp / "anchor.wav"

        def anchor() -> float:
            started = time.perf_counter()
            subprocess.run(
                [
                    *(cli, str(wav), "-nt", "ebu", "-t", f"{TARGET_I:g}", "-tp", f"{TARGET_TP:g}"),
                    *("-lrt", f"{TARGET_LRA:g}", "-ar", str(rate), "-c:a", "pcm_s16le", "-f", "-q"),
                    *("-o", str(anchor_out)),
                ],
                check=True,
            )
            return time.perf_counter() - started

        module: Any = importlib.import_module("muscles.audio.audio_capture_normalize.mcp")
        module.runtime.configure(settings)
        request = {"uri": ref.uri, "integrated_lufs": TARGET_I, "true_peak_db": TARGET_TP, "lra": TARGET_LRA}

        async def run() -> tuple[list[float], list[float], dict[str, Any]]:
            from mcp import Client

            async with Client(module.server) as client:

                async def ours() -> tuple[float, dict[str, Any]]:
                    started = time.perf_counter()
                    result = await client.call_tool("normalize", request)
                    elapsed = time.perf_counter() - started
                    assert not result.is_error, result.structured_content
                    assert result.structured_content is not None
                    return elapsed, result.structured_content

                await anyio.to_thread.run_sync(anchor)  # warm-up: page cache, imports
                _, content = await ours()
                anchor_s: list[float] = []
                ours_s: list[float] = []
                for round_ in range(args.rounds):
                    if round_ % 2 == 0:
                        anchor_s.append(await anyio.to_thread.run_sync(anchor))
                        ours_s.append((await ours())[0])
                    else:
                        ours_s.append((await ours())[0])
                        anchor_s.append(await anyio.to_thread.run_sync(anchor))
                return anchor_s, ours_s, content

        anchor_s, ours_s, content = anyio.run(run)
        ours_out = store.materialize(scope, content["output"]["uri"], tmp / "ours.wav")
        anchor_sum, ours_sum = Summary.of(anchor_s), Summary.of(ours_s)
        print(
            f"normalise {ref.duration_s:.1f} s of speech ({content['input_loudness']['integrated_lufs']:.2f} LUFS)"
            f" to {TARGET_I:g} LUFS, TP {TARGET_TP:g} dBTP, LRA {TARGET_LRA:g}"
        )
        print(anchor_sum.line("anchor"))
        print(ours_sum.line("ours"))
        print(
            f"  ratio      p50 {ours_sum.p50 / anchor_sum.p50:8.3f}      mean {ours_sum.mean / anchor_sum.mean:8.3f}"
            "      (ours / ffmpeg-normalize; lower is faster)"
        )
        print(f"  ours reports: {content['normalization_type']}, output {content['output_loudness']}")
        print("loudness of each output, measured by pyloudnorm:")
        print(loudness_line("anchor", anchor_out, rate))
        print(loudness_line("ours", ours_out, rate))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
