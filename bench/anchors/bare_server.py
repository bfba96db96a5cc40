"""The anchor for ``bench/muscle_start.py``: the smallest real MCP server, one tool, stdio.

A plain ``mcp.server.mcpserver.MCPServer`` with ``echo(text: str) -> str``: what any Python
MCP server pays to start (the interpreter, the SDK's imports, the stdio transport), and
nothing of ours.
"""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer

server = MCPServer("bare")


@server.tool(name="echo", description="Return the text.")
def echo(text: str) -> str:
    return text


if __name__ == "__main__":
    server.run()
