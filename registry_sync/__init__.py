"""Placeholder package: built in its own issue."""
