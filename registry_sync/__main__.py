"""``python -m registry_sync``: the same as the ``registry-sync`` console script."""

from registry_sync.cli import run

run()
