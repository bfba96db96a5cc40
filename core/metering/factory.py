"""The ledger the settings name: PostgreSQL when ``ATOMS_LEDGER_DATABASE_URL`` is set, else
SQLite under the data dir."""

from __future__ import annotations

from core.metering.ledger import Ledger, PostgresLedger, SqliteLedger
from core.metering.writer import LedgerWriter
from core.settings import Settings

__all__ = ["open_ledger", "open_writer"]


def open_ledger(settings: Settings) -> Ledger:
    if settings.ledger_database_url is not None:
        return PostgresLedger(settings.ledger_database_url.get_secret_value())
    return SqliteLedger(settings.ledger_db_path)


def open_writer(settings: Settings) -> LedgerWriter:
    """A started writer over the settings' ledger, batching as the settings say."""
    writer = LedgerWriter(
        open_ledger(settings),
        batch_size=settings.ledger_batch_size,
        flush_interval_s=settings.ledger_flush_interval_s,
    )
    writer.start()
    return writer
