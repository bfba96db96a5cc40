"""The realtime canvas gateway: SSE downstream (durable, resumable), authoritative canvas state
(patches, commits, snapshots), idempotent HTTP commands, a ticketed gesture WebSocket,
permission lenses, the agent client, the canvas replica client and the reference router."""

from gateway.app import create_app
from gateway.canvas_client import CanvasFollower, CanvasReplica
from gateway.client import GatewayClient, GatewayError, SseEvent, canvas_path, run_path
from gateway.settings import GatewayConfig, GatewayOptions, load_gateway_config

__all__ = [
    "CanvasFollower",
    "CanvasReplica",
    "GatewayClient",
    "GatewayConfig",
    "GatewayError",
    "GatewayOptions",
    "SseEvent",
    "canvas_path",
    "create_app",
    "load_gateway_config",
    "run_path",
]
