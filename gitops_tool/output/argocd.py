"""Presentation of status, sync and doctor: tables, JSON, plan, progress lines. Strings only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import TYPE_CHECKING

from gitops_tool.output import table, to_json

if TYPE_CHECKING:
    from gitops_tool.commands.doctor import DoctorResult
    from gitops_tool.commands.status import StatusResult
    from gitops_tool.commands.sync import Progress, SyncResult
    from gitops_tool.core.rollout import RolloutPlan

STATUS_HEADERS = ("APP", "PLANE", "WAVE", "SYNC", "HEALTH", "REVISION", "IMAGE TAG", "PIN",
                  "LAST OPERATION")


def status_table(result: StatusResult) -> str:
    rows = [
        (r.app, r.plane, r.wave, r.sync, r.health, r.revision,
         r.image_tag if r.image_tag == r.pin or not (r.pin and r.image_tag)
         else f"{r.image_tag} !=",
         r.pin, r.last_operation)
        for r in result.rows
    ]
    lines = [table(STATUS_HEADERS, rows), ""]
    bad = [r for r in result.rows if not r.ok]
    good = len(result.rows) - len(bad)
    lines.append(
        f"{result.environment}: {good} of {len(result.rows)} applications Synced and Healthy "
        f"at {result.revision} ({result.server})"
    )
    lines += [f"  {r.app}: {'; '.join(r.problems)}" for r in bad]
    return "\n".join(lines)


def status_json(result: StatusResult) -> str:
    return to_json({
        "environment": result.environment,
        "revision": result.revision,
        "server": result.server,
        "ok": result.ok,
        "apps": [dict(asdict(r), ok=r.ok) for r in result.rows],
    })


def plan_text(plan: RolloutPlan) -> str:
    root = plan.root
    lines = [
        f"sync plan for {plan.environment}: the root Application, then wave by wave",
        f"  root     {root.name} (project {root.project}, tracks {root.revision})",
    ]
    for wave in plan.waves:
        lines.append(f"  wave {wave.number:<3} {wave.plane}: "
                     + ", ".join(a.name for a in wave.apps))
    if not plan.waves:
        lines.append("  (no applications selected)")
    return "\n".join(lines)


def sync_text(result: SyncResult) -> str:
    """The outcome of a sync, for stdout."""
    from gitops_tool.commands.sync import DONE, FAILED, INTERRUPTED, TIMEOUT

    plan = result.plan
    if result.outcome == DONE:
        waves = len(plan.waves)
        return (f"{plan.environment}: synced {plan.root.name} and {len(plan.apps)} "
                f"applications in {waves} wave{'s' if waves != 1 else ''} "
                f"(sync id {result.sync_id})")
    lines = []
    if result.outcome == FAILED and result.failure:
        f = result.failure
        lines.append(f"{plan.environment}: the rollout stopped at {f.app}: {f.reason}")
        if f.operation_message and f.operation_message not in f.reason:
            lines.append(f"  operation: {f.operation_message}")
        lines += [f"  {resource}" for resource in f.resources]
    elif result.outcome == TIMEOUT:
        lines.append(f"{plan.environment}: timed out; last known state:")
    elif result.outcome == INTERRUPTED:
        lines.append(f"{plan.environment}: interrupted; stopped waiting")
    if result.outcome in (TIMEOUT, INTERRUPTED, FAILED):
        lines += [f"  {name} (wave {wave}): {state}" for name, wave, state in result.apps
                  if result.outcome == TIMEOUT or state != "done"]
    if result.running:
        lines.append("still running in Argo CD (not cancelled): " + ", ".join(result.running))
    return "\n".join(lines)


def sync_hint(result: SyncResult) -> str | None:
    from gitops_tool.commands.sync import FAILED, TIMEOUT

    env = result.plan.environment
    if result.outcome == FAILED:
        return (f"later waves were not synced. Fix forward, or roll back by promoting the "
                f"previous pins in environments/{env}.yaml; then run `gitops-tool sync {env}`")
    if result.outcome == TIMEOUT:
        return f"check the apps in Argo CD, then re-run `gitops-tool sync {env}` (or --timeout)"
    return None


def progress_line(progress: Progress) -> str:
    """One line for a terminal: the stage, how many are done, the first app still waiting."""
    done = sum(1 for _, kind, _ in progress.apps if kind == "done")
    waiting = [(name, reason) for name, kind, reason in progress.apps if kind != "done"]
    line = f"{progress.stage}: {done}/{len(progress.apps)} done"
    if waiting:
        name, reason = waiting[0]
        line += f"; {name}: {reason}"
        if len(waiting) > 1:
            line += f" (+{len(waiting) - 1} more)"
    return line


def progress_changes(seen: Mapping[str, str], progress: Progress) -> list[str]:
    """Plain lines for the apps whose state changed since `seen` (name -> reason)."""
    return [f"{progress.stage}: {name}: {reason}" for name, _, reason in progress.apps
            if seen.get(name) != reason]


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
    return "\n".join(lines)
