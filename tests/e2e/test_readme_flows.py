"""The README's flows run as written: its shell blocks are extracted from README.md itself (so
the README cannot drift from what works) and run with bash, in order, on a fresh data dir.

Every ```bash block in the README carries a marker on the line before it:
``<!-- flow: NAME -->`` (run, together with the other blocks of that flow, in README order;
``needs=muscles`` or ``needs=gateway`` first starts ``muscle serve --all`` or ``gateway serve``
and points the block's 127.0.0.1:8700 / :8800 at it) or ``<!-- not-run: why -->`` for what a
test cannot run (a long-running server, the test suite itself, a cloud deployment).

The flows run in a scratch folder (what they write, like ``atoms-samples/``, lands there),
with ``uv run`` pointed at this checkout through ``UV_PROJECT``: the commands are the README's
byte for byte, bar the two ports.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from core.discovery import project_root
from tests.conftest import free_port, require
from tests.e2e.conftest import stop
from tests.e2e.test_job_flow_cli import stop_daemon
from tests.servers import RunningServer, start_until_ready

pytestmark = pytest.mark.e2e

ROOT = project_root()
README = ROOT / "README.md"
_BLOCK = re.compile(r"```bash\n(?P<code>.*?)```", re.S)
_MARK = re.compile(
    r"<!-- (?:flow: (?P<flow>[a-z0-9_-]+)(?P<options>[^>]*?)|not-run: (?P<why>[^>]+?)) -->\s*$"
)
FLOW_TIMEOUT_S = 900


@dataclass
class Flow:
    name: str
    needs: set[str] = field(default_factory=set)
    blocks: list[str] = field(default_factory=list)


def readme_flows(text: str) -> tuple[dict[str, Flow], list[str]]:
    """The README's flows by name, and the blocks that carry no marker (a problem)."""
    flows: dict[str, Flow] = {}
    unmarked = []
    for block in _BLOCK.finditer(text):
        before = text[: block.start()].rstrip("\n").rsplit("\n", 1)[-1]
        mark = _MARK.match(before)
        if mark is None:
            unmarked.append(block["code"].splitlines()[0])
            continue
        if mark["flow"] is None:
            continue
        flow = flows.setdefault(mark["flow"], Flow(mark["flow"]))
        flow.needs |= set(re.findall(r"needs=([a-z]+)", mark["options"] or ""))
        flow.blocks.append(block["code"])
    return flows, unmarked


FLOWS, UNMARKED = readme_flows(README.read_text())


def test_every_shell_block_of_the_readme_is_a_flow_or_says_why_not() -> None:
    assert UNMARKED == []
    assert "tour" in FLOWS


def test_every_code_block_of_the_readme_is_closed() -> None:
    """A lost closing fence swallows the prose and the next block into one shell script."""
    fences = [line for line in README.read_text().splitlines() if line.startswith("```")]
    assert len(fences) % 2 == 0
    closers = fences[1::2]
    assert all(line == "```" for line in closers), closers
    for flow in FLOWS.values():
        for block in flow.blocks:
            assert "<!-- " not in block and "\n**" not in block, block


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ATOMS_", "UV_"))}
    env.update(
        {
            "UV_PROJECT": str(ROOT),
            "ATOMS_DATA_DIR": str(tmp / "data"),
            "ATOMS_JOBS_IDLE_S": "20",  # the flow's job daemon goes soon after its last job
            "ATOMS_LOG_LEVEL": "WARNING",
        }
    )
    # `uv run` as the README writes it: the venv this test runs in is the checkout's.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[dict[str, RunningServer]]:
    started: dict[str, RunningServer] = {}
    yield started
    for server in started.values():
        stop(server)
    if (tmp_path / "data" / "jobs" / "daemon.json").exists():
        stop_daemon(_env(tmp_path))


def _start(needs: str, env: dict[str, str], tmp: Path) -> RunningServer:
    port = free_port()
    if needs == "muscles":
        argv = [sys.executable, "-m", "muscles", "serve", "--all", "--port", str(port)]
    else:
        argv = [sys.executable, "-m", "gateway", "serve", "--port", str(port)]
    return start_until_ready(argv, env, tmp / f"{needs}.log", port, what=needs, cwd=tmp)


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_the_readme_flow_runs_as_written(
    name: str, tmp_path: Path, servers: dict[str, RunningServer]
) -> None:
    require(shutil.which("uv") is not None, "uv is not on PATH")
    flow = FLOWS[name]
    work = tmp_path / "work"
    work.mkdir()
    env = _env(tmp_path)
    script = "\n".join(flow.blocks)
    for needs, default_port in (("muscles", "8700"), ("gateway", "8800")):
        if needs in flow.needs:
            servers[needs] = _start(needs, env, work)
            port = servers[needs].base_url.rsplit(":", 1)[1]
            script = script.replace(f"127.0.0.1:{default_port}", f"127.0.0.1:{port}")
    done = subprocess.run(
        ["bash", "-xeuo", "pipefail", "-c", script],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=FLOW_TIMEOUT_S,
    )
    logs = "".join(f"\n--- {n} log\n{s.log_text()[-3000:]}" for n, s in servers.items())
    assert done.returncode == 0, f"stdout:\n{done.stdout[-4000:]}\nstderr:\n{done.stderr[-4000:]}{logs}"
    assert "Traceback" not in done.stderr
