"""ffmpeg and ffprobe read exactly the one file they are given: no playlist, manifest or list
format can make them open another tenant's media or the server's files.

Each attack file is first shown to work against a bare ffmpeg (so the test would catch a
regression), then refused by the runner and by the probe.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from core.errors import ContainerNotAllowed, ContractViolation, FfmpegFailed
from core.ffmpeg._inputs import SINGLE_FILE_DEMUXERS, harden_inputs
from core.ffmpeg.runner import ffmpeg_binary, pinned_input, run_ffmpeg_sync
from core.media.probe import probe_sync

ID3_HEADER = b"ID3\x03\x00\x00\x00\x00\x00\x00"


@pytest.fixture(scope="module")
def secret(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Another tenant's private recording, somewhere on the server's disk."""
    path = tmp_path_factory.mktemp("other-tenant") / "secret.mp3"
    subprocess.run(
        [
            ffmpeg_binary(),
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=f=440:d=1",
            "-c:a",
            "libmp3lame",
            str(path),
        ],
        check=True,
    )
    return path


def hls_playlist(entry: str, *, id3: bool = True) -> bytes:
    body = f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:1.0,\n{entry}\n#EXT-X-ENDLIST\n".encode()
    return (ID3_HEADER if id3 else b"") + body


def attack_files(folder: Path, secret: Path) -> dict[str, Path]:
    """Files whose container makes ffmpeg read ``secret``: by a relative and an absolute name."""
    folder.mkdir(parents=True, exist_ok=True)
    relative = os.path.relpath(secret, folder)
    files = {
        "hls-relative": hls_playlist(str(relative)),
        "hls-file-url": hls_playlist(f"file:{secret}"),
        "hls-plain": hls_playlist(str(secret), id3=False),
        "concat": f"ffconcat version 1.0\nfile '{secret}'\n".encode(),
    }
    paths = {}
    for name, body in files.items():
        path = folder / f"{name}.mp3"
        path.write_bytes(body)
        paths[name] = path
    return paths


def decodes_audio_raw(path: Path, out: Path) -> bool:
    """Whether a bare ffmpeg (no guards) gets audio out of ``path``: the attack really works."""
    done = subprocess.run(
        [ffmpeg_binary(), "-v", "error", "-y", "-f", "hls" if "hls" in path.name else "concat"]
        + (["-safe", "0"] if "concat" in path.name else [])
        + ["-i", str(path), "-t", "0.5", str(out)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0 and out.stat().st_size > 1000


def test_every_input_gets_a_protocol_and_format_whitelist() -> None:
    args = harden_inputs(
        ["-y", "-ss", "1", "-i", "clip.mp4", "-f", "mov", "-i", "/a/b.mov", "-f", "null", "-"]
    )
    first = args.index("-i")
    assert args[first + 1].startswith("file:/") and args[first + 1].endswith("/clip.mp4")
    assert args[first - 4 : first] == ["-protocol_whitelist", "file", "-format_whitelist", args[first - 1]]
    assert set(args[first - 1].split(",")) == SINGLE_FILE_DEMUXERS
    second = args.index("-i", first + 1)
    assert args[second - 4 : second + 2] == [
        *("-protocol_whitelist", "file", "-format_whitelist", "mov", "-i", "file:/a/b.mov")
    ]
    assert args[-3:] == ["-f", "null", "-"]


def test_other_protocols_become_local_file_names() -> None:
    for target in ("pipe:0", "subfile,,start,0,end,9,,:/etc/passwd", "concat:/a|/b", "http://x/y.mp4"):
        args = harden_inputs(["-i", target])
        assert args[-1].startswith("file:/") and args[-1].endswith(target.split("/")[-1])


def test_tool_built_graph_sources_stay_as_they_are() -> None:
    assert harden_inputs(["-f", "lavfi", "-i", "sine=d=1"]) == ["-f", "lavfi", "-i", "sine=d=1"]


@pytest.mark.parametrize("demuxer", ["hls", "dash", "concat", "image2", "imf", "sdp", "tee"])
def test_an_input_pinned_to_an_indirection_demuxer_is_refused(demuxer: str) -> None:
    with pytest.raises(ContractViolation):
        harden_inputs(["-f", demuxer, "-i", "x"])


def test_pinned_input_refuses_a_recorded_playlist_format(tmp_path: Path) -> None:
    with pytest.raises(ContainerNotAllowed) as caught:
        pinned_input(tmp_path / "a.mp3", "hls", value="atoms://media/x/a.mp3")
    assert caught.value.value == "atoms://media/x/a.mp3"
    assert pinned_input(tmp_path / "a.mp4", "mov,mp4,m4a,3gp,3g2,mj2", value="v")[:2] == ["-f", "mov"]


def test_the_runner_never_reads_what_a_playlist_names(tmp_path: Path, secret: Path) -> None:
    for name, attack in attack_files(tmp_path / "tenant-a", secret).items():
        assert decodes_audio_raw(attack, tmp_path / f"raw-{name}.wav"), f"{name}: the attack file is broken"
        out = tmp_path / f"{name}.wav"
        with pytest.raises(FfmpegFailed) as caught:
            run_ffmpeg_sync(["-y", "-i", str(attack), "-t", "0.5", str(out)])
        assert not out.exists() or out.stat().st_size < 1000, name
        assert str(secret.parent) not in str(caught.value.to_dict())


def test_probe_refuses_playlists_with_a_coded_error(tmp_path: Path, secret: Path) -> None:
    for name, attack in attack_files(tmp_path / "tenant-a", secret).items():
        if name == "concat":
            continue  # not probed as concat at all (the demuxer never guesses itself)
        with pytest.raises(ContainerNotAllowed) as caught:
            probe_sync(attack)
        body = caught.value.to_dict()
        assert body["code"] == "container_not_allowed" and body["value"] == attack.name, name
        assert "hls" in body["message"]
