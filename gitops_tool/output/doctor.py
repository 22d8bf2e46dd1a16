"""Presentation of `doctor`: one line per check, then the verdict; or one JSON document.
Strings only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gitops_tool.core.wording import plural
from gitops_tool.output import to_json

if TYPE_CHECKING:
    from gitops_tool.commands.doctor import DoctorResult


def doctor_text(result: DoctorResult) -> str:
    lines = []
    for check in result.checks:
        lines.append(f"{'ok  ' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
        if not check.ok and check.fix:
            lines.append(f"      fix: {check.fix}")
    failed = sum(1 for c in result.checks if not c.ok)
    lines.append("")
    lines.append("all checks passed" if not failed else
                 f"{failed} of {plural(len(result.checks), 'check')} failed")
    if result.unconfigured:
        lines[-1] += "; Argo CD was not contacted (no connection configured)"
    elif result.broken:
        lines[-1] += "; stopped: Argo CD's answers cannot be used, or the time given ran out"
    return "\n".join(lines)


def doctor_json(result: DoctorResult) -> str:
    """Every check; with no connection configured (exit 2), also `error` and `hint`, as
    every command's JSON on bad input."""
    data: dict[str, Any] = {
        "exit_code": result.exit_code,
        "ok": result.ok,
        "contacted": not result.unconfigured,
        "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail, "fix": c.fix}
                   for c in result.checks],
    }
    if result.unconfigured:
        failed = [c for c in result.checks if not c.ok]
        data["error"] = failed[-1].detail if failed else "no Argo CD connection configured"
        data["hint"] = failed[-1].fix if failed else "set ARGOCD_SERVER and ARGOCD_AUTH_TOKEN"
    return to_json(data)
