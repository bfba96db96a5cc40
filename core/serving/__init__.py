"""Serving muscles: the runtime every generated mcp.py calls, the MCP server class, and the
stdio and HTTP entry points (with bearer auth, health, /media and housekeeping)."""

from core.serving.app import (
    MountedMuscle,
    build_http_app,
    check_bind,
    configure_logging,
    load_serving_settings,
    run_cli,
    serve_http,
    serve_in_process,
    serve_stdio,
)
from core.serving.runtime import MuscleRuntime
from core.serving.server import MuscleServer

__all__ = [
    "MountedMuscle",
    "MuscleRuntime",
    "MuscleServer",
    "build_http_app",
    "check_bind",
    "configure_logging",
    "load_serving_settings",
    "run_cli",
    "serve_http",
    "serve_in_process",
    "serve_stdio",
]
