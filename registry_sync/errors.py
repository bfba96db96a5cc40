"""registry-sync's errors, each a leaf of the core.errors family with a stable code.

    ConfigError
    └── PreflightFailed                 preflight_failed        (exit 3)
        ├── VaultEntryMissing           vault_entry_missing
        ├── InvalidRegistryUrl          registry_url_invalid
        ├── NotServiceRoleKey           key_not_service_role
        ├── RegistryUnreachable         registry_unreachable
        ├── RegistryAccessDenied        registry_access_denied
        └── RegistryNotMigrated         registry_table_missing
    InvalidInput
    ├── LocalSpecUnavailable            spec_unavailable        (exit 1)
    ├── SkillStale                      skill_md_stale          (exit 1)
    ├── InvalidVersion                  version_invalid         (exit 1)
    ├── VersionNotBumped                version_not_bumped      (exit 1)
    └── RegistryDrift                   registry_drift          (exit 1 for plan/apply)
    NotFound
    └── UnknownMuscle                   unknown_muscle
    StorageError
    └── RegistryWriteFailed             registry_write_failed   (exit 4 or 5)

Messages and values never hold a secret: keys and database URLs are named by where they
come from (vault file or variable), never echoed.
"""

from __future__ import annotations

from core.errors import ConfigError, InvalidInput, NotFound, StorageError

__all__ = [
    "InvalidRegistryUrl",
    "InvalidVersion",
    "LocalSpecUnavailable",
    "NotServiceRoleKey",
    "PreflightFailed",
    "RegistryAccessDenied",
    "RegistryDrift",
    "RegistryNotMigrated",
    "RegistryUnreachable",
    "RegistryWriteFailed",
    "SkillStale",
    "UnknownMuscle",
    "VaultEntryMissing",
    "VersionNotBumped",
]


class PreflightFailed(ConfigError):
    code = "preflight_failed"
    default_hint = "Fix the environment's vault entry or database named in the message, then run again."


class VaultEntryMissing(PreflightFailed):
    code = "vault_entry_missing"
    default_hint = "Write the value into the vault file named in the message (or set its ATOMS_* variable)."


class InvalidRegistryUrl(PreflightFailed):
    code = "registry_url_invalid"
    default_hint = "Put the project URL, e.g. https://<project-ref>.supabase.co, alone on one line."


class NotServiceRoleKey(PreflightFailed):
    code = "key_not_service_role"
    default_hint = (
        "Copy the service_role key (Supabase dashboard: Project Settings > API keys > service_role "
        "secret) into the vault file; the anon key can only read."
    )


class RegistryUnreachable(PreflightFailed):
    code = "registry_unreachable"
    default_hint = "Check the URL in the vault file and the network path to the host, then run again."


class RegistryAccessDenied(PreflightFailed):
    code = "registry_access_denied"
    default_hint = "The credentials were refused: use the service_role key (or a database owner) for writes."


class RegistryNotMigrated(PreflightFailed):
    code = "registry_table_missing"
    default_hint = (
        "Apply the migrations: run `supabase db push` (or `registry-sync migrate` with the direct backend)."
    )


class LocalSpecUnavailable(InvalidInput):
    code = "spec_unavailable"
    default_hint = "Run `sentinel check` and fix the service it names; records come from its MuscleSpec."


class SkillStale(InvalidInput):
    code = "skill_md_stale"
    default_hint = "Run `sentinel generate` so SKILL.md matches service.py, then sync again."


class InvalidVersion(InvalidInput):
    code = "version_invalid"
    default_hint = "Give the muscle an exact semantic version (MAJOR.MINOR.PATCH), e.g. version = '1.2.0'."


class VersionNotBumped(InvalidInput):
    code = "version_not_bumped"
    default_hint = "Published versions are immutable: raise `version` in service.py, run `sentinel generate`, sync again."


class RegistryDrift(InvalidInput):
    code = "registry_drift"
    default_hint = (
        "The registry holds content this checkout did not produce: compare synced_by and source_commit "
        "with `registry-sync status`, then publish a higher version from the right checkout."
    )


class UnknownMuscle(NotFound):
    code = "unknown_muscle"
    default_hint = "List the muscles with `muscle list`; names are snake_case, e.g. media_v2."


class RegistryWriteFailed(StorageError):
    code = "registry_write_failed"
    default_hint = (
        "Nothing was written to this environment (the write is one transaction); fix the cause and run "
        "`registry-sync apply` again: it only sends what is still missing."
    )
