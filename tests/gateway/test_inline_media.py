"""Inline media broken up to slip past a run detector (base64 in lines, spaced, split across list
items; byte arrays in rows or with mixed number types) is refused with 422, while a corpus of
legitimate payloads (prose, ids, digests, tokens, URLs, points, colours, boards, series) passes."""

from __future__ import annotations

import base64
import hashlib
import random
import secrets
import uuid
from typing import Any

import httpx

from tests.gateway.conftest import CANVAS, Gateway, auth, token

DIRECTOR = auth(token(actor="agent", role="director"))
RNG = random.Random(5)
PNG = b"\x89PNG\r\n\x1a\n" + RNG.randbytes(3000)
HEADERLESS = RNG.randbytes(3000)  # compressed media cut mid-file: no signature to go by
SILENT_WAV = b"RIFF\x24\x10\x00\x00WAVEfmt " + bytes(4000)  # low entropy, but a signature
B64 = base64.b64encode(PNG).decode()
B64_HEADERLESS = base64.b64encode(HEADERLESS).decode()
B64URL = base64.urlsafe_b64encode(HEADERLESS).decode().rstrip("=")


def _chunks(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)]


def broken_up_media() -> dict[str, dict[str, Any]]:
    """name -> event data smuggling media in a way a plain run detector misses."""
    return {
        "MIME lines": {"blob": base64.encodebytes(HEADERLESS).decode()},
        "MIME lines, CRLF": {"blob": "\r\n".join(_chunks(B64_HEADERLESS, 76))},
        "PEM lines in prose": {"note": "here it is:\n" + "\n".join(_chunks(B64_HEADERLESS, 64)) + "\nthanks"},
        "spaced groups of 4": {"blob": " ".join(_chunks(B64_HEADERLESS, 4))},
        "spaced characters": {"blob": " ".join(B64_HEADERLESS[:2000])},
        "URL-safe, tab-separated": {"blob": "\t".join(_chunks(B64URL, 100))},
        "a silent WAV in lines": {"blob": base64.encodebytes(SILENT_WAV).decode()},
        "split across list items": {"parts": _chunks(B64_HEADERLESS, 500)},
        "split across many small items": {"parts": _chunks(B64_HEADERLESS, 16)},
        "split across nested lists": {"parts": [_chunks(c, 100) for c in _chunks(B64, 1000)]},
        "items holding lines": {"parts": [base64.encodebytes(HEADERLESS).decode(), "end"]},
        "bytes in rows": {"rows": [list(row) for row in _chunks_b(HEADERLESS[:512], 16)]},
        "bytes in rows with a signature": {"rows": [list(row) for row in _chunks_b(SILENT_WAV[:256], 32)]},
        "mixed number types": {"bytes": [float(b) if i % 2 else b for i, b in enumerate(HEADERLESS[:128])]},
        "integral floats": {"bytes": [float(b) for b in HEADERLESS[:100]]},
        "rows nested twice": {"frames": [[list(r) for r in _chunks_b(HEADERLESS[:256], 8)]]},
    }


def _chunks_b(data: bytes, width: int) -> list[bytes]:
    return [data[i : i + width] for i in range(0, len(data), width)]


