"""Moving pictures with a known truth, made at test time: a textured image panned under a
window (sub-pixel steps), with a textured disc crossing it the other way, at 60 fps. Dropping
every other frame gives a 30 fps clip whose missing frames are known exactly."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

Frame = npt.NDArray[np.uint8]

WIDTH, HEIGHT = 160, 96
PAN_PX = (1.7, 0.6)  # per 60 fps frame
DISC_PX = (-2.3, 1.1)


def _texture(height: int, width: int, seed: int) -> npt.NDArray[np.float32]:
    """Smooth colour noise at several scales, plus a few hard edges: something flow can track."""
    rng = np.random.default_rng(seed)
    image = np.zeros((height, width, 3), np.float32)
    for scale, weight in ((32, 90.0), (8, 50.0), (3, 25.0)):
        coarse = rng.uniform(-1, 1, (height // scale + 2, width // scale + 2, 3)).astype(np.float32)
        image += weight * cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC)
    for _ in range(12):
        x, y = int(rng.integers(0, width - 20)), int(rng.integers(0, height - 20))
        cv2.rectangle(image, (x, y), (x + 15, y + 9), tuple(float(v) for v in rng.uniform(-120, 120, 3)), -1)
    return image + 128


def frames_60fps(count: int, seed: int = 5, *, width: int = WIDTH, height: int = HEIGHT) -> list[Frame]:
    """``count`` frames at 60 fps; motion is per frame in pixels of a ``WIDTH`` wide picture,
    scaled with the size so a larger picture shows the same scene."""
    zoom = width / WIDTH
    background = _texture(height + round(120 * zoom), width + round(220 * zoom), seed)
    side = round(40 * zoom)
    disc = _texture(side, side, seed + 1)
    mask = np.zeros((side, side), np.float32)
    cv2.circle(mask, (side // 2, side // 2), round(17 * zoom), 1.0, -1)
    out = []
    for n in range(count):
        shift = np.float32([[1, 0, -zoom * (10 + PAN_PX[0] * n)], [0, 1, -zoom * (10 + PAN_PX[1] * n)]])
        view = cv2.warpAffine(background, shift, (width, height), flags=cv2.INTER_CUBIC)
        dx, dy = zoom * (110 + DISC_PX[0] * n), zoom * (20 + DISC_PX[1] * n)
        place = np.float32([[1, 0, dx], [0, 1, dy]])
        disc_view = cv2.warpAffine(disc, place, (width, height), flags=cv2.INTER_CUBIC)
        alpha = cv2.warpAffine(mask, place, (width, height), flags=cv2.INTER_LINEAR)[..., None]
        frame = view * (1 - alpha) + disc_view * alpha
        out.append(np.clip(frame + 0.5, 0, 255).astype(np.uint8))
    return out


def _luma(frame: Frame) -> npt.NDArray[np.float64]:
    return cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY).astype(np.float64)


def psnr(a: Frame, b: Frame) -> float:
    """Luma PSNR: the output is yuv420p, whose halved chroma would cap an RGB score near 29 dB
    on this very colourful texture whatever the interpolation."""
    mse = float(np.mean((_luma(a) - _luma(b)) ** 2))
    return 99.0 if mse == 0 else 10 * np.log10(255.0**2 / mse)


def ssim(a: Frame, b: Frame) -> float:
    """Mean SSIM of the grey images (Wang et al. 2004, 7x7 Gaussian window)."""
    x, y = _luma(a), _luma(b)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2

    def blur(v: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return cv2.GaussianBlur(v, (7, 7), 1.5)

    mx, my = blur(x), blur(y)
    vx, vy, cxy = blur(x * x) - mx * mx, blur(y * y) - my * my, blur(x * y) - mx * my
    score = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return float(np.mean(score))
