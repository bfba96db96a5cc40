"""transcriber: speech to text with faster-whisper, offline, subtitles stored in media_v2."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Final

import anyio
import anyio.from_thread

from core import CanvasTool, Muscle, Progress, tool
from core.errors import (
    AssetNotFound,
    FfmpegFailed,
    InvalidIdentifier,
    InvalidInput,
    MediaUnreadable,
    NoAudioStream,
    NotMedia,
)
from core.ffmpeg import run_ffmpeg
from core.media import OpenedMedia, Workspace

from .decode import (
    SAMPLE_RATE,
    Audio,
    Decoded,
    NoSpeech,
    UnsupportedLanguage,
    decode,
    extraction_args,
    is_silent,
    load_pcm,
)
from .examples import JOB_EXAMPLES, TRANSCRIBE
from .model import MODELS, ModelChoice, ModelLoadFailed, ModelNotFound, choose_model
from .settings import load_whisper_settings
from .transcript import Segment, Transcript, render_srt, render_vtt
from .windows import cut_window

# Share of the progress bar before the first window is transcribed; the windows fill the rest.
_EXTRACT_SHARE: Final = 0.05
_MAX_BEAM: Final = 20
# A window shorter than asked for by more than this is the recording's last.
_SHORT_WINDOW_S: Final = 0.05


@dataclass
class _Windows:
    """What the windows of one recording have given so far."""

    segments: list[Segment] = field(default_factory=list)
    language: str | None = None
    heard_sound: bool = False
    end_s: float = 0.0


class Transcriber(Muscle):
    """Turns the speech in an audio or video asset into text, with word timings and subtitles.

    Use it to get a transcript of a recording, the time of each word (for cutting and
    captions), or SRT and WebVTT subtitle files. It runs a Whisper model locally with
    faster-whisper (by default the bundled English tiny.en; never downloads), reads any
    media_v2 audio or video, and stores the subtitles in media_v2 beside the input.
    """

    version = "1.2.0"
    capabilities = ("cap.audio.transcribe", "cap.audio.subtitles")
    canvas_tools = (
        CanvasTool(id="transcribe", icon="captions", type="trigger", tool="transcribe", action="Transcribe"),
    )

    job_examples = JOB_EXAMPLES

    async def startup(self) -> None:
        self.whisper = load_whisper_settings()

    async def check_transcribe(
        self,
        uri: str,
        workspace: Workspace,
        language: str | None = None,
        beam_size: int = 5,
        word_timestamps: bool = True,
        vad_filter: bool = False,
    ) -> None:
        """Refuse a call that cannot work before any (job) work starts: a bad beam size, a
        missing model, an asset that is not stored or holds no sound."""
        if not 1 <= beam_size <= _MAX_BEAM:
            raise InvalidInput(f"beam_size must be between 1 and {_MAX_BEAM}", value=beam_size)
        choose_model(self.whisper)
        found = await workspace.describe(uri)
        if found.info is not None and not found.info.has_audio:
            raise NoAudioStream("the asset has no audio stream", value=uri)

    @tool(
        examples=[TRANSCRIBE],
        job=True,
        check=check_transcribe,
        errors=[
            AssetNotFound,
            InvalidIdentifier,
            InvalidInput,
            NotMedia,
            MediaUnreadable,
            NoAudioStream,
            NoSpeech,
            UnsupportedLanguage,
            FfmpegFailed,
            ModelNotFound,
            ModelLoadFailed,
        ],
        idempotent=True,
    )
    async def transcribe(
        self,
        uri: str,
        workspace: Workspace,
        progress: Progress,
        language: str | None = None,
        beam_size: int = 5,
        word_timestamps: bool = True,
        vad_filter: bool = False,
    ) -> Transcript:
        """Transcribe the speech in an audio or video asset.

        `uri` is a media_v2 MediaRef uri. `language` is an ISO 639-1 code such as `en` (default:
        detected; English-only models accept only `en`). `beam_size` 1-20 (default 5: greedy
        decoding, 1, is faster and much less accurate). `word_timestamps` adds each word's start,
        end and probability. `vad_filter` skips non-speech with Silero VAD first (faster on long
        recordings with pauses). The audio is decoded and transcribed one window at a time
        (`ATOMS_WHISPER_WINDOW_S`, default 600 s), so a long recording never sits whole in memory
        or on disk. Progress is reported by decoded time over the audio's duration.
        Returns the segments (seconds) and the SRT and VTT subtitles as MediaRefs. Also offered
        as `submit_transcribe`, a job, for recordings longer than a call may last.
        """
        if not 1 <= beam_size <= _MAX_BEAM:
            raise InvalidInput(f"beam_size must be between 1 and {_MAX_BEAM}", value=beam_size)
        choice = choose_model(self.whisper)  # a misconfigured model fails before any work
        media = await workspace.open(uri, need="audio")
        await progress.report(0.0, "decoding audio")
        heard = await self._transcribe_windows(
            choice,
            media,
            workspace,
            progress,
            language=language,
            beam_size=beam_size,
            word_timestamps=word_timestamps,
            vad_filter=vad_filter,
        )
        if not heard.segments:
            said = "the model heard no speech in the audio" if heard.heard_sound else "the audio is silent"
            raise NoSpeech(said, value=uri)
        decoded = Decoded(
            segments=heard.segments, language=heard.language or "en", duration_s=round(heard.end_s, 3)
        )
        srt = await workspace.publish_document(
            render_srt(decoded.segments), f"{media.stem}.srt", "application/x-subrip"
        )
        vtt = await workspace.publish_document(render_vtt(decoded.segments), f"{media.stem}.vtt", "text/vtt")
        await progress.report(1.0, "done")
        return Transcript(
            text=" ".join(segment.text for segment in decoded.segments),
            language=decoded.language,
            duration_s=decoded.duration_s,
            model=choice.name,
            segments=decoded.segments,
            srt=srt,
            vtt=vtt,
        )

    async def _transcribe_windows(
        self,
        choice: ModelChoice,
        media: OpenedMedia,
        workspace: Workspace,
        progress: Progress,
        **options: Any,
    ) -> _Windows:
        """Extract, transcribe and drop one window of the recording at a time."""
        total = media.info.duration_s
        length = self.whisper.window_s
        heard = _Windows(language=options.pop("language"))
        start = 0.0
        while True:
            audio = await self._extract(media, workspace, start, length)
            got = audio.size / SAMPLE_RATE
            last = got < length - _SHORT_WINDOW_S or (
                total is not None and start + got >= total - _SHORT_WINDOW_S
            )
            heard.end_s = start + got
            segments: list[Segment] = []
            if not is_silent(audio):
                heard.heard_sound = True
                decode_window = functools.partial(
                    self._decode,
                    choice,
                    audio,
                    offset=start,
                    total=total,
                    language=heard.language,
                    progress=progress,
                    **options,
                )
                decoded = await anyio.to_thread.run_sync(decode_window)
                heard.language = heard.language or decoded.language
                segments = decoded.segments
            del audio  # one window in memory at a time
            cut = cut_window(segments, start_s=start, length_s=got, last=last, first_id=len(heard.segments))
            heard.segments += cut.segments
            if last:
                return heard
            start = cut.next_start_s

    async def _extract(self, media: OpenedMedia, workspace: Workspace, start: float, length: float) -> Audio:
        pcm = workspace.path("window.f32")
        await run_ffmpeg(extraction_args(media.input_args, pcm, start_s=start, length_s=length))
        return await anyio.to_thread.run_sync(load_pcm, pcm)

    def _decode(
        self,
        choice: ModelChoice,
        audio: Audio,
        *,
        offset: float,
        total: float | None,
        language: str | None,
        beam_size: int,
        word_timestamps: bool,
        vad_filter: bool,
        progress: Progress,
    ) -> Decoded:
        """Runs on a worker thread: the event loop stays free while the model works."""
        model = MODELS.get(choice)
        anyio.from_thread.check_cancelled()

        def on_segment(segment: Segment, duration_s: float) -> None:
            # The one place a cancelled call can stop between Whisper's 30 s windows.
            anyio.from_thread.check_cancelled()
            whole = total or offset + duration_s
            at = offset + segment.end
            done = min(1.0, at / whole) if whole > 0 else 1.0
            message = f"transcribed {at:.1f} of {whole:.1f} s"
            anyio.from_thread.run(progress.report, _EXTRACT_SHARE + (1 - _EXTRACT_SHARE) * done, message)

        return decode(
            model,
            audio,
            language=language,
            beam_size=beam_size,
            word_timestamps=word_timestamps,
            vad_filter=vad_filter,
            on_segment=on_segment,
        )
