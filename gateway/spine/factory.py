"""Which spine a configuration names: PostgreSQL when a database URL is set, else SQLite.

A module of its own so that the contract (``base``) imports neither backend, and neither
backend imports anything that imports it back.
"""

from __future__ import annotations

from core.settings import Settings
from gateway.spine.base import Spine
from gateway.spine.postgres import PostgresSpine
from gateway.spine.sqlite import SqliteSpine

__all__ = ["open_spine"]


def open_spine(settings: Settings) -> Spine:
    """PostgreSQL when settings.database_url is set, else SQLite under settings.data_dir.

    The returned spine is not opened yet: ``await spine.open()`` before use.
    """
    if settings.database_url is not None:
        return PostgresSpine(settings.database_url.get_secret_value())
    return SqliteSpine(settings.data_dir / "gateway_spine.sqlite3")
