"""Human and JSON reports of plan / apply / status runs. Failures always carry the cause and
the remediation (the error's hint)."""

from __future__ import annotations

from typing import Any, TextIO

from core.errors import AtomsError
from registry_sync.plan import Op, Plan
from registry_sync.sync import EnvOutcome

__all__ = ["Report"]


class Report:
    """Writes to ``out`` / ``err`` with every known secret value scrubbed (a last guard: no
    message is built from a secret in the first place)."""

    def __init__(self, out: TextIO, err: TextIO, secrets: list[str]) -> None:
        self._out, self._err = out, err
        self._secrets = sorted((s for s in secrets if len(s) >= 4), key=len, reverse=True)

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def line(self, text: str = "") -> None:
        self._out.write(self._scrub(text) + "\n")

    def problem(self, error: AtomsError, indent: str = "") -> None:
        self._err.write(
            self._scrub(f"{indent}error [{error.code}]: {error.message}\n{indent}fix: {error.hint}\n")
        )

    def json(self, text: str) -> None:
        self._out.write(self._scrub(text) + "\n")

    def summary(self, plan: Plan) -> str:
        return (
            f"{plan.count(Op.CREATE)} to create, {plan.count(Op.UPDATE)} to update, "
            f"{plan.count(Op.PRUNE)} to prune, {plan.count(Op.UNCHANGED)} unchanged"
            + (f", {plan.count(Op.ERROR)} refused" if plan.errors else "")
            + (f", {plan.count(Op.EXTRA)} not in repo" if plan.count(Op.EXTRA) else "")
        )

    def environment(self, outcome: EnvOutcome, *, applying: bool) -> None:
        self.line(f"{outcome.env}: {outcome.target or 'not connected'}")
        if outcome.status == "skipped":
            self.line("  skipped: the environment before it did not succeed")
            return
        for change in outcome.plan.changes:
            versions = change.local_version or change.remote_version or ""
            if change.op is Op.UPDATE and change.remote_version != change.local_version:
                versions = f"{change.remote_version} -> {change.local_version}"
            self.line(f"  {change.op.value} {change.name} {versions}  ({change.reason})")
            if change.error is not None:
                self.problem(change.error, indent="      ")
        if outcome.phase == "preflight" and outcome.error is not None:
            self.line("  preflight failed")
            self.problem(outcome.error, indent="  ")
            return
        self.line(f"  plan: {self.summary(outcome.plan)}")
        if not applying:
            return
        if outcome.phase == "plan":
            self.line("  nothing written: the plan holds refused changes")
        elif outcome.phase == "write" and outcome.error is not None:
            self.line("  write failed")
            self.problem(outcome.error, indent="  ")
        elif outcome.plan.rows:
            self.line(f"  applied: {len(outcome.plan.rows)} row(s) in {outcome.writes} write(s)")
        else:
            self.line("  in sync: nothing written")

    def document(self, command: str, outcomes: list[EnvOutcome], exit_code: int) -> dict[str, Any]:
        return {
            "command": command,
            "exit_code": exit_code,
            "environments": [o.to_dict() for o in outcomes],
        }
