"""The HAZE planet renderer: shader frames per second, NumPy against torch on the CPU (and on
CUDA where a GPU is present), and a whole 720p render against ffmpeg encoding the same number
of precomputed frames (the encoder's share: the floor a render cannot go under).

    uv run python bench/planet_bench.py                       # 720p, 10 s at 24 fps
    uv run python bench/planet_bench.py --frames 20 --seconds 10 --fps 24 --skip-render

Part one interleaves the engines frame set by frame set after a warm-up. Part two renders with
the muscle's own code (shader + core.ffmpeg.frames, deterministic x264) and, in the same run,
has ffmpeg encode the same frames from a raw file on disk with the same encoder arguments.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.ffmpeg import ffmpeg_binary
from core.ffmpeg.frames import DETERMINISTIC_H264
from muscles.video.planet.camera import orbit_view, ray_directions
from muscles.video.planet.render import write_video
from muscles.video.planet.shade_numpy import compose, geometry, shade
from muscles.video.planet.shade_torch import TorchShader, torch_device
from muscles.video.planet.surface import SurfaceParams, frame_total, material


def shader_fps(params: SurfaceParams, frames: int, rounds: int, *, moving: bool) -> dict[str, float]:
    """Frames per second of each engine. ``moving``: the view's geometry made every frame (a
    walking camera); else once (the orbit camera), only the spinning surface per frame."""
    m = material(params)
    view = orbit_view(params.camera_distance)
    rays = ray_directions(params.width, params.height, params.fov_deg, view)
    fixed = geometry(rays, view.position, m)
    engines: dict[str, Callable[[float], object]] = {
        "numpy": (lambda t: shade(rays, view.position, t, m)) if moving else (lambda t: compose(fixed, t, m))
    }
    device = torch_device()
    for name in ["cpu"] + (["cuda"] if device == "cuda" else []) if device else []:
        shader = TorchShader(m, name)
        device_rays = shader.rays(rays)
        if moving:
            engines[f"torch-{name}"] = lambda t, s=shader, r=device_rays: s.shade(r, view.position, t)
        else:
            g = shader.geometry(device_rays, view.position)
            engines[f"torch-{name}"] = lambda t, s=shader, g=g: s.compose(g, t)
    for run in engines.values():  # warm-up: first-call allocations, kernels
        run(0.0)
    spent = dict.fromkeys(engines, 0.0)
    for round_index in range(rounds):
        order = list(engines) if round_index % 2 == 0 else list(reversed(engines))
        for name in order:
            start = time.perf_counter()
            for index in range(frames):
                engines[name](index / params.fps)
            spent[name] += time.perf_counter() - start
    return {name: frames * rounds / seconds for name, seconds in spent.items()}


def render_vs_encoder(params: SurfaceParams, folder: Path) -> tuple[float, float]:
    """Seconds of the muscle's render (NumPy shader + encoder) and of ffmpeg encoding the same
    frames from a raw file."""
    count = frame_total(params.duration_s, params.fps)
    m = material(params)
    view = orbit_view(params.camera_distance)
    rays = ray_directions(params.width, params.height, params.fov_deg, view)
    raw = folder / "frames.rgb"
    with raw.open("wb") as out:  # the precomputed frames, on disk: 720p x 240 is 660 MB
        for index in range(count):
            out.write(shade(rays, view.position, index / params.fps, m).tobytes())
    start = time.perf_counter()
    subprocess.run(
        [
            ffmpeg_binary(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-s",
            f"{params.width}x{params.height}",
            "-framerate",
            str(params.fps),
            "-i",
            str(raw),
            *DETERMINISTIC_H264,
            "-y",
            str(folder / "anchor.mp4"),
        ],
        check=True,
    )
    anchor = time.perf_counter() - start
    raw.unlink()
    start = time.perf_counter()
    write_video(
        folder / "ours.mp4",
        m=m,
        path="numpy",
        width=params.width,
        height=params.height,
        fps=params.fps,
        fov_deg=params.fov_deg,
        frame_count=count,
        view_at=lambda index: view,
    )
    ours = time.perf_counter() - start
    same = (folder / "ours.mp4").read_bytes() == (folder / "anchor.mp4").read_bytes()
    print(f"  same bytes as the anchor's file: {same}")
    return ours, anchor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--fps", type=float, default=24.0)
    parser.add_argument("--frames", type=int, default=10, help="frames per engine per round (part one)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-render", action="store_true", help="part one only")
    args = parser.parse_args()
    params = SurfaceParams(
        width=args.width, height=args.height, duration_s=args.seconds, fps=args.fps, noise="bands", seed=1
    )
    print(
        f"shader frames per second at {args.width}x{args.height} ({args.frames} frames x {args.rounds} rounds)"
    )
    for moving, label in (
        (False, "orbit camera (geometry once)"),
        (True, "moving camera (geometry per frame)"),
    ):
        fps = shader_fps(params, args.frames, args.rounds, moving=moving)
        print(f" {label}")
        for name, value in fps.items():
            print(f"  {name:<11} {value:8.2f} fps   ratio to numpy {value / fps['numpy']:6.3f}")
    if "torch-cpu" not in fps:
        print("  (torch not installed: install the gpu extra for the torch rows)")
    if args.skip_render:
        return
    count = frame_total(params.duration_s, params.fps)
    print(f"whole render: {count} frames at {args.width}x{args.height} (deterministic x264, one thread)")
    with tempfile.TemporaryDirectory(prefix="planet-bench-") as folder:
        ours, anchor = render_vs_encoder(params, Path(folder))
    print(f"  anchor     {anchor:8.2f} s   ffmpeg encoding the precomputed frames ({count / anchor:.1f} fps)")
    print(f"  ours       {ours:8.2f} s   render + encode ({count / ours:.1f} fps)")
    print(
        f"  ratio      {ours / anchor:8.3f}   (ours / anchor; the encoder's share of ours: {anchor / ours:.0%})"
    )


if __name__ == "__main__":
    main()
