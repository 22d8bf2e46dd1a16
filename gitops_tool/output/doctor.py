"""Presentation of `doctor`: one line per check, then the verdict. Strings only."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
                 f"{failed} of {len(result.checks)} checks failed")
    if result.unconfigured:
        lines[-1] += "; Argo CD was not contacted (no connection configured)"
    elif result.broken:
        lines[-1] += "; stopped: Argo CD's answers cannot be used, or the time given ran out"
    return "\n".join(lines)
