"""The anchor for ``bench/mcp_roundtrip.py``: media_v2's ``stat`` tool, written by hand.

A plain ``mcp.server.mcpserver.MCPServer`` with one tool, ``stat(uri: str) -> MediaRef``,
implemented directly against :class:`core.media.MediaStore` and
:func:`core.storage.open_storage`: no MuscleRuntime, no MuscleServer, no generated code. It does
the same work as the generated server's ``stat`` (a storage head plus a metadata parse, on a
worker thread so the event loop never blocks), so the benchmark's ratio is our framework's
overhead and nothing else.

Configured by the same ``ATOMS_*`` variables as the muscles. Run it with::

    python bench/anchors/handwritten_media_server.py               # stdio
    python bench/anchors/handwritten_media_server.py --port 8765   # streamable HTTP at /mcp
"""

from __future__ import annotations

import argparse

import anyio
from mcp.server.mcpserver import MCPServer

from core.media.ref import MediaRef
from core.media.store import MediaStore
from core.scope import Scope
from core.settings import Settings, load_settings
from core.storage import open_storage


def build_server(settings: Settings) -> MCPServer:
    store = MediaStore(
        open_storage(settings),
        env=settings.env,
        work_dir=settings.data_dir / "staging",
        max_bytes=settings.max_asset_bytes,
    )
    scope = Scope(tenant_id=settings.tenant_id)
    server = MCPServer("media_anchor", log_level=settings.log_level)

    @server.tool(name="stat", description="Return the MediaRef of a stored asset.")
    async def stat(uri: str) -> MediaRef:
        return await anyio.to_thread.run_sync(store.stat, scope, uri)

    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--port", type=int, default=None, help="serve streamable HTTP on this port (else stdio)"
    )
    args = parser.parse_args()
    settings = load_settings()
    server = build_server(settings)
    if args.port is None:
        server.run()
    else:
        server.run(
            "streamable-http",
            host="127.0.0.1",
            port=args.port,
            streamable_http_path="/mcp",
            stateless_http=settings.http_stateless,
        )


if __name__ == "__main__":
    main()
