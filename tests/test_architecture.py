"""The architecture as tests: dependencies point to core only, and public surfaces are pinned."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import core
import core.ffmpeg
import core.governance
import core.jobs
import core.media
import core.metering
import core.observability
import core.serving
import core.serving.tasks
import core.storage
import sentinel

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "muscles", "sentinel", "registry_sync", "gateway")


def _imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & set(PACKAGES)


@pytest.mark.parametrize("package", PACKAGES)
def test_dependencies_point_to_core_only(package: str) -> None:
    allowed = {"core"} if package == "core" else {"core", package}
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imported_packages(path) - allowed)
        for path in (ROOT / package).rglob("*.py")
        if _imported_packages(path) - allowed
    }
    assert offenders == {}


def test_core_public_surface_is_deliberate() -> None:
    assert sorted(core.__all__) == [
        "AtomsError",
        "CanvasTool",
        "MediaRef",
        "Muscle",
        "MuscleSpec",
        "Phase",
        "Progress",
        "Scope",
        "Settings",
        "ToolExample",
        "load_settings",
        "tool",
    ]
    assert sorted(core.storage.__all__) == [
        "LocalStorage",
        "ObjectInfo",
        "PresignedUrl",
        "S3Storage",
        "Storage",
        "asset_key",
        "check_key",
        "media_routes",
        "open_storage",
        "tenant_prefix",
        "upload_key",
        "upload_prefix",
    ]
    assert sorted(sentinel.__all__) == [
        "ServiceLocation",
        "check",
        "find_services",
        "generate",
        "introspect",
        "locate",
    ]
    assert sorted(core.media.__all__) == [
        "BlockingWorkspace",
        "MEDIA_URI_SCHEME",
        "MediaInfo",
        "MediaRef",
        "MediaStore",
        "MediaUri",
        "Need",
        "OpenedMedia",
        "SourcePolicy",
        "StoredAsset",
        "WORK_DIR",
        "Workspace",
        "media_uri",
        "parse_media_uri",
        "probe",
        "probe_sync",
        "validate_filename",
    ]
    assert sorted(core.ffmpeg.__all__) == [
        "DETERMINISTIC_H264",
        "FfmpegResult",
        "Frame",
        "FrameReader",
        "FrameWriter",
        "H264",
        "ffmpeg_binary",
        "ffprobe_binary",
        "pinned_input",
        "read_frames",
        "run_ffmpeg",
        "run_ffmpeg_sync",
    ]
    assert sorted(core.serving.__all__) == [
        "MountedMuscle",
        "MuscleRuntime",
        "MuscleServer",
        "build_http_app",
        "check_bind",
        "configure_logging",
        "load_serving_settings",
        "run_cli",
        "serve_http",
        "serve_in_process",
        "serve_stdio",
    ]
    assert sorted(core.jobs.__all__) == [
        "BatchJob",
        "BatchPage",
        "BatchState",
        "BatchStatus",
        "JobCancelled",
        "JobContext",
        "JobEngine",
        "JobError",
        "JobFailed",
        "JobNotFinished",
        "JobNotFound",
        "JobPage",
        "JobState",
        "JobStatus",
        "ToolJob",
        "job_id_for",
        "run_tool",
    ]
    assert sorted(core.metering.__all__) == [
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
    assert sorted(core.governance.__all__) == [
        "Decision",
        "GovernanceStore",
        "Governor",
        "Maturity",
        "Outcome",
        "Proposal",
        "SupervisedCall",
        "complexity_of",
        "decide",
        "level_needed",
        "parse_maturity",
        "spec_complexity",
        "visible_tools",
    ]
    assert sorted(core.observability.__all__) == [
        "JsonFormatter",
        "REQUEST_ID_HEADER",
        "RequestIdFilter",
        "configure_logging",
        "current_request_id",
        "new_request_id",
        "request_id_scope",
        "usable_request_id",
    ]
    assert sorted(core.serving.tasks.__all__) == [
        "TASKS_EXTENSION",
        "TaskRow",
        "TaskTable",
        "TasksExtension",
        "declared",
    ]
    surfaces = (
        core,
        core.storage,
        core.media,
        core.ffmpeg,
        core.serving,
        core.jobs,
        core.metering,
        core.governance,
        core.observability,
        core.serving.tasks,
        sentinel,
    )
    for module in surfaces:
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"


# What a muscle's own modules (services and their helpers) may import from core: the package
# surfaces (and the frame pipe, whose numpy-facing API the runner surface does not carry). Only
# the generated mcp.py and the muscle CLI reach for core.serving and discovery.
MUSCLE_SURFACES = {"core", "core.errors", "core.media", "core.ffmpeg", "core.ffmpeg.frames", "core.jobs"}


def _core_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "core" or name.startswith("core.")}


def test_muscles_import_core_only_through_its_package_surfaces() -> None:
    offenders = {}
    for path in (ROOT / "muscles").rglob("*.py"):
        if path.name in ("mcp.py", "cli.py", "__main__.py"):
            continue
        deep = sorted(
            name
            for name in _core_imports(path)
            if name not in MUSCLE_SURFACES or any(part.startswith("_") for part in name.split("."))
        )
        if deep:
            offenders[str(path.relative_to(ROOT))] = deep
    assert offenders == {}


def test_each_setting_is_declared_once_and_core_holds_no_muscle_or_gateway_field() -> None:
    from core.settings import Settings
    from gateway.settings import GatewayOptions
    from muscles.audio.transcriber.settings import WhisperSettings
    from registry_sync.config import RegistrySettings

    owners: dict[str, list[str]] = {}
    for cls in (Settings, GatewayOptions, WhisperSettings, RegistrySettings):
        prefix = cls.model_config.get("env_prefix", "")
        for name, field in cls.model_fields.items():
            variable = field.validation_alias if isinstance(field.validation_alias, str) else prefix + name
            owners.setdefault(variable.upper(), []).append(cls.__name__)
    assert {variable: found for variable, found in owners.items() if len(found) > 1} == {}
    core_fields = set(Settings.model_fields)
    assert not {
        name for name in core_fields if name.startswith(("whisper", "gateway", "jwt", "jwks", "database"))
    }
