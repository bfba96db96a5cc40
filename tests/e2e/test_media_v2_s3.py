"""media_v2 in production mode on S3 (a real moto server over HTTP on 127.0.0.1): register
from a path and from a presigned upload, then fetch through an S3 presigned URL."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import boto3
import httpx
import pytest
from mcp import Client

from tests import postgres
from tests.e2e.conftest import RunningServer, muscle_env, start_http, stop
from tests.media_samples import write_test_video, write_tone_wav

ACCESS_KEY = "AKIAE2EFAKEKEY000001"
SECRET_KEY = "e2e-fake-secret-key-must-not-leak-77"


@pytest.fixture
def ledger_url() -> Iterator[str]:
    """Production keeps its usage ledger in PostgreSQL: a fresh database holding it."""
    with postgres.ledger_database() as dsn:
        yield dsn


@pytest.fixture
def production_on_s3(
    moto_endpoint: str, tmp_path: Path, ledger_url: str
) -> Iterator[tuple[RunningServer, str]]:
    bucket = f"media-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    s3.create_bucket(Bucket=bucket)
    env = muscle_env(
        tmp_path,
        ATOMS_LEDGER_DATABASE_URL=ledger_url,
        ATOMS_ENV="production",
        ATOMS_STORAGE="s3",
        ATOMS_S3_BUCKET=bucket,
        ATOMS_S3_REGION="us-east-1",
        ATOMS_S3_ENDPOINT_URL=moto_endpoint,
        ATOMS_S3_ACCESS_KEY_ID=ACCESS_KEY,
        ATOMS_S3_SECRET_ACCESS_KEY=SECRET_KEY,
    )
    write_tone_wav(tmp_path / "imports" / "tone.wav")
    server = start_http(["serve", "--all"], env, tmp_path / "server.log")
    yield server, bucket
    stop(server)
    assert SECRET_KEY not in server.log_text()


def test_production_on_s3_registers_uploads_and_presigns(
    production_on_s3: tuple[RunningServer, str], moto_endpoint: str, tmp_path: Path
) -> None:
    server, bucket = production_on_s3
    clip = write_test_video(tmp_path / "clip.mp4")

    async def run() -> dict[str, Any]:
        out: dict[str, Any] = {}
        async with (
            Client(f"{server.base_url}/media_v2/mcp") as client,
            httpx.AsyncClient(trust_env=False) as http,
        ):
            tone = (await client.call_tool("register", {"source": "tone.wav"})).structured_content
            out["tone"] = tone
            out["resolve"] = (await client.call_tool("resolve", {"uri": tone["uri"]})).structured_content
            link = (await client.call_tool("presign_download", {"uri": tone["uri"]})).structured_content
            got = await http.get(link["url"])
            out["download"] = (got.status_code, hashlib.sha256(got.content).hexdigest())
            ticket = (
                await client.call_tool("presign_upload", {"filename": "clip.mp4", "mime_type": "video/mp4"})
            ).structured_content
            put = await http.put(ticket["url"], content=clip.read_bytes(), headers=ticket["headers"])
            out["put"] = put.status_code
            out["clip"] = (
                await client.call_tool("register", {"source": ticket["source"]})
            ).structured_content
            out["list"] = (await client.call_tool("list_assets", {})).structured_content
        return out

    out = anyio.run(run)
    tone = out["tone"]
    assert tone["mime_type"] == "audio/wav" and tone["sample_rate"] == 16000
    assert out["resolve"]["storage"] == "s3"
    assert out["resolve"]["key"] == f"tenants/tenant-a/production/media_v2/{tone['asset_id']}/tone.wav"
    assert out["download"] == (200, tone["sha256"])
    assert out["put"] == 200
    assert out["clip"]["sha256"] == hashlib.sha256(clip.read_bytes()).hexdigest()
    assert out["clip"]["width"] == 320
    assert sorted(a["filename"] for a in out["list"]["assets"]) == ["clip.mp4", "tone.wav"]
    # The upload area is emptied once the upload is registered.
    s3 = boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert sorted(keys) == sorted(
        f"tenants/tenant-a/production/media_v2/{ref['asset_id']}/{ref['filename']}"
        for ref in (tone, out["clip"])
    )
