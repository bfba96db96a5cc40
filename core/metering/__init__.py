"""Metered usage: every tool call and job is a usage record in a ledger, with per-tenant quotas.

What a call consumes is counted where the work happens (:mod:`core.metering.meter`); the
serving host turns each call into a :class:`UsageRecord` and hands it to the
:class:`LedgerWriter`, which writes batches off the call's path to SQLite (embedded) or to
``public.usage_ledger`` in PostgreSQL (Supabase, with Row Level Security: a tenant reads its
own rows, only the service role writes). :class:`Quotas` refuses calls past a tenant's limits.
"""

from core.metering.factory import open_ledger, open_writer
from core.metering.ledger import Ledger, PostgresLedger, SqliteLedger
from core.metering.meter import UsageMeter, add_bytes_in, add_bytes_out, add_cpu_seconds, metered
from core.metering.quotas import QuotaLimits, Quotas
from core.metering.record import DecisionRecord, LedgerEntry, UsageRecord
from core.metering.writer import LedgerWriter

__all__ = [
    "DecisionRecord",
    "Ledger",
    "LedgerEntry",
    "LedgerWriter",
    "PostgresLedger",
    "QuotaLimits",
    "Quotas",
    "SqliteLedger",
    "UsageMeter",
    "UsageRecord",
    "add_bytes_in",
    "add_bytes_out",
    "add_cpu_seconds",
    "metered",
    "open_ledger",
    "open_writer",
]
