"""Muscles: one folder per MCP server, ``muscles/<category>/<name>/service.py``."""
