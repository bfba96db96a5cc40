"""Every example a muscle declares is what the tool really returns, over a real MCP client.

Examples run in the example environment: tenant "local", a frozen clock, a fixed signing key
and public URL, and the sample files ``tests/muscles/<muscle>/samples.py`` puts under its import root.
Tools run in declaration order, so an example may rely on an earlier one (register, then stat);
the examples of the shared job tools run once the jobs submitted before them have finished.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

import anyio
import pytest
from mcp import Client

from core.discovery import find_services, mcp_module, project_root
from core.media import MediaStore
from core.scope import Scope
from core.settings import Settings
from sentinel.generate import introspect

EXAMPLE_CLOCK = 1_800_000_000.0
JOB_TOOLS = ("job_status", "cancel_job", "job_result", "list_jobs")
JOB_WAIT_S = 180.0  # a first job starts the data dir's job daemon: generous on a loaded machine


async def _until_finished(client: Client, job_ids: list[str]) -> None:
    """The job tools' examples describe finished jobs: wait for the ones submitted so far."""
    with anyio.fail_after(JOB_WAIT_S):
        for job_id in job_ids:
            while True:
                status = (await client.call_tool("job_status", {"job_id": job_id})).structured_content
                if status is not None and status["state"] in ("succeeded", "failed", "cancelled"):
                    break
                await anyio.sleep(0.2)


def write_samples(muscle: str, import_root: Path, settings: Settings) -> None:
    """Run ``tests/muscles/<muscle>/samples.py:write_samples`` when the muscle has one; the files
    its ``REGISTERED`` lists are then stored as media_v2 would, for tools that read assets."""
    try:
        samples = importlib.import_module(f"tests.muscles.{muscle}.samples")
    except ModuleNotFoundError:
        return
    writer: Callable[[Path], None] = samples.write_samples
    writer(import_root)
    store = MediaStore.from_settings(settings)
    for relative in getattr(samples, "REGISTERED", ()):
        path = import_root / relative
        store.register_staged(Scope(tenant_id=settings.tenant_id), store.stage_local(path), path.name)


def compared(response: object, paths: tuple[str, ...]) -> object:
    """``response`` itself, or only the values at ``paths`` (dotted, list items by index)."""
    if not paths:
        return response
    picked = {}
    for path in paths:
        value = response
        for part in path.split("."):
            value = value[int(part)] if isinstance(value, list) else value[part]  # type: ignore[index]
        picked[path] = value
    return picked


LOCATIONS = find_services(project_root())


def example_settings(tmp: Path) -> Settings:
    return Settings(
        env="local",
        tenant_id="local",
        data_dir=tmp / "data",
        import_roots=[tmp / "imports"],
        signing_key="example-signing-key",  # type: ignore[arg-type]
        public_base_url="http://127.0.0.1:8700",
    )


@pytest.mark.parametrize("location", LOCATIONS, ids=[loc.name for loc in LOCATIONS])
def test_every_declared_example_is_the_real_response(location, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = introspect(location)
    examples = [(tool, example) for tool in spec.tools for example in tool.examples]
    missing = [tool.name for tool in spec.tools if not tool.examples]
    assert missing == [], f"{spec.name}: every tool declares an example; these do not: {missing}"
    (tmp_path / "imports").mkdir()
    write_samples(spec.name, tmp_path / "imports", example_settings(tmp_path))
    module = importlib.reload(importlib.import_module(mcp_module(location)))
    module.runtime.configure(example_settings(tmp_path), clock=lambda: EXAMPLE_CLOCK)

    async def run() -> list[tuple[bool, object]]:
        outcomes: list[tuple[bool, object]] = []
        submitted: list[str] = []
        try:
            async with Client(module.server) as client:
                for tool, example in examples:
                    if tool.name in JOB_TOOLS and submitted:
                        await _until_finished(client, submitted)
                        submitted = []
                    result = await client.call_tool(tool.name, example.request)
                    outcomes.append((bool(result.is_error), result.structured_content))
                    if tool.name.startswith("submit_") and not result.is_error:
                        submitted.append(result.structured_content["job_id"])  # type: ignore[index]
        finally:
            # Job-backed tools and muscles that queue jobs themselves (batches) start the daemon.
            await module.runtime.jobs.stop_daemon()
            await module.runtime.stop()  # a muscle's jobs engine closes in the loop it started in
        return outcomes

    for (tool, example), (is_error, content) in zip(examples, anyio.run(run), strict=True):
        assert not is_error, f"{spec.name}.{tool.name}: example {example.title!r} failed: {content}"
        wrapped = tool.output_schema is not None and set(tool.output_schema.get("properties", {})) == {
            "result"
        }
        actual = content["result"] if wrapped else content  # type: ignore[index]
        assert compared(actual, example.compare) == compared(example.response, example.compare), (
            f"{spec.name}.{tool.name}: example {example.title!r}"
        )
