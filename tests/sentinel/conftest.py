"""One warm introspector for the session: the fork server the watcher and the CLI use."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sentinel.generate import WarmIntrospector, warm_introspector


@pytest.fixture(scope="session")
def warm() -> Iterator[WarmIntrospector | None]:
    with warm_introspector() as introspector:
        yield introspector
