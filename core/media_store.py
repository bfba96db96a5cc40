"""Temporary alias while the gateway moves to ``core.media``; removed in the same change."""

from core.media.store import MediaStore, SourcePolicy

__all__ = ["MediaStore", "SourcePolicy"]
