"""Which spine a configuration names: PostgreSQL when a database URL is set, else SQLite.

A module of its own so that the contract (``base``) imports neither backend, and neither
backend imports anything that imports it back.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from gateway.spine.base import Spine
from gateway.spine.postgres import PostgresSpine
from gateway.spine.sqlite import SqliteSpine

__all__ = ["open_spine"]


def open_spine(database_url: SecretStr | None, data_dir: Path) -> Spine:
    """PostgreSQL when a database URL is given, else SQLite under ``data_dir``.

    The returned spine is not opened yet: ``await spine.open()`` before use.
    """
    if database_url is not None:
        return PostgresSpine(database_url.get_secret_value())
    return SqliteSpine(data_dir / "gateway_spine.sqlite3")
