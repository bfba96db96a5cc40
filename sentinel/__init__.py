"""sentinel: turns each muscle's service.py into its mcp.py and SKILL.md, deterministically."""

from core.discovery import ServiceLocation, find_services, locate
from sentinel.generate import check, generate, introspect

__all__ = ["ServiceLocation", "check", "find_services", "generate", "introspect", "locate"]
