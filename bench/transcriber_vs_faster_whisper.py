"""The transcriber muscle against a direct faster-whisper call, same audio, same model, one run.

- anchor: ``WhisperModel.transcribe(wav_path, beam_size=5, word_timestamps=True)`` on the
  bundled tiny.en (int8, CPU), segments consumed in full: faster-whisper decodes the file itself.
- ours: ``call_tool("transcribe", {"uri": ...})`` on the generated transcriber server through an
  in-memory MCP client: the asset copied out of media_v2 storage, probed, its audio extracted by
  an ffmpeg process, decoding on a worker thread with per-segment progress, SRT and VTT stored.

Both use the one model instance the process has loaded (``MODELS``), so the ratio is our
overhead around the same inference. The first call of ours loads the model (reported as the
cold call); then warm calls run in interleaved rounds (anchor first on even rounds). Printed:
warm wall-time ratio (target <= 1.05), real-time factor (wall / audio seconds), the fixed
overhead in ms, the process's peak RSS, and the model load count (1: a second call does not
reload the model).

Run it with::

    uv run python bench/transcriber_vs_faster_whisper.py [--rounds 3] [--repeat 3]
"""

from __future__ import annotations

import argparse
import importlib
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
from _timing import Summary, ratio_line

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.05

sys.path.insert(0, str(ROOT))
from core.media.store import MediaStore  # noqa: E402 - needs the repo root on sys.path
from core.scope import Scope  # noqa: E402
from core.settings import Settings  # noqa: E402
from muscles.audio.transcriber.model import MODELS, choose_model  # noqa: E402
from muscles.audio.transcriber.settings import WhisperSettings  # noqa: E402
from tests.speech_samples import PARAGRAPH, write_speech_wav  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved warm rounds")
    parser.add_argument("--repeat", type=int, default=3, help="times the paragraph is said (audio length)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-transcriber-") as tmp_name:
        tmp = Path(tmp_name)
        wav = write_speech_wav(tmp / "speech.wav", " ".join([PARAGRAPH] * args.repeat))
        settings = Settings(data_dir=tmp / "data", tenant_id="bench", signing_key="bench-key")
        store = MediaStore.from_settings(settings)
        scope = Scope(tenant_id="bench")
        ref = store.register_staged(scope, store.stage_local(wav), wav.name)
        audio_s = ref.duration_s or 0.0

        module: Any = importlib.import_module("muscles.audio.transcriber.mcp")
        module.runtime.configure(settings)
        choice = choose_model(WhisperSettings())

        def anchor() -> float:
            model = MODELS.get(choice)
            started = time.perf_counter()
            segments, _ = model.transcribe(str(wav), beam_size=5, word_timestamps=True)
            list(segments)
            return time.perf_counter() - started

        async def run() -> tuple[float, list[float], list[float]]:
            from mcp import Client

            async with Client(module.server) as client:

                async def ours() -> float:
                    started = time.perf_counter()
                    result = await client.call_tool("transcribe", {"uri": ref.uri})
                    elapsed = time.perf_counter() - started
                    assert not result.is_error, result.structured_content
                    return elapsed

                cold = await ours()
                ours_s: list[float] = []
                anchor_s: list[float] = []
                for round_ in range(args.rounds):
                    if round_ % 2 == 0:
                        anchor_s.append(await anyio.to_thread.run_sync(anchor))
                        ours_s.append(await ours())
                    else:
                        ours_s.append(await ours())
                        anchor_s.append(await anyio.to_thread.run_sync(anchor))
                return cold, anchor_s, ours_s

        cold, anchor_s, ours_s = anyio.run(run)

    anchor_sum, ours_sum = Summary.of(anchor_s), Summary.of(ours_s)
    print(f"transcribe {audio_s:.1f} s of espeak-ng speech with tiny.en (beam 5, word timestamps, int8 cpu)")
    print(f"  cold call (ours, includes the model load): {cold * 1000:8.0f} ms")
    print(anchor_sum.line("anchor"))
    print(ours_sum.line("ours"))
    print(ratio_line(ours_sum, anchor_sum, TARGET))
    print(f"  overhead   p50 {ours_sum.p50 - anchor_sum.p50:8.0f} ms per call")
    print(
        f"  RTF        anchor {anchor_sum.p50 / 1000 / audio_s:.3f}   ours {ours_sum.p50 / 1000 / audio_s:.3f}"
    )
    print(f"  peak RSS   {peak_rss_mb():.0f} MB (whole process: model, both paths)")
    print(f"  model loads in this process: {MODELS.loads} (after {1 + 2 * args.rounds} transcriptions)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
