"""Registry backends behind one Protocol: Supabase REST (default) and direct PostgreSQL."""

from registry_sync.backends.base import RegistryBackend
from registry_sync.backends.postgres import PostgresBackend
from registry_sync.backends.rest import RestBackend

__all__ = ["PostgresBackend", "RegistryBackend", "RestBackend"]
