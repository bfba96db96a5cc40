"""The transcriber's declared examples, proven by tests/muscles/test_examples.py in the example
environment (tenant "local", the sample sentence of tests/muscles/transcriber/samples.py).

Whisper's probabilities (and so, rarely, a word) depend on the CPU's arithmetic: the test
compares only the fields that do not.
"""

from __future__ import annotations

from core import ToolExample

SPEECH_URI = "atoms://media/b01ca22eb9a696cce30240bd46b87230/speech.wav"
TEXT = "Please send the weekly report to the full team before noon."


def _subtitles(asset_id: str, sha256: str, filename: str, mime_type: str, size: int) -> dict[str, object]:
    return {
        "uri": f"atoms://media/{asset_id}/{filename}",
        "asset_id": asset_id,
        "filename": filename,
        "mime_type": mime_type,
        "size_bytes": size,
        "sha256": sha256,
        "duration_s": None,
        "width": None,
        "height": None,
        "fps": None,
        "sample_rate": None,
        "channels": None,
    }


TRANSCRIBE = ToolExample(
    title="Transcribe a spoken sentence (segments only)",
    request={"uri": SPEECH_URI, "word_timestamps": False},
    response={
        "text": TEXT,
        "language": "en",
        "duration_s": 3.729,
        "model": "tiny.en",
        "segments": [
            {
                "id": 0,
                "start": 0.0,
                "end": 3.5,
                "text": TEXT,
                "avg_logprob": -0.4502,
                "no_speech_prob": 0.1,
                "words": [],
            }
        ],
        "srt": _subtitles(
            "9edbb201499263feb612e570e70a8870",
            "9edbb201499263feb612e570e70a8870148f89ce17f3ec835cac7d20038e9d9f",
            "speech.srt",
            "application/x-subrip",
            92,
        ),
        "vtt": _subtitles(
            "da7fe9de36c0f5e8954ff6509609ad77",
            "da7fe9de36c0f5e8954ff6509609ad77d3cb3a9103cb7cc41fbb14270c716d1b",
            "speech.vtt",
            "text/vtt",
            98,
        ),
    },
    compare=(
        "language",
        "duration_s",
        "model",
        "srt.filename",
        "srt.mime_type",
        "vtt.filename",
        "vtt.mime_type",
    ),
)

# As a job: the examples after the submit run once its job has finished.
JOB_ID = "job_816fee94ba858ae9ac75220eb8e2cc30"
_QUEUED = {
    "job_id": JOB_ID,
    "kind": "transcriber.transcribe",
    "state": "queued",
    "progress": 0.0,
    "message": "queued",
    "attempts": 0,
    "error": None,
    "created_at": 1800000000.0,
    "updated_at": 1800000000.0,
}
_DONE = {**_QUEUED, "state": "succeeded", "progress": 1.0, "message": "done", "attempts": 1}
_STATUS_FIELDS = ("job_id", "kind", "state", "progress", "attempts")
JOB_EXAMPLES: dict[str, list[ToolExample]] = {
    "submit_transcribe": [
        ToolExample(
            title="The same sentence, as a job (for recordings longer than a call may last)",
            request=TRANSCRIBE.request,
            response=_QUEUED,
            compare=("job_id", "kind", "state"),
        )
    ],
    "job_status": [
        ToolExample(
            title="A finished job", request={"job_id": JOB_ID}, response=_DONE, compare=_STATUS_FIELDS
        )
    ],
    "cancel_job": [
        ToolExample(
            title="Cancelling a finished job changes nothing",
            request={"job_id": JOB_ID},
            response=_DONE,
            compare=_STATUS_FIELDS,
        )
    ],
    "job_result": [
        ToolExample(
            title="The transcript of a finished job",
            request={"job_id": JOB_ID},
            response=TRANSCRIBE.response,
            compare=TRANSCRIBE.compare,
        )
    ],
    "list_jobs": [
        ToolExample(
            title="The caller's jobs, newest first",
            request={},
            response={"jobs": [_DONE], "next_cursor": None},
            compare=tuple(f"jobs.0.{path}" for path in _STATUS_FIELDS),
        )
    ],
}
