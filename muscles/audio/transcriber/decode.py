"""From an input file to Whisper segments: audio extraction, a silence check, decoding.

Audio is extracted one window at a time (:func:`extraction_args` with a start and a length),
loaded and its file removed at once, so a two-hour recording never sits on disk or in memory
as a whole. Decoding is blocking and CPU-bound: :func:`decode` runs on a worker thread and
calls back after every segment, which is where the caller reports progress and where a
cancelled call stops (faster-whisper decodes lazily, one 30 s window at a time, as segments
are pulled).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt

from core.errors import InvalidInput, MediaError

from .transcript import Segment, Word

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

__all__ = [
    "SAMPLE_RATE",
    "Audio",
    "Decoded",
    "NoSpeech",
    "UnsupportedLanguage",
    "decode",
    "extraction_args",
    "is_silent",
    "load_pcm",
]

SAMPLE_RATE: Final = 16000
# Below -60 dBFS peak nothing is speech: refuse it before spending seconds on the model.
_SILENCE_PEAK: Final = 10 ** (-60 / 20)

Audio = npt.NDArray[np.float32]


class NoSpeech(MediaError):
    code = "no_speech"
    default_hint = (
        "No speech was found in the audio. Check that the right asset and sound track were sent and "
        "that the recording is not silent; with vad_filter=true, try again with vad_filter=false."
    )


class UnsupportedLanguage(InvalidInput):
    code = "language_not_supported"
    default_hint = (
        "Pass an ISO 639-1 code the model knows (e.g. en, de, fr), or leave language unset to detect it; "
        "English-only models (names ending in .en) accept only en."
    )


@dataclass(frozen=True)
class Decoded:
    segments: list[Segment]
    language: str
    duration_s: float


def extraction_args(source: list[str], dest: Path, *, start_s: float, length_s: float) -> list[str]:
    """ffmpeg arguments: ``length_s`` seconds from ``start_s`` of the first audio stream of the
    input ``source`` (its ``-i`` and input options) as 16 kHz mono float32 PCM."""
    seek = ["-ss", f"{start_s:.3f}"] if start_s > 0 else []
    return [
        *("-y", *seek, "-t", f"{length_s:.3f}", *source, "-map", "0:a:0", "-vn", "-sn", "-dn"),
        *("-ac", "1", "-ar", str(SAMPLE_RATE), "-c:a", "pcm_f32le", "-f", "f32le", str(dest)),
    ]


def load_pcm(path: Path) -> Audio:
    """The extracted samples, and the file removed: only the window in hand is kept."""
    audio: Audio = np.fromfile(path, dtype="<f4")
    path.unlink()
    return audio


def is_silent(audio: Audio) -> bool:
    """No samples, or none above -60 dBFS: nothing to spend the model on."""
    return audio.size == 0 or float(np.max(np.abs(audio))) < _SILENCE_PEAK


def decode(
    model: WhisperModel,
    audio: Audio,
    *,
    language: str | None,
    beam_size: int,
    word_timestamps: bool,
    vad_filter: bool,
    on_segment: Callable[[Segment, float], None],
) -> Decoded:
    """Transcribe ``audio``; ``on_segment(segment, duration_s)`` runs after each one and may raise
    to stop decoding. The segments may be none (the caller decides what no speech means)."""
    if language is not None and language != "en" and not model.model.is_multilingual:
        raise UnsupportedLanguage("this model understands English only", value=language)
    try:
        raw_segments, info = model.transcribe(
            audio,
            language=language,
            beam_size=beam_size,
            word_timestamps=word_timestamps,
            vad_filter=vad_filter,
        )
    except ValueError as exc:  # faster-whisper's word for an unknown language code
        raise UnsupportedLanguage("the model does not know this language code", value=language) from exc
    duration = float(info.duration)
    segments: list[Segment] = []
    for raw in raw_segments:
        segment = _segment(raw, len(segments))
        if segment.text:
            segments.append(segment)
        on_segment(segment, duration)
    return Decoded(segments=segments, language=str(info.language), duration_s=round(duration, 3))


def _segment(raw: Any, index: int) -> Segment:
    return Segment(
        id=index,
        start=round(float(raw.start), 3),
        end=round(float(raw.end), 3),
        # Subtitle cues end at a blank line: a segment's text must stay on one line.
        text=" ".join(str(raw.text).split()),
        avg_logprob=round(float(raw.avg_logprob), 4),
        no_speech_prob=round(float(raw.no_speech_prob), 4),
        words=_words(raw.words or ()),
    )


def _words(raw_words: Iterable[Any]) -> list[Word]:
    return [
        Word(
            word=str(w.word).strip(),
            start=round(float(w.start), 3),
            end=round(float(w.end), 3),
            probability=round(min(1.0, max(0.0, float(w.probability))), 4),
        )
        for w in raw_words
    ]
