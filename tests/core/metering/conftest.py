"""A fresh PostgreSQL database per test holding the usage ledger."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import postgres


@pytest.fixture
def ledger_database() -> Iterator[str]:
    with postgres.ledger_database() as dsn:
        yield dsn
