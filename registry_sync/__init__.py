"""registry_sync: register every muscle (records derived from its MuscleSpec) in Supabase,
staging and production, with a plan before every write."""

from registry_sync.backends import PostgresBackend, RegistryBackend, RestBackend
from registry_sync.config import RegistrySettings
from registry_sync.local import LocalState, load_local, records_from_specs
from registry_sync.plan import Change, Op, Plan, compute_plan
from registry_sync.records import MuscleRecord, RemoteRow, content_hash, record_from_spec
from registry_sync.server_json import server_json
from registry_sync.sync import ExitCode, run_apply, run_plan
from registry_sync.vault import Vault

__all__ = [
    "Change",
    "ExitCode",
    "LocalState",
    "MuscleRecord",
    "Op",
    "Plan",
    "PostgresBackend",
    "RegistryBackend",
    "RegistrySettings",
    "RemoteRow",
    "RestBackend",
    "Vault",
    "compute_plan",
    "content_hash",
    "load_local",
    "record_from_spec",
    "records_from_specs",
    "run_apply",
    "run_plan",
    "server_json",
]