def legitimate_payloads() -> dict[str, dict[str, Any]]:
    rng = random.Random(9)
    words = [
        "the",
        "quick",
        "brown",
        "fox",
        "jumps",
        "over",
        "a",
        "lazy",
        "dog",
        "while",
        "planners",
        "plan",
        "and",
        "directors",
        "direct",
    ]
    prose = " ".join(rng.choice(words) for _ in range(600))
    return {
        "prose without punctuation": {"text": prose},
        "prose in lines": {"text": "\n".join(_chunks_words(prose, 12))},
        "all-caps prose": {"text": prose.upper()},
        "four-letter words": {
            "text": " ".join(rng.choice(["this", "that", "what", "when", "plan"]) for _ in range(400))
        },
        "a list of words": {"words": [rng.choice(words) for _ in range(500)]},
        "uuids": {"ids": [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(100)]},
        "uuid hex": {"ids": [uuid.UUID(int=rng.getrandbits(128)).hex for _ in range(100)]},
        "sha256 digests": {"digests": [hashlib.sha256(bytes([i])).hexdigest() for i in range(60)]},
        "padded base64 digests": {
            "digests": [base64.b64encode(hashlib.sha256(bytes([i])).digest()).decode() for i in range(60)]
        },
        "session tokens": {"tokens": [secrets.token_urlsafe(32) for _ in range(60)]},
        "alphanumeric ids": {
            "ids": [
                "".join(
                    rng.choice("ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz0123456789") for _ in range(32)
                )
                for _ in range(60)
            ]
        },
        "numbered ids": {"ids": [f"id-{i:05d}" for i in range(300)]},
        "numbers in text": {"text": " ".join(str(rng.randrange(10**6)) for _ in range(400))},
        "a JWT": {
            "token": ".".join(
                base64.urlsafe_b64encode(rng.randbytes(n)).decode().rstrip("=") for n in (36, 120, 32)
            )
        },
        "signed URLs": {
            "urls": [
                f"https://cdn.example.com/{uuid.uuid4().hex}.png?X-Amz-Signature={hashlib.sha256(bytes([i])).hexdigest()}"
                for i in range(40)
            ]
        },
        "a polyline": {"points": [[rng.randrange(256), rng.randrange(256)] for _ in range(300)]},
        "a palette": {"colors": [[rng.randrange(256) for _ in range(4)] for _ in range(100)]},
        "a board": {"board": [[rng.randrange(13) for _ in range(8)] for _ in range(8)]},
        "a mask": {"mask": [[rng.randrange(2) for _ in range(16)] for _ in range(16)]},
        "percentages": {"progress": [rng.randrange(101) for _ in range(200)]},
        "a float series": {"levels": [round(rng.random(), 3) for _ in range(500)]},
        "timestamps": {"at": [1_700_000_000 + i * 17 for i in range(300)]},
        "counts past a byte": {"histogram": [rng.randrange(2000) for _ in range(256)]},
        "a 4x4 transform": {
            "matrix": [[1.0, 0.0, 0.0, 12.5], [0.0, 1.0, 0.0, -3.0], [0.0, 0.0, 1.0, 0.0], [0, 0, 0, 1]]
        },
        "short byte-like lists": {"rgb": [255, 128, 0], "small": list(range(63))},
        "markdown": {
            "text": "# Plan\n\n- cut the intro\n- add `fade(0.5)`\n\n```py\nx = [1, 2, 3]\n```\n" * 20
        },
    }


def _chunks_words(text: str, n: int) -> list[str]:
    words = text.split()
    return [" ".join(words[i : i + n]) for i in range(0, len(words), n)]


def test_broken_up_base64_and_byte_arrays_are_refused_with_422(gateway: Gateway) -> None:
    with httpx.Client(base_url=gateway.base_url, headers=DIRECTOR, timeout=10) as http:
        answers = {
            name: http.post(f"{CANVAS}/events", json={"type": "log_line", "data": data})
            for name, data in broken_up_media().items()
        }
    passed = {name: r.status_code for name, r in answers.items() if r.status_code != 422}
    assert passed == {}
    assert {r.json()["error"]["code"] for r in answers.values()} == {"inline_media"}


def test_the_corpus_of_legitimate_payloads_passes(gateway: Gateway) -> None:
    with httpx.Client(base_url=gateway.base_url, headers=DIRECTOR, timeout=10) as http:
        answers = {
            name: http.post(f"{CANVAS}/events", json={"type": "log_line", "data": data})
            for name, data in legitimate_payloads().items()
        }
    refused = {name: r.text[:200] for name, r in answers.items() if r.status_code != 201}
    assert refused == {}
