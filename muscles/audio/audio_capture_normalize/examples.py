"""audio_capture_normalize's declared examples, proven by tests/muscles/test_examples.py in the
example environment (tenant "local", the 1 s tone of tests/muscles/audio_capture_normalize/samples.py).

The output file's bytes (so its hash and asset id) depend on the ffmpeg build: the test compares
the fields that do not.
"""

from __future__ import annotations

from core import ToolExample

TONE_URI = "atoms://media/1dd29ffa8bafa67bac25fac193eeb912/tone.wav"

NORMALIZE = ToolExample(
    title="Bring a tone to -23 LUFS (EBU R128 broadcast)",
    request={"uri": TONE_URI, "integrated_lufs": -23, "true_peak_db": -1},
    response={
        "output": {
            "uri": "atoms://media/07f561d06ed3b799b256355998eee28a/tone-normalized.wav",
            "asset_id": "07f561d06ed3b799b256355998eee28a",
            "filename": "tone-normalized.wav",
            "mime_type": "audio/wav",
            "size_bytes": 32078,
            "sha256": "07f561d06ed3b799b256355998eee28aad6862896e883ff984b55eab758f565b",
            "duration_s": 1.0,
            "width": None,
            "height": None,
            "fps": None,
            "sample_rate": 16000,
            "channels": 1,
        },
        "input_loudness": {
            "integrated_lufs": -12.45,
            "true_peak_dbtp": -8.72,
            "lra_lu": 0.0,
            "threshold_lufs": -22.45,
        },
        "output_loudness": {
            "integrated_lufs": -22.97,
            "true_peak_dbtp": -19.3,
            "lra_lu": 0.0,
            "threshold_lufs": -33.0,
        },
        "normalization_type": "linear",
        "deviation_lu": 0.03,
        "warnings": [],
    },
    compare=(
        "output.filename",
        "output.mime_type",
        "output.duration_s",
        "output.sample_rate",
        "output.channels",
        "input_loudness.integrated_lufs",
        "output_loudness.integrated_lufs",
        "normalization_type",
        "warnings",
    ),
)
